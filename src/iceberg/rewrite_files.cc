#include "iceberg/rewrite_files.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "io/file_io.h"

namespace clickstream::iceberg {
namespace {

using PartitionKey = std::pair<int, std::vector<Literal>>;

Result<ManifestContext> ContextFor(const TableMetadata& base, int spec_id) {
  CS_ASSIGN_OR_RETURN(auto schema, base.CurrentSchemaJson());
  for (const auto& spec : base.partition_specs) {
    if (spec.spec_id == spec_id) return ManifestContext{schema, spec, base.format_version};
  }
  return Corrupt("table metadata has no partition spec " + std::to_string(spec_id));
}

void DeleteFiles(const std::vector<DataFile>& files) {
  for (const auto& f : files) io::DeleteQuietly(f.file_path);
}

}  // namespace

// Where one live input of a kept group sits in the current snapshot.
struct RewriteFiles::LiveFile {
  std::size_t manifest = 0;
  const ManifestEntry* entry = nullptr;
};

RewriteFiles::RewriteFiles(std::vector<RewriteGroup> groups) : groups_(std::move(groups)) {}

Result<const std::vector<ManifestEntry>*> RewriteFiles::Entries(const ManifestFile& manifest) {
  auto it = manifest_cache_.find(manifest.manifest_path);
  if (it == manifest_cache_.end()) {
    CS_ASSIGN_OR_RETURN(auto entries, ReadManifest(manifest.manifest_path, &manifest));
    it = manifest_cache_.emplace(manifest.manifest_path, std::move(entries)).first;
  }
  return &it->second;
}

Result<std::vector<ManifestFile>> RewriteFiles::WriteAdded(const TableMetadata& base,
                                                           const SnapshotContext& context,
                                                           CommitAttempt& attempt) {
  std::map<int, std::vector<DataFile>> by_spec;
  for (std::size_t g : committed_) {
    for (const auto& f : groups_[g].outputs) by_spec[f.spec_id].push_back(f);
  }
  std::vector<ManifestFile> added;
  for (const auto& [spec_id, files] : by_spec) {
    CS_ASSIGN_OR_RETURN(auto manifest_context, ContextFor(base, spec_id));
    std::string location = ManifestLocation(
        base, "a" + std::to_string(context.attempt) + "-" + std::to_string(spec_id));
    attempt.files.push_back(location);
    CS_ASSIGN_OR_RETURN(auto m, WriteManifest(location, manifest_context, context.snapshot_id,
                                              context.sequence_number, files));
    added.push_back(std::move(m));
  }
  return added;
}

Result<std::unordered_map<std::string, RewriteFiles::LiveFile>> RewriteFiles::KeepValidGroups(
    const std::vector<ManifestFile>& manifests) {
  // Where every input of a group still in play is live, and which partitions have delete files.
  std::unordered_map<std::string, std::size_t> group_of;
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    if (dropped_.contains(g)) continue;
    for (const auto& path : groups_[g].inputs) group_of[path] = g;
  }
  std::unordered_map<std::string, LiveFile> live;
  std::set<PartitionKey> with_deletes;
  for (std::size_t i = 0; i < manifests.size(); ++i) {
    CS_ASSIGN_OR_RETURN(const auto* entries, Entries(manifests[i]));
    for (const auto& e : *entries) {
      if (e.status == EntryStatus::kDeleted) continue;
      if (manifests[i].content != 0 || e.content != 0) {
        with_deletes.insert({e.data_file.spec_id, e.data_file.partition});
      } else if (group_of.contains(e.data_file.file_path)) {
        live[e.data_file.file_path] = LiveFile{i, &e};
      }
    }
  }

  committed_.clear();
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    if (dropped_.contains(g)) continue;
    bool keep = std::all_of(groups_[g].inputs.begin(), groups_[g].inputs.end(), [&](auto& p) {
      auto it = live.find(p);
      return it != live.end() && !with_deletes.contains({it->second.entry->data_file.spec_id,
                                                         it->second.entry->data_file.partition});
    });
    if (keep) {
      committed_.push_back(g);
    } else {
      dropped_.insert(g);
    }
  }
  if (committed_.empty()) {
    return Conflict(
        "every file group lost its input files to a concurrent change (another "
        "rewrite, a delete or new delete files); nothing was rewritten");
  }
  return live;
}

