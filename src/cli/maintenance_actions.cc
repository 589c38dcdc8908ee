#include "cli/maintenance_actions.h"

#include <string>

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

}  // namespace clickstream::cli
