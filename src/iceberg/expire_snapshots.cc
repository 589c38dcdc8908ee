#include "iceberg/expire_snapshots.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <tuple>

#include "iceberg/reachable_files.h"
#include "iceberg/table_update.h"
#include "io/file_io.h"

namespace clickstream::iceberg {

namespace {

std::optional<int64_t> RefLong(const nlohmann::json& ref, const char* key) {
  if (!ref.contains(key) || !ref[key].is_number_integer()) return std::nullopt;
  return ref[key].get<int64_t>();
}

// Keeps the ancestors of a branch head that its retention rules protect.
void RetainBranch(const TableMetadata& metadata, int64_t head, int64_t min_keep, int64_t cutoff_ms,
                  std::set<int64_t>& retained) {
  int64_t kept = 0;
  const Snapshot* s = metadata.FindSnapshot(head);
  while (s != nullptr && (kept < min_keep || s->timestamp_ms >= cutoff_ms)) {
    retained.insert(s->snapshot_id);
    ++kept;
    s = s->parent_snapshot_id ? metadata.FindSnapshot(*s->parent_snapshot_id) : nullptr;
  }
}

std::string SummaryOr(const Snapshot& s, const std::string& key) {
  auto it = s.summary.find(key);
  return it == s.summary.end() ? std::string() : it->second;
}

// Per streaming writer (Flink job and operator, Spark query), its newest snapshot.
std::set<int64_t> NewestEngineProgress(const TableMetadata& metadata) {
  std::map<std::tuple<std::string, std::string, std::string>, const Snapshot*> newest;
  for (const auto& s : metadata.snapshots) {
    std::tuple<std::string, std::string, std::string> writer;
    if (s.summary.contains("flink.max-committed-checkpoint-id")) {
      writer = {"flink", SummaryOr(s, "flink.job-id"), SummaryOr(s, "flink.operator-id")};
    } else if (s.summary.contains("spark.sql.streaming.queryId")) {
      writer = {"spark", SummaryOr(s, "spark.sql.streaming.queryId"), ""};
    } else if (s.summary.contains("spark.sql.streaming.queryid")) {
      // The same key as a foreachBatch write sets it: Spark lowercases write options
      // (engines/spark/click_processor.py).
      writer = {"spark", SummaryOr(s, "spark.sql.streaming.queryid"), ""};
    } else {
      continue;
    }
    const Snapshot*& best = newest[writer];
    if (best == nullptr || std::tie(s.sequence_number, s.timestamp_ms) >
                               std::tie(best->sequence_number, best->timestamp_ms)) {
      best = &s;
    }
  }
  std::set<int64_t> ids;
  for (const auto& [writer, s] : newest) ids.insert(s->snapshot_id);
  return ids;
}

std::set<std::string> Difference(const std::set<std::string>& a, const std::set<std::string>& b) {
  std::set<std::string> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::inserter(out, out.end()));
  return out;
}

template <typename Map>
std::set<std::string> Keys(const Map& map) {
  std::set<std::string> keys;
  for (const auto& [key, value] : map) keys.insert(key);
  return keys;
}

}  // namespace

ExpiryPlan PlanExpiry(const TableMetadata& metadata, const ExpireSnapshotsOptions& options,
                      int64_t now_ms) {
  const int64_t default_cutoff = options.older_than_ms.value_or(
      now_ms - PropertyAsLong(metadata, kMaxSnapshotAgeMs, kDefaultMaxSnapshotAgeMs));
  const int64_t default_keep =
      std::max<int64_t>(1, options.retain_last.value_or(PropertyAsLong(
                               metadata, kMinSnapshotsToKeep, kDefaultMinSnapshotsToKeep)));
  std::set<int64_t> retained;
  std::set<int64_t> on_branches;
  if (metadata.current_snapshot_id) retained.insert(*metadata.current_snapshot_id);
  for (const auto& [name, ref] : metadata.refs.items()) {
    std::optional<int64_t> head = RefLong(ref, "snapshot-id");
    if (!head) continue;
    retained.insert(*head);
    if (ref.value("type", "branch") != "branch") continue;
    std::optional<int64_t> age = RefLong(ref, "max-snapshot-age-ms");
    int64_t cutoff = age && !options.older_than_ms ? now_ms - *age : default_cutoff;
    int64_t keep =
        std::max<int64_t>(default_keep, RefLong(ref, "min-snapshots-to-keep").value_or(0));
    RetainBranch(metadata, *head, keep, cutoff, retained);
    RetainBranch(metadata, *head, INT64_MAX, INT64_MIN, on_branches);
  }
  for (const auto& s : metadata.snapshots) {
    // A snapshot no branch reaches goes by age alone.
    if (!on_branches.contains(s.snapshot_id) && s.timestamp_ms >= default_cutoff) {
      retained.insert(s.snapshot_id);
    }
  }
  ExpiryPlan plan;
  for (int64_t id : NewestEngineProgress(metadata)) {
    if (retained.insert(id).second) plan.kept_for_engines.push_back(id);
  }
  std::vector<const Snapshot*> expired;
  for (const auto& s : metadata.snapshots) {
    if (!retained.contains(s.snapshot_id)) expired.push_back(&s);
  }
  std::sort(expired.begin(), expired.end(), [](const Snapshot* a, const Snapshot* b) {
    return std::tie(a->timestamp_ms, a->sequence_number) <
           std::tie(b->timestamp_ms, b->sequence_number);
  });
  for (const Snapshot* s : expired) plan.expired.push_back(s->snapshot_id);
  return plan;
}

