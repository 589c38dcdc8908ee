#include "pipeline/kafka_offsets.h"

#include <gtest/gtest.h>

namespace clickstream::pipeline {
namespace {

using Offsets = std::map<int32_t, int64_t>;

TEST(KafkaOffsetsTest, DottedGroupAndTopicNamesNeverShareAKey) {
  EXPECT_NE(KafkaOffsetProperty("a.b", "c", 0), KafkaOffsetProperty("a", "b.c", 0));
  // The old summary keys collided, which is why they are no longer written.
  EXPECT_EQ(LegacyKafkaOffsetKey("a.b", "c", 0), LegacyKafkaOffsetKey("a", "b.c", 0));

  iceberg::TableMetadata m;
  m.properties = KafkaOffsetProperties("a.b", "c", {{0, 100}});
  auto more = KafkaOffsetProperties("a", "b.c", {{0, 50}});
  m.properties.insert(more.begin(), more.end());
  EXPECT_EQ(RecordedKafkaOffsets(m, "a.b", "c").value(), (Offsets{{0, 100}}));
  EXPECT_EQ(RecordedKafkaOffsets(m, "a", "b.c").value(), (Offsets{{0, 50}}));
  EXPECT_TRUE(RecordedKafkaOffsets(m, "a", "b").value().empty());
}

TEST(KafkaOffsetsTest, AnyCharacterOfAGroupIsEncoded) {
  std::string key = KafkaOffsetProperty("g %.é/\n", "t", 3);
  EXPECT_EQ(key, "clickstream.kafka-offset.g%20%25%2E%C3%A9%2F%0A.t.3");
  iceberg::TableMetadata m;
  m.properties[key] = "7";
  EXPECT_EQ(RecordedKafkaOffsets(m, "g %.é/\n", "t").value(), (Offsets{{3, 7}}));
}

iceberg::Snapshot LegacySnapshot(int64_t id, std::optional<int64_t> parent,
                                 std::map<std::string, std::string> summary) {
  iceberg::Snapshot s;
  s.snapshot_id = id;
  s.parent_snapshot_id = parent;
  s.summary = std::move(summary);
  return s;
}

TEST(KafkaOffsetsTest, LegacySummaryKeysAreReadWherePropertiesAreSilent) {
  iceberg::TableMetadata m;
  m.snapshots.push_back(LegacySnapshot(
      1, std::nullopt,
      {{"kafka.g.clicks.0", "10"}, {"kafka.g.clicks.1", "3"}, {"kafka.g.clicks.eu.0", "99"}}));
  m.snapshots.push_back(LegacySnapshot(2, 1, {{"kafka.g.clicks.0", "20"}}));
  m.current_snapshot_id = 2;
  EXPECT_EQ(RecordedKafkaOffsets(m, "g", "clicks").value(), (Offsets{{0, 20}, {1, 3}}));
  EXPECT_EQ(RecordedKafkaOffsets(m, "g", "clicks.eu").value(), (Offsets{{0, 99}}));

  // Once a property records a partition, it wins over the old summary key.
  m.properties = KafkaOffsetProperties("g", "clicks", {{1, 40}});
  EXPECT_EQ(RecordedKafkaOffsets(m, "g", "clicks").value(), (Offsets{{0, 20}, {1, 40}}));
}

TEST(KafkaOffsetsTest, AValueThatIsNotAnOffsetIsCorrupt) {
  iceberg::TableMetadata m;
  m.properties[KafkaOffsetProperty("g", "t", 0)] = "ten";
  auto offsets = RecordedKafkaOffsets(m, "g", "t");
  ASSERT_FALSE(offsets.has_value());
  EXPECT_EQ(offsets.error().code, ErrorCode::kCorrupt);
}

}  // namespace
}  // namespace clickstream::pipeline
