#include "maintenance/partition_filter.h"

#include <gtest/gtest.h>

namespace clickstream::maintenance {
namespace {

using iceberg::Literal;

iceberg::Schema ClicksLikeSchema() {
  return {0,
          {{1, "user_id", iceberg::TypeId::kString, false, ""},
           {2, "page", iceberg::TypeId::kString, false, ""},
           {3, "click_timestamp", iceberg::TypeId::kTimestamptz, false, ""},
           {4, "shard", iceberg::TypeId::kInt, false, ""}}};
}

iceberg::PartitionSpec PageAndShardSpec() {
  return {0, {{2, 1000, "page", "identity"}, {4, 1001, "shard", "identity"}}};
}

std::vector<Literal> Partition(Literal page, Literal shard) { return {page, shard}; }

TEST(PartitionFilterTest, EqualitySelectsOnePartition) {
  auto f = PartitionFilter::Parse("page = '/cart'", ClicksLikeSchema(), PageAndShardSpec());
  ASSERT_TRUE(f.has_value()) << f.error().message;
  EXPECT_TRUE(f->Matches(Partition(std::string("/cart"), int32_t{1})));
  EXPECT_FALSE(f->Matches(Partition(std::string("/home"), int32_t{1})));
  EXPECT_FALSE(f->Matches(Partition(std::monostate{}, int32_t{1})));
}

TEST(PartitionFilterTest, InAndComparisonsCombineWithAnd) {
  auto f = PartitionFilter::Parse("page in ('/a', '/b''s') AND shard >= 2 and shard <> 3",
                                  ClicksLikeSchema(), PageAndShardSpec());
  ASSERT_TRUE(f.has_value()) << f.error().message;
  EXPECT_TRUE(f->Matches(Partition(std::string("/b's"), int32_t{2})));
  EXPECT_TRUE(f->Matches(Partition(std::string("/a"), int32_t{4})));
  EXPECT_FALSE(f->Matches(Partition(std::string("/a"), int32_t{3})));
  EXPECT_FALSE(f->Matches(Partition(std::string("/a"), int32_t{1})));
  EXPECT_FALSE(f->Matches(Partition(std::string("/c"), int32_t{4})));
}

TEST(PartitionFilterTest, NotInAndNullTests) {
  auto not_in =
      PartitionFilter::Parse("page NOT IN ('/a')", ClicksLikeSchema(), PageAndShardSpec());
  ASSERT_TRUE(not_in.has_value()) << not_in.error().message;
  EXPECT_TRUE(not_in->Matches(Partition(std::string("/b"), int32_t{0})));
  EXPECT_FALSE(not_in->Matches(Partition(std::string("/a"), int32_t{0})));
  auto is_null = PartitionFilter::Parse("page IS NULL", ClicksLikeSchema(), PageAndShardSpec());
  ASSERT_TRUE(is_null.has_value());
  EXPECT_TRUE(is_null->Matches(Partition(std::monostate{}, int32_t{0})));
  EXPECT_FALSE(is_null->Matches(Partition(std::string("/a"), int32_t{0})));
  auto not_null =
      PartitionFilter::Parse("page is not null", ClicksLikeSchema(), PageAndShardSpec());
  ASSERT_TRUE(not_null.has_value());
  EXPECT_TRUE(not_null->Matches(Partition(std::string("/a"), int32_t{0})));
}

TEST(PartitionFilterTest, RejectsColumnsThatAreNotPartitionColumns) {
  auto f = PartitionFilter::Parse("user_id = 'u1'", ClicksLikeSchema(), PageAndShardSpec());
  ASSERT_FALSE(f.has_value());
  EXPECT_EQ(f.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(f.error().message.find("not an identity partition column"), std::string::npos);
  EXPECT_FALSE(PartitionFilter::Parse("nope = 1", ClicksLikeSchema(), PageAndShardSpec()));
}

TEST(PartitionFilterTest, RejectsMalformedText) {
  for (const char* text : {"", "page", "page = ", "page = '/a", "page == '/a'", "page = 1",
                           "shard = 'x'", "page = '/a' OR page = '/b'", "page IN '/a'",
                           "page IN ('/a'", "shard = 99999999999", "page = '/a' AND"}) {
    auto f = PartitionFilter::Parse(text, ClicksLikeSchema(), PageAndShardSpec());
    EXPECT_FALSE(f.has_value()) << text;
    if (!f.has_value()) {
      EXPECT_EQ(f.error().code, ErrorCode::kInvalidArgument) << text;
    }
  }
}

}  // namespace
}  // namespace clickstream::maintenance
