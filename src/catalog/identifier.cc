#include "catalog/identifier.h"

#include <cstdio>

namespace clickstream::catalog {

std::string TableIdentifier::ToString() const { return ns + "." + name; }

namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

// Quotes a user-supplied name for an error message without echoing control characters.
std::string Printable(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 64)) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\x%02x", u);
      out += escaped;
    } else {
      out += c;
    }
  }
  if (text.size() > 64) out += "...";
  return out;
}

}  // namespace

Status ValidateName(std::string_view name, std::string_view what) {
  std::string subject = std::string(what) + " name";
  if (name.empty()) return InvalidArgument(subject + " is empty");
  subject += " '" + Printable(name) + "'";
  if (name.size() > kMaxNameLength) {
    return InvalidArgument(subject + " is longer than " + std::to_string(kMaxNameLength) +
                           " characters");
  }
  for (char c : name) {
    if (!IsNameChar(c)) {
      return InvalidArgument(subject + " may only contain letters, digits, '_' and '-'");
    }
  }
  if (name.front() == '-') return InvalidArgument(subject + " may not start with '-'");
  return Ok();
}

Status ValidateNamespace(std::string_view ns) {
  if (ns.empty()) return InvalidArgument("namespace name is empty");
  while (true) {
    const auto dot = ns.find('.');
    CS_RETURN_IF_ERROR(ValidateName(ns.substr(0, dot), "namespace"));
    if (dot == std::string_view::npos) return Ok();
    ns.remove_prefix(dot + 1);
  }
}

Status ValidateStoredName(std::string_view name, std::string_view what) {
  std::string subject = std::string(what) + " name";
  if (name.empty()) return InvalidArgument(subject + " is empty");
  if (name.size() > kMaxStoredNameLength) {
    return InvalidArgument(subject + " '" + Printable(name) + "' is longer than " +
                           std::to_string(kMaxStoredNameLength) + " bytes");
  }
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      return InvalidArgument(subject + " '" + Printable(name) + "' contains a control character");
    }
  }
  return Ok();
}

Result<TableIdentifier> ParseTableIdentifier(std::string_view text) {
  auto dot = text.rfind('.');
  if (dot == std::string_view::npos) {
    return InvalidArgument("table '" + Printable(text) +
                           "' must be written namespace.table, e.g. website.clicks");
  }
  TableIdentifier id{std::string(text.substr(0, dot)), std::string(text.substr(dot + 1))};
  CS_RETURN_IF_ERROR(ValidateNamespace(id.ns));
  CS_RETURN_IF_ERROR(ValidateName(id.name, "table"));
  return id;
}

}  // namespace clickstream::catalog
