// `clickstream sql "SELECT ..."`: any SQL over the catalog's tables, by their catalog names, on
// DuckDB embedded (src/analysis), printed as a table, CSV or JSON.
#include <fstream>
#include <iostream>
#include <sstream>

#include "analysis/analysis_session.h"
#include "cli/command.h"
#include "cli/time_travel_flags.h"

namespace clickstream::cli {
namespace {

struct SqlFlags {
  std::string sql;
  std::string file;
  std::string format_name = "table";
  analysis::TimeTravel travel;
};

Result<std::string> ReadSqlFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read the SQL file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Status RunSql(const SqlFlags& flags, const GlobalOptions& globals) {
  std::string sql = flags.sql;
  if (!flags.file.empty()) {
    CS_ASSIGN_OR_RETURN(sql, ReadSqlFile(flags.file));
  }
  if (sql.find_first_not_of(" \t\r\n;") == std::string::npos) {
    return InvalidArgument("no SQL given: pass a query (\"SELECT ...\") or --file FILE.sql");
  }
  CS_ASSIGN_OR_RETURN(auto session, analysis::OpenAnalysisSession(globals.catalog, flags.travel));
  auto result = session.duckdb.Query(sql);
  if (!result) {
    Error error = result.error();
    if (error.message.contains("does not exist")) {
      error.message += " (the catalog " + globals.catalog + " has: " + session.TableNames() + ")";
    }
    return std::unexpected(error);
  }
  const analysis::OutputFormat format = flags.format_name == "csv" ? analysis::OutputFormat::kCsv
                                        : flags.format_name == "json"
                                            ? analysis::OutputFormat::kJson
                                            : analysis::OutputFormat::kTable;
  std::cout << analysis::Format(*result, format) << std::flush;
  return Ok();
}

}  // namespace

void AddSqlCommand(CLI::App& root, const GlobalOptions& globals, int& exit_code) {
  CLI::App* cmd = root.add_subcommand(
      "sql",
      "Run SQL on the Iceberg tables by their catalog names (website.clicks, "
      "website.clicks_enriched, website.user_profiles, website.clicks_dlq) with DuckDB embedded");
  auto flags = std::make_shared<SqlFlags>();
  auto* sql = cmd->add_option("sql", flags->sql,
                              "The SQL to run, e.g. \"SELECT count(*) FROM website.clicks\"");
  cmd->add_option("--file", flags->file,
                  "Run the SQL in this file instead (e.g. engines/sql/top_locations.sql)")
      ->excludes(sql)
      ->check(CLI::ExistingFile);
  cmd->add_option("--format", flags->format_name, "Output format")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();
  AddTimeTravelFlags(*cmd, flags->travel);
  cmd->callback([flags, &globals, &exit_code] {
    const auto status = RunSql(*flags, globals);
    exit_code = status.has_value() ? kExitOk : ReportError(status.error());
  });
}

}  // namespace clickstream::cli
