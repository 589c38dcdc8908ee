#include "maintenance/maintainer.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "iceberg/expire_snapshots.h"
#include "iceberg/manifest.h"
#include "iceberg/snapshot_summary.h"
#include "maintenance/compaction.h"
#include "maintenance/orphan_files.h"

namespace clickstream::maintenance {

namespace {

int64_t SummaryLong(const iceberg::Snapshot& s, const std::string& key) {
  auto it = s.summary.find(key);
  if (it == s.summary.end()) return 0;
  int64_t value = 0;
  std::from_chars(it->second.data(), it->second.data() + it->second.size(), value);
  return value;
}

std::string Format(const char* format, auto... args) {
  char text[256];
  std::snprintf(text, sizeof(text), format, args...);
  return text;
}

int64_t TotalDataFiles(const iceberg::TableMetadata& metadata) {
  const iceberg::Snapshot* current = metadata.CurrentSnapshot();
  return current == nullptr ? 0 : SummaryLong(*current, "total-data-files");
}

}  // namespace

std::string ExpiryText(const iceberg::ExpireSnapshotsResult& result) {
  const iceberg::DeletedFiles& d = result.deleted;
  std::string text = Format(
      "expired %zu snapshots (%zu kept for Flink/Spark streaming progress); deleted %lld data "
      "files, %lld manifests, %lld manifest lists, %lld statistics files",
      result.plan.expired.size(), result.plan.kept_for_engines.size(),
      static_cast<long long>(d.content_files), static_cast<long long>(d.manifests),
      static_cast<long long>(d.manifest_lists), static_cast<long long>(d.statistics_files));
  if (d.failed > 0) text += "; " + std::to_string(d.failed) + " files could not be deleted";
  if (result.cleanup_error) {
    text += "; files left for remove-orphan-files: " + *result.cleanup_error;
  }
  return text;
}

std::string ActionText(const MaintenanceAction& action) {
  return action.table.ToString() + " " + std::string(TaskName(action.task)) +
         (action.ok ? ": " : " failed: ") + action.detail + Format(" (%.0f ms)", action.millis);
}

std::string_view TaskName(MaintenanceTask task) {
  switch (task) {
    case MaintenanceTask::kExpireSnapshots:
      return "expire-snapshots";
    case MaintenanceTask::kRewriteDataFiles:
      return "rewrite-data-files";
    case MaintenanceTask::kRewriteManifests:
      return "rewrite-manifests";
    case MaintenanceTask::kRemoveOrphanFiles:
      return "remove-orphan-files";
  }
  return "unknown";
}

Result<TableSignals> ReadSignals(const iceberg::TableMetadata& metadata, int64_t now_ms,
                                 std::optional<int64_t> rewrite_base_snapshot) {
  TableSignals signals;
  signals.expirable_snapshots =
      static_cast<int64_t>(iceberg::PlanExpiry(metadata, {}, now_ms).expired.size());
  const iceberg::Snapshot* current = metadata.CurrentSnapshot();
  if (current == nullptr) return signals;
  signals.current_snapshot_id = current->snapshot_id;
  signals.total_data_files = SummaryLong(*current, "total-data-files");
  for (const iceberg::Snapshot* s : iceberg::MainBranchHistory(metadata)) {
    if (s->snapshot_id == rewrite_base_snapshot) break;
    auto op = s->summary.find("operation");
    bool rewrite = op != s->summary.end() && op->second == "replace" &&
                   SummaryLong(*s, "added-data-files") > 0;
    if (rewrite && !rewrite_base_snapshot) break;
    if (!rewrite) signals.appended_files_since_rewrite += SummaryLong(*s, "added-data-files");
  }
  CS_ASSIGN_OR_RETURN(auto manifests, iceberg::ReadManifestList(current->manifest_list));
  signals.manifests = static_cast<int64_t>(manifests.size());
  return signals;
}

std::vector<MaintenanceTask> DueTasks(const TableSignals& signals, const TableState& state,
                                      const MaintenancePolicy& policy, int64_t now_ms) {
  std::vector<MaintenanceTask> due;
  if (!policy.enabled) return due;
  if (signals.expirable_snapshots > 0 &&
      (!state.last_expire_ms || now_ms - *state.last_expire_ms >= policy.expire_interval.count())) {
    due.push_back(MaintenanceTask::kExpireSnapshots);
  }
  bool idle =
      state.idle_rewrite_at_files &&
      signals.total_data_files < *state.idle_rewrite_at_files + policy.rewrite_min_new_files;
  if (signals.appended_files_since_rewrite >= policy.rewrite_min_new_files && !idle) {
    due.push_back(MaintenanceTask::kRewriteDataFiles);
  }
  if (signals.manifests > policy.max_manifests &&
      state.idle_manifests_at_snapshot != signals.current_snapshot_id) {
    due.push_back(MaintenanceTask::kRewriteManifests);
  }
  if (!state.last_orphan_scan_ms ||
      now_ms - *state.last_orphan_scan_ms >= policy.orphan_interval.count()) {
    due.push_back(MaintenanceTask::kRemoveOrphanFiles);
  }
  return due;
}

std::vector<MaintenanceAction> Maintainer::RunCycle(
    std::span<const catalog::TableIdentifier> tables, std::chrono::milliseconds budget) {
  const Clock::time_point deadline = Clock::now() + budget;
  std::vector<MaintenanceAction> actions;
  for (size_t i = 0; i < tables.size() && Clock::now() < deadline; ++i) {
    const catalog::TableIdentifier& id = tables[(next_table_ + i) % tables.size()];
    auto table = iceberg::Table::Load(*catalog_, id);
    if (!table) {
      actions.push_back({id, MaintenanceTask::kExpireSnapshots, false, false,
                         "cannot load the table: " + table.error().message, 0});
      continue;
    }
    const int64_t now = iceberg::NowMillis();
    TableState& state = states_[id.ToString()];
    auto signals = ReadSignals(table->metadata(), now, state.rewrite_base_snapshot);
    if (!signals) {
      actions.push_back({id, MaintenanceTask::kExpireSnapshots, false, false,
                         "cannot read the table's state: " + signals.error().message, 0});
      continue;
    }
    for (MaintenanceTask task :
         DueTasks(*signals, state, PolicyFromProperties(table->metadata()), now)) {
      if (Clock::now() >= deadline) break;
      actions.push_back(RunTask(*table, task, state, deadline));
    }
  }
  if (!tables.empty()) next_table_ = (next_table_ + 1) % tables.size();
  return actions;
}

MaintenanceAction Maintainer::RewriteData(iceberg::Table& table, TableState& state,
                                          Clock::time_point deadline) {
  MaintenanceAction action{table.id(), MaintenanceTask::kRewriteDataFiles, true, false, "", 0};
  const MaintenancePolicy policy = PolicyFromProperties(table.metadata());
  RewriteDataFilesOptions rewrite;
  rewrite.threads = options_.rewrite_threads;
  rewrite.size_ratio = static_cast<int>(policy.rewrite_size_ratio);
  rewrite.floor_bytes = policy.rewrite_floor_bytes;
  const auto left =
      std::max(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()),
               std::chrono::milliseconds(100));
  rewrite.max_input_bytes = left.count() * options_.rewrite_bytes_per_second / 1000;
  // Files appended after this snapshot, while the rewrite runs, are left for the next one.
  const iceberg::Snapshot* base = table.metadata().CurrentSnapshot();
  const std::optional<int64_t> base_id =
      base == nullptr ? std::nullopt : std::optional<int64_t>(base->snapshot_id);
  auto result = RewriteDataFiles(table, rewrite);
  if (!result) {
    action.ok = false;
    action.detail = result.error().message;
    return action;
  }
  action.changed = result->snapshot_id.has_value();
  if (!action.changed) state.idle_rewrite_at_files = TotalDataFiles(table.metadata());
  if (action.changed) state.rewrite_base_snapshot = base_id;
  if (action.changed) action.files_rewritten = result->files_rewritten;
  action.detail = Format("rewrote %lld files (%lld bytes) into %lld in %lld groups",
                         static_cast<long long>(result->files_rewritten),
                         static_cast<long long>(result->bytes_rewritten),
                         static_cast<long long>(result->files_written),
                         static_cast<long long>(result->groups_committed));
  return action;
}

