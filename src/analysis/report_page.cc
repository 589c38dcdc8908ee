// RenderReportHtml: the report's page around the charts of report_svg.h.
#include <string>

#include "analysis/report.h"

namespace clickstream::analysis {

namespace {

constexpr std::string_view kStyle = R"css(
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f5f7; color: #1f2328;
       font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 980px; margin: 0 auto; padding: 24px 16px 40px; }
header h1 { margin: 0 0 4px; font-size: 26px; }
header p { margin: 0; color: #57606a; }
.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(140px, 1fr)); gap: 12px;
        margin: 20px 0; }
.kpi { background: #fff; border-radius: 10px; padding: 14px 16px;
       box-shadow: 0 1px 2px rgba(0,0,0,.08); }
.kpi b { display: block; font-size: 24px; }
.kpi span { color: #57606a; font-size: 13px; }
.card { background: #fff; border-radius: 10px; padding: 16px 18px 12px; margin: 16px 0;
        box-shadow: 0 1px 2px rgba(0,0,0,.08); }
.card h2 { margin: 0 0 2px; font-size: 18px; }
.card p.note { margin: 0 0 10px; color: #57606a; font-size: 13px; }
.card h3 { margin: 14px 0 0; font-size: 14px; color: #44474d; }
svg { display: block; width: 100%; height: auto; }
.plot { overflow-x: auto; }
@media (max-width: 600px) {
  main { padding: 16px 10px 32px; }
  .card { padding: 12px 10px 8px; }
  .plot svg { min-width: 540px; }  /* readable text; the chart scrolls inside its card */
}
footer { color: #6b6f76; font-size: 12px; margin-top: 24px; }
)css";

std::string Kpi(const std::string& value, std::string_view label) {
  return "<div class=\"kpi\"><b>" + XmlEscape(value) + "</b><span>" + XmlEscape(label) +
         "</span></div>";
}

std::string Card(std::string_view id, std::string_view title, std::string_view note,
                 const std::string& body) {
  return "<section class=\"card chart\" id=\"" + std::string(id) + "\"><h2>" + XmlEscape(title) +
         "</h2><p class=\"note\">" + XmlEscape(note) + "</p><div class=\"plot\">" + body +
         "</div></section>\n";
}

std::string IntervalName(int64_t ms) {
  const int64_t minutes = ms / 60'000;
  if (minutes % 1440 == 0)
    return std::to_string(minutes / 1440) + " day" + (minutes == 1440 ? "" : "s");
  if (minutes % 60 == 0) return std::to_string(minutes / 60) + " h";
  return std::to_string(minutes) + " min";
}

std::string TrafficCards(const ReportData& data) {
  const TimeSeries clicks{"clicks", std::string(kPalette[0]), data.clicks_per_minute};
  const std::string clicks_note = data.clicks_interval_ms == 60'000
                                      ? "Clicks in each minute."
                                      : "Clicks per minute, averaged over " +
                                            IntervalName(data.clicks_interval_ms) + " intervals.";
  const TimeSeries users{"users", std::string(kPalette[3]), data.users_per_interval};
  return Card("chart-clicks-per-minute", "Clicks per minute", clicks_note,
              TimeSeriesChart("Clicks per minute", "clicks / minute", {&clicks, 1},
                              SeriesStyle::kLine)) +
         Card("chart-unique-users", "Unique users per " + IntervalName(data.users_interval_ms),
              "Distinct users with at least one click in each " +
                  IntervalName(data.users_interval_ms) + " interval.",
              TimeSeriesChart("Unique users per interval",
                              "users / " + IntervalName(data.users_interval_ms), {&users, 1},
                              SeriesStyle::kColumns, data.users_interval_ms));
}

std::string DeadLetterCard(const ReportData& data) {
  if (!data.dead_letter_total) {
    return Card("chart-dead-letters", "Dead letters by reason",
                "No dead-letter table " + data.table + "_dlq in the catalog.",
                HorizontalBarChart("Dead letters by reason", {}, "messages"));
  }
  return Card("chart-dead-letters", "Dead letters by reason",
              std::to_string(*data.dead_letter_total) + " malformed messages in " + data.table +
                  "_dlq, by category of their error.",
              HorizontalBarChart("Dead letters by reason", data.dead_letters, "messages"));
}

std::string JourneyCard(const ReportData& data) {
  std::string note = "Every click of " + data.journey_user + " over time, one lane per page";
  if (data.journey_clicks > static_cast<int64_t>(data.journey.size())) {
    note += " (the latest " + std::to_string(data.journey.size()) + " of " +
            std::to_string(data.journey_clicks) + " clicks)";
  }
  note += " (user_activity.sql).";
  if (data.journey_user.empty()) note = "No user to show.";
  return Card("chart-journey", "Journey of " + data.journey_user, note,
              JourneyChart("Journey of " + data.journey_user, data.journey));
}

std::string HealthCard(const ReportData& data) {
  TimeSeries files{"data files", std::string(kPalette[0]), {}};
  TimeSeries size{"average file size", std::string(kPalette[1]), {}};
  TimeSeries records{"records", std::string(kPalette[4]), {}};
  for (const SnapshotHealth& s : data.snapshots) {
    files.points.push_back({s.t_ms, static_cast<double>(s.data_files)});
    size.points.push_back(
        {s.t_ms, s.data_files > 0 ? static_cast<double>(s.bytes) / s.data_files / (1 << 20) : 0});
    records.points.push_back({s.t_ms, static_cast<double>(s.records)});
  }
  std::string body =
      "<h3>Data files</h3>" +
      TimeSeriesChart("Data files", "files", {&files, 1}, SeriesStyle::kLine, 0, 120) +
      "<h3>Average data file size</h3>" +
      TimeSeriesChart("Average data file size", "MiB", {&size, 1}, SeriesStyle::kLine, 0, 120) +
      "<h3>Records</h3>" +
      TimeSeriesChart("Records", "records", {&records, 1}, SeriesStyle::kLine, 0, 120);
  return Card("chart-table-health", "Table health over snapshots",
              std::to_string(data.snapshots.size()) + " snapshots of " + data.table +
                  " kept in its metadata (totals from each snapshot's summary); many small files "
                  "call for `clickstream tables rewrite-data-files`.",
              body);
}

}  // namespace

std::string RenderReportHtml(const ReportData& data) {
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>Clickstream report: " +
      XmlEscape(data.table) + "</title><style>" + std::string(kStyle) +
      "</style></head>\n<body><main>\n";
  html += "<header><h1>Clickstream report</h1><p>" + XmlEscape(data.table) +
          (data.since ? " since " + XmlEscape(*data.since) : std::string()) +
          " &middot; generated " + XmlEscape(data.generated_utc) + "</p></header>\n";
  html += "<section class=\"kpis\">" +
          Kpi(CompactNumber(static_cast<double>(data.clicks)), "clicks") +
          Kpi(CompactNumber(static_cast<double>(data.unique_users)), "unique users") +
          Kpi(CompactNumber(static_cast<double>(data.pages)), "pages") +
          Kpi(data.dead_letter_total ? CompactNumber(static_cast<double>(*data.dead_letter_total))
                                     : "-",
              "dead letters") +
          Kpi(std::to_string(data.snapshots.size()), "snapshots") + "</section>\n";
  html +=
      Card("chart-top-pages", "Top pages",
           "The " + std::to_string(data.top_pages.size()) + " most clicked pages (top_pages.sql).",
           HorizontalBarChart("Top pages", data.top_pages, "clicks"));
  html += TrafficCards(data) + DeadLetterCard(data) + JourneyCard(data) + HealthCard(data);
  html +=
      "<footer>Made by <code>clickstream report</code> from DuckDB queries over the Iceberg "
      "tables (engines/sql). Times are UTC. The page has no scripts and loads nothing.</footer>\n"
      "</main></body></html>\n";
  return html;
}

}  // namespace clickstream::analysis
