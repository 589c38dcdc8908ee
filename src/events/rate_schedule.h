#pragma once

#include <chrono>
#include <cstdint>

namespace clickstream::events {

// When each event of a stream at a steady rate is due. Event i is due exactly i / rate seconds
// after the start, computed from i (not by adding intervals), so no error accumulates however long
// the run; a sender that falls behind catches up instead of drifting. Rate 0 means unlimited.
class RateSchedule {
 public:
  explicit RateSchedule(double events_per_second) : rate_(events_per_second) {}

  bool unlimited() const { return rate_ <= 0; }
  double rate() const { return rate_; }

  // Time after the start at which event `index` (0-based) is due; zero when unlimited.
  std::chrono::nanoseconds DueOffset(int64_t index) const;
  // Number of events due at `elapsed` after the start: those with DueOffset(i) <= elapsed.
  // Unlimited schedules return INT64_MAX.
  int64_t DueBy(std::chrono::nanoseconds elapsed) const;

 private:
  double rate_;
};

}  // namespace clickstream::events
