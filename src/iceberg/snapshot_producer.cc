#include "iceberg/snapshot_producer.h"

#include <algorithm>
#include <charconv>

#include "iceberg/location.h"
#include "io/file_io.h"

namespace clickstream::iceberg {

namespace {

// Keys the table writes itself; callers may not set them.
constexpr std::string_view kStandardSummaryKeys[] = {
    "operation",
    "added-data-files",
    "deleted-data-files",
    "added-records",
    "deleted-records",
    "added-files-size",
    "removed-files-size",
    "changed-partition-count",
    "total-data-files",
    "total-records",
    "total-files-size",
    "total-delete-files",
    "total-position-deletes",
    "total-equality-deletes",
};

int64_t SummaryLong(const std::map<std::string, std::string>& summary, const std::string& key,
                    int64_t fallback) {
  auto it = summary.find(key);
  if (it == summary.end()) return fallback;
  int64_t value = 0;
  const std::string& text = it->second;
  auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), value);
  return err == std::errc() && end == text.data() + text.size() ? value : fallback;
}

// The parent's totals; parents written without them are counted from their manifest list.
struct Totals {
  int64_t files = 0;
  int64_t records = 0;
  int64_t size = 0;
};

Result<Totals> ParentTotals(const Snapshot* parent) {
  if (parent == nullptr) return Totals{};
  const auto& s = parent->summary;
  if (s.contains("total-data-files") && s.contains("total-records") &&
      s.contains("total-files-size")) {
    return Totals{SummaryLong(s, "total-data-files", 0), SummaryLong(s, "total-records", 0),
                  SummaryLong(s, "total-files-size", 0)};
  }
  Totals totals;
  CS_ASSIGN_OR_RETURN(auto manifests, ReadManifestList(parent->manifest_list));
  for (const auto& m : manifests) {
    if (m.content != 0) continue;
    totals.files += m.added_files_count + m.existing_files_count;
    totals.records += m.added_rows_count + m.existing_rows_count;
  }
  totals.size = SummaryLong(s, "total-files-size", 0);
  return totals;
}

Result<std::map<std::string, std::string>> SnapshotSummary(const Snapshot* parent,
                                                           const SnapshotPlan& plan) {
  CS_ASSIGN_OR_RETURN(Totals totals, ParentTotals(parent));
  std::map<std::string, std::string> summary = {{"operation", plan.operation}};
  auto put = [&](const char* key, int64_t value, bool always) {
    if (always || value != 0) summary[key] = std::to_string(value);
  };
  put("added-data-files", plan.added_files, plan.operation == "append");
  put("deleted-data-files", plan.deleted_files, false);
  put("added-records", plan.added_records, plan.operation == "append");
  put("deleted-records", plan.deleted_records, false);
  put("added-files-size", plan.added_size, plan.operation == "append");
  put("removed-files-size", plan.deleted_size, false);
  put("changed-partition-count", plan.changed_partitions, true);
  put("total-data-files", totals.files + plan.added_files - plan.deleted_files, true);
  put("total-records", totals.records + plan.added_records - plan.deleted_records, true);
  put("total-files-size", totals.size + plan.added_size - plan.deleted_size, true);
  std::map<std::string, std::string> none;
  const auto& parent_summary = parent ? parent->summary : none;
  for (const char* key :
       {"total-delete-files", "total-position-deletes", "total-equality-deletes"}) {
    put(key, SummaryLong(parent_summary, key, 0), true);
  }
  for (const auto& [key, value] : plan.summary) {
    if (IsStandardSummaryKey(key)) {
      return InvalidArgument("snapshot summary key '" + key + "' is written by the table itself");
    }
    summary[key] = value;
  }
  return summary;
}