Result<std::vector<ManifestFile>> RewriteFiles::WriteFiltered(
    const TableMetadata& base, const SnapshotContext& context, CommitAttempt& attempt,
    const std::vector<ManifestFile>& manifests, const std::unordered_set<std::string>& removing,
    const std::unordered_map<std::string, LiveFile>& live) {
  // Manifests holding a removed file are rewritten, per spec, into two manifests: one of the
  // removed files DELETED by this snapshot (sequence numbers kept), which the next commit drops
  // (WithLiveFiles), and one of their other live files EXISTING. Java keeps both in one manifest,
  // which then carries the deleted entries into every later snapshot until a merge, and readers
  // such as DuckDB pay for each of them on every query (bench/RESULTS.md, soak).
  std::set<std::size_t> affected;
  for (const auto& p : removing) affected.insert(live.at(p).manifest);
  std::vector<ManifestFile> out;
  std::map<std::pair<int, EntryStatus>, std::vector<ManifestEntry>> filtered;
  for (std::size_t i = 0; i < manifests.size(); ++i) {
    if (!affected.contains(i)) {
      out.push_back(manifests[i]);
      continue;
    }
    CS_ASSIGN_OR_RETURN(const auto* entries, Entries(manifests[i]));
    for (ManifestEntry e : *entries) {
      if (e.status == EntryStatus::kDeleted) continue;
      if (removing.contains(e.data_file.file_path)) {
        e.status = EntryStatus::kDeleted;
        e.snapshot_id = context.snapshot_id;
      } else {
        e.status = EntryStatus::kExisting;
      }
      filtered[{manifests[i].partition_spec_id, e.status}].push_back(std::move(e));
    }
  }
  for (const auto& [key, entries] : filtered) {
    const auto& [spec_id, status] = key;
    CS_ASSIGN_OR_RETURN(auto manifest_context, ContextFor(base, spec_id));
    std::string location =
        ManifestLocation(base, std::string(status == EntryStatus::kDeleted ? "d" : "e") +
                                   std::to_string(context.attempt) + "-" + std::to_string(spec_id));
    attempt.files.push_back(location);
    CS_ASSIGN_OR_RETURN(auto m,
                        WriteManifestEntries(location, manifest_context, context.snapshot_id,
                                             context.sequence_number, entries));
    out.push_back(std::move(m));
  }
  return out;
}

Result<SnapshotPlan> RewriteFiles::Plan(const TableMetadata& base, const SnapshotContext& context,
                                        CommitAttempt& attempt) {
  const Snapshot* current = base.CurrentSnapshot();
  if (current == nullptr) return Conflict("the table has no snapshot left to rewrite");
  CS_ASSIGN_OR_RETURN(auto manifests, ReadManifestList(current->manifest_list));
  manifests = WithLiveFiles(std::move(manifests));
  CS_ASSIGN_OR_RETURN(auto live, KeepValidGroups(manifests));

  SnapshotPlan plan;
  plan.operation = "replace";
  std::unordered_set<std::string> removing;
  std::set<PartitionKey> partitions;
  for (std::size_t g : committed_) {
    for (const auto& p : groups_[g].inputs) {
      removing.insert(p);
      const DataFile& df = live[p].entry->data_file;
      partitions.insert({df.spec_id, df.partition});
      plan.deleted_files += 1;
      plan.deleted_records += df.record_count;
      plan.deleted_size += df.file_size_in_bytes;
    }
    for (const auto& f : groups_[g].outputs) {
      partitions.insert({f.spec_id, f.partition});
      plan.added_files += 1;
      plan.added_records += f.record_count;
      plan.added_size += f.file_size_in_bytes;
    }
  }
  plan.changed_partitions = static_cast<int64_t>(partitions.size());
  CS_ASSIGN_OR_RETURN(plan.manifests, WriteAdded(base, context, attempt));
  CS_ASSIGN_OR_RETURN(auto kept, WriteFiltered(base, context, attempt, manifests, removing, live));
  plan.manifests.insert(plan.manifests.end(), std::make_move_iterator(kept.begin()),
                        std::make_move_iterator(kept.end()));
  return plan;
}

void RewriteFiles::OnCommitted(const TableMetadata& /*committed*/) {
  for (std::size_t g : dropped_) DeleteFiles(groups_[g].outputs);
}

void RewriteFiles::Abort() {
  for (const auto& g : groups_) DeleteFiles(g.outputs);
}

}  // namespace clickstream::iceberg
