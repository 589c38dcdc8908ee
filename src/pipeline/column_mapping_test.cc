#include "pipeline/column_mapping.h"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

namespace clickstream::pipeline {
namespace {

using iceberg::Field;
using iceberg::TypeId;
using iceberg::Value;

// The processor's rows: the contract's three columns.
iceberg::Schema Rows() {
  return {
      0,
      {Field{1, "user_id", TypeId::kString, true, ""}, Field{2, "page", TypeId::kString, true, ""},
       Field{3, "click_timestamp", TypeId::kTimestamptz, true, ""}}};
}

const catalog::TableIdentifier kId{"website", "clicks"};

TEST(ColumnMappingTest, TheProcessorsOwnLayoutPassesRowsThrough) {
  auto mapping = ColumnMapping::Make(kId, Rows(), Rows());
  ASSERT_TRUE(mapping.has_value()) << mapping.error().message;
  std::vector<Value> row{std::string_view("u"), std::string_view("/p"), int64_t{42}};
  EXPECT_EQ(mapping->Apply(row).data(), row.data());
}

TEST(ColumnMappingTest, FlinkTimestampOtherOrderAndExtraNullableColumns) {
  // CREATE TABLE ... (page STRING, referrer STRING, click_timestamp TIMESTAMP(6), user_id STRING)
  iceberg::Schema table{0,
                        {Field{1, "page", TypeId::kString, false, ""},
                         Field{2, "referrer", TypeId::kString, false, ""},
                         Field{3, "click_timestamp", TypeId::kTimestamp, false, ""},
                         Field{4, "user_id", TypeId::kString, false, ""}}};
  auto mapping = ColumnMapping::Make(kId, table, Rows());
  ASSERT_TRUE(mapping.has_value()) << mapping.error().message;
  std::vector<Value> row{std::string_view("u"), std::string_view("/p"), int64_t{42}};
  auto out = mapping->Apply(row);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(std::get<std::string_view>(out[0]), "/p");
  EXPECT_TRUE(std::holds_alternative<std::monostate>(out[1]));
  EXPECT_EQ(std::get<int64_t>(out[2]), 42);
  EXPECT_EQ(std::get<std::string_view>(out[3]), "u");
}

TEST(ColumnMappingTest, MissingWrongTypedOrRequiredExtraColumnsAreOneSentence) {
  iceberg::Schema missing{0,
                          {Field{1, "user_id", TypeId::kString, false, ""},
                           Field{2, "page", TypeId::kString, false, ""}}};
  auto error = ColumnMapping::Make(kId, missing, Rows());
  ASSERT_FALSE(error.has_value());
  EXPECT_NE(error.error().message.find("it has no column click_timestamp"), std::string::npos)
      << error.error().message;

  iceberg::Schema wrong = Rows();
  wrong.fields[2].type = TypeId::kString;
  error = ColumnMapping::Make(kId, wrong, Rows());
  ASSERT_FALSE(error.has_value());
  EXPECT_NE(error.error().message.find("click_timestamp is string, not timestamptz"),
            std::string::npos)
      << error.error().message;

  iceberg::Schema required_extra = Rows();
  required_extra.fields.push_back(Field{4, "country", TypeId::kString, true, ""});
  error = ColumnMapping::Make(kId, required_extra, Rows());
  ASSERT_FALSE(error.has_value());
  EXPECT_NE(error.error().message.find("required column country"), std::string::npos)
      << error.error().message;
}

}  // namespace
}  // namespace clickstream::pipeline
