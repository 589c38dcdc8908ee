#include "maintenance/maintenance_policy.h"

#include <gtest/gtest.h>

#include "iceberg/table_update.h"

namespace clickstream::maintenance {
namespace {

using iceberg::PropertyAsBool;
using iceberg::PropertyAsLong;
using std::chrono::milliseconds;

TEST(ParseDurationTest, AcceptsUnitsFromMillisecondsToDays) {
  EXPECT_EQ(ParseDuration("500ms").value(), milliseconds(500));
  EXPECT_EQ(ParseDuration("90s").value(), milliseconds(90'000));
  EXPECT_EQ(ParseDuration("90").value(), milliseconds(90'000));
  EXPECT_EQ(ParseDuration("10m").value(), milliseconds(600'000));
  EXPECT_EQ(ParseDuration("1h").value(), milliseconds(3'600'000));
  EXPECT_EQ(ParseDuration("5d").value(), milliseconds(432'000'000));
  for (const char* bad : {"", "h", "-1h", "1w", "1.5h", "1 h", "99999999999999999999d"}) {
    auto parsed = ParseDuration(bad);
    ASSERT_FALSE(parsed.has_value()) << bad;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(MaintenancePolicyTest, ThresholdsComeFromTablePropertiesWithDefaults) {
  iceberg::TableMetadata m;
  MaintenancePolicy defaults = PolicyFromProperties(m);
  EXPECT_TRUE(defaults.enabled);
  EXPECT_EQ(defaults.orphan_interval, std::chrono::hours(1));
  m.properties = {{"clickstream.maintenance.enabled", "false"},
                  {"clickstream.maintenance.rewrite-min-new-files", "50"},
                  {"clickstream.maintenance.rewrite-size-ratio", "8"},
                  {"clickstream.maintenance.max-manifests", "not a number"},
                  {"clickstream.maintenance.expire-interval-ms", "1000"}};
  MaintenancePolicy policy = PolicyFromProperties(m);
  EXPECT_FALSE(policy.enabled);
  EXPECT_EQ(policy.rewrite_min_new_files, 50);
  EXPECT_EQ(policy.rewrite_size_ratio, 8);
  EXPECT_EQ(defaults.rewrite_size_ratio, 4);
  EXPECT_EQ(policy.max_manifests, defaults.max_manifests);
  EXPECT_EQ(policy.expire_interval, milliseconds(1000));
}

TEST(MaintenancePolicyTest, StreamingPropertiesKeepMinutesOfSnapshotsAndDeleteOldMetadata) {
  auto properties = StreamingTableProperties();
  iceberg::TableMetadata m;
  m.properties = properties;
  EXPECT_LE(PropertyAsLong(m, "history.expire.max-snapshot-age-ms", 0), 30 * 60'000);
  EXPECT_GT(PropertyAsLong(m, "history.expire.max-snapshot-age-ms", 0), 0);
  EXPECT_TRUE(PropertyAsBool(m, "write.metadata.delete-after-commit.enabled", false));
  EXPECT_LE(PropertyAsLong(m, "write.metadata.previous-versions-max", 1000), 100);
}

}  // namespace
}  // namespace clickstream::maintenance
