#include "maintenance/compaction_plan.h"

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>
#include <utility>

namespace clickstream::maintenance {
namespace {

using iceberg::ManifestEntry;

using PartitionKey = std::pair<int, std::vector<iceberg::Literal>>;

bool IsCandidate(const ManifestEntry& e, const CompactionPlanOptions& options, int64_t min_bytes,
                 int64_t max_bytes) {
  if (e.content != 0 || e.status == iceberg::EntryStatus::kDeleted) return false;
  if (options.where.has_value()) {
    if (e.data_file.spec_id != options.where_spec_id) return false;
    if (!options.where->Matches(e.data_file.partition)) return false;
  }
  if (options.rewrite_all) return true;
  int64_t size = e.data_file.file_size_in_bytes;
  return size < min_bytes || size > max_bytes;
}

bool WorthRewriting(const FileGroup& g, const CompactionPlanOptions& options, int64_t max_bytes) {
  if (g.inputs.empty()) return false;
  if (options.rewrite_all) return true;
  if (static_cast<int>(g.inputs.size()) >= std::max(options.min_input_files, 1)) return true;
  if (g.input_bytes >= options.target_file_size_bytes && g.inputs.size() > 1) return true;
  return std::any_of(g.inputs.begin(), g.inputs.end(), [&](const ManifestEntry& e) {
    return e.data_file.file_size_in_bytes > max_bytes;
  });
}

// First-fit-decreasing bin packing of one partition's candidates into groups <= max_group_bytes.
std::vector<FileGroup> PackPartition(const PartitionKey& key, std::vector<ManifestEntry> files,
                                     int64_t max_group_bytes) {
  std::sort(files.begin(), files.end(), [](const ManifestEntry& a, const ManifestEntry& b) {
    if (a.data_file.file_size_in_bytes != b.data_file.file_size_in_bytes) {
      return a.data_file.file_size_in_bytes > b.data_file.file_size_in_bytes;
    }
    return a.data_file.file_path < b.data_file.file_path;
  });
  std::vector<FileGroup> groups;
  for (auto& f : files) {
    int64_t size = f.data_file.file_size_in_bytes;
    auto fits = std::find_if(groups.begin(), groups.end(), [&](const FileGroup& g) {
      return g.input_bytes + size <= max_group_bytes;
    });
    if (fits == groups.end()) {
      groups.push_back(FileGroup{key.first, key.second, {}, 0, 0});
      fits = groups.end() - 1;
    }
    fits->input_bytes += size;
    fits->input_records += f.data_file.record_count;
    fits->inputs.push_back(std::move(f));
  }
  for (auto& g : groups) {
    std::sort(g.inputs.begin(), g.inputs.end(), [](const ManifestEntry& a, const ManifestEntry& b) {
      return a.data_file.file_path < b.data_file.file_path;
    });
  }
  return groups;
}

// The size-ratio group of one partition's candidates below `min_bytes` (see
// CompactionPlanOptions::size_ratio), if it has two files or more.
std::optional<FileGroup> RatioGroup(const PartitionKey& key, std::vector<ManifestEntry> files,
                                    const CompactionPlanOptions& options, int64_t min_bytes,
                                    int64_t max_group_bytes) {
  std::erase_if(
      files, [&](const ManifestEntry& e) { return e.data_file.file_size_in_bytes >= min_bytes; });
  std::sort(files.begin(), files.end(), [](const ManifestEntry& a, const ManifestEntry& b) {
    return std::tie(a.data_file.file_size_in_bytes, a.data_file.file_path) <
           std::tie(b.data_file.file_size_in_bytes, b.data_file.file_path);
  });
  // The longest run of smallest files whose last one is at most size_ratio times the others
  // together; a tiny file first in line does not hold back the files after it.
  size_t take = 0;
  int64_t taken_bytes = 0;
  int64_t bytes = 0;  // of files[0, k)
  for (size_t k = 0; k < files.size(); ++k) {
    const int64_t size = files[k].data_file.file_size_in_bytes;
    if (bytes + size > max_group_bytes) break;
    if (k > 0 && (size < options.floor_bytes || size <= options.size_ratio * bytes)) {
      take = k + 1;
      taken_bytes = bytes + size;
    }
    bytes += size;
  }
  FileGroup group{key.first, key.second, {}, taken_bytes, 0};
  for (size_t k = 0; k < take; ++k) {
    group.input_records += files[k].data_file.record_count;
    group.inputs.push_back(std::move(files[k]));
  }
  if (group.inputs.size() < 2) return std::nullopt;
  std::sort(group.inputs.begin(), group.inputs.end(),
            [](const ManifestEntry& a, const ManifestEntry& b) {
              return a.data_file.file_path < b.data_file.file_path;
            });
  return group;
}

// Keeps the groups that fit in max_input_bytes, smallest average input file first.
void LimitInputBytes(std::vector<FileGroup>& groups, int64_t max_input_bytes) {
  if (max_input_bytes <= 0) return;
  auto average = [](const FileGroup& g) {
    return static_cast<double>(g.input_bytes) / static_cast<double>(g.inputs.size());
  };
  std::stable_sort(groups.begin(), groups.end(),
                   [&](const FileGroup& a, const FileGroup& b) { return average(a) < average(b); });
  int64_t total = 0;
  std::erase_if(groups, [&](const FileGroup& g) {
    if (total > 0 && total + g.input_bytes > max_input_bytes) return true;
    total += g.input_bytes;  // the first group always fits: progress even on a tight budget
    return false;
  });
}

}  // namespace

std::vector<FileGroup> PlanCompaction(std::span<const ManifestEntry> live_files,
                                      const CompactionPlanOptions& options) {
  const int64_t target = std::max<int64_t>(options.target_file_size_bytes, 1);
  const int64_t min_bytes =
      options.min_file_size_bytes > 0 ? options.min_file_size_bytes : target * 3 / 4;
  const int64_t max_bytes =
      options.max_file_size_bytes > 0 ? options.max_file_size_bytes : target * 9 / 5;
  const int64_t max_group = std::max(options.max_group_bytes, target);

  std::map<PartitionKey, std::vector<ManifestEntry>> by_partition;
  for (const auto& e : live_files) {
    if (!IsCandidate(e, options, min_bytes, max_bytes)) continue;
    by_partition[{e.data_file.spec_id, e.data_file.partition}].push_back(e);
  }
  std::vector<FileGroup> planned;
  for (auto& [key, files] : by_partition) {
    if (options.size_ratio > 0 && !options.rewrite_all) {
      auto group = RatioGroup(key, std::move(files), options, min_bytes, max_group);
      if (group.has_value()) planned.push_back(std::move(*group));
      continue;
    }
    for (auto& g : PackPartition(key, std::move(files), max_group)) {
      if (WorthRewriting(g, options, max_bytes)) planned.push_back(std::move(g));
    }
  }
  LimitInputBytes(planned, options.max_input_bytes);
  return planned;
}

}  // namespace clickstream::maintenance
