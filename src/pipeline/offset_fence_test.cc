#include "pipeline/offset_fence.h"

#include <gtest/gtest.h>

namespace clickstream::pipeline {
namespace {

TEST(OffsetFenceTest, AcceptsABatchStartingWhereTheTableStands) {
  EXPECT_TRUE(CheckExpectedOffsets({{0, 100}, {1, 7}}, {{0, 100}, {1, 7}}).has_value());
  // Partitions the batch does not cover are not checked.
  EXPECT_TRUE(CheckExpectedOffsets({{0, 100}, {1, 7}}, {{1, 7}}).has_value());
}

TEST(OffsetFenceTest, AcceptsAFirstBatchOnlyWhileThePartitionHasNoRecord) {
  EXPECT_TRUE(CheckExpectedOffsets({{1, 5}}, {{0, std::nullopt}}).has_value());
  Status moved = CheckExpectedOffsets({{0, 40}}, {{0, std::nullopt}});
  ASSERT_FALSE(moved.has_value());
  EXPECT_EQ(moved.error().code, ErrorCode::kConflict);
  EXPECT_NE(moved.error().message.find("partition 0 is at offset 40"), std::string::npos)
      << moved.error().message;
}

TEST(OffsetFenceTest, RejectsABatchWhosePartitionAnotherWriterMovedOn) {
  Status fenced = CheckExpectedOffsets({{0, 100}, {1, 9}}, {{0, 100}, {1, 7}});
  ASSERT_FALSE(fenced.has_value());
  EXPECT_EQ(fenced.error().code, ErrorCode::kConflict);
  EXPECT_NE(fenced.error().message.find("partition 1"), std::string::npos);
  // Moved backwards (a rollback) is just as much a conflict.
  EXPECT_FALSE(CheckExpectedOffsets({{0, 50}}, {{0, 100}}).has_value());
  // A record that vanished (snapshots expired) too.
  EXPECT_FALSE(CheckExpectedOffsets({}, {{0, 100}}).has_value());
}

}  // namespace
}  // namespace clickstream::pipeline
