#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "iceberg/table_metadata.h"

namespace clickstream::iceberg {

// Snapshots of the main branch, newest first: the current snapshot and its parents.
std::vector<const Snapshot*> MainBranchHistory(const TableMetadata& metadata);

// For every summary key starting with `prefix`, its value in the newest snapshot of the main
// branch that has the key (older snapshots never override newer ones).
std::map<std::string, std::string> LatestSummaryValues(const TableMetadata& metadata,
                                                       std::string_view prefix);

}  // namespace clickstream::iceberg
