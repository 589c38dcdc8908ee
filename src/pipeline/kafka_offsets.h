#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/result.h"
#include "iceberg/table_metadata.h"

namespace clickstream::pipeline {

// Where a table records, for one consumer group and topic, the next Kafka offset of each
// partition whose rows it holds (DESIGN.md "Delivery guarantee"): a table property
// "clickstream.kafka-offset.<group>.<topic>.<partition>", group and topic percent-encoded so that
// no two (group, topic) pairs share a key. Table properties are part of every metadata file, so
// the record survives compaction and snapshot expiry by this project, Spark or pyiceberg.
std::string KafkaOffsetProperty(std::string_view group, std::string_view topic, int32_t partition);

// The snapshot summary key earlier versions recorded offsets under ("kafka.<group>.<topic>.<n>",
// ambiguous when names hold dots); read as a fallback only, never written.
std::string LegacyKafkaOffsetKey(std::string_view group, std::string_view topic, int32_t partition);

// The properties recording `offsets` for `group` and `topic`.
std::map<std::string, std::string> KafkaOffsetProperties(std::string_view group,
                                                         std::string_view topic,
                                                         const std::map<int32_t, int64_t>& offsets);

// The next offset per partition recorded for `group` and `topic`: the table property, or for a
// partition that has none yet, the newest legacy summary key of the main branch. kCorrupt if a
// recorded value is not an offset.
Result<std::map<int32_t, int64_t>> RecordedKafkaOffsets(const iceberg::TableMetadata& metadata,
                                                        std::string_view group,
                                                        std::string_view topic);

}  // namespace clickstream::pipeline