// Merges the small data manifests of the default spec into one manifest of EXISTING entries for
// the new snapshot when there are enough of them; otherwise returns them as they are.
Result<std::vector<ManifestFile>> MergeSmallManifests(std::vector<ManifestFile> manifests,
                                                      const ManifestContext& manifest_context,
                                                      const SnapshotContext& context,
                                                      const AppendOptions& options, int min_count,
                                                      const std::string& location,
                                                      CommitAttempt& attempt) {
  std::vector<ManifestFile> small;
  std::vector<ManifestFile> kept;
  for (auto& m : manifests) {
    bool mergeable = m.content == 0 && m.partition_spec_id == manifest_context.spec.spec_id &&
                     m.manifest_length < options.manifest_merge_max_bytes;
    (mergeable ? small : kept).push_back(std::move(m));
  }
  if (min_count <= 0 || static_cast<int>(small.size()) + 1 < min_count) {
    small.insert(small.end(), std::make_move_iterator(kept.begin()),
                 std::make_move_iterator(kept.end()));
    return small;
  }
  std::vector<ManifestEntry> existing;
  for (const auto& m : small) {
    CS_ASSIGN_OR_RETURN(auto entries, ReadManifest(m.manifest_path, &m));
    for (auto& e : entries) {
      if (e.status == EntryStatus::kDeleted) continue;
      e.status = EntryStatus::kExisting;
      e.data_file.spec_id = manifest_context.spec.spec_id;
      existing.push_back(std::move(e));
    }
  }
  attempt.files.push_back(location);
  CS_ASSIGN_OR_RETURN(auto merged,
                      WriteManifestEntries(location, manifest_context, context.snapshot_id,
                                           context.sequence_number, existing));
  kept.insert(kept.begin(), std::move(merged));
  return kept;
}

// How many small manifests make an append merge them (Java's property names and defaults).
int MergeMinCount(const TableMetadata& base, const AppendOptions& options) {
  if (options.manifest_merge_min_count) return *options.manifest_merge_min_count;
  if (!PropertyAsBool(base, "commit.manifest-merge.enabled", true)) return 0;
  int64_t count = PropertyAsLong(base, "commit.manifest.min-count-to-merge", 100);
  return static_cast<int>(std::clamp<int64_t>(count, 0, 1 << 20));
}

int64_t ChangedPartitions(std::span<const DataFile> files) {
  std::vector<std::vector<Literal>> partitions;
  for (const auto& f : files) partitions.push_back(f.partition);
  std::sort(partitions.begin(), partitions.end());
  return std::unique(partitions.begin(), partitions.end()) - partitions.begin();
}

}  // namespace

bool IsStandardSummaryKey(std::string_view key) {
  return std::find(std::begin(kStandardSummaryKeys), std::end(kStandardSummaryKeys), key) !=
         std::end(kStandardSummaryKeys);
}

int64_t NextSnapshotTimestamp(const TableMetadata& base, int64_t now_ms) {
  std::optional<int64_t> newest;
  for (const auto& s : base.snapshots)
    newest = std::max(newest.value_or(s.timestamp_ms), s.timestamp_ms);
  for (const auto& e : base.snapshot_log)
    newest = std::max(newest.value_or(e.timestamp_ms), e.timestamp_ms);
  return newest ? std::max(now_ms, *newest + 1) : now_ms;
}

SnapshotProducer::SnapshotProducer()
    : snapshot_id_(RandomSnapshotId()), commit_uuid_(RandomUuid()) {}

std::string SnapshotProducer::ManifestLocation(const TableMetadata& base,
                                               std::string_view suffix) const {
  return JoinLocation(base.location,
                      "metadata/" + commit_uuid_ + "-" + std::string(suffix) + ".avro");
}

