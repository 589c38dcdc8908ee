// `clickstream process`: Kafka topic -> Iceberg tables, exactly once (DESIGN.md "Delivery
// guarantee"). Flags and output only; the work is pipeline::RunProcessor.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "catalog/identifier.h"
#include "cli/background_maintenance.h"
#include "cli/command.h"
#include "cli/stop_signals.h"
#include "events/event_time.h"
#include "metrics/metrics_server.h"
#include "metrics/processor_metrics.h"
#include "pipeline/processor.h"

namespace clickstream::cli {
namespace {

struct ProcessFlags {
  std::string topic = "user_clicks";
  std::string group = "click_processor";
  std::string table = "website.clicks";
  int64_t commit_interval_ms = pipeline::kDefaultCommitInterval.count();
  int64_t session_timeout_ms = 10'000;
  int64_t catalog_lock_timeout_ms = 30'000;
  bool until_caught_up = false;
  bool enrich = false;
  std::string reset_offsets;  // "", "earliest" or "latest"
  std::string on_bad_record = "dlq";
  std::string metrics_addr;  // empty: no metrics endpoint
  std::string event_time_zone = "UTC";
  bool no_maintain = false;
};

// ", 12 skipped bad records (broken_json 7, empty 5)", or nothing when none was skipped.
std::string SkippedText(const pipeline::ProcessorStats& stats) {
  if (stats.skipped_records == 0) return "";
  std::string text = ", " + std::to_string(stats.skipped_records) + " skipped bad records (";
  bool first = true;
  for (const auto& [reason, count] : stats.skipped_by_reason) {
    text += (first ? "" : ", ") + reason + " " + std::to_string(count);
    first = false;
  }
  return text + ")";
}

void PrintProgress(const pipeline::ProcessorStats& stats, int64_t& last_consumed) {
  const int64_t per_second = stats.consumed - last_consumed;
  last_consumed = stats.consumed;
  std::fprintf(
      stderr,
      "process: %lld msg/s, committed %lld rows, %lld dead letters%s%s, lag %lld, "
      "%d partitions, last commit %.0f ms%s%s\n",
      static_cast<long long>(per_second), static_cast<long long>(stats.committed_rows),
      static_cast<long long>(stats.dead_letters), SkippedText(stats).c_str(),
      stats.enriched_rows > 0 ? (", " + std::to_string(stats.enriched_rows) + " enriched").c_str()
                              : "",
      static_cast<long long>(stats.lag), stats.assigned_partitions, stats.last_commit_ms,
      stats.last_client_error.empty() ? "" : " - kafka: ", stats.last_client_error.c_str());
}

Status Process(const ProcessFlags& flags, const GlobalOptions& globals) {
  pipeline::ProcessorOptions options;
  options.brokers = globals.brokers;
  options.catalog_path = globals.catalog;
  options.warehouse = globals.Warehouse();
  options.topic = flags.topic;
  options.group = flags.group;
  CS_ASSIGN_OR_RETURN(options.table, AsUsage(catalog::ParseTableIdentifier(flags.table)));
  if (flags.commit_interval_ms <= 0) return Usage("--commit-interval-ms must be positive");
  options.commit_interval = std::chrono::milliseconds(flags.commit_interval_ms);
  options.session_timeout = std::chrono::milliseconds(flags.session_timeout_ms);
  if (flags.catalog_lock_timeout_ms <= 0) {
    return Usage("--catalog-lock-timeout-ms must be positive");
  }
  options.catalog_busy_timeout = std::chrono::milliseconds(flags.catalog_lock_timeout_ms);
  options.until_caught_up = flags.until_caught_up;
  options.enrich = flags.enrich;
  CS_ASSIGN_OR_RETURN(options.event_time_zone, events::EventTimeZone::Load(flags.event_time_zone));
  if (flags.reset_offsets == "earliest") options.reset_offsets = pipeline::OffsetReset::kEarliest;
  if (flags.reset_offsets == "latest") options.reset_offsets = pipeline::OffsetReset::kLatest;
  if (flags.on_bad_record == "skip") options.on_bad_record = pipeline::BadRecordPolicy::kSkip;
  if (flags.on_bad_record == "fail") options.on_bad_record = pipeline::BadRecordPolicy::kFail;

  const StopSignals stop;  // first: the threads started below inherit its signal mask
  // Declared before the processor's metrics, so the endpoint outlives them.
  std::unique_ptr<metrics::MetricsServer> server;
  std::unique_ptr<metrics::ProcessorMetrics> processor_metrics;
  if (!flags.metrics_addr.empty()) {
    CS_ASSIGN_OR_RETURN(server, metrics::MetricsServer::Start(flags.metrics_addr));
    CS_ASSIGN_OR_RETURN(processor_metrics, metrics::ProcessorMetrics::Register(
                                               server->registry(), server->health(), flags.topic));
    options.metrics = processor_metrics.get();
    std::fprintf(stderr, "process: serving /metrics and /healthz on %s (port %d)\n",
                 flags.metrics_addr.c_str(), server->port());
  }

  int64_t last_consumed = 0;
  pipeline::ProcessorHooks hooks;
  hooks.should_stop = [&stop] { return stop.Requested(); };
  hooks.on_progress = [&last_consumed](const pipeline::ProcessorStats& stats) {
    PrintProgress(stats, last_consumed);
  };
  hooks.on_warning = [](const std::string& warning) {
    std::fprintf(stderr, "process: warning: %s\n", warning.c_str());
  };
  std::vector<catalog::TableIdentifier> maintained{options.table,
                                                   {options.table.ns, options.table.name + "_dlq"}};
  if (options.enrich) maintained.push_back({options.table.ns, options.table.name + "_enriched"});
  BackgroundMaintenance maintenance(globals.catalog, std::move(maintained), options.metrics);
  if (!flags.no_maintain) {
    hooks.between_commits = [&maintenance](std::chrono::milliseconds budget) {
      maintenance.Request(budget);
    };
  }
  const auto start = std::chrono::steady_clock::now();
  CS_ASSIGN_OR_RETURN(pipeline::ProcessorStats stats, pipeline::RunProcessor(options, hooks));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "process: consumed %lld messages in %.2fs; committed %lld rows to %s, %lld dead letters%s, "
      "%lld enriched rows in %lld snapshots; %lld fenced batches; %lld offsets skipped "
      "(removed by retention); lag %lld\n",
      static_cast<long long>(stats.consumed), seconds, static_cast<long long>(stats.committed_rows),
      flags.table.c_str(), static_cast<long long>(stats.dead_letters), SkippedText(stats).c_str(),
      static_cast<long long>(stats.enriched_rows), static_cast<long long>(stats.commits),
      static_cast<long long>(stats.fenced_batches), static_cast<long long>(stats.skipped_offsets),
      static_cast<long long>(stats.lag));
  return Ok();
}

}  // namespace

