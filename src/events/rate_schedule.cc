#include "events/rate_schedule.h"

#include <cmath>
#include <limits>

namespace clickstream::events {

std::chrono::nanoseconds RateSchedule::DueOffset(int64_t index) const {
  if (unlimited()) return std::chrono::nanoseconds{0};
  return std::chrono::nanoseconds{
      static_cast<int64_t>(std::ceil(static_cast<long double>(index) * 1e9L / rate_))};
}

int64_t RateSchedule::DueBy(std::chrono::nanoseconds elapsed) const {
  if (unlimited()) return std::numeric_limits<int64_t>::max();
  if (elapsed.count() < 0) return 0;
  // Candidate from the inverse, then corrected so the result agrees with DueOffset exactly.
  auto due =
      static_cast<int64_t>(std::floor(static_cast<long double>(elapsed.count()) * rate_ / 1e9L)) +
      1;
  while (due > 0 && DueOffset(due - 1) > elapsed) --due;
  while (DueOffset(due) <= elapsed) ++due;
  return due;
}

}  // namespace clickstream::events
