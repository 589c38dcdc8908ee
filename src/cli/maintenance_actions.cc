#include "cli/maintenance_actions.h"

#include <string>

#include "iceberg/table.h"
#include "maintenance/table_health.h"

namespace clickstream::cli {

void RecordMaintenance(std::span<const maintenance::MaintenanceAction> actions,
                       metrics::MaintenanceMetrics& metrics) {
  for (const auto& action : actions) {
    const std::string table = action.table.ToString();
    const auto operation = maintenance::TaskName(action.task);
    if (action.ok) {
      metrics.RecordRun(table, operation, action.files_rewritten, action.bytes_reclaimed,
                        action.millis / 1000.0);
    } else {
      metrics.RecordFailure(table, operation);
    }
  }
}

void RecordHealth(catalog::Catalog& catalog, const catalog::TableIdentifier& table,
                  metrics::MaintenanceMetrics& metrics) {
  auto loaded = iceberg::Table::Load(catalog, table);
  if (!loaded) return;
  auto health = maintenance::MeasureHealth(*loaded);
  if (!health) return;
  metrics.RecordHealth(table.ToString(), {.data_files = health->data_files,
                                          .data_bytes = health->data_bytes,
                                          .small_files = health->small_files,
                                          .delete_files = health->delete_files,
                                          .partitions = health->partitions,
                                          .snapshots = health->snapshots,
                                          .manifests = health->manifests,
                                          .metadata_files = health->metadata_files,
                                          .current_metadata_bytes = health->current_metadata_bytes,
                                          .metadata_dir_bytes = health->metadata_dir_bytes});
}

}  // namespace clickstream::cli
