// `clickstream maintain`: keeps the catalog's tables healthy whoever writes them (the Spark and
// Flink paths, other engines): DESIGN.md "Table maintenance". Flags and output only; the work is
// maintenance::Maintainer.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "catalog/identifier.h"
#include "catalog/open_catalog.h"
#include "cli/command.h"
#include "cli/maintenance_actions.h"
#include "cli/stop_signals.h"
#include "maintenance/maintainer.h"
#include "metrics/maintenance_metrics.h"
#include "metrics/metrics_server.h"

namespace clickstream::cli {
namespace {

struct MaintainFlags {
  std::vector<std::string> tables;
  double interval_s = 30;
  double budget_s = 60;
  bool once = false;
  std::string metrics_addr;  // empty: no metrics endpoint
};

// How long one pass may stay silent before /healthz answers 503.
std::chrono::milliseconds MaxSilence(std::chrono::milliseconds interval) {
  return interval + std::chrono::minutes(15);
}

// The tables named on the command line, or every table of the catalog (listed anew each cycle).
Result<std::vector<catalog::TableIdentifier>> Tables(catalog::Catalog& catalog,
                                                     const std::vector<std::string>& names) {
  std::vector<catalog::TableIdentifier> ids;
  for (const auto& name : names) {
    CS_ASSIGN_OR_RETURN(auto id, catalog::ParseTableIdentifier(name));
    ids.push_back(std::move(id));
  }
  if (!ids.empty()) return ids;
  CS_ASSIGN_OR_RETURN(auto namespaces, catalog.ListNamespaces());
  for (const auto& ns : namespaces) {
    CS_ASSIGN_OR_RETURN(auto tables, catalog.ListTables(ns));
    ids.insert(ids.end(), tables.begin(), tables.end());
  }
  return ids;
}

// Sleeps up to `duration`, waking early when a stop signal arrives.
void SleepUnlessStopped(const StopSignals& stop, std::chrono::milliseconds duration) {
  const auto until = std::chrono::steady_clock::now() + duration;
  while (!stop.Requested() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

Status Maintain(const MaintainFlags& flags, const GlobalOptions& globals) {
  if (flags.interval_s <= 0) return Usage("--interval must be positive");
  if (flags.budget_s <= 0) return Usage("--budget must be positive");
  for (const auto& name : flags.tables) {
    CS_RETURN_IF_ERROR(AsUsage(catalog::ParseTableIdentifier(name)));
  }
  const auto interval = std::chrono::milliseconds(static_cast<int64_t>(flags.interval_s * 1000));
  const auto budget = std::chrono::milliseconds(static_cast<int64_t>(flags.budget_s * 1000));
  const StopSignals stop;  // first: the server's threads inherit its signal mask
  std::unique_ptr<metrics::MetricsServer> server;
  std::unique_ptr<metrics::MaintenanceMetrics> maintenance_metrics;
  if (!flags.metrics_addr.empty()) {
    CS_ASSIGN_OR_RETURN(server, metrics::MetricsServer::Start(flags.metrics_addr));
    CS_ASSIGN_OR_RETURN(maintenance_metrics,
                        metrics::MaintenanceMetrics::Register(server->registry()));
    std::fprintf(stderr, "maintain: serving /metrics and /healthz on %s (port %d)\n",
                 flags.metrics_addr.c_str(), server->port());
  }
  CS_ASSIGN_OR_RETURN(auto catalog, catalog::OpenCatalog(globals.catalog));
  maintenance::Maintainer maintainer(*catalog);
  int failures = 0;
  do {
    if (server) server->health().Beat("maintain", MaxSilence(interval), "maintaining the tables");
    CS_ASSIGN_OR_RETURN(auto tables, Tables(*catalog, flags.tables));
    int pass_failures = 0;
    // One table per cycle slice: every table gets the whole budget in turn.
    for (size_t i = 0; i < tables.size() && !stop.Requested(); ++i) {
      const auto actions = maintainer.RunCycle(std::span(&tables[i], 1), budget);
      for (const auto& action : actions) {
        pass_failures += action.ok ? 0 : 1;
        std::printf("maintain: %s\n", maintenance::ActionText(action).c_str());
        std::fflush(stdout);
      }
      if (maintenance_metrics) {
        RecordMaintenance(actions, *maintenance_metrics);
        RecordHealth(*catalog, tables[i], *maintenance_metrics);
      }
    }
    failures += pass_failures;
    if (server && pass_failures > 0) {
      server->health().Fail("maintenance", std::to_string(pass_failures) +
                                               " tasks failed in the last pass (see the log)");
    } else if (server) {
      server->health().Clear("maintenance");
    }
    if (!flags.once) SleepUnlessStopped(stop, interval);
  } while (!flags.once && !stop.Requested());
  if (failures > 0) {
    return Internal(std::to_string(failures) +
                    " maintenance tasks failed (see the lines above); they are retried next run");
  }
  return Ok();
}

}  // namespace

void AddMaintainCommand(CLI::App& root, const GlobalOptions& globals, int& exit_code) {
  auto flags = std::make_shared<MaintainFlags>();
  CLI::App* cmd = root.add_subcommand(
      "maintain",
      "Keep tables fast and small: run rewrite-data-files, expire-snapshots, rewrite-manifests "
      "and remove-orphan-files on every table (or --table) whenever its thresholds are crossed");
  cmd->add_option("--table", flags->tables,
                  "A table to maintain (namespace.table; repeatable); default: every table");
  cmd->add_option("--interval", flags->interval_s, "Seconds between two passes")
      ->capture_default_str();
  cmd->add_option("--budget", flags->budget_s,
                  "Seconds of work per table and pass; no task starts once it is spent")
      ->capture_default_str();
  cmd->add_flag("--once", flags->once, "One pass over the tables, then exit");
  cmd->add_option("--metrics-addr", flags->metrics_addr,
                  "Serve Prometheus metrics on http://HOST:PORT/metrics and health on /healthz "
                  "(port 0: any free port); off by default");
  cmd->callback([flags, &globals, &exit_code] {
    if (Status status = Maintain(*flags, globals); !status) exit_code = ReportError(status.error());
  });
}

}  // namespace clickstream::cli
