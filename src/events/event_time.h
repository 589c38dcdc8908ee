#pragma once

// event_ts as producers send it (DESIGN.md "Event contract"): ISO-8601 / RFC 3339 text, with or
// without a zone, or a JSON number of Unix epoch seconds, milliseconds or microseconds.

#include <cctz/time_zone.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace clickstream::events {

// The instants the contract admits: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z.
inline constexpr int64_t kMinEventMicros = -62'135'596'800'000'000;
inline constexpr int64_t kMaxEventMicros = 253'402'300'799'999'999;

// An IANA time zone (Debian's tzdata, read through CCTZ) in which zone-less event times are read.
// Cheap to copy.
class EventTimeZone {
 public:
  // The zone named `name` ("UTC", "Europe/Berlin", "Asia/Kolkata"); kInvalidArgument when the
  // time-zone database has no such zone.
  static Result<EventTimeZone> Load(std::string_view name);
  static EventTimeZone Utc();

  const std::string& name() const { return name_; }

  // Seconds since the epoch of a wall-clock time in this zone, as java.time (and so Spark and
  // Flink) resolve one: a time skipped by a clock change moves forward by the change, a repeated
  // time takes the earlier instant.
  int64_t ToUtcSeconds(int year, int month, int day, int hour, int minute, int second) const;

 private:
  EventTimeZone(std::string name, cctz::time_zone zone)
      : name_(std::move(name)), zone_(std::move(zone)) {}
  std::string name_;
  cctz::time_zone zone_;
};

// Parses event_ts text into UTC microseconds: YYYY-MM-DD, `T` or one space, HH:MM:SS, optionally
// `.` and 1 to 9 fractional digits (digits past the sixth are truncated), then `Z`, a numeric
// offset `+HH:MM`, `+HHMM` or `+HH` (or `-`), or nothing: then the time is read in `zone`.
// Fields are range checked (month, day of that month, 00-23 hours, 00-59 minutes and seconds; no
// leap second); the instant must lie in years 1..9999 UTC. Anything else is kCorrupt with a
// one-line reason starting "bad event_ts: ".
Result<int64_t> ParseTimestampMicros(std::string_view text,
                                     const EventTimeZone& zone = EventTimeZone::Utc());

// A JSON number event_ts as UTC microseconds, by magnitude: seconds below 1e11 (a fraction is
// allowed, as Python's time.time() sends), milliseconds below 1e14, microseconds above. A
// fractional value is rounded to the nearest microsecond (halves up). kCorrupt outside years
// 1..9999.
Result<int64_t> EpochIntegerMicros(int64_t value);
Result<int64_t> EpochNumberMicros(double value);

}  // namespace clickstream::events
