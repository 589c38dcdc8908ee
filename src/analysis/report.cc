#include "analysis/report.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>

#include "analysis/named_queries.h"
#include "events/dead_letter_reason.h"

namespace clickstream::analysis {

namespace {

constexpr int64_t kMinute = 60'000;
constexpr size_t kJourneyClicks = 200;
constexpr int64_t kClickPoints = 720;  // at most this many points in the clicks line
constexpr int64_t kUserColumns = 48;   // at most this many columns of unique users

int64_t ToInt(const std::optional<std::string>& value) {
  return value ? std::strtoll(value->c_str(), nullptr, 10) : 0;
}

const ExposedTable* FindTable(const std::vector<ExposedTable>& tables, const std::string& name) {
  for (const ExposedTable& table : tables) {
    if (table.id.ToString() == name) return &table;
  }
  return nullptr;
}

// Makes website.clicks (the name the shared SQL files read) show `table`'s rows from `since` on.
Status PointClicksView(DuckDbSession& session, const ExposedTable& table,
                       const std::optional<std::string>& since) {
  std::string sql =
      "CREATE SCHEMA IF NOT EXISTS website; CREATE OR REPLACE VIEW website.clicks AS SELECT * "
      "FROM " +
      IcebergScanSql(table, std::nullopt);
  if (since) sql += " WHERE click_timestamp >= CAST(" + QuoteSqlString(*since) + " AS TIMESTAMPTZ)";
  return session.Execute(sql);
}

Status CheckSince(DuckDbSession& session, const std::optional<std::string>& since) {
  if (!since) return Ok();
  if (!session.Query("SELECT epoch_ms(CAST($1 AS TIMESTAMPTZ))", {*since})) {
    return Usage("--since " + QuoteSqlString(*since) +
                 " is not a timestamp (e.g. 2026-11-23T22:00:00Z)");
  }
  return Ok();
}

// One scan of the clicks: clicks per (minute, user), the base of every time chart, the totals and
// the busiest user. Minutes come from epoch arithmetic: DuckDB's date_trunc on a TIMESTAMPTZ goes
// through ICU's calendar and costs about 5x the scan on 10M rows (docs/report.md).
Status AggregateMinutes(DuckDbSession& session, ReportData& data, int64_t& span_ms) {
  CS_RETURN_IF_ERROR(session.Execute(
      "CREATE OR REPLACE TEMP TABLE report_minute_users AS SELECT epoch_ms(click_timestamp) // "
      "60000 AS minute, user_id, COUNT(*) AS clicks FROM website.clicks GROUP BY ALL"));
  CS_ASSIGN_OR_RETURN(auto totals,
                      session.Query("SELECT SUM(clicks), COUNT(DISTINCT user_id), MIN(minute), "
                                    "MAX(minute) FROM report_minute_users"));
  data.clicks = ToInt(totals.rows[0][0]);
  data.unique_users = ToInt(totals.rows[0][1]);
  span_ms = (ToInt(totals.rows[0][3]) - ToInt(totals.rows[0][2]) + 1) * kMinute;
  return Ok();
}

// (interval start in Unix ms, clicks, distinct users) per `interval_ms`, oldest first.
Result<QueryResult> PerInterval(DuckDbSession& session, int64_t interval_ms) {
  const std::string minutes = std::to_string(interval_ms / kMinute);
  return session.Query("SELECT minute // " + minutes + " * " + minutes +
                       " * 60000 AS t, SUM(clicks), COUNT(DISTINCT user_id) "
                       "FROM report_minute_users GROUP BY 1 ORDER BY 1");
}

// Clicks per minute, averaged over longer intervals when the span would need more than
// kClickPoints points, and distinct users per interval (at most kUserColumns columns).
Status OverTime(DuckDbSession& session, int64_t span_ms, ReportData& data) {
  data.clicks_interval_ms = ChooseInterval(span_ms, kClickPoints);
  data.users_interval_ms = ChooseInterval(span_ms, kUserColumns);
  CS_ASSIGN_OR_RETURN(auto clicks, PerInterval(session, data.clicks_interval_ms));
  const double minutes = static_cast<double>(data.clicks_interval_ms) / kMinute;
  for (const auto& row : clicks.rows) {
    const int64_t t = ToInt(row[0]);
    // An interval without clicks is a 0 on the line, not a straight segment across the gap.
    while (!data.clicks_per_minute.empty() &&
           data.clicks_per_minute.back().t_ms + data.clicks_interval_ms < t) {
      data.clicks_per_minute.push_back(
          {data.clicks_per_minute.back().t_ms + data.clicks_interval_ms, 0});
    }
    data.clicks_per_minute.push_back({t, static_cast<double>(ToInt(row[1])) / minutes});
  }
  CS_ASSIGN_OR_RETURN(auto users, PerInterval(session, data.users_interval_ms));
  for (const auto& row : users.rows) {
    data.users_per_interval.push_back({ToInt(row[0]), static_cast<double>(ToInt(row[2]))});
  }
  return Ok();
}

// top_pages.sql, its first `limit` rows and the number of pages, in one scan.
Status TopPages(DuckDbSession& session, const ReportOptions& options, ReportData& data) {
  CS_ASSIGN_OR_RETURN(std::string sql, LoadQueryFile(options.sql_dir, "top_pages"));
  CS_ASSIGN_OR_RETURN(auto rows,
                      session.Query("SELECT page, clicks, COUNT(*) OVER () FROM (\n" + sql +
                                    "\n) AS top_pages ORDER BY clicks DESC, page LIMIT " +
                                    std::to_string(options.top_pages)));
  for (const auto& row : rows.rows) {
    data.top_pages.push_back({row[0].value_or("NULL"), static_cast<double>(ToInt(row[1])), ""});
    data.pages = ToInt(row[2]);
  }
  return Ok();
}

Status Journey(DuckDbSession& session, const ReportOptions& options, ReportData& data) {
  if (options.user) {
    data.journey_user = *options.user;
  } else {
    // The first row of pages_per_user.sql (most clicks, then user_id), from the one scan.
    CS_ASSIGN_OR_RETURN(auto top, session.Query("SELECT user_id FROM report_minute_users GROUP BY "
                                                "user_id ORDER BY SUM(clicks) DESC, user_id "
                                                "LIMIT 1"));
    if (top.rows.empty() || !top.rows[0][0]) return Ok();
    data.journey_user = *top.rows[0][0];
  }
  CS_ASSIGN_OR_RETURN(std::string sql, LoadQueryFile(options.sql_dir, "user_activity"));
  CS_ASSIGN_OR_RETURN(auto rows,
                      session.Query("SELECT epoch_ms(click_timestamp), page FROM (\n" + sql +
                                    "\n) AS activity WHERE user_id = " +
                                    QuoteSqlString(data.journey_user) + " ORDER BY click_number"));
  data.journey_clicks = static_cast<int64_t>(rows.rows.size());
  const size_t first = rows.rows.size() > kJourneyClicks ? rows.rows.size() - kJourneyClicks : 0;
  for (size_t i = first; i < rows.rows.size(); ++i) {
    data.journey.push_back({ToInt(rows.rows[i][0]), rows.rows[i][1].value_or("NULL")});
  }
  return Ok();
}

Status DeadLetters(DuckDbSession& session, const ExposedTable& table,
                   const std::optional<std::string>& since, ReportData& data) {
  std::string sql = "SELECT error, COUNT(*) FROM " + IcebergScanSql(table, std::nullopt);
  if (since) sql += " WHERE kafka_timestamp >= CAST(" + QuoteSqlString(*since) + " AS TIMESTAMPTZ)";
  CS_ASSIGN_OR_RETURN(auto rows, session.Query(sql + " GROUP BY error"));
  std::map<std::string, int64_t> reasons;
  int64_t total = 0;
  for (const auto& row : rows.rows) {
    const int64_t count = ToInt(row[1]);
    reasons[std::string(events::DeadLetterReason(row[0].value_or("")))] += count;
    total += count;
  }
  data.dead_letter_total = total;
  for (const auto& [reason, count] : reasons) {
    data.dead_letters.push_back({reason, static_cast<double>(count), ""});
  }
  std::ranges::stable_sort(data.dead_letters,
                           [](const BarItem& a, const BarItem& b) { return a.value > b.value; });
  for (size_t i = 0; i < data.dead_letters.size(); ++i) {
    data.dead_letters[i].color = std::string(kPalette[(i + 2) % std::size(kPalette)]);
  }
  return Ok();
}

// Every snapshot still in the table's metadata file, oldest first, from their summaries.
Status Snapshots(DuckDbSession& session, const ExposedTable& table, ReportData& data) {
  CS_ASSIGN_OR_RETURN(
      auto text, session.Query("SELECT content FROM read_text($1)", {table.metadata_location}));
  if (text.rows.empty() || !text.rows[0][0]) return Ok();
  try {
    const nlohmann::json metadata = nlohmann::json::parse(*text.rows[0][0]);
    for (const nlohmann::json& snapshot : metadata.value("snapshots", nlohmann::json::array())) {
      const nlohmann::json summary = snapshot.value("summary", nlohmann::json::object());
      auto total = [&](const char* key) {
        return std::strtoll(summary.value(key, std::string("0")).c_str(), nullptr, 10);
      };
      data.snapshots.push_back(
          {snapshot.value("timestamp-ms", int64_t{0}), summary.value("operation", std::string()),
           total("total-data-files"), total("total-records"), total("total-files-size")});
    }
  } catch (const nlohmann::json::exception& e) {
    return Corrupt("the metadata file " + table.metadata_location +
                   " is not valid JSON: " + e.what());
  }
  std::ranges::sort(data.snapshots, {}, &SnapshotHealth::t_ms);
  return Ok();
}

std::string NowUtc() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M UTC", &tm);
  return text;
}

}  // namespace

