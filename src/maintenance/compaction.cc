#include "maintenance/compaction.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <mutex>
#include <thread>

#include "iceberg/rewrite_files.h"
#include "iceberg/rewrite_manifests.h"
#include "maintenance/compaction_rewrite.h"
#include "maintenance/table_health.h"

namespace clickstream::maintenance {
namespace {

constexpr std::string_view kManifestTargetSizeProperty = "commit.manifest.target-size-bytes";

int64_t PositiveProperty(const iceberg::TableMetadata& m, std::string_view key, int64_t fallback) {
  auto it = m.properties.find(std::string(key));
  if (it == m.properties.end()) return fallback;
  int64_t value = 0;
  const std::string& text = it->second;
  auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), value);
  return err == std::errc() && end == text.data() + text.size() && value > 0 ? value : fallback;
}

Result<CompactionPlanOptions> PlanOptions(const iceberg::TableMetadata& m,
                                          const RewriteDataFilesOptions& options) {
  CompactionPlanOptions plan;
  plan.target_file_size_bytes = options.target_file_size_bytes.value_or(
      PositiveProperty(m, kTargetFileSizeProperty, kDefaultTargetFileSizeBytes));
  plan.min_input_files = options.min_input_files;
  plan.max_group_bytes = options.max_group_bytes;
  plan.rewrite_all = options.rewrite_all;
  plan.size_ratio = options.size_ratio;
  plan.floor_bytes = options.floor_bytes;
  plan.max_input_bytes = options.max_input_bytes;
  if (!options.where.empty()) {
    CS_ASSIGN_OR_RETURN(auto schema, m.CurrentSchema());
    CS_ASSIGN_OR_RETURN(auto spec, m.DefaultSpec());
    CS_ASSIGN_OR_RETURN(plan.where, PartitionFilter::Parse(options.where, schema, spec));
    plan.where_spec_id = spec.spec_id;
  }
  return plan;
}

// Rewrites every group on `threads` workers; the first error stops the others and deletes every
// file written.
Result<std::vector<iceberg::RewriteGroup>> RewriteGroups(const iceberg::TableMetadata& m,
                                                         const std::vector<FileGroup>& groups,
                                                         const RewriteDataFilesOptions& options,
                                                         int64_t target) {
  CS_ASSIGN_OR_RETURN(auto schema, m.CurrentSchema());
  std::vector<iceberg::RewriteGroup> out(groups.size());
  std::vector<GroupRewriteOptions> per_group(groups.size());
  const std::string write_id = iceberg::RandomUuid();
  for (std::size_t i = 0; i < groups.size(); ++i) {
    auto spec = std::find_if(m.partition_specs.begin(), m.partition_specs.end(),
                             [&](const auto& s) { return s.spec_id == groups[i].spec_id; });
    if (spec == m.partition_specs.end()) {
      return Corrupt("table metadata has no partition spec " + std::to_string(groups[i].spec_id));
    }
    per_group[i] = GroupRewriteOptions{schema, *spec,           m.location,
                                       target, options.sort_by, options.row_group_rows,
                                       {},     write_id,        static_cast<int>(i)};
    for (const auto& e : groups[i].inputs) out[i].inputs.push_back(e.data_file.file_path);
  }
  std::atomic<std::size_t> next{0};
  std::mutex mu;
  std::optional<Error> failure;
  auto work = [&] {
    for (std::size_t i = next++; i < groups.size(); i = next++) {
      {
        std::lock_guard lock(mu);
        if (failure.has_value()) return;
      }
      auto written = RewriteFileGroup(groups[i], per_group[i]);
      std::lock_guard lock(mu);
      if (written.has_value()) {
        out[i].outputs = std::move(*written);
      } else if (!failure.has_value()) {
        failure = written.error();
      }
    }
  };
  {
    std::vector<std::jthread> workers;
    for (int t = 1; t < std::max(options.threads, 1); ++t) workers.emplace_back(work);
    work();
  }
  if (failure.has_value()) {
    for (const auto& g : out) DeleteUncommittedFiles(g.outputs);
    return std::unexpected(*failure);
  }
  return out;
}

}  // namespace

Status ValidateRewriteOptions(const iceberg::TableMetadata& metadata,
                              const RewriteDataFilesOptions& options) {
  CS_ASSIGN_OR_RETURN(auto schema, metadata.CurrentSchema());
  CS_RETURN_IF_ERROR(ValidateSortColumns(schema, options.sort_by));
  CS_RETURN_IF_ERROR(PlanOptions(metadata, options));
  return Ok();
}

Result<RewriteDataFilesResult> RewriteDataFiles(iceberg::Table& table,
                                                const RewriteDataFilesOptions& options) {
  CS_RETURN_IF_ERROR(table.Refresh());
  const iceberg::TableMetadata metadata = table.metadata();
  CS_ASSIGN_OR_RETURN(auto schema, metadata.CurrentSchema());
  CS_RETURN_IF_ERROR(ValidateSortColumns(schema, options.sort_by));
  CS_ASSIGN_OR_RETURN(auto plan_options, PlanOptions(metadata, options));
  CS_ASSIGN_OR_RETURN(auto live, table.CurrentFiles());
  std::vector<FileGroup> groups = PlanCompaction(live, plan_options);

  RewriteDataFilesResult result;
  result.groups_planned = static_cast<int64_t>(groups.size());
  if (groups.empty()) return result;
  CS_ASSIGN_OR_RETURN(auto rewritten, RewriteGroups(metadata, groups, options,
                                                    plan_options.target_file_size_bytes));
  iceberg::RewriteFiles operation(rewritten);
  CS_ASSIGN_OR_RETURN(auto committed, table.Commit(operation, options.commit));
  (void)committed;
  result.snapshot_id = operation.snapshot().snapshot_id;
  result.groups_dropped = static_cast<int64_t>(operation.dropped_groups().size());
  for (std::size_t g : operation.committed_groups()) {
    ++result.groups_committed;
    result.files_rewritten += static_cast<int64_t>(groups[g].inputs.size());
    result.bytes_rewritten += groups[g].input_bytes;
    result.records += groups[g].input_records;
    for (const auto& f : rewritten[g].outputs) {
      ++result.files_written;
      result.bytes_written += f.file_size_in_bytes;
    }
  }
  return result;
}

Result<RewriteManifestsResult> RewriteTableManifests(iceberg::Table& table,
                                                     const iceberg::CommitOptions& commit) {
  CS_RETURN_IF_ERROR(table.Refresh());
  RewriteManifestsResult result;
  const iceberg::Snapshot* current = table.metadata().CurrentSnapshot();
  if (current == nullptr) return result;
  CS_ASSIGN_OR_RETURN(auto manifests, iceberg::ReadManifestList(current->manifest_list));
  auto data_manifests = std::count_if(manifests.begin(), manifests.end(),
                                      [](const auto& m) { return m.content == 0; });
  if (data_manifests <= 1) return result;
  iceberg::RewriteManifests operation(PositiveProperty(
      table.metadata(), kManifestTargetSizeProperty, iceberg::kDefaultManifestTargetSizeBytes));
  CS_ASSIGN_OR_RETURN(auto committed, table.Commit(operation, commit));
  (void)committed;
  result.snapshot_id = operation.snapshot().snapshot_id;
  result.manifests_replaced = operation.manifests_replaced();
  result.manifests_created = operation.manifests_created();
  result.entries = operation.entries_processed();
  return result;
}

}  // namespace clickstream::maintenance
