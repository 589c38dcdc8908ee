#pragma once

// `clickstream report`: one self-contained HTML page with charts of a clicks table, its
// dead-letter table and its snapshots. The data comes from DuckDB queries over the Iceberg tables
// (the shared engines/sql files where one fits); the charts are inline SVG (report_svg.h).

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analysis/duckdb_session.h"
#include "analysis/lakehouse_views.h"
#include "analysis/report_svg.h"
#include "common/result.h"

namespace clickstream::analysis {

struct ReportOptions {
  std::string table = "website.clicks";  // its dead letters are read from <table>_dlq
  std::optional<std::string> user;       // the journey's user; default: the most active one
  std::optional<std::string> since;      // leave out clicks (and dead letters) before this instant
  int64_t top_pages = 10;
  std::string sql_dir;  // engines/sql
};

// A snapshot of the table as its summary describes it (Iceberg spec, "Snapshots": total-*).
struct SnapshotHealth {
  int64_t t_ms = 0;
  std::string operation;
  int64_t data_files = 0;
  int64_t records = 0;
  int64_t bytes = 0;
};

struct ReportData {
  std::string table;
  std::optional<std::string> since;
  std::string generated_utc;  // "2026-12-03 07:30 UTC"
  int64_t clicks = 0;
  int64_t unique_users = 0;
  int64_t pages = 0;
  std::vector<BarItem> top_pages;
  std::vector<TimePoint> clicks_per_minute;  // per minute, or averaged per clicks_interval_ms
  int64_t clicks_interval_ms = 60'000;
  std::vector<TimePoint> users_per_interval;
  int64_t users_interval_ms = 60'000;
  std::optional<int64_t> dead_letter_total;  // nullopt: no dead-letter table
  std::vector<BarItem> dead_letters;         // by reason category, most first
  std::string journey_user;
  int64_t journey_clicks = 0;  // all clicks of the user; `journey` holds the latest ones
  std::vector<JourneyStep> journey;
  std::vector<SnapshotHealth> snapshots;
};

// Runs the report's queries on a session whose views expose the catalog's tables.
// kNotFound when `options.table` is not among `tables` or has no rows (after --since);
// kInvalidArgument when --since is not a timestamp.
Result<ReportData> GatherReport(DuckDbSession& session, const std::vector<ExposedTable>& tables,
                                const ReportOptions& options);

// The page: HTML5 with inline CSS and SVG only, and a Content-Security-Policy that forbids every
// request, so opening it never touches the network.
std::string RenderReportHtml(const ReportData& data);

// The finest of 1, 2, 5, 10, 15, 30 min, 1, 2, 3, 6, 12 h, 1, 7 days that keeps a span of
// `span_ms` within `max_buckets` intervals (7 days when none does).
int64_t ChooseInterval(int64_t span_ms, int64_t max_buckets);

}  // namespace clickstream::analysis
