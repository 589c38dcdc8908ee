#include "events/rate_schedule.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace clickstream::events {
namespace {

using std::chrono::nanoseconds;
using std::chrono::seconds;

class RateScheduleTest : public ::testing::TestWithParam<double> {};

TEST_P(RateScheduleTest, EventIIsDueAtIOverRateWithoutDrift) {
  const double rate = GetParam();
  const RateSchedule schedule(rate);
  for (const int64_t i : {int64_t{0}, int64_t{1}, int64_t{12345}, int64_t{1'000'000'007}}) {
    const double exact_ns = static_cast<double>(i) * 1e9 / rate;
    EXPECT_NEAR(static_cast<double>(schedule.DueOffset(i).count()), exact_ns, 1.0) << i;
  }
}

TEST_P(RateScheduleTest, DueByCountsExactlyTheEventsWhoseTimeHasCome) {
  const RateSchedule schedule(GetParam());
  for (int64_t i = 0; i < 20'000; i += 7) {
    const nanoseconds due = schedule.DueOffset(i);
    EXPECT_EQ(schedule.DueBy(due), i + 1) << i;
    if (due.count() > 0) {
      EXPECT_EQ(schedule.DueBy(due - nanoseconds{1}), i) << i;
    }
  }
}

// Over any window of the run, the number of events released is the rate times the window's
// length, to within one event: the schedule neither bursts nor drifts.
TEST_P(RateScheduleTest, AnyWindowReleasesRateTimesLengthEvents) {
  const double rate = GetParam();
  const RateSchedule schedule(rate);
  for (const double start_s : {0.0, 0.37, 59.9, 3600.5}) {
    for (const double length_s : {0.01, 1.0, 10.0, 600.0}) {
      const auto start = nanoseconds{static_cast<int64_t>(start_s * 1e9)};
      const auto end = nanoseconds{static_cast<int64_t>((start_s + length_s) * 1e9)};
      const double released = static_cast<double>(schedule.DueBy(end) - schedule.DueBy(start));
      EXPECT_NEAR(released, rate * length_s, 1.0) << "start " << start_s << " length " << length_s;
    }
  }
}

TEST_P(RateScheduleTest, DueTimesNeverGoBackwards) {
  const RateSchedule schedule(GetParam());
  nanoseconds previous{-1};
  for (int64_t i = 0; i < 100'000; ++i) {
    const nanoseconds due = schedule.DueOffset(i);
    ASSERT_GE(due, previous) << i;
    previous = due;
  }
}

INSTANTIATE_TEST_SUITE_P(Rates, RateScheduleTest,
                         ::testing::Values(1.0, 3.0, 7.5, 1000.0, 33'333.0, 250'000.0, 1e6));

TEST(RateScheduleTest, RateZeroIsUnlimited) {
  const RateSchedule schedule(0);
  EXPECT_TRUE(schedule.unlimited());
  EXPECT_EQ(schedule.DueOffset(1'000'000).count(), 0);
  EXPECT_EQ(schedule.DueBy(nanoseconds{0}), std::numeric_limits<int64_t>::max());
}

TEST(RateScheduleTest, NothingIsDueBeforeTheStart) {
  EXPECT_EQ(RateSchedule(100).DueBy(nanoseconds{-5}), 0);
  EXPECT_EQ(RateSchedule(100).DueBy(nanoseconds{0}), 1);
}

}  // namespace
}  // namespace clickstream::events
