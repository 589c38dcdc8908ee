#include "analysis/named_queries.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace clickstream::analysis {

std::string DefaultSqlDirectory() {
  const char* dir = std::getenv("CLICKSTREAM_SQL_DIR");
  if (dir != nullptr && *dir != '\0') return dir;
  return CLICKSTREAM_SOURCE_SQL_DIR;
}

Result<std::string> LoadQueryFile(const std::string& dir, std::string_view name) {
  const std::string path = dir + "/" + std::string(name) + ".sql";
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return NotFound("the query file " + path +
                    " is missing (set CLICKSTREAM_SQL_DIR to the repo's engines/sql)");
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::string sql = text.str();
  while (!sql.empty() &&
         (sql.back() == ';' || std::isspace(static_cast<unsigned char>(sql.back())))) {
    sql.pop_back();
  }
  return sql;
}

namespace {

Result<int64_t> ToInt(const std::optional<std::string>& value, std::string_view what) {
  if (!value) return Internal(std::string(what) + " is NULL");
  char* end = nullptr;
  const long long parsed = std::strtoll(value->c_str(), &end, 10);
  if (end == value->c_str() || *end != '\0') {
    return Internal(std::string(what) + " is not an integer: " + *value);
  }
  return static_cast<int64_t>(parsed);
}

Result<std::size_t> RequireColumn(const QueryResult& result, std::string_view name,
                                  std::string_view file) {
  auto index = result.ColumnIndex(name);
  if (!index) {
    return Corrupt(std::string(file) + ".sql has no column " + std::string(name));
  }
  return *index;
}

}  // namespace

Status ClickQuestions::RequireClicks() {
  CS_ASSIGN_OR_RETURN(auto any,
                      session_.Query("SELECT 1 FROM " + std::string(kClicksTable) + " LIMIT 1"));
  if (any.rows.empty()) {
    return NotFound(std::string(kClicksTable) +
                    " has no rows yet (at the chosen snapshot): produce and process events first");
  }
  return Ok();
}

Result<std::vector<PageClicks>> ClickQuestions::TopPages(int64_t limit) {
  if (limit < 1) return Usage("--limit must be at least 1");
  CS_ASSIGN_OR_RETURN(std::string sql, LoadQueryFile(sql_dir_, "top_pages"));
  CS_ASSIGN_OR_RETURN(
      auto result,
      session_.Query("SELECT * FROM (\n" + sql +
                     "\n) AS top_pages ORDER BY clicks DESC, page LIMIT " + std::to_string(limit)));
  if (result.rows.empty()) {
    CS_RETURN_IF_ERROR(RequireClicks());
  }
  CS_ASSIGN_OR_RETURN(auto page, RequireColumn(result, "page", "top_pages"));
  CS_ASSIGN_OR_RETURN(auto clicks, RequireColumn(result, "clicks", "top_pages"));
  std::vector<PageClicks> pages;
  for (const auto& row : result.rows) {
    PageClicks entry;
    entry.page = row[page].value_or("NULL");
    CS_ASSIGN_OR_RETURN(entry.clicks, ToInt(row[clicks], "clicks"));
    pages.push_back(std::move(entry));
  }
  return pages;
}

Result<int64_t> ClickQuestions::UniqueUsers() {
  CS_ASSIGN_OR_RETURN(std::string sql, LoadQueryFile(sql_dir_, "unique_users"));
  CS_ASSIGN_OR_RETURN(auto result, session_.Query(sql));
  CS_ASSIGN_OR_RETURN(auto column, RequireColumn(result, "unique_users", "unique_users"));
  if (result.rows.size() != 1) return Corrupt("unique_users.sql must return one row");
  CS_ASSIGN_OR_RETURN(int64_t users, ToInt(result.rows[0][column], "unique_users"));
  if (users == 0) {
    CS_RETURN_IF_ERROR(RequireClicks());
  }
  return users;
}

Result<std::vector<UserClick>> ClickQuestions::UserActivity(std::string_view user_id) {
  CS_ASSIGN_OR_RETURN(std::string sql, LoadQueryFile(sql_dir_, "user_activity"));
  // The user id is inlined as a literal (quoted) so the optimizer can push it into the scan.
  CS_ASSIGN_OR_RETURN(
      auto result, session_.Query("SELECT * FROM (\n" + sql + "\n) AS activity WHERE user_id = " +
                                  QuoteSqlString(user_id) + " ORDER BY click_number"));
  if (result.rows.empty()) {
    CS_RETURN_IF_ERROR(RequireClicks());
  }
  CS_ASSIGN_OR_RETURN(auto number, RequireColumn(result, "click_number", "user_activity"));
  CS_ASSIGN_OR_RETURN(auto timestamp, RequireColumn(result, "click_timestamp", "user_activity"));
  CS_ASSIGN_OR_RETURN(auto page, RequireColumn(result, "page", "user_activity"));
  std::vector<UserClick> clicks;
  for (const auto& row : result.rows) {
    UserClick click;
    CS_ASSIGN_OR_RETURN(click.click_number, ToInt(row[number], "click_number"));
    click.click_timestamp = row[timestamp].value_or("NULL");
    click.page = row[page].value_or("NULL");
    clicks.push_back(std::move(click));
  }
  return clicks;
}

}  // namespace clickstream::analysis
