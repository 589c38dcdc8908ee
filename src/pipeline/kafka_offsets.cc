#include "pipeline/kafka_offsets.h"

#include <charconv>

#include "iceberg/snapshot_summary.h"

namespace clickstream::pipeline {

namespace {

constexpr std::string_view kPropertyPrefix = "clickstream.kafka-offset.";

// Percent-encodes every byte but [A-Za-z0-9_-], so '.' only ever separates the key's parts.
std::string Encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '-';
    if (plain) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

template <typename T>
bool ParseWhole(std::string_view text, T& value) {
  auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), value);
  return err == std::errc() && end == text.data() + text.size();
}

// Adds to `offsets` every "<prefix><partition>" key of `values` not already there.
Status CollectOffsets(const std::map<std::string, std::string>& values, const std::string& prefix,
                      std::map<int32_t, int64_t>& offsets) {
  for (auto it = values.lower_bound(prefix); it != values.end() && it->first.starts_with(prefix);
       ++it) {
    int32_t partition = 0;
    // A longer name sharing this prefix ("clicks.eu" for "clicks" in a legacy key) is not ours.
    if (!ParseWhole(std::string_view(it->first).substr(prefix.size()), partition) ||
        partition < 0) {
      continue;
    }
    int64_t offset = 0;
    if (!ParseWhole(std::string_view(it->second), offset) || offset < 0) {
      return Corrupt("table records Kafka offset " + it->first + " = '" + it->second +
                     "', which is not an offset");
    }
    offsets.emplace(partition, offset);
  }
  return Ok();
}

}  // namespace

std::string KafkaOffsetProperty(std::string_view group, std::string_view topic, int32_t partition) {
  return std::string(kPropertyPrefix) + Encode(group) + "." + Encode(topic) + "." +
         std::to_string(partition);
}

std::string LegacyKafkaOffsetKey(std::string_view group, std::string_view topic,
                                 int32_t partition) {
  return "kafka." + std::string(group) + "." + std::string(topic) + "." + std::to_string(partition);
}

std::map<std::string, std::string> KafkaOffsetProperties(
    std::string_view group, std::string_view topic, const std::map<int32_t, int64_t>& offsets) {
  std::map<std::string, std::string> properties;
  for (const auto& [partition, offset] : offsets) {
    properties[KafkaOffsetProperty(group, topic, partition)] = std::to_string(offset);
  }
  return properties;
}

Result<std::map<int32_t, int64_t>> RecordedKafkaOffsets(const iceberg::TableMetadata& metadata,
                                                        std::string_view group,
                                                        std::string_view topic) {
  std::map<int32_t, int64_t> offsets;
  std::string prefix = std::string(kPropertyPrefix) + Encode(group) + "." + Encode(topic) + ".";
  CS_RETURN_IF_ERROR(CollectOffsets(metadata.properties, prefix, offsets));
  std::string legacy = "kafka." + std::string(group) + "." + std::string(topic) + ".";
  CS_RETURN_IF_ERROR(
      CollectOffsets(iceberg::LatestSummaryValues(metadata, legacy), legacy, offsets));
  return offsets;
}

}  // namespace clickstream::pipeline
