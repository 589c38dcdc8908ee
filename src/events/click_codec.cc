#include "events/click_codec.h"

#include <simdjson.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <optional>

namespace clickstream::events {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

void AppendJsonString(std::string_view s, std::string& out) {
  out.push_back('"');
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        if (u < 0x20) {
          out.append("\\u00");
          out.push_back(kHexDigits[u >> 4]);
          out.push_back(kHexDigits[u & 0xF]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

// The contract's fields of one object. A key given more than once counts with its last value, as
// in Python's json, JavaScript's JSON.parse, Jackson (Flink's JSON format) and Spark's
// parse_json with spark.sql.variant.allowDuplicateKeys.
struct ContractFields {
  std::optional<simdjson::dom::element> user_id, page, event_ts;
};

ContractFields FindContractFields(const simdjson::dom::object& object) {
  ContractFields fields;
  for (const simdjson::dom::key_value_pair field : object) {
    if (field.key == "user_id") {
      fields.user_id = field.value;
    } else if (field.key == "page") {
      fields.page = field.value;
    } else if (field.key == "event_ts") {
      fields.event_ts = field.value;
    }
  }
  return fields;
}

// The string value of a required field; views point into the parser's buffer.
Result<std::string_view> StringField(const std::optional<simdjson::dom::element>& value,
                                     std::string_view name) {
  if (!value) return Corrupt("missing field " + std::string(name));
  std::string_view text;
  if (value->get_string().get(text) != simdjson::SUCCESS) {
    return Corrupt("field " + std::string(name) + " is not a string");
  }
  return text;
}

// event_ts as UTC microseconds: a string in `zone` or an epoch number (event_time.h).
Result<int64_t> EventTimeMicros(const simdjson::dom::element& value, const EventTimeZone& zone) {
  switch (value.type()) {
    case simdjson::dom::element_type::STRING:
      return ParseTimestampMicros(value.get_string().value_unsafe(), zone);
    case simdjson::dom::element_type::INT64:
      return EpochIntegerMicros(value.get_int64().value_unsafe());
    case simdjson::dom::element_type::UINT64:
      return Corrupt("bad event_ts: year outside 1..9999");
    case simdjson::dom::element_type::DOUBLE:
      return EpochNumberMicros(value.get_double().value_unsafe());
    default:
      return Corrupt("field event_ts is not a string or a number");
  }
}

}  // namespace

void AppendClickEventJson(const ClickEvent& event, std::string& out) {
  out.append(R"({"user_id":)");
  AppendJsonString(event.user_id, out);
  out.append(R"(,"page":)");
  AppendJsonString(event.page, out);
  out.append(R"(,"event_ts":")");
  out.append(FormatTimestampMicros(event.event_ts_us));
  out.append(R"("})");
}

std::string EncodeClickEvent(const ClickEvent& event) {
  std::string out;
  out.reserve(96);
  AppendClickEventJson(event, out);
  return out;
}

std::string FormatTimestampMicros(int64_t micros) {
  using namespace std::chrono;
  const sys_time<microseconds> tp{microseconds{micros}};
  const auto day = floor<days>(tp);
  const year_month_day ymd{day};
  const hh_mm_ss hms{tp - day};
  std::array<char, 40> buf{};
  const int n = std::snprintf(
      buf.data(), buf.size(), "%04d-%02u-%02uT%02d:%02d:%02d.%06dZ", static_cast<int>(ymd.year()),
      static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
      static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
      static_cast<int>(hms.seconds().count()), static_cast<int>(hms.subseconds().count()));
  return std::string(buf.data(), static_cast<size_t>(n));
}

struct ClickEventParser::Impl {
  simdjson::dom::parser parser;
  EventTimeZone zone;
};

ClickEventParser::ClickEventParser(const EventTimeZone& zone)
    : impl_(std::make_unique<Impl>(Impl{simdjson::dom::parser(), zone})) {}
ClickEventParser::~ClickEventParser() = default;
ClickEventParser::ClickEventParser(ClickEventParser&&) noexcept = default;
ClickEventParser& ClickEventParser::operator=(ClickEventParser&&) noexcept = default;

Result<ClickEvent> ClickEventParser::Parse(std::string_view bytes) {
  if (bytes.empty()) return Corrupt("empty message");
  if (!simdjson::validate_utf8(bytes.data(), bytes.size())) return Corrupt("invalid UTF-8");
  simdjson::dom::element doc;
  if (const auto error = impl_->parser.parse(bytes.data(), bytes.size()).get(doc); error) {
    return Corrupt(std::string("invalid JSON: ") + simdjson::error_message(error));
  }
  simdjson::dom::object object;
  if (doc.get_object().get(object) != simdjson::SUCCESS) return Corrupt("not a JSON object");

  const ContractFields fields = FindContractFields(object);
  CS_ASSIGN_OR_RETURN(const std::string_view user_id, StringField(fields.user_id, "user_id"));
  CS_ASSIGN_OR_RETURN(const std::string_view page, StringField(fields.page, "page"));
  if (!fields.event_ts) return Corrupt("missing field event_ts");
  if (!fields.event_ts->is_string() && !fields.event_ts->is_number()) {
    return Corrupt("field event_ts is not a string or a number");
  }
  if (user_id.empty()) return Corrupt("field user_id is empty");
  if (page.empty()) return Corrupt("field page is empty");
  ClickEvent event{std::string(user_id), std::string(page), 0};
  CS_ASSIGN_OR_RETURN(event.event_ts_us, EventTimeMicros(*fields.event_ts, impl_->zone));
  return event;
}

Result<ClickEvent> ParseClickEvent(std::string_view bytes) {
  ClickEventParser parser;
  return parser.Parse(bytes);
}

}  // namespace clickstream::events