MaintenanceAction Maintainer::RunTask(iceberg::Table& table, MaintenanceTask task,
                                      TableState& state, Clock::time_point deadline) {
  const Clock::time_point start = Clock::now();
  MaintenanceAction action{table.id(), task, true, false, "", 0};
  const int64_t now = iceberg::NowMillis();
  switch (task) {
    case MaintenanceTask::kExpireSnapshots: {
      state.last_expire_ms = now;
      auto result = iceberg::ExpireSnapshots(table, {}, now);
      if (!result) {
        action.ok = false;
        action.detail = result.error().message;
        break;
      }
      action.changed = !result->plan.expired.empty();
      action.detail = ExpiryText(*result);
      action.bytes_reclaimed = result->deleted.bytes;
      if (result->cleanup_error) action.ok = false;
      break;
    }
    case MaintenanceTask::kRewriteDataFiles:
      action = RewriteData(table, state, deadline);
      break;
    case MaintenanceTask::kRewriteManifests: {
      auto result = RewriteTableManifests(table);
      if (!result) {
        action.ok = false;
        action.detail = result.error().message;
        break;
      }
      action.changed = result->snapshot_id.has_value();
      if (!action.changed) state.idle_manifests_at_snapshot = table.metadata().current_snapshot_id;
      if (action.changed) action.files_rewritten = result->manifests_replaced;
      action.detail = Format("replaced %lld manifests by %lld",
                             static_cast<long long>(result->manifests_replaced),
                             static_cast<long long>(result->manifests_created));
      break;
    }
    case MaintenanceTask::kRemoveOrphanFiles: {
      state.last_orphan_scan_ms = now;
      auto result =
          RemoveOrphanFiles(table, {.older_than = options_.orphan_min_age, .dry_run = false}, now);
      if (!result) {
        action.ok = false;
        action.detail = result.error().message;
        break;
      }
      action.changed = result->deleted_files > 0;
      action.bytes_reclaimed = result->deleted_bytes;
      action.detail = Format("deleted %lld orphan files (%lld bytes) of %lld scanned",
                             static_cast<long long>(result->deleted_files),
                             static_cast<long long>(result->deleted_bytes),
                             static_cast<long long>(result->scanned_files));
      break;
    }
  }
  action.millis = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return action;
}

}  // namespace clickstream::maintenance
