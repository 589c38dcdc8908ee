#include "events/event_time.h"

#include <chrono>
#include <cmath>
#include <optional>

namespace clickstream::events {
namespace {

std::unexpected<Error> BadTimestamp(std::string_view why) {
  return Corrupt("bad event_ts: " + std::string(why));
}

std::unexpected<Error> OutOfRange() { return BadTimestamp("year outside 1..9999"); }

Result<int64_t> InRange(int64_t micros) {
  if (micros < kMinEventMicros || micros > kMaxEventMicros) return OutOfRange();
  return micros;
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

// The wall-clock part of an event_ts: date, time of day and fraction.
struct WallClock {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  int64_t fraction_us = 0;
};

// Reads "YYYY-MM-DD[T ]HH:MM:SS[.f{1,9}]" at the start of `text`; returns where the zone starts.
Result<size_t> ReadWallClock(std::string_view text, WallClock& wall) {
  if (text.size() < 19) return BadTimestamp("too short for YYYY-MM-DDTHH:MM:SS");
  const auto year = ReadDigits(text, 0, 4), month = ReadDigits(text, 5, 2),
             day = ReadDigits(text, 8, 2), hour = ReadDigits(text, 11, 2),
             minute = ReadDigits(text, 14, 2), second = ReadDigits(text, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second || text[4] != '-' || text[7] != '-' ||
      text[13] != ':' || text[16] != ':') {
    return BadTimestamp("not of the form YYYY-MM-DDTHH:MM:SS");
  }
  if (text[10] != 'T' && text[10] != ' ') {
    return BadTimestamp("date and time must be separated by 'T' or a space");
  }
  wall = WallClock{*year, *month, *day, *hour, *minute, *second, 0};
  size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t digits = 0;
    int64_t scale = 100000;
    for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos, ++digits) {
      if (digits < 6) {
        wall.fraction_us += (text[pos] - '0') * scale;
        scale /= 10;
      }
    }
    if (digits == 0) return BadTimestamp("'.' without fractional digits");
    if (digits > 9) return BadTimestamp("more than 9 fractional digits");
  }
  return pos;
}

// The offset east of UTC in minutes of "Z", "+HH:MM", "+HHMM" or "+HH" (or '-'); nullopt for an
// empty zone (the time is local).
Result<std::optional<int>> ReadOffsetMinutes(std::string_view zone) {
  if (zone.empty()) return std::optional<int>();
  if (zone == "Z") return std::optional<int>(0);
  if (zone[0] != '+' && zone[0] != '-') {
    return BadTimestamp("time zone must be 'Z' or +HH:MM, +HHMM, +HH (or -)");
  }
  std::optional<int> hours = ReadDigits(zone, 1, 2), minutes = 0;
  if (zone.size() == 6 && zone[3] == ':') {
    minutes = ReadDigits(zone, 4, 2);
  } else if (zone.size() == 5) {
    minutes = ReadDigits(zone, 3, 2);
  } else if (zone.size() != 3) {
    hours.reset();
  }
  if (!hours || !minutes) return BadTimestamp("time zone must be 'Z' or +HH:MM, +HHMM, +HH (or -)");
  if (*hours > 23 || *minutes > 59) return BadTimestamp("bad UTC offset");
  return std::optional<int>((*hours * 60 + *minutes) * (zone[0] == '-' ? -1 : 1));
}

}  // namespace

Result<EventTimeZone> EventTimeZone::Load(std::string_view name) {
  // CCTZ also opens absolute paths and "file:" names; a zone name is letters, digits and _+-/.
  const bool plain = !name.empty() && name.front() != '/' && !name.contains("..") &&
                     name.find_first_not_of(
                         "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+-/") ==
                         std::string_view::npos;
  cctz::time_zone zone;
  if (!plain || !cctz::load_time_zone(std::string(name), &zone)) {
    return InvalidArgument("unknown time zone '" + std::string(name) +
                           "': use an IANA name such as UTC, Europe/Berlin or America/New_York");
  }
  return EventTimeZone(std::string(name), zone);
}

EventTimeZone EventTimeZone::Utc() { return EventTimeZone("UTC", cctz::utc_time_zone()); }

int64_t EventTimeZone::ToUtcSeconds(int year, int month, int day, int hour, int minute,
                                    int second) const {
  const cctz::civil_second civil(year, month, day, hour, minute, second);
  // `pre` is java.time's choice: the earlier instant of a repeated time, and for a skipped time
  // the instant the old offset gives (a wall clock moved forward by the gap).
  return zone_.lookup(civil).pre.time_since_epoch().count();
}

Result<int64_t> ParseTimestampMicros(std::string_view text, const EventTimeZone& zone) {
  WallClock wall;
  CS_ASSIGN_OR_RETURN(const size_t zone_start, ReadWallClock(text, wall));
  using namespace std::chrono;
  const year_month_day ymd{std::chrono::year{wall.year},
                           std::chrono::month{static_cast<unsigned>(wall.month)},
                           std::chrono::day{static_cast<unsigned>(wall.day)}};
  if (!ymd.ok()) return BadTimestamp("no such date");
  if (wall.hour > 23 || wall.minute > 59 || wall.second > 59) {
    return BadTimestamp("time of day out of range");
  }
  CS_ASSIGN_OR_RETURN(const std::optional<int> offset, ReadOffsetMinutes(text.substr(zone_start)));
  if (wall.year == 0) return OutOfRange();
  int64_t seconds = 0;
  if (offset) {
    const auto local =
        sys_days{ymd} + hours{wall.hour} + minutes{wall.minute} + std::chrono::seconds{wall.second};
    seconds = local.time_since_epoch().count() - int64_t{*offset} * 60;
  } else {
    seconds =
        zone.ToUtcSeconds(wall.year, wall.month, wall.day, wall.hour, wall.minute, wall.second);
  }
  return InRange(seconds * 1'000'000 + wall.fraction_us);
}

Result<int64_t> EpochIntegerMicros(int64_t value) {
  constexpr int64_t kSecondsBelow = 100'000'000'000, kMillisBelow = 100'000'000'000'000;
  if (value > -kSecondsBelow && value < kSecondsBelow) return InRange(value * 1'000'000);
  if (value > -kMillisBelow && value < kMillisBelow) return InRange(value * 1'000);
  return InRange(value);
}

Result<int64_t> EpochNumberMicros(double value) {
  if (!std::isfinite(value)) return OutOfRange();
  const double magnitude = std::fabs(value);
  const double scale = magnitude < 1e11 ? 1e6 : magnitude < 1e14 ? 1e3 : 1.0;
  // floor(x + 0.5) as Java's Math.round computes it, so Spark and Flink round alike.
  const double micros = std::floor(value * scale + 0.5);
  if (micros < static_cast<double>(kMinEventMicros) ||
      micros > static_cast<double>(kMaxEventMicros)) {
    return OutOfRange();
  }
  return static_cast<int64_t>(micros);
}

}  // namespace clickstream::events
