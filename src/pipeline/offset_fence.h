#pragma once

#include <cstdint>
#include <map>
#include <optional>

#include "common/result.h"

namespace clickstream::pipeline {

// What a batch expects a table to record for each Kafka partition it covers before the batch
// commits: the offset the batch starts at, or nullopt when the partition must have no record yet.
using ExpectedOffsets = std::map<int32_t, std::optional<int64_t>>;

// The fencing condition of DESIGN.md "Delivery guarantee": Ok when the table records every
// partition of `expected` exactly as expected (`recorded` as RecordedKafkaOffsets reads it);
// otherwise kConflict naming the first partition another writer moved.
Status CheckExpectedOffsets(const std::map<int32_t, int64_t>& recorded,
                            const ExpectedOffsets& expected);

}  // namespace clickstream::pipeline