Result<ExpiredFiles> FilesOnlyReachedBy(const TableMetadata& before,
                                        std::span<const int64_t> expired) {
  std::vector<int64_t> retained;
  for (const auto& s : before.snapshots) {
    if (std::find(expired.begin(), expired.end(), s.snapshot_id) == expired.end()) {
      retained.push_back(s.snapshot_id);
    }
  }
  ExpiredFiles files;
  std::set<std::string> retained_lists;
  for (const auto& s : before.snapshots) {
    bool gone = std::find(expired.begin(), expired.end(), s.snapshot_id) != expired.end();
    (gone ? files.manifest_lists : retained_lists).insert(NormalizedPath(s.manifest_list));
  }
  files.manifest_lists = Difference(files.manifest_lists, retained_lists);
  files.statistics_files =
      Difference(StatisticsFiles(before, expired), StatisticsFiles(before, retained));
  CS_ASSIGN_OR_RETURN(auto expired_manifests, ListManifests(before, expired));
  CS_ASSIGN_OR_RETURN(auto retained_manifests, ListManifests(before, retained));
  files.manifests = Difference(Keys(expired_manifests), Keys(retained_manifests));
  if (files.manifests.empty()) return files;
  std::set<std::string> candidates;
  for (const auto& path : files.manifests) {
    CS_RETURN_IF_ERROR(CollectContentFiles(expired_manifests.at(path), nullptr, &candidates));
  }
  std::set<std::string> still_live;
  for (const auto& [path, manifest] : retained_manifests) {
    CS_RETURN_IF_ERROR(CollectContentFiles(manifest, &still_live, nullptr));
  }
  files.content_files = Difference(candidates, still_live);
  return files;
}

namespace {

// Deletes one file only expired snapshots reached (local or on S3; any other scheme is left alone,
// never guessed at); its size in bytes, 0 when it was already gone.
Result<int64_t> DeleteExpiredFile(const std::string& location) {
  Result<int64_t> size = io::FileSize(location);
  if (Status removed = io::DeleteFile(location);
      !removed && removed.error().code != ErrorCode::kNotFound) {
    return std::unexpected(removed.error());
  }
  if (auto path = io::LocalPath(location); path.has_value()) {
    // Hadoop's local file system (Spark, Flink) keeps a ".<name>.crc" checksum beside a file.
    std::error_code ignored;
    std::filesystem::remove(path->parent_path() / ("." + path->filename().string() + ".crc"),
                            ignored);
  }
  return size.value_or(0);
}

}  // namespace

DeletedFiles DeleteExpiredFiles(const ExpiredFiles& files) {
  DeletedFiles deleted;
  auto remove_all = [&](const std::set<std::string>& paths, int64_t& count) {
    for (const auto& path : paths) {
      if (auto bytes = DeleteExpiredFile(path); bytes.has_value()) {
        ++count;
        deleted.bytes += *bytes;
      } else {
        ++deleted.failed;
      }
    }
  };
  // Data first, then the metadata that pointed at it: an interrupted cleanup leaves no manifest
  // naming a deleted file (the leftovers are orphans for remove-orphan-files).
  remove_all(files.content_files, deleted.content_files);
  remove_all(files.statistics_files, deleted.statistics_files);
  remove_all(files.manifests, deleted.manifests);
  remove_all(files.manifest_lists, deleted.manifest_lists);
  return deleted;
}

Result<TableChange> ExpireSnapshotsOperation::Apply(const TableMetadata& base,
                                                    std::string_view /*base_location*/,
                                                    CommitAttempt& /*attempt*/) {
  plan_ = PlanExpiry(base, options_, now_ms_);
  base_ = base;
  if (plan_.expired.empty()) return Conflict("no snapshot is old enough to expire");
  TableChange change;
  change.requirements.push_back(AssertTableUuid{base.table_uuid});
  change.updates.push_back(RemoveSnapshots{plan_.expired});
  return change;
}

bool ExpireSnapshotsOperation::Landed(const TableMetadata& current) const {
  if (plan_.expired.empty()) return false;
  return std::none_of(plan_.expired.begin(), plan_.expired.end(),
                      [&](int64_t id) { return current.FindSnapshot(id) != nullptr; });
}

Result<ExpireSnapshotsResult> ExpireSnapshots(Table& table, const ExpireSnapshotsOptions& options,
                                              int64_t now_ms) {
  ExpireSnapshotsOperation operation(options, now_ms);
  auto committed = table.Commit(operation);
  ExpireSnapshotsResult result;
  result.plan = operation.plan();
  if (!committed) {
    if (operation.nothing_to_expire()) return result;
    return std::unexpected(committed.error());
  }
  auto files = FilesOnlyReachedBy(operation.base(), result.plan.expired);
  if (!files) {
    result.cleanup_error = files.error().message;
    return result;
  }
  result.deleted = DeleteExpiredFiles(*files);
  return result;
}

}  // namespace clickstream::iceberg