void AddProcessCommand(CLI::App& root, const GlobalOptions& globals, int& exit_code) {
  auto flags = std::make_shared<ProcessFlags>();
  CLI::App* cmd = root.add_subcommand(
      "process",
      "Read click events from Kafka and write them exactly once into Iceberg tables: parsed clicks "
      "to --table, malformed messages to <table>_dlq, enriched clicks to <table>_enriched");
  cmd->add_option("--topic", flags->topic, "Kafka topic to read")
      ->check(NameValue())
      ->capture_default_str();
  cmd->add_option("--group", flags->group,
                  "Consumer group; the tables record offsets under this name")
      ->check(NameValue())
      ->capture_default_str();
  cmd->add_option("--table", flags->table, "Clicks table (namespace.table)")
      ->check(NameValue())
      ->capture_default_str();
  cmd->add_option("--commit-interval-ms", flags->commit_interval_ms,
                  "Time between two commits (each commit makes rows visible)")
      ->capture_default_str();
  cmd->add_option("--session-timeout-ms", flags->session_timeout_ms,
                  "How long the group waits for a silent processor before moving its partitions")
      ->capture_default_str();
  cmd->add_option("--catalog-lock-timeout-ms", flags->catalog_lock_timeout_ms,
                  "How long a commit waits for a SQLite catalog locked by another process; past "
                  "it a stream warns and retries, --until-caught-up exits 1")
      ->capture_default_str();
  cmd->add_flag("--until-caught-up", flags->until_caught_up,
                "Stop once every assigned partition is committed up to its end offset");
  cmd->add_flag("--enrich", flags->enrich,
                "Also write clicks joined with <namespace>.user_profiles to <table>_enriched");
  cmd->add_option("--reset-offsets", flags->reset_offsets,
                  "Only when the table records an offset beyond a partition's end (the topic was "
                  "deleted and created again): read it from its beginning (earliest) or skip to "
                  "its end (latest)")
      ->check(CLI::IsMember({"earliest", "latest"}));
  cmd->add_option("--on-bad-record", flags->on_bad_record,
                  "A message that is not a valid click: write it to <table>_dlq with the reason "
                  "(dlq), drop it and count it per reason (skip), or stop with exit code 1 before "
                  "committing its batch (fail)")
      ->check(CLI::IsMember({"dlq", "skip", "fail"}))
      ->capture_default_str();
  cmd->add_option("--metrics-addr", flags->metrics_addr,
                  "Serve Prometheus metrics on http://HOST:PORT/metrics and health on /healthz "
                  "(e.g. 127.0.0.1:9464; off by default)");
  cmd->add_option("--event-time-zone", flags->event_time_zone,
                  "IANA time zone in which event_ts values without a zone are read")
      ->capture_default_str();
  cmd->add_flag("--no-maintain", flags->no_maintain,
                "Do not maintain the tables (on a thread of its own, a cycle after each commit: "
                "compaction, snapshot expiry, manifest rewrite, orphan files; see `clickstream "
                "maintain`)");
  cmd->callback([flags, &globals, &exit_code] {
    if (Status status = Process(*flags, globals); !status) exit_code = ReportError(status.error());
  });
}

}  // namespace clickstream::cli
