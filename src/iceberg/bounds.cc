#include "iceberg/bounds.h"

#include <bit>
#include <cstdint>
#include <cstring>
#include <variant>

#include "iceberg/table_metadata.h"

namespace clickstream::iceberg {
namespace {

static_assert(std::endian::native == std::endian::little,
              "single-value serialization below assumes a little-endian host");

template <typename T>
std::string LittleEndianBytes(T value) {
  std::string out(sizeof(T), '\0');
  std::memcpy(out.data(), &value, sizeof(T));
  return out;
}

template <typename T>
Result<Literal> FromLittleEndian(std::string_view bytes, std::string_view type_name) {
  if (bytes.size() != sizeof(T)) {
    return Corrupt("a " + std::string(type_name) + " bound must have " + std::to_string(sizeof(T)) +
                   " bytes, got " + std::to_string(bytes.size()));
  }
  T value;
  std::memcpy(&value, bytes.data(), sizeof(T));
  return Literal(value);
}


bool IsContinuationByte(unsigned char c) { return (c & 0xC0) == 0x80; }

// Byte length of the first `code_points` UTF-8 code points of `value` (all of it if shorter).
size_t PrefixBytes(std::string_view value, size_t code_points) {
  size_t seen = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    if (!IsContinuationByte(static_cast<unsigned char>(value[i]))) {
      if (seen == code_points) return i;
      ++seen;
    }
  }
  return value.size();
}

// Decodes the code point starting at value[pos]; nullopt for malformed UTF-8.
std::optional<char32_t> DecodeAt(std::string_view value, size_t pos, size_t len) {
  auto b = [&](size_t i) { return static_cast<unsigned char>(value[pos + i]); };
  if (len == 1 && b(0) < 0x80) return b(0);
  if (len == 2 && (b(0) & 0xE0) == 0xC0) return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
  if (len == 3 && (b(0) & 0xF0) == 0xE0) {
    return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
  }
  if (len == 4 && (b(0) & 0xF8) == 0xF0) {
    return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
  }
  return std::nullopt;
}

void AppendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::optional<std::string> IncrementUtf8Prefix(std::string_view prefix) {
  // Walk code points from the end; the first that can be incremented ends the bound.
  size_t end = prefix.size();
  while (end > 0) {
    size_t start = end - 1;
    while (start > 0 && IsContinuationByte(static_cast<unsigned char>(prefix[start]))) --start;
    std::optional<char32_t> cp = DecodeAt(prefix, start, end - start);
    if (cp.has_value() && *cp < 0x10FFFF) {
      char32_t next = *cp + 1;
      if (next >= 0xD800 && next <= 0xDFFF) next = 0xE000;  // surrogates are not characters
      std::string out(prefix.substr(0, start));
      AppendUtf8(out, next);
      return out;
    }
    end = start;
  }
  return std::nullopt;
}

std::optional<std::string> IncrementBinaryPrefix(std::string_view prefix) {
  std::string out(prefix);
  while (!out.empty()) {
    auto last = static_cast<unsigned char>(out.back());
    if (last < 0xFF) {
      out.back() = static_cast<char>(last + 1);
      return out;
    }
    out.pop_back();
  }
  return std::nullopt;
}

}  // namespace

Result<std::string> SerializeValue(TypeId type, const Literal& value) {
  auto mismatch = [&]() {
    return InvalidArgument("a literal of variant index " + std::to_string(value.index()) +
                           " is not a " + std::string(TypeName(type)) + " value");
  };
  switch (type) {
    case TypeId::kBoolean:
      if (const bool* v = std::get_if<bool>(&value)) return std::string(1, *v ? '\x01' : '\x00');
      return mismatch();
    case TypeId::kInt:
    case TypeId::kDate:
      if (const int32_t* v = std::get_if<int32_t>(&value)) return LittleEndianBytes(*v);
      return mismatch();
    case TypeId::kLong:
    case TypeId::kTimestamp:
    case TypeId::kTimestamptz:
      if (const int64_t* v = std::get_if<int64_t>(&value)) return LittleEndianBytes(*v);
      return mismatch();
    case TypeId::kFloat:
      if (const float* v = std::get_if<float>(&value)) return LittleEndianBytes(*v);
      return mismatch();
    case TypeId::kDouble:
      if (const double* v = std::get_if<double>(&value)) return LittleEndianBytes(*v);
      return mismatch();
    case TypeId::kString:
    case TypeId::kBinary:
      if (const std::string* v = std::get_if<std::string>(&value)) return *v;
      return mismatch();
  }
  return mismatch();
}

Result<Literal> DeserializeValue(TypeId type, std::string_view bytes) {
  switch (type) {
    case TypeId::kBoolean:
      if (bytes.size() != 1) {
        return Corrupt("a boolean bound must have 1 byte, got " + std::to_string(bytes.size()));
      }
      return Literal(bytes[0] != '\0');
    case TypeId::kInt:
    case TypeId::kDate:
      return FromLittleEndian<int32_t>(bytes, TypeName(type));
    case TypeId::kLong:
    case TypeId::kTimestamp:
    case TypeId::kTimestamptz:
      return FromLittleEndian<int64_t>(bytes, TypeName(type));
    case TypeId::kFloat:
      return FromLittleEndian<float>(bytes, TypeName(type));
    case TypeId::kDouble:
      return FromLittleEndian<double>(bytes, TypeName(type));
    case TypeId::kString:
    case TypeId::kBinary:
      return Literal(std::string(bytes));
  }
  return Internal("unknown Iceberg type id");
}

std::string TruncateLowerBound(TypeId type, std::string_view value, size_t length) {
  if (type == TypeId::kString) return std::string(value.substr(0, PrefixBytes(value, length)));
  if (type == TypeId::kBinary) return std::string(value.substr(0, length));
  return std::string(value);
}

std::optional<std::string> TruncateUpperBound(TypeId type, std::string_view value, size_t length) {
  if (type == TypeId::kString) {
    size_t prefix = PrefixBytes(value, length);
    if (prefix == value.size()) return std::string(value);
    return IncrementUtf8Prefix(value.substr(0, prefix));
  }
  if (type == TypeId::kBinary) {
    if (value.size() <= length) return std::string(value);
    return IncrementBinaryPrefix(value.substr(0, length));
  }
  return std::string(value);
}

}  // namespace clickstream::iceberg
