#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "common/result.h"
#include "iceberg/expire_snapshots.h"
#include "iceberg/table.h"
#include "maintenance/maintenance_policy.h"

namespace clickstream::maintenance {

// The maintenance operations, in the order a cycle runs them on one table.
enum class MaintenanceTask {
  kExpireSnapshots,
  kRewriteDataFiles,
  kRewriteManifests,
  kRemoveOrphanFiles
};
std::string_view TaskName(MaintenanceTask task);

// What the scheduler knows of a table without reading its data manifests.
struct TableSignals {
  int64_t total_data_files = 0;
  // Data files appended since the newest data rewrite in the retained history, or, when the
  // maintainer knows the snapshot its own last rewrite planned on, appended after that snapshot
  // (files appended while a rewrite ran were not rewritten, though they precede its commit).
  int64_t appended_files_since_rewrite = 0;
  int64_t manifests = 0;  // in the current snapshot's manifest list
  int64_t expirable_snapshots = 0;
  std::optional<int64_t> current_snapshot_id;
};

// What the scheduler remembers of a table between cycles (in memory only: a restart re-checks).
struct TableState {
  std::optional<int64_t> last_expire_ms;
  std::optional<int64_t> last_orphan_scan_ms;
  // total-data-files when a data rewrite last found nothing to merge.
  std::optional<int64_t> idle_rewrite_at_files;
  // The snapshot at which a manifest rewrite last found nothing to do.
  std::optional<int64_t> idle_manifests_at_snapshot;
  // The snapshot this maintainer's last data rewrite planned on.
  std::optional<int64_t> rewrite_base_snapshot;
};

// Reads the signals from the metadata and the current manifest list; `rewrite_base_snapshot` is
// TableState's.
Result<TableSignals> ReadSignals(const iceberg::TableMetadata& metadata, int64_t now_ms,
                                 std::optional<int64_t> rewrite_base_snapshot = std::nullopt);

// One line saying what an expiry did.
std::string ExpiryText(const iceberg::ExpireSnapshotsResult& result);

// The tasks due on a table, in the order they run; none when the policy disables maintenance.
std::vector<MaintenanceTask> DueTasks(const TableSignals& signals, const TableState& state,
                                      const MaintenancePolicy& policy, int64_t now_ms);

// One task run on one table.
struct MaintenanceAction {
  catalog::TableIdentifier table;
  MaintenanceTask task = MaintenanceTask::kExpireSnapshots;
  bool ok = true;
  bool changed = false;  // committed or deleted something
  std::string detail;    // one line: what was done, or the error
  double millis = 0;
  int64_t files_rewritten = 0;  // data or manifest files replaced
  int64_t bytes_reclaimed = 0;  // bytes deleted from storage
};

// "website.clicks expire-snapshots: expired 3 snapshots ... (12 ms)", or the error.
std::string ActionText(const MaintenanceAction& action);

struct MaintainerOptions {
  // remove-orphan-files' minimum file age.
  std::chrono::milliseconds orphan_min_age = std::chrono::hours(1);
  // Threads of rewrite-data-files (the processor keeps one core for the stream).
  int rewrite_threads = 1;
  // What one rewrite thread is assumed to get through: a cycle's rewrite takes at most the
  // remaining budget's worth of input bytes (smallest files first), so it ends near the budget.
  int64_t rewrite_bytes_per_second = 32LL << 20;
};

// Runs the table maintenance of DESIGN.md "Table maintenance" on tables whose thresholds are
// crossed, within a time budget per cycle so that a stream's freshness holds. Holds a reference to
// the catalog, which must outlive it. Not thread-safe.
class Maintainer {
 public:
  explicit Maintainer(catalog::Catalog& catalog, MaintainerOptions options = {})
      : catalog_(&catalog), options_(options) {}

  // Runs the due tasks of `tables`, starting no task once `budget` is spent (a started task runs to
  // its end: a compaction is one commit; thresholds keep each one small). A failed task (say, a
  // conflict with a concurrent writer) is reported in its action and retried in a later cycle; it
  // never stops the cycle. Tables are visited round-robin across cycles so a slow one cannot starve
  // the others.
  std::vector<MaintenanceAction> RunCycle(std::span<const catalog::TableIdentifier> tables,
                                          std::chrono::milliseconds budget);

 private:
  using Clock = std::chrono::steady_clock;
  MaintenanceAction RunTask(iceberg::Table& table, MaintenanceTask task, TableState& state,
                            Clock::time_point deadline);
  MaintenanceAction RewriteData(iceberg::Table& table, TableState& state,
                                Clock::time_point deadline);

  catalog::Catalog* catalog_;
  MaintainerOptions options_;
  std::map<std::string, TableState> states_;
  size_t next_table_ = 0;
};

}  // namespace clickstream::maintenance
