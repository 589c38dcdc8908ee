#pragma once

// The JSON form of a click event on the topic user_clicks (DESIGN.md "Event contract"):
//   {"user_id": "user_42", "page": "/products", "event_ts": "2026-11-23T22:55:00.123456Z"}

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "events/click_event.h"

namespace clickstream::events {

// Appends the event as one JSON object (no newline) to `out`; event_ts is written in UTC with
// six fractional digits and `Z`. Strings are escaped, so any user_id/page round-trips.
void AppendClickEventJson(const ClickEvent& event, std::string& out);
std::string EncodeClickEvent(const ClickEvent& event);

// "YYYY-MM-DDTHH:MM:SS.ffffffZ" for microseconds since the epoch (years 0000-9999).
std::string FormatTimestampMicros(int64_t micros);

// Parses an event_ts string into UTC microseconds. Accepts exactly the forms of DESIGN.md:
// YYYY-MM-DD, then `T` or one space, HH:MM:SS, optionally `.` and 1 to 9 fractional digits (digits
// past the sixth are truncated), then `Z` or a numeric offset `+HH:MM` / `-HH:MM`. Fields are range
// checked (month, day of that month, 00-23 hours, 00-59 minutes and seconds; no leap second).
// Anything else is a kCorrupt error with a one-line reason.
Result<int64_t> ParseTimestampMicros(std::string_view text);

// The strict parser the processor uses for every Kafka message. Ok only for valid UTF-8, a
// well-formed JSON object with non-empty string fields user_id and page and a string event_ts of
// an accepted form; extra fields are ignored. Otherwise a kCorrupt error whose message is a
// one-line reason ("empty message", "invalid UTF-8", "invalid JSON: ...", "not a JSON object",
// "missing field page", "field user_id is not a string", "field page is empty",
// "bad event_ts: ..."), suitable for the dead-letter table's error column.
//
// Holds simdjson's buffers, so reuse one parser per thread for a stream of messages.
class ClickEventParser {
 public:
  ClickEventParser();
  ~ClickEventParser();
  ClickEventParser(ClickEventParser&&) noexcept;
  ClickEventParser& operator=(ClickEventParser&&) noexcept;

  Result<ClickEvent> Parse(std::string_view bytes);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One-shot convenience over ClickEventParser (allocates a parser per call).
Result<ClickEvent> ParseClickEvent(std::string_view bytes);

}  // namespace clickstream::events
