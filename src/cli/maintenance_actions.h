#pragma once

#include <span>

#include "catalog/catalog.h"
#include "maintenance/maintainer.h"
#include "metrics/health.h"
#include "metrics/maintenance_metrics.h"

namespace clickstream::cli {

// Counts finished maintenance actions in the clickstream_maintenance_* metrics: a run with its
// files rewritten, bytes reclaimed and duration, or a failure.
void RecordMaintenance(std::span<const maintenance::MaintenanceAction> actions,
                       metrics::MaintenanceMetrics& metrics);

// Measures `table` as `tables health` does into the clickstream_table_health_* gauges; a table
// that cannot be loaded or read keeps its last values.
void RecordHealth(catalog::Catalog& catalog, const catalog::TableIdentifier& table,
                  metrics::MaintenanceMetrics& metrics);

}  // namespace clickstream::cli