int64_t ChooseInterval(int64_t span_ms, int64_t max_buckets) {
  static constexpr int64_t kIntervals[] = {
      kMinute,       2 * kMinute,    5 * kMinute,       10 * kMinute,  15 * kMinute,
      30 * kMinute,  60 * kMinute,   120 * kMinute,     180 * kMinute, 360 * kMinute,
      720 * kMinute, 1440 * kMinute, 7 * 1440 * kMinute};
  for (int64_t interval : kIntervals) {
    if (span_ms / interval + 1 <= max_buckets) return interval;
  }
  return kIntervals[std::size(kIntervals) - 1];
}

Result<ReportData> GatherReport(DuckDbSession& session, const std::vector<ExposedTable>& tables,
                                const ReportOptions& options) {
  const ExposedTable* clicks = FindTable(tables, options.table);
  if (clicks == nullptr) return NotFound(options.table + " is not in the catalog");
  CS_RETURN_IF_ERROR(CheckSince(session, options.since));
  CS_RETURN_IF_ERROR(PointClicksView(session, *clicks, options.since));
  ReportData data;
  data.table = options.table;
  data.since = options.since;
  data.generated_utc = NowUtc();
  int64_t span_ms = 0;
  CS_RETURN_IF_ERROR(AggregateMinutes(session, data, span_ms));
  if (data.clicks == 0) {
    return NotFound(options.table + " has no clicks" +
                    (options.since ? " since " + *options.since : std::string()));
  }
  CS_RETURN_IF_ERROR(TopPages(session, options, data));
  CS_RETURN_IF_ERROR(OverTime(session, span_ms, data));
  CS_RETURN_IF_ERROR(Journey(session, options, data));
  if (const ExposedTable* dlq = FindTable(tables, options.table + "_dlq")) {
    CS_RETURN_IF_ERROR(DeadLetters(session, *dlq, options.since, data));
  }
  CS_RETURN_IF_ERROR(Snapshots(session, *clicks, data));
  return data;
}

}  // namespace clickstream::analysis
