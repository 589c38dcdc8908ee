#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "common/result.h"
#include "metrics/registry.h"

namespace clickstream::metrics {

// The clickstream_maintenance_* metrics of `process` (its built-in maintenance) and `maintain`:
//   clickstream_maintenance_runs_total{table,operation}            runs that committed or found
//                                                                  nothing to do
//   clickstream_maintenance_failures_total{table,operation}        runs that failed
//   clickstream_maintenance_files_rewritten_total{table,operation} data or manifest files replaced
//   clickstream_maintenance_bytes_reclaimed_total{table,operation} bytes deleted from storage
//   clickstream_maintenance_duration_seconds{operation}            histogram of run times
// `operation` is the command's name: rewrite-data-files, expire-snapshots, remove-orphan-files,
// rewrite-manifests.
class MaintenanceMetrics {
 public:
  // kInvalidArgument when the registry already has these names.
  static Result<std::unique_ptr<MaintenanceMetrics>> Register(Registry& registry);

  // One finished run of `operation` on `table` ("website.clicks").
  void RecordRun(std::string_view table, std::string_view operation, int64_t files_rewritten,
                 int64_t bytes_reclaimed, double seconds);
  // One run that failed (its error goes to the log; only the count is a metric).
  void RecordFailure(std::string_view table, std::string_view operation);

 private:
  MaintenanceMetrics() = default;
  Family<Counter>* runs_ = nullptr;
  Family<Counter>* failures_ = nullptr;
  Family<Counter>* files_rewritten_ = nullptr;
  Family<Counter>* bytes_reclaimed_ = nullptr;
  Family<Histogram>* duration_ = nullptr;
};

}  // namespace clickstream::metrics
