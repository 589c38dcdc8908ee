#include "iceberg/batch_builder.h"

#include <arrow/api.h>
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <string>

#include "iceberg/arrow_schema.h"

namespace clickstream::iceberg {
namespace {

Schema AllTypes() {
  return Schema{
      0,
      {Field{1, "b", TypeId::kBoolean, false, ""}, Field{2, "i", TypeId::kInt, false, ""},
       Field{3, "l", TypeId::kLong, true, ""}, Field{4, "f", TypeId::kFloat, false, ""},
       Field{5, "d", TypeId::kDouble, false, ""}, Field{6, "day", TypeId::kDate, false, ""},
       Field{7, "ts", TypeId::kTimestamp, false, ""},
       Field{8, "tstz", TypeId::kTimestamptz, false, ""}, Field{9, "s", TypeId::kString, false, ""},
       Field{10, "bin", TypeId::kBinary, false, ""}}};
}

TEST(BatchBuilderTest, BuildsColumnsOfEveryTypeWithFieldIds) {
  BatchBuilder builder(AllTypes());
  std::array<Value, 10> full{Value(true),
                             Value(int32_t{7}),
                             Value(int64_t{-8}),
                             Value(1.5f),
                             Value(2.25),
                             Value(int32_t{20415}),
                             Value(int64_t{1}),
                             Value(int64_t{2}),
                             Value(std::string_view("é")),
                             Value(std::string_view("\x00\x01", 2))};
  std::array<Value, 10> nulls{Value(), Value(), Value(int64_t{9}), Value(), Value(),
                              Value(), Value(), Value(),           Value(), Value()};
  ASSERT_TRUE(builder.Append(full).has_value());
  ASSERT_TRUE(builder.Append(nulls).has_value());
  EXPECT_EQ(builder.num_rows(), 2);
  EXPECT_GT(builder.buffered_bytes(), 0);

  auto batch = builder.Finish().value();
  EXPECT_EQ(builder.num_rows(), 0);
  EXPECT_EQ(builder.buffered_bytes(), 0);
  ASSERT_EQ(batch->num_rows(), 2);
  EXPECT_TRUE(CheckArrowSchema(AllTypes(), *batch->schema()).has_value());
  EXPECT_EQ(
      batch->schema()->field(7)->metadata()->Get(std::string(kParquetFieldIdKey)).ValueOrDie(),
      "8");
  EXPECT_FALSE(batch->schema()->field(2)->nullable());
  EXPECT_TRUE(
      batch->schema()->field(7)->type()->Equals(arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")));
  EXPECT_TRUE(batch->schema()->field(6)->type()->Equals(arrow::timestamp(arrow::TimeUnit::MICRO)));
  EXPECT_EQ(std::static_pointer_cast<arrow::Int32Array>(batch->column(1))->Value(0), 7);
  EXPECT_EQ(std::static_pointer_cast<arrow::Date32Array>(batch->column(5))->Value(0), 20415);
  EXPECT_EQ(std::static_pointer_cast<arrow::StringArray>(batch->column(8))->GetView(0), "é");
  EXPECT_EQ(std::static_pointer_cast<arrow::BinaryArray>(batch->column(9))->GetView(0).size(), 2u);
  for (int c = 0; c < 10; ++c) {
    EXPECT_EQ(batch->column(c)->null_count(), c == 2 ? 0 : 1) << c;
  }
}

TEST(BatchBuilderTest, RejectedRowsLeaveTheBuilderUnchanged) {
  BatchBuilder builder(AllTypes());
  std::array<Value, 10> good{Value(true),
                             Value(int32_t{7}),
                             Value(int64_t{-8}),
                             Value(1.5f),
                             Value(2.25),
                             Value(int32_t{1}),
                             Value(int64_t{1}),
                             Value(int64_t{2}),
                             Value(std::string_view("x")),
                             Value(std::string_view("y"))};
  ASSERT_TRUE(builder.Append(good).has_value());

  std::array<Value, 10> wrong_type = good;
  wrong_type[1] = Value(int64_t{7});  // int column given a long
  auto st = builder.Append(wrong_type);
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument);

  std::array<Value, 10> null_required = good;
  null_required[2] = Value();
  EXPECT_FALSE(builder.Append(null_required).has_value());
  EXPECT_FALSE(builder.Append(std::span<const Value>(good).first(9)).has_value());

  auto batch = builder.Finish().value();
  EXPECT_EQ(batch->num_rows(), 1);
  EXPECT_TRUE(batch->ValidateFull().ok());
}

}  // namespace
}  // namespace clickstream::iceberg
