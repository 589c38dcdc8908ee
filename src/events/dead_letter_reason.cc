#include "events/dead_letter_reason.h"

#include "events/bad_record.h"

namespace clickstream::events {

std::string_view DeadLetterReason(std::string_view error) {
  // The message forms of ClickEventParser::Parse (events/click_codec.h).
  if (error.starts_with("oversized")) return kOversizedReason;
  if (error == "empty message") return BadRecordKindName(BadRecordKind::kEmpty);
  if (error.starts_with("invalid UTF-8")) return BadRecordKindName(BadRecordKind::kInvalidUtf8);
  if (error.starts_with("invalid JSON") || error.starts_with("not a JSON object")) {
    return BadRecordKindName(BadRecordKind::kBrokenJson);
  }
  if (error.starts_with("missing field") ||
      (error.starts_with("field ") && error.ends_with(" is empty"))) {
    return BadRecordKindName(BadRecordKind::kMissingField);
  }
  if (error.starts_with("field ") && error.find(" is not a ") != std::string_view::npos) {
    return BadRecordKindName(BadRecordKind::kWrongType);
  }
  if (error.starts_with("bad event_ts")) return BadRecordKindName(BadRecordKind::kBadTimestamp);
  return "other";
}

}  // namespace clickstream::events
