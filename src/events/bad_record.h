#pragma once

#include <array>
#include <string>
#include <string_view>

#include "events/click_event.h"
#include "events/random.h"

namespace clickstream::events {

// The kinds of malformed messages the producer injects for the processor's dead-letter path.
enum class BadRecordKind {
  kBrokenJson,    // truncated object, trailing garbage, single quotes, missing brace
  kMissingField,  // one of user_id, page, event_ts absent
  kWrongType,     // user_id/page not a string, or event_ts neither a string nor a number
  kBadTimestamp,  // event_ts a string of a form DESIGN.md does not accept, no real date, year 0
  kEmpty,         // a zero-length message
  kInvalidUtf8,   // otherwise valid JSON with bytes that are not UTF-8 inside a string
};

inline constexpr std::array<BadRecordKind, 6> kAllBadRecordKinds = {
    BadRecordKind::kBrokenJson,   BadRecordKind::kMissingField, BadRecordKind::kWrongType,
    BadRecordKind::kBadTimestamp, BadRecordKind::kEmpty,        BadRecordKind::kInvalidUtf8};

// "broken_json", "missing_field", ... (stable names for summaries and tests).
std::string_view BadRecordKindName(BadRecordKind kind);

// Writes into `out` a message of the given kind derived from `event` (so it still looks like a
// click), choosing one of the kind's variants with `random`. ParseClickEvent rejects every one.
void MakeBadRecord(BadRecordKind kind, const ClickEvent& event, DeterministicRandom& random,
                   std::string& out);

}  // namespace clickstream::events
