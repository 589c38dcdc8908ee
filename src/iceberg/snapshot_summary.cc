#include "iceberg/snapshot_summary.h"

#include <charconv>
#include <unordered_map>
#include <unordered_set>

namespace clickstream::iceberg {

std::vector<const Snapshot*> MainBranchHistory(const TableMetadata& metadata) {
  std::unordered_map<int64_t, const Snapshot*> by_id;
  for (const auto& s : metadata.snapshots) by_id.emplace(s.snapshot_id, &s);
  std::vector<const Snapshot*> history;
  std::unordered_set<int64_t> seen;
  std::optional<int64_t> next = metadata.current_snapshot_id;
  while (next && seen.insert(*next).second) {
    auto it = by_id.find(*next);
    if (it == by_id.end()) break;  // expired ancestors end the walk
    history.push_back(it->second);
    next = it->second->parent_snapshot_id;
  }
  return history;
}

std::map<std::string, std::string> LatestSummaryValues(const TableMetadata& metadata,
                                                       std::string_view prefix) {
  std::map<std::string, std::string> values;
  for (const Snapshot* s : MainBranchHistory(metadata)) {
    for (auto it = s->summary.lower_bound(std::string(prefix));
         it != s->summary.end() && it->first.starts_with(prefix); ++it) {
      values.emplace(it->first, it->second);  // emplace keeps the newer value
    }
  }
  return values;
}

std::string KafkaOffsetKey(std::string_view group, std::string_view topic, int32_t partition) {
  std::string key = "kafka.";
  key += group;
  key += '.';
  key += topic;
  key += '.';
  key += std::to_string(partition);
  return key;
}

Result<std::map<int32_t, int64_t>> KafkaOffsets(const TableMetadata& metadata,
                                                std::string_view group, std::string_view topic) {
  std::string prefix = "kafka.";
  prefix += group;
  prefix += '.';
  prefix += topic;
  prefix += '.';
  std::map<int32_t, int64_t> offsets;
  for (const auto& [key, value] : LatestSummaryValues(metadata, prefix)) {
    std::string_view rest = std::string_view(key).substr(prefix.size());
    int32_t partition = 0;
    auto [p_end, p_err] = std::from_chars(rest.data(), rest.data() + rest.size(), partition);
    // A longer topic sharing this prefix ("clicks.eu" for "clicks") is not ours.
    if (p_err != std::errc() || p_end != rest.data() + rest.size() || partition < 0) continue;
    int64_t offset = 0;
    auto [o_end, o_err] = std::from_chars(value.data(), value.data() + value.size(), offset);
    if (o_err != std::errc() || o_end != value.data() + value.size() || offset < 0) {
      return Corrupt("snapshot summary " + key + " = '" + value + "' is not an offset");
    }
    offsets[partition] = offset;
  }
  return offsets;
}

}  // namespace clickstream::iceberg
