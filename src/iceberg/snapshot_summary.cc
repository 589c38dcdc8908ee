#include "iceberg/snapshot_summary.h"

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

}  // namespace clickstream::iceberg
