#pragma once

#include <string_view>

namespace clickstream::events {

// The short category of a dead letter, for metric labels and summaries: the BadRecordKindName of
// the parser's error ("broken_json", "missing_field", "wrong_type", "bad_timestamp", "empty",
// "invalid_utf8"), "oversized" for kOversizedReason, or "other". `error` is the one-line reason
// ClickEventParser gave (the dead-letter table's error column). A field present but empty counts
// as missing.
std::string_view DeadLetterReason(std::string_view error);

// The category of a message the processor refused for its size, before parsing.
inline constexpr std::string_view kOversizedReason = "oversized";

}  // namespace clickstream::events
