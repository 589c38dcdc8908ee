#include "events/bad_record.h"

#include "events/click_codec.h"

namespace clickstream::events {
namespace {

// A JSON object with the given raw (already encoded) member values; a null value omits the member.
std::string Object(const char* user_id, const char* page, const char* event_ts) {
  std::string out = "{";
  auto member = [&out](const char* name, const char* value) {
    if (value == nullptr) return;
    if (out.size() > 1) out.push_back(',');
    out.append("\"").append(name).append("\":").append(value);
  };
  member("user_id", user_id);
  member("page", page);
  member("event_ts", event_ts);
  out.push_back('}');
  return out;
}

std::string Quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

}  // namespace

std::string_view BadRecordKindName(BadRecordKind kind) {
  switch (kind) {
    case BadRecordKind::kBrokenJson:
      return "broken_json";
    case BadRecordKind::kMissingField:
      return "missing_field";
    case BadRecordKind::kWrongType:
      return "wrong_type";
    case BadRecordKind::kBadTimestamp:
      return "bad_timestamp";
    case BadRecordKind::kEmpty:
      return "empty";
    case BadRecordKind::kInvalidUtf8:
      return "invalid_utf8";
  }
  return "unknown";
}

void MakeBadRecord(BadRecordKind kind, const ClickEvent& event, DeterministicRandom& random,
                   std::string& out) {
  out.clear();
  const std::string good = EncodeClickEvent(event);
  const std::string user = Quoted(event.user_id);
  const std::string page = Quoted(event.page);
  const std::string ts = Quoted(FormatTimestampMicros(event.event_ts_us));
  switch (kind) {
    case BadRecordKind::kBrokenJson:
      switch (random.Below(4)) {
        case 0:  // cut anywhere before the closing brace: no prefix of an object is JSON
          out = good.substr(0, 1 + random.Below(good.size() - 1));
          break;
        case 1:
          out = good + "}";
          break;
        case 2:
          out = "{'user_id': '" + event.user_id + "', 'page': '" + event.page + "'}";
          break;
        default:
          out = "{\"user_id\" " + user + ", \"page\": " + page + ", \"event_ts\": " + ts + "}";
          break;
      }
      return;
    case BadRecordKind::kMissingField:
      switch (random.Below(3)) {
        case 0:
          out = Object(nullptr, page.c_str(), ts.c_str());
          break;
        case 1:
          out = Object(user.c_str(), nullptr, ts.c_str());
          break;
        default:
          out = Object(user.c_str(), page.c_str(), nullptr);
          break;
      }
      return;
    case BadRecordKind::kWrongType: {
      const std::string millis = std::to_string(event.event_ts_us / 1000);
      switch (random.Below(5)) {
        case 0:
          out = Object(event.user_id.substr(5).c_str(), page.c_str(), ts.c_str());  // user_42 -> 42
          break;
        case 1:
          out = Object(user.c_str(), "null", ts.c_str());
          break;
        case 2:
          out = Object(user.c_str(), page.c_str(), ("[" + millis + "]").c_str());
          break;
        case 3:
          out = Object(user.c_str(), ("[" + page + "]").c_str(), ts.c_str());
          break;
        default:
          out = Object("true", page.c_str(), ("{\"ts\":" + ts + "}").c_str());
          break;
      }
      return;
    }
    case BadRecordKind::kBadTimestamp: {
      const std::string iso = FormatTimestampMicros(event.event_ts_us);  // ....ffffffZ
      const std::string no_zone = iso.substr(0, iso.size() - 1);
      const std::string candidates[] = {
          "yesterday",
          std::to_string(event.event_ts_us / 1'000'000),                    // epoch seconds as text
          no_zone.substr(0, 16),                                            // no seconds
          no_zone + "1234Z",                                                // 10 fractional digits
          iso.substr(0, 4) + "-13" + iso.substr(7),                         // month 13
          iso.substr(0, 5) + "02-30" + iso.substr(10),                      // no such day
          iso.substr(0, 11) + "25" + iso.substr(13),                        // hour 25
          iso.substr(0, 4) + "/" + iso.substr(5, 2) + "/" + iso.substr(8),  // slashes
          "0000" + iso.substr(4),                                           // year 0
          iso.substr(0, 10) + "_" + iso.substr(11),                         // bad separator
          "",
      };
      out = Object(user.c_str(), page.c_str(),
                   Quoted(candidates[random.Below(std::size(candidates))]).c_str());
      return;
    }
    case BadRecordKind::kEmpty:
      return;
    case BadRecordKind::kInvalidUtf8: {
      constexpr std::string_view kInvalid[] = {
          "\xFF",          // never valid in UTF-8
          "\xC0\xAF",      // overlong encoding of '/'
          "\xED\xA0\x80",  // UTF-16 surrogate
          "\xE2\x82",      // truncated three-byte sequence
          "\x80",          // lone continuation byte
      };
      const std::string bad_page = event.page + std::string(kInvalid[random.Below(5)]);
      out = Object(user.c_str(), Quoted(bad_page).c_str(), ts.c_str());
      return;
    }
  }
}

}  // namespace clickstream::events
