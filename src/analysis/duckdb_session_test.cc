#include "analysis/duckdb_session.h"

#include <gtest/gtest.h>

namespace clickstream::analysis {
namespace {

DuckDbSession OpenOrDie() {
  auto session = DuckDbSession::Open(DefaultDuckDbOptions());
  EXPECT_TRUE(session.has_value()) << session.error().message;
  return std::move(session).value();
}

std::string Cell(const QueryResult& result, std::size_t row, std::size_t column) {
  return result.rows.at(row).at(column).value_or("<NULL>");
}

TEST(DuckDbSession, IsDuckDb155WithTheIcebergAndAvroExtensionsLoaded) {
  EXPECT_EQ(DuckDbSession::LibraryVersion(), "v1.5.5");
  DuckDbSession session = OpenOrDie();
  auto loaded = session.Query(
      "SELECT extension_name FROM duckdb_extensions() WHERE loaded AND extension_name IN "
      "('iceberg', 'avro') ORDER BY 1");
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  ASSERT_EQ(loaded->rows.size(), 2u);
  EXPECT_EQ(Cell(*loaded, 0, 0), "avro");
  EXPECT_EQ(Cell(*loaded, 1, 0), "iceberg");
  auto autoload = session.Query("SELECT current_setting('autoinstall_known_extensions')");
  ASSERT_TRUE(autoload.has_value());
  EXPECT_EQ(Cell(*autoload, 0, 0), "false");
}

TEST(DuckDbSession, PrintsEveryTypeAsDuckDbText) {
  DuckDbSession session = OpenOrDie();
  auto result = session.Query(
      "SELECT TIMESTAMPTZ '2026-11-23 23:55:00.5+01' AS tz, INTERVAL 90 MINUTE AS i, [1, 2] AS l, "
      "{'x': 1} AS s, '00000000-0000-0000-0000-000000000001'::UUID AS u, 7::BIGINT AS n, "
      "1.50::DECIMAL(4, 2) AS d, true AS b, NULL AS nothing");
  ASSERT_TRUE(result.has_value()) << result.error().message;
  ASSERT_EQ(result->rows.size(), 1u);
  EXPECT_EQ(Cell(*result, 0, 0), "2026-11-23 22:55:00.5+00");  // session time zone is UTC
  EXPECT_EQ(Cell(*result, 0, 1), "01:30:00");
  EXPECT_EQ(Cell(*result, 0, 2), "[1, 2]");
  EXPECT_EQ(Cell(*result, 0, 3), "{'x': 1}");
  EXPECT_EQ(Cell(*result, 0, 4), "00000000-0000-0000-0000-000000000001");
  EXPECT_EQ(Cell(*result, 0, 5), "7");
  EXPECT_EQ(Cell(*result, 0, 6), "1.50");
  EXPECT_EQ(Cell(*result, 0, 7), "true");
  EXPECT_EQ(result->rows[0][8], std::nullopt);
  EXPECT_EQ(result->columns[0].type, "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(result->columns[0].kind, ValueKind::kText);
  EXPECT_EQ(result->columns[5].kind, ValueKind::kNumber);
  EXPECT_EQ(result->columns[6].kind, ValueKind::kNumber);
  EXPECT_EQ(result->columns[7].kind, ValueKind::kBoolean);
  EXPECT_EQ(result->columns[4].name, "u");
}

TEST(DuckDbSession, RunsEveryStatementAndReturnsTheLastResult) {
  DuckDbSession session = OpenOrDie();
  auto result = session.Query(
      "CREATE TABLE t AS SELECT range AS x FROM range(5); INSERT INTO t VALUES (10); "
      "SELECT sum(x) AS total FROM t");
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(Cell(*result, 0, 0), "20");
}

TEST(DuckDbSession, ScriptEndingInATypeWithoutTextAccessorFailsClearly) {
  DuckDbSession session = OpenOrDie();
  auto result = session.Query("SELECT 1; SELECT [1, 2] AS l");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(result.error().message,
            "column l is of type LIST, which is printed only when the SQL is a single SELECT");
}

TEST(DuckDbSession, BindsParameters) {
  DuckDbSession session = OpenOrDie();
  auto result = session.Query("SELECT $1 || '!' AS s, $2 + 1 AS n", {std::string("it's"), 41});
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(Cell(*result, 0, 0), "it's!");
  EXPECT_EQ(Cell(*result, 0, 1), "42");
}

TEST(DuckDbSession, StringsWithEmbeddedNulArePrintedWhole) {
  auto session = DuckDbSession::Open(DefaultDuckDbOptions()).value();
  auto result = session.Query("SELECT 'a' || chr(0) || 'b' AS s, 7 AS n");
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(*result->rows.at(0).at(0), std::string("a\0b", 3));
  EXPECT_EQ(*result->rows.at(0).at(1), "7");
  EXPECT_EQ(result->columns.at(1).kind, ValueKind::kNumber);
  auto nulls = session.Query("SELECT NULL::VARCHAR AS s, 'x' || chr(0) AS t");
  ASSERT_TRUE(nulls.has_value()) << nulls.error().message;
  EXPECT_FALSE(nulls->rows.at(0).at(0).has_value());
  EXPECT_EQ(*nulls->rows.at(0).at(1), std::string("x\0", 2));
}

TEST(DuckDbSession, SyntaxErrorIsAUsageErrorInOneSentence) {
  DuckDbSession session = OpenOrDie();
  auto result = session.Query("SELEC 1");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(result.error().message, "SQL syntax error: syntax error at or near \"SELEC\"");
}

TEST(DuckDbSession, UnknownTableIsAUsageErrorWithoutTheEchoedQuery) {
  DuckDbSession session = OpenOrDie();
  auto result = session.Query("SELECT * FROM website.nothing");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(result.error().message.find("\"website.nothing\" does not exist"), std::string::npos)
      << result.error().message;
  EXPECT_EQ(result.error().message.find('\n'), std::string::npos);
  EXPECT_EQ(result.error().message.find("LINE 1"), std::string::npos);
}

TEST(DuckDbSession, EmptySqlIsAUsageError) {
  DuckDbSession session = OpenOrDie();
  auto result = session.Query("  ;  ");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
}

TEST(DuckDbSession, MissingExtensionFileIsUnavailable) {
  DuckDbOptions options = DefaultDuckDbOptions();
  options.iceberg_extension = "/nonexistent/iceberg.duckdb_extension";
  auto session = DuckDbSession::Open(options);
  ASSERT_FALSE(session.has_value());
  EXPECT_EQ(session.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(session.error().message.find("/nonexistent/iceberg.duckdb_extension"),
            std::string::npos);
}

TEST(DuckDbSession, LoadsHttpfsOnlyWhenS3IsEnabled) {
  DuckDbSession session = OpenOrDie();
  const std::string loaded_sql =
      "SELECT count(*) FROM duckdb_extensions() WHERE loaded AND extension_name = 'httpfs'";
  auto before = session.Query(loaded_sql);
  ASSERT_TRUE(before.has_value()) << before.error().message;
  EXPECT_EQ(Cell(*before, 0, 0), "0");  // local tables: no httpfs, no S3 settings

  S3Access access;
  access.endpoint = "127.0.0.1:9";
  access.use_ssl = false;
  access.path_style = true;
  access.key_id = "id";
  access.secret = "secret";
  ASSERT_TRUE(session.EnableS3(access).has_value());
  auto after = session.Query(loaded_sql);
  ASSERT_TRUE(after.has_value()) << after.error().message;
  EXPECT_EQ(Cell(*after, 0, 0), "1");
  auto secret = session.Query("SELECT name FROM which_secret('s3://bucket/t.json', 's3')");
  ASSERT_TRUE(secret.has_value()) << secret.error().message;
  EXPECT_EQ(Cell(*secret, 0, 0), "clickstream_s3");
  // Nothing listens on port 9: one sentence naming the endpoint variable.
  auto read = session.Query("SELECT * FROM read_json('s3://bucket/t.json')");
  ASSERT_FALSE(read.has_value());
  EXPECT_EQ(read.error().code, ErrorCode::kIoError);
  EXPECT_TRUE(read.error().message.starts_with("cannot reach S3 at http://127.0.0.1:9"))
      << read.error().message;
  EXPECT_TRUE(session.EnableS3(access).has_value());  // again: replaces the secret
}

TEST(SqlQuoting, DoublesTheQuoteCharacter) {
  EXPECT_EQ(QuoteSqlString("it's"), "'it''s'");
  EXPECT_EQ(QuoteSqlIdentifier("we\"ird"), "\"we\"\"ird\"");
}

}  // namespace
}  // namespace clickstream::analysis
