// `clickstream report --out report.html`: one self-contained HTML page with charts of a clicks
// table (src/analysis/report.h), from DuckDB queries over the catalog's Iceberg tables.
#include "analysis/report.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>

#include "analysis/analysis_session.h"
#include "analysis/named_queries.h"
#include "cli/command.h"

namespace clickstream::cli {
namespace {

struct ReportFlags {
  std::string out = "report.html";
  std::string table = "website.clicks";
  std::optional<std::string> user;
  std::optional<std::string> since;
  int64_t top = 10;
};

Status WriteFile(const std::string& path, const std::string& text) {
  const std::string partial = path + ".partial";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    if (!out) return IoError("cannot write " + path);
    out << text;
    if (!out.flush()) return IoError("cannot write " + path);
  }
  if (std::rename(partial.c_str(), path.c_str()) != 0) return IoError("cannot write " + path);
  return Ok();
}

Status Report(const ReportFlags& flags, const GlobalOptions& globals) {
  if (flags.top < 1) return Usage("--top must be at least 1");
  const auto start = std::chrono::steady_clock::now();
  CS_ASSIGN_OR_RETURN(auto session, analysis::OpenAnalysisSession(globals.catalog));
  analysis::ReportOptions options;
  options.table = flags.table;
  options.user = flags.user;
  options.since = flags.since;
  options.top_pages = flags.top;
  options.sql_dir = analysis::DefaultSqlDirectory();
  auto data = analysis::GatherReport(session.duckdb, session.tables, options);
  if (!data && data.error().code == ErrorCode::kNotFound &&
      data.error().message.ends_with("is not in the catalog")) {
    return NotFound(data.error().message + " " + globals.catalog +
                    " (it has: " + session.TableNames() + ")");
  }
  if (!data) return std::unexpected(data.error());
  CS_RETURN_IF_ERROR(WriteFile(flags.out, analysis::RenderReportHtml(*data)));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("report: wrote %s (%lld clicks of %s, %zu snapshots) in %.2fs\n", flags.out.c_str(),
              static_cast<long long>(data->clicks), flags.table.c_str(), data->snapshots.size(),
              seconds);
  return Ok();
}

}  // namespace

void AddReportCommand(CLI::App& root, const GlobalOptions& globals, int& exit_code) {
  auto flags = std::make_shared<ReportFlags>();
  CLI::App* cmd = root.add_subcommand(
      "report",
      "Write one self-contained HTML page with charts of a clicks table: top pages, clicks per "
      "minute, unique users, dead letters by reason, one user's journey, table health");
  cmd->add_option("--out", flags->out, "HTML file to write")->capture_default_str();
  cmd->add_option("--table", flags->table,
                  "Clicks table (namespace.table); dead letters come from <table>_dlq")
      ->capture_default_str();
  cmd->add_option("--user", flags->user,
                  "User whose journey is drawn (default: the one with the most clicks)");
  cmd->add_option("--since", flags->since,
                  "Only clicks at or after this time, e.g. 2026-11-23T22:00:00Z (UTC when no "
                  "offset is given)");
  cmd->add_option("--top", flags->top, "Number of pages in the top pages chart")
      ->capture_default_str();
  cmd->callback([flags, &globals, &exit_code] {
    if (Status status = Report(*flags, globals); !status) exit_code = ReportError(status.error());
  });
}

}  // namespace clickstream::cli
