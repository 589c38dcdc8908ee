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

// The summary key under which a commit records the next Kafka offset to read for one partition
// of `topic` consumed by `group`: "kafka.<group>.<topic>.<partition>" (DESIGN.md).
std::string KafkaOffsetKey(std::string_view group, std::string_view topic, int32_t partition);

// The next offset per Kafka partition recorded for `group` and `topic`, each from the newest
// snapshot that mentions the partition; kCorrupt if a recorded value is not a number.
Result<std::map<int32_t, int64_t>> KafkaOffsets(const TableMetadata& metadata,
                                                std::string_view group, std::string_view topic);

}  // namespace clickstream::iceberg
