#include "metrics/health.h"

#include <gtest/gtest.h>

namespace clickstream::metrics {
namespace {

using std::chrono::milliseconds;

TEST(HealthTest, ReportsTheFirstProblemOnOneLine) {
  Health health;
  EXPECT_FALSE(health.Problem().has_value());
  health.Fail("kafka", "broker down\nsecond line");
  health.Fail("commits", "catalog locked");
  EXPECT_EQ(health.Problem(), "commits: catalog locked");
  health.Clear("commits");
  EXPECT_EQ(health.Problem(), "kafka: broker down second line");
  health.Clear("kafka");
  EXPECT_FALSE(health.Problem().has_value());
}

TEST(HealthTest, SilentComponentIsStuck) {
  Health health;
  health.Beat("processor", milliseconds(1000), "committing");
  const auto now = Health::Clock::now();
  EXPECT_FALSE(health.Problem(now).has_value());
  EXPECT_EQ(health.Problem(now + milliseconds(3500)),
            "processor: no progress for 3 s (committing)");
  health.Beat("processor", milliseconds(1000));
  EXPECT_FALSE(health.Problem().has_value());
  health.StopWatching("processor");
  EXPECT_FALSE(health.Problem(now + std::chrono::hours(1)).has_value());
}

}  // namespace
}  // namespace clickstream::metrics