Result<TableChange> SnapshotProducer::Apply(const TableMetadata& base,
                                            std::string_view /*base_location*/,
                                            CommitAttempt& attempt) {
  if (base.FindSnapshot(snapshot_id_) != nullptr) {
    return Internal("snapshot id collision; retry the " + std::string(name()));
  }
  // v1 tables have no sequence numbers: their snapshots and manifests carry 0 (Java's
  // TableMetadata.nextSequenceNumber).
  const int64_t sequence_number = base.format_version >= 2 ? base.last_sequence_number + 1 : 0;
  SnapshotContext context{snapshot_id_, sequence_number, commit_uuid_, attempt.number};
  CS_ASSIGN_OR_RETURN(SnapshotPlan plan, Plan(base, context, attempt));
  const Snapshot* parent = base.CurrentSnapshot();
  CS_ASSIGN_OR_RETURN(auto summary, SnapshotSummary(parent, plan));

  std::optional<int64_t> parent_id;
  if (parent != nullptr) parent_id = parent->snapshot_id;
  std::string list_location = JoinLocation(
      base.location, "metadata/snap-" + std::to_string(snapshot_id_) + "-" +
                         std::to_string(attempt.number) + "-" + commit_uuid_ + ".avro");
  attempt.files.push_back(list_location);
  CS_RETURN_IF_ERROR(WriteManifestList(list_location, snapshot_id_, parent_id,
                                       context.sequence_number, plan.manifests,
                                       base.format_version));

  Snapshot snapshot;
  snapshot.snapshot_id = snapshot_id_;
  snapshot.parent_snapshot_id = parent_id;
  snapshot.sequence_number = context.sequence_number;
  snapshot.timestamp_ms = NextSnapshotTimestamp(base, NowMillis());
  snapshot.manifest_list = list_location;
  snapshot.summary = std::move(summary);
  snapshot.schema_id = base.current_schema_id;
  snapshot_ = snapshot;

  TableChange change;
  if (!base.table_uuid.empty()) change.Require(AssertTableUuid{base.table_uuid});
  change.Require(AssertRefSnapshotId{"main", parent_id});
  change.Update(AddSnapshot{std::move(snapshot)});
  change.Update(SetSnapshotRef{"main", snapshot_id_, "branch"});
  if (!plan.set_properties.empty()) change.Update(SetProperties{std::move(plan.set_properties)});
  return change;
}

FastAppend::FastAppend(std::span<const DataFile> files, AppendOptions options)
    : files_(files.begin(), files.end()), options_(std::move(options)) {}

void FastAppend::Abort() {
  if (manifest_) io::DeleteQuietly(manifest_->manifest_path);
  manifest_.reset();
}

Result<SnapshotPlan> FastAppend::Plan(const TableMetadata& base, const SnapshotContext& context,
                                      CommitAttempt& attempt) {
  if (files_.empty()) return InvalidArgument("an append needs at least one data file");
  if (options_.condition) CS_RETURN_IF_ERROR(options_.condition(base));
  CS_ASSIGN_OR_RETURN(auto schema_json, base.CurrentSchemaJson());
  CS_ASSIGN_OR_RETURN(auto spec, base.DefaultSpec());
  ManifestContext manifest_context{schema_json, spec, base.format_version};
  if (!manifest_) {
    // Sequence numbers are inherited, so the manifest does not depend on the parent.
    spec_id_ = spec.spec_id;
    std::string location = ManifestLocation(base, "m0");
    CS_ASSIGN_OR_RETURN(ManifestFile written,
                        WriteManifest(location, manifest_context, context.snapshot_id, 0, files_));
    manifest_ = std::move(written);
  } else if (spec.spec_id != spec_id_) {
    return Conflict("the table changed its partition spec during the append; rewrite the files");
  }

  std::vector<ManifestFile> manifests;
  if (const Snapshot* parent = base.CurrentSnapshot()) {
    CS_ASSIGN_OR_RETURN(manifests, ReadManifestList(parent->manifest_list));
    manifests = WithLiveFiles(std::move(manifests));
  }
  std::string merged_location = ManifestLocation(base, "m1-" + std::to_string(context.attempt));
  CS_ASSIGN_OR_RETURN(manifests,
                      MergeSmallManifests(std::move(manifests), manifest_context, context, options_,
                                          MergeMinCount(base, options_), merged_location, attempt));
  ManifestFile added = *manifest_;
  added.sequence_number = context.sequence_number;
  added.min_sequence_number = context.sequence_number;
  manifests.insert(manifests.begin(), std::move(added));

  SnapshotPlan plan;
  plan.operation = "append";
  plan.manifests = std::move(manifests);
  plan.added_files = static_cast<int64_t>(files_.size());
  for (const auto& f : files_) {
    plan.added_records += f.record_count;
    plan.added_size += f.file_size_in_bytes;
  }
  plan.changed_partitions = ChangedPartitions(files_);
  plan.summary = options_.summary;
  plan.set_properties = options_.set_properties;
  return plan;
}

}  // namespace clickstream::iceberg
