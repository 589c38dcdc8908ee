#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "metrics/registry.h"

namespace clickstream::metrics {

// A table's state as `tables health` reports it (maintenance::TableHealth), exposed as
// clickstream_table_health_<field>{table}: data_files, data_bytes, small_files, delete_files,
// partitions, snapshots, manifests, metadata_files, current_metadata_bytes, metadata_dir_bytes.
struct TableHealthGauges {
  int64_t data_files = 0;
  int64_t data_bytes = 0;
  int64_t small_files = 0;
  int64_t delete_files = 0;
  int64_t partitions = 0;
  int64_t snapshots = 0;
  int64_t manifests = 0;
  int64_t metadata_files = 0;
  int64_t current_metadata_bytes = 0;
  int64_t metadata_dir_bytes = 0;
};

// The clickstream_maintenance_* metrics of `process` (its built-in maintenance) and `maintain`:
//   clickstream_maintenance_runs_total{table,operation}            runs that committed or found
//                                                                  nothing to do
//   clickstream_maintenance_failures_total{table,operation}        runs that failed
//   clickstream_maintenance_files_rewritten_total{table,operation} data or manifest files replaced
//   clickstream_maintenance_bytes_reclaimed_total{table,operation} bytes deleted from storage
//   clickstream_maintenance_duration_seconds{operation}            histogram of run times
// `operation` is the command's name: rewrite-data-files, expire-snapshots, remove-orphan-files,
// rewrite-manifests. And `tables health` as gauges, one series per table, refreshed after each
// maintenance pass (TableHealthGauges lists them).
class MaintenanceMetrics {
 public:
  // kInvalidArgument when the registry already has these names.
  static Result<std::unique_ptr<MaintenanceMetrics>> Register(Registry& registry);

  // One finished run of `operation` on `table` ("website.clicks").
  void RecordRun(std::string_view table, std::string_view operation, int64_t files_rewritten,
                 int64_t bytes_reclaimed, double seconds);
  // One run that failed (its error goes to the log; only the count is a metric).
  void RecordFailure(std::string_view table, std::string_view operation);
  // What `tables health` measured on `table`.
  void RecordHealth(std::string_view table, const TableHealthGauges& health);

 private:
  MaintenanceMetrics() = default;
  Family<Counter>* runs_ = nullptr;
  Family<Counter>* failures_ = nullptr;
  Family<Counter>* files_rewritten_ = nullptr;
  Family<Counter>* bytes_reclaimed_ = nullptr;
  Family<Histogram>* duration_ = nullptr;
  std::vector<std::pair<Family<Gauge>*, int64_t TableHealthGauges::*>> health_;
};

}  // namespace clickstream::metrics
