#include "analysis/named_queries.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace clickstream::analysis {
namespace {

// The shared files of the source tree (ctest sets CLICKSTREAM_SOURCE_DIR for every test).
std::string SqlDir() {
  const char* root = std::getenv("CLICKSTREAM_SOURCE_DIR");
  return root != nullptr ? std::string(root) + "/engines/sql" : DefaultSqlDirectory();
}

// website.clicks as a plain DuckDB table, so the SQL files are tested without Iceberg.
DuckDbSession SessionWithClicks(bool with_rows) {
  auto session = DuckDbSession::Open(DefaultDuckDbOptions());
  EXPECT_TRUE(session.has_value()) << session.error().message;
  std::string sql =
      "CREATE SCHEMA website; CREATE TABLE website.clicks (user_id VARCHAR, page VARCHAR, "
      "click_timestamp TIMESTAMPTZ);";
  if (with_rows) {
    sql +=
        "INSERT INTO website.clicks VALUES "
        "('u1', '/home', '2026-11-23 10:00:00+00'), ('u2', '/home', '2026-11-23 10:01:00+00'),"
        "('u1', '/cart', '2026-11-23 10:03:00+00'), ('u1', '/b', '2026-11-23 10:02:00+00'),"
        "('u3', '/b', '2026-11-23 10:04:00+00'), ('u1', '/a', '2026-11-23 10:02:00+00'),"
        "('u2', '/cart', '2026-11-23 10:05:00+00');";
  }
  EXPECT_TRUE(session->Execute(sql).has_value());
  return std::move(session).value();
}

TEST(LoadQueryFile, DropsTheTrailingSemicolonSoTheQueryNests) {
  auto sql = LoadQueryFile(SqlDir(), "unique_users");
  ASSERT_TRUE(sql.has_value()) << sql.error().message;
  EXPECT_TRUE(sql->ends_with("FROM website.clicks")) << *sql;
}

TEST(LoadQueryFile, MissingFileIsNotFoundAndNamesIt) {
  auto sql = LoadQueryFile("/nonexistent", "top_pages");
  ASSERT_FALSE(sql.has_value());
  EXPECT_EQ(sql.error().code, ErrorCode::kNotFound);
  EXPECT_NE(sql.error().message.find("/nonexistent/top_pages.sql"), std::string::npos);
}

TEST(ClickQuestions, TopPagesMostClickedFirstTiesByPageAndLimited) {
  DuckDbSession session = SessionWithClicks(true);
  ClickQuestions questions(session, SqlDir());
  auto pages = questions.TopPages(3);
  ASSERT_TRUE(pages.has_value()) << pages.error().message;
  ASSERT_EQ(pages->size(), 3u);
  EXPECT_EQ((*pages)[0].page, "/b");  // /b, /cart and /home have 2 clicks each: by name
  EXPECT_EQ((*pages)[1].page, "/cart");
  EXPECT_EQ((*pages)[2].page, "/home");
  EXPECT_EQ((*pages)[2].clicks, 2);
  EXPECT_FALSE(questions.TopPages(0).has_value());
}

TEST(ClickQuestions, UniqueUsersCountsDistinctUsers) {
  DuckDbSession session = SessionWithClicks(true);
  ClickQuestions questions(session, SqlDir());
  auto users = questions.UniqueUsers();
  ASSERT_TRUE(users.has_value()) << users.error().message;
  EXPECT_EQ(*users, 3);
}

TEST(ClickQuestions, UserActivityIsTimeOrderedWithTiesByPage) {
  DuckDbSession session = SessionWithClicks(true);
  ClickQuestions questions(session, SqlDir());
  auto clicks = questions.UserActivity("u1");
  ASSERT_TRUE(clicks.has_value()) << clicks.error().message;
  std::vector<std::string> pages;
  for (const auto& click : *clicks) pages.push_back(click.page);
  EXPECT_EQ(pages, (std::vector<std::string>{"/home", "/a", "/b", "/cart"}));
  EXPECT_EQ(clicks->front().click_number, 1);
  EXPECT_EQ(clicks->back().click_number, 4);
  EXPECT_EQ(clicks->front().click_timestamp, "2026-11-23 10:00:00+00");
}

TEST(ClickQuestions, UserIdIsQuotedNotInterpolated) {
  DuckDbSession session = SessionWithClicks(true);
  ClickQuestions questions(session, SqlDir());
  auto clicks = questions.UserActivity("u1' OR '1'='1");
  ASSERT_TRUE(clicks.has_value()) << clicks.error().message;
  EXPECT_TRUE(clicks->empty());
}

TEST(ClickQuestions, EmptyTableIsNotFoundForEveryQuestion) {
  DuckDbSession session = SessionWithClicks(false);
  ClickQuestions questions(session, SqlDir());
  const std::string sentence =
      "website.clicks has no rows yet (at the chosen snapshot): produce and process events first";
  auto pages = questions.TopPages(10);
  ASSERT_FALSE(pages.has_value());
  EXPECT_EQ(pages.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(pages.error().message, sentence);
  auto users = questions.UniqueUsers();
  ASSERT_FALSE(users.has_value());
  EXPECT_EQ(users.error().message, sentence);
  auto clicks = questions.UserActivity("u1");
  ASSERT_FALSE(clicks.has_value());
  EXPECT_EQ(clicks.error().message, sentence);
}

}  // namespace
}  // namespace clickstream::analysis
