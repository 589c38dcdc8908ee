#pragma once

#include <span>

#include "maintenance/maintainer.h"
#include "metrics/health.h"
#include "metrics/maintenance_metrics.h"

namespace clickstream::cli {

// Counts finished maintenance actions in the clickstream_maintenance_* metrics: a run with its
// files rewritten, bytes reclaimed and duration, or a failure.
void RecordMaintenance(std::span<const maintenance::MaintenanceAction> actions,
                       metrics::MaintenanceMetrics& metrics);

}  // namespace clickstream::cli
