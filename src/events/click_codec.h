#pragma once

// The JSON form of a click event on the topic user_clicks (DESIGN.md "Event contract"):
//   {"user_id": "user_42", "page": "/products", "event_ts": "2026-11-23T22:55:00.123456Z"}

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "events/click_event.h"
#include "events/event_time.h"

namespace clickstream::events {

// Appends the event as one JSON object (no newline) to `out`; event_ts is written in UTC with
// six fractional digits and `Z`. Strings are escaped, so any user_id/page round-trips.
void AppendClickEventJson(const ClickEvent& event, std::string& out);
std::string EncodeClickEvent(const ClickEvent& event);

// "YYYY-MM-DDTHH:MM:SS.ffffffZ" for microseconds since the epoch (years 0000-9999).
std::string FormatTimestampMicros(int64_t micros);

// The strict parser the processor uses for every Kafka message. Ok only for valid UTF-8, a
// well-formed JSON object with non-empty string fields user_id and page and an event_ts string or
// number of an accepted form (event_time.h; zone-less times are read in the parser's zone); extra
// fields are ignored, and a repeated key counts with its last value. Otherwise a kCorrupt error
// whose message is a one-line reason ("empty message", "invalid UTF-8", "invalid JSON: ...",
// "not a JSON object", "missing field page", "field user_id is not a string", "field page is
// empty", "field event_ts is not a string or a number", "bad event_ts: ..."), suitable for the
// dead-letter table's error column.
//
// Holds simdjson's buffers, so reuse one parser per thread for a stream of messages.
class ClickEventParser {
 public:
  explicit ClickEventParser(const EventTimeZone& zone = EventTimeZone::Utc());
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
