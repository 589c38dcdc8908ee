#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/duckdb_session.h"
#include "common/result.h"

namespace clickstream::analysis {

// The folder of the shared analysis queries (engines/sql/*.sql): CLICKSTREAM_SQL_DIR when set,
// otherwise the source tree's engines/sql the binary was configured from.
std::string DefaultSqlDirectory();

// The text of `<dir>/<name>.sql` without its trailing ';', ready to nest as a subquery.
// kNotFound naming the file when it is missing.
Result<std::string> LoadQueryFile(const std::string& dir, std::string_view name);

// The table the three questions are asked of.
inline constexpr std::string_view kClicksTable = "website.clicks";

struct PageClicks {
  std::string page;
  int64_t clicks = 0;
};

struct UserClick {
  int64_t click_number = 0;     // 1-based position in the user's time-ordered sequence
  std::string click_timestamp;  // DuckDB's text, UTC ("2026-11-23 22:55:00.123456+00")
  std::string page;
};

// Runs the three questions (top_pages.sql, unique_users.sql, user_activity.sql) on a session whose
// views expose website.clicks (ExposeCatalogTables). Each fails with kNotFound when
// website.clicks has no rows (at the chosen snapshot): an empty table answers nothing.
class ClickQuestions {
 public:
  ClickQuestions(DuckDbSession& session, std::string sql_dir)
      : session_(session), sql_dir_(std::move(sql_dir)) {}

  // The `limit` most clicked pages, most clicked first (ties by page). limit >= 1.
  Result<std::vector<PageClicks>> TopPages(int64_t limit);
  // The number of distinct users with at least one click.
  Result<int64_t> UniqueUsers();
  // Every click of `user_id`, oldest first; empty when the user never clicked.
  Result<std::vector<UserClick>> UserActivity(std::string_view user_id);

 private:
  Status RequireClicks();

  DuckDbSession& session_;
  std::string sql_dir_;
};

}  // namespace clickstream::analysis
