#include "metrics/maintenance_metrics.h"

#include <string>

namespace clickstream::metrics {

Result<std::unique_ptr<MaintenanceMetrics>> MaintenanceMetrics::Register(Registry& registry) {
  std::unique_ptr<MaintenanceMetrics> self(new MaintenanceMetrics());
  CS_ASSIGN_OR_RETURN(self->runs_, registry.AddCounter("clickstream_maintenance_runs_total",
                                                       "Table maintenance runs that finished.",
                                                       {"table", "operation"}));
  CS_ASSIGN_OR_RETURN(self->failures_, registry.AddCounter("clickstream_maintenance_failures_total",
                                                           "Table maintenance runs that failed.",
                                                           {"table", "operation"}));
  CS_ASSIGN_OR_RETURN(self->files_rewritten_,
                      registry.AddCounter("clickstream_maintenance_files_rewritten_total",
                                          "Data or manifest files replaced by table maintenance.",
                                          {"table", "operation"}));
  CS_ASSIGN_OR_RETURN(self->bytes_reclaimed_,
                      registry.AddCounter("clickstream_maintenance_bytes_reclaimed_total",
                                          "Bytes deleted from storage by table maintenance.",
                                          {"table", "operation"}));
  CS_ASSIGN_OR_RETURN(self->duration_,
                      registry.AddHistogram("clickstream_maintenance_duration_seconds",
                                            "Wall time of one table maintenance run.",
                                            {"operation"}, DurationBuckets()));
  const std::pair<const char*, int64_t TableHealthGauges::*> gauges[] = {
      {"data_files", &TableHealthGauges::data_files},
      {"data_bytes", &TableHealthGauges::data_bytes},
      {"small_files", &TableHealthGauges::small_files},
      {"delete_files", &TableHealthGauges::delete_files},
      {"partitions", &TableHealthGauges::partitions},
      {"snapshots", &TableHealthGauges::snapshots},
      {"manifests", &TableHealthGauges::manifests},
      {"metadata_files", &TableHealthGauges::metadata_files},
      {"current_metadata_bytes", &TableHealthGauges::current_metadata_bytes},
      {"metadata_dir_bytes", &TableHealthGauges::metadata_dir_bytes},
  };
  for (const auto& [field, member] : gauges) {
    CS_ASSIGN_OR_RETURN(
        Family<Gauge> * family,
        registry.AddGauge(std::string("clickstream_table_health_") + field,
                          std::string("The table's ") + field + " as `tables health` measured it.",
                          {"table"}));
    self->health_.emplace_back(family, member);
  }
  return self;
}

void MaintenanceMetrics::RecordHealth(std::string_view table, const TableHealthGauges& health) {
  for (const auto& [family, member] : health_) {
    family->WithLabels({std::string(table)}).Set(static_cast<double>(health.*member));
  }
}

void MaintenanceMetrics::RecordRun(std::string_view table, std::string_view operation,
                                   int64_t files_rewritten, int64_t bytes_reclaimed,
                                   double seconds) {
  const std::vector<std::string> labels{std::string(table), std::string(operation)};
  runs_->WithLabels(labels).Increment();
  failures_->WithLabels(labels).Increment(0);  // present at 0 for alerts on its rate
  // Touch the series even at 0 so a dashboard shows the table before its first rewrite.
  files_rewritten_->WithLabels(labels).Increment(static_cast<double>(files_rewritten));
  bytes_reclaimed_->WithLabels(labels).Increment(static_cast<double>(bytes_reclaimed));
  duration_->WithLabels({std::string(operation)}).Observe(seconds);
}

void MaintenanceMetrics::RecordFailure(std::string_view table, std::string_view operation) {
  failures_->WithLabels({std::string(table), std::string(operation)}).Increment();
}

}  // namespace clickstream::metrics
