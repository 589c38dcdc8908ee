#include "events/click_codec.h"

#include <simdjson.h>

#include <array>
#include <charconv>
#include <chrono>
#include <cstdio>

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

// Reads exactly `width` ASCII digits at `pos`; nullopt when any is not a digit.
std::optional<int> ReadDigits(std::string_view text, size_t pos, size_t width) {
  if (pos + width > text.size()) return std::nullopt;
  int value = 0;
  for (size_t i = pos; i < pos + width; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

// The string value of a required field; views point into the parser's buffer.
Result<std::string_view> StringField(const simdjson::dom::object& object, std::string_view name) {
  simdjson::dom::element value;
  if (object.at_key(name).get(value) != simdjson::SUCCESS) {
    return Corrupt("missing field " + std::string(name));
  }
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) {
    return Corrupt("field " + std::string(name) + " is not a string");
  }
  return text;
}

std::unexpected<Error> BadTimestamp(std::string_view why) {
  return Corrupt("bad event_ts: " + std::string(why));
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

Result<int64_t> ParseTimestampMicros(std::string_view text) {
  // Fixed part: YYYY-MM-DD?HH:MM:SS (19 characters).
  if (text.size() < 20) return BadTimestamp("too short for YYYY-MM-DDTHH:MM:SS plus a zone");
  const auto year = ReadDigits(text, 0, 4);
  const auto month = ReadDigits(text, 5, 2);
  const auto day = ReadDigits(text, 8, 2);
  const auto hour = ReadDigits(text, 11, 2);
  const auto minute = ReadDigits(text, 14, 2);
  const auto second = ReadDigits(text, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second || text[4] != '-' || text[7] != '-' ||
      text[13] != ':' || text[16] != ':') {
    return BadTimestamp("not of the form YYYY-MM-DDTHH:MM:SS");
  }
  if (text[10] != 'T' && text[10] != ' ') {
    return BadTimestamp("date and time must be separated by 'T' or a space");
  }
  using namespace std::chrono;
  const year_month_day ymd{std::chrono::year{*year},
                           std::chrono::month{static_cast<unsigned>(*month)},
                           std::chrono::day{static_cast<unsigned>(*day)}};
  if (!ymd.ok()) return BadTimestamp("no such date");
  if (*hour > 23 || *minute > 59 || *second > 59) return BadTimestamp("time of day out of range");

  size_t pos = 19;
  int64_t fraction_us = 0;
  if (text[pos] == '.') {
    ++pos;
    size_t digits = 0;
    int64_t scale = 100000;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 6) {
        fraction_us += (text[pos] - '0') * scale;
        scale /= 10;
      }
      ++digits;
      ++pos;
    }
    if (digits == 0) return BadTimestamp("'.' without fractional digits");
    if (digits > 9) return BadTimestamp("more than 9 fractional digits");
  }

  int64_t offset_minutes = 0;
  const std::string_view zone = text.substr(pos);
  if (zone == "Z") {
    offset_minutes = 0;
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    const auto off_h = ReadDigits(zone, 1, 2);
    const auto off_m = ReadDigits(zone, 4, 2);
    if (!off_h || !off_m || *off_h > 23 || *off_m > 59) return BadTimestamp("bad UTC offset");
    offset_minutes = (*off_h * 60 + *off_m) * (zone[0] == '-' ? -1 : 1);
  } else if (zone.empty()) {
    return BadTimestamp("missing time zone ('Z' or +HH:MM)");
  } else {
    return BadTimestamp("time zone must be 'Z' or +HH:MM / -HH:MM");
  }

  const auto local = sys_days{ymd} + hours{*hour} + minutes{*minute} + seconds{*second};
  const auto utc = local - minutes{offset_minutes};
  return duration_cast<microseconds>(utc.time_since_epoch()).count() + fraction_us;
}

struct ClickEventParser::Impl {
  simdjson::dom::parser parser;
};

ClickEventParser::ClickEventParser() : impl_(std::make_unique<Impl>()) {}
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

  CS_ASSIGN_OR_RETURN(const std::string_view user_id, StringField(object, "user_id"));
  CS_ASSIGN_OR_RETURN(const std::string_view page, StringField(object, "page"));
  CS_ASSIGN_OR_RETURN(const std::string_view event_ts, StringField(object, "event_ts"));
  if (user_id.empty()) return Corrupt("field user_id is empty");
  if (page.empty()) return Corrupt("field page is empty");
  ClickEvent event{std::string(user_id), std::string(page), 0};
  CS_ASSIGN_OR_RETURN(event.event_ts_us, ParseTimestampMicros(event_ts));
  return event;
}

Result<ClickEvent> ParseClickEvent(std::string_view bytes) {
  ClickEventParser parser;
  return parser.Parse(bytes);
}

}  // namespace clickstream::events
