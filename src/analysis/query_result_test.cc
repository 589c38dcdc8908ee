#include "analysis/query_result.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace clickstream::analysis {
namespace {

QueryResult Sample() {
  QueryResult result;
  result.columns = {{"page", "VARCHAR", ValueKind::kText},
                    {"clicks", "BIGINT", ValueKind::kNumber},
                    {"ok", "BOOLEAN", ValueKind::kBoolean}};
  result.rows = {{"/home", "12", "true"},
                 {"a \"quoted\", comma\nline", "7", "false"},
                 {std::nullopt, std::nullopt, std::nullopt}};
  return result;
}

TEST(QueryResultFormat, TableAlignsColumnsAndRightAlignsNumbers) {
  QueryResult result;
  result.columns = {{"page", "VARCHAR", ValueKind::kText}, {"n", "BIGINT", ValueKind::kNumber}};
  result.rows = {{"/home", "12"}, {"/a", "7"}, {std::nullopt, "100"}};
  EXPECT_EQ(FormatTable(result),
            "page  |   n\n"
            "------+----\n"
            "/home |  12\n"
            "/a    |   7\n"
            "NULL  | 100\n"
            "(3 rows)\n");
}

TEST(QueryResultFormat, TableCountsUtf8CharactersNotBytes) {
  QueryResult result;
  result.columns = {{"city", "VARCHAR", ValueKind::kText}, {"n", "BIGINT", ValueKind::kNumber}};
  result.rows = {{"Zürich", "1"}, {"Oslo", "2"}};
  EXPECT_EQ(FormatTable(result),
            "city   | n\n"
            "-------+--\n"
            "Zürich | 1\n"
            "Oslo   | 2\n"
            "(2 rows)\n");
}

TEST(QueryResultFormat, CsvQuotesOnlyWhatNeedsQuotingAndLeavesNullEmpty) {
  EXPECT_EQ(FormatCsv(Sample()),
            "page,clicks,ok\r\n"
            "/home,12,true\r\n"
            "\"a \"\"quoted\"\", comma\nline\",7,false\r\n"
            ",,\r\n");
}

TEST(QueryResultFormat, JsonKeepsNumbersAndBooleansUnquotedAndNullAsNull) {
  const auto parsed = nlohmann::json::parse(FormatJson(Sample()));
  ASSERT_EQ(parsed.size(), 3u);
  EXPECT_EQ(parsed[0], nlohmann::json({{"page", "/home"}, {"clicks", 12}, {"ok", true}}));
  EXPECT_EQ(parsed[1]["page"], "a \"quoted\", comma\nline");
  EXPECT_EQ(parsed[1]["ok"], false);
  EXPECT_TRUE(parsed[2]["page"].is_null());
  EXPECT_TRUE(parsed[2]["clicks"].is_null());
}

TEST(QueryResultFormat, JsonWritesHugeNumbersExactlyAndNonFiniteAsText) {
  QueryResult result;
  result.columns = {{"big", "HUGEINT", ValueKind::kNumber}, {"x", "DOUBLE", ValueKind::kNumber}};
  result.rows = {{"170141183460469231731687303715884105727", "inf"}, {"1", "-1.5e-07"}};
  EXPECT_EQ(FormatJson(result),
            "[\n"
            "  {\"big\": 170141183460469231731687303715884105727, \"x\": \"inf\"},\n"
            "  {\"big\": 1, \"x\": -1.5e-07}\n"
            "]\n");
}

TEST(QueryResultFormat, EmptyResultsStillHaveAHeader) {
  QueryResult result;
  result.columns = {{"n", "BIGINT", ValueKind::kNumber}};
  EXPECT_EQ(FormatTable(result), "n\n-\n(0 rows)\n");
  EXPECT_EQ(FormatCsv(result), "n\r\n");
  EXPECT_EQ(FormatJson(result), "[]\n");
}

TEST(QueryResultFormat, ColumnIndexFindsByName) {
  const QueryResult result = Sample();
  EXPECT_EQ(result.ColumnIndex("clicks"), 1u);
  EXPECT_EQ(result.ColumnIndex("nope"), std::nullopt);
}

}  // namespace
}  // namespace clickstream::analysis
