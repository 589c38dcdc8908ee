// `clickstream tables health|expire-snapshots|remove-orphan-files` (DESIGN.md "Table
// maintenance"). Flags and output only; the work is in maintenance/ and iceberg/.
#include "cli/tables_maintenance.h"

#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "catalog/identifier.h"
#include "catalog/open_catalog.h"
#include "events/click_codec.h"
#include "iceberg/expire_snapshots.h"
#include "iceberg/table.h"
#include "maintenance/maintainer.h"
#include "maintenance/maintenance_policy.h"
#include "maintenance/orphan_files.h"
#include "maintenance/table_health.h"

namespace clickstream::cli {
namespace {

using iceberg::Table;

struct LifecycleArgs {
  std::string table;
  std::string format = "text";
  std::string older_than;
  std::optional<int64_t> retain_last;
  bool dry_run = false;
};

// `--older-than`: a duration back from now ("10m") or an instant ("2026-11-23T22:55:00Z").
Result<int64_t> CutoffMillis(const std::string& text, int64_t now_ms) {
  if (auto age = maintenance::ParseDuration(text); age.has_value()) return now_ms - age->count();
  auto micros = events::ParseTimestampMicros(text);
  if (!micros.has_value()) {
    return Usage("--older-than '" + text +
                 "' is neither a duration (10m, 1h, 5d) nor a timestamp "
                 "(2026-11-23T22:55:00Z)");
  }
  return *micros / 1000;
}

Status Health(const GlobalOptions& globals, const LifecycleArgs& args) {
  if (args.format != "text" && args.format != "json") {
    return Usage("--format must be text or json");
  }
  CS_ASSIGN_OR_RETURN(auto catalog, catalog::OpenCatalog(globals.catalog));
  CS_ASSIGN_OR_RETURN(auto table, LoadNamedTable(*catalog, args.table));
  CS_ASSIGN_OR_RETURN(auto health, maintenance::MeasureHealth(table));
  const int64_t now = iceberg::NowMillis();
  if (args.format == "json") {
    std::cout << maintenance::HealthToJson(health, now).dump(2) << "\n";
  } else {
    std::cout << maintenance::HealthToText(health, now);
  }
  return Ok();
}

Status Expire(const GlobalOptions& globals, const LifecycleArgs& args) {
  iceberg::ExpireSnapshotsOptions options;
  const int64_t now = iceberg::NowMillis();
  if (!args.older_than.empty()) {
    CS_ASSIGN_OR_RETURN(options.older_than_ms, CutoffMillis(args.older_than, now));
  }
  if (args.retain_last && *args.retain_last < 1) {
    return Usage("--retain-last must be at least 1 (the current snapshot always stays)");
  }
  options.retain_last = args.retain_last;
  CS_ASSIGN_OR_RETURN(auto catalog, catalog::OpenCatalog(globals.catalog));
  CS_ASSIGN_OR_RETURN(auto table, LoadNamedTable(*catalog, args.table));
  if (args.dry_run) {
    iceberg::ExpiryPlan plan = iceberg::PlanExpiry(table.metadata(), options, now);
    for (int64_t id : plan.expired) std::cout << id << "\n";
    std::fprintf(stderr, "would expire %zu of %zu snapshots (%zu kept for streaming progress)\n",
                 plan.expired.size(), table.metadata().snapshots.size(),
                 plan.kept_for_engines.size());
    return Ok();
  }
  CS_ASSIGN_OR_RETURN(auto result, iceberg::ExpireSnapshots(table, options, now));
  std::cout << table.id().ToString() << ": " << maintenance::ExpiryText(result) << "; "
            << table.metadata().snapshots.size() << " snapshots left\n";
  return Ok();
}

Status RemoveOrphans(const GlobalOptions& globals, const LifecycleArgs& args) {
  maintenance::OrphanScanOptions options;
  options.dry_run = args.dry_run;
  const int64_t now = iceberg::NowMillis();
  if (!args.older_than.empty()) {
    CS_ASSIGN_OR_RETURN(int64_t cutoff, CutoffMillis(args.older_than, now));
    options.older_than = std::chrono::milliseconds(now - cutoff);
  }
  CS_ASSIGN_OR_RETURN(auto catalog, catalog::OpenCatalog(globals.catalog));
  CS_ASSIGN_OR_RETURN(auto table, LoadNamedTable(*catalog, args.table));
  CS_ASSIGN_OR_RETURN(auto result, maintenance::RemoveOrphanFiles(table, options, now));
  int64_t bytes = 0;
  for (const auto& orphan : result.orphans) {
    bytes += orphan.bytes;
    if (args.dry_run) std::cout << orphan.path << "\n";
  }
  std::fprintf(args.dry_run ? stderr : stdout,
               "%s %zu orphan files (%lld bytes) of %lld files under %s; %lld referenced\n",
               args.dry_run ? "would delete" : "deleted",
               args.dry_run ? result.orphans.size() : static_cast<size_t>(result.deleted_files),
               static_cast<long long>(args.dry_run ? bytes : result.deleted_bytes),
               static_cast<long long>(result.scanned_files), table.metadata().location.c_str(),
               static_cast<long long>(result.referenced_files));
  return Ok();
}

}  // namespace

void AddTableLifecycleCommands(CLI::App& tables, const GlobalOptions& globals, int& exit_code) {
  auto run = [&exit_code](const Status& status) {
    exit_code = status.has_value() ? kExitOk : ReportError(status.error());
  };
  auto args = std::make_shared<LifecycleArgs>();

  CLI::App* health = tables.add_subcommand(
      "health",
      "Data files, average size, small-file share (below a quarter of "
      "write.target-file-size-bytes), snapshots, manifests, metadata bytes, last commit age");
  health->add_option("table", args->table, "namespace.table")->required();
  health->add_option("--format", args->format, "text or json")->capture_default_str();
  health->callback([&globals, args, run] { run(Health(globals, *args)); });

  CLI::App* expire = tables.add_subcommand(
      "expire-snapshots",
      "Drop old snapshots (never the current one, one a branch or tag points at, or the newest "
      "one of a Flink job or Spark streaming query) and delete the files only they reached");
  expire->add_option("table", args->table, "namespace.table")->required();
  expire->add_option("--older-than", args->older_than,
                     "Snapshots older than this age (e.g. 10m, 5d) or timestamp expire; default: "
                     "the table's history.expire.max-snapshot-age-ms (Iceberg: 5 days)");
  expire->add_option("--retain-last", args->retain_last,
                     "Newest snapshots of each branch kept whatever their age; default: the "
                     "table's history.expire.min-snapshots-to-keep (Iceberg: 1)");
  expire->add_flag("--dry-run", args->dry_run, "List the snapshot ids that would expire");
  expire->callback([&globals, args, run] { run(Expire(globals, *args)); });

  CLI::App* orphans = tables.add_subcommand(
      "remove-orphan-files",
      "Delete files under the table location that no metadata references and that are older "
      "than --older-than");
  orphans->add_option("table", args->table, "namespace.table")->required();
  orphans->add_option("--older-than", args->older_than,
                      "Minimum age (e.g. 90m, 2h) or a timestamp; default 1h, so files of "
                      "writes in flight are safe");
  orphans->add_flag("--dry-run", args->dry_run, "List the orphan files, delete nothing");
  orphans->callback([&globals, args, run] { run(RemoveOrphans(globals, *args)); });
}

}  // namespace clickstream::cli
