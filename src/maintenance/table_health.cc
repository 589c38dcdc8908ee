#include "maintenance/table_health.h"

#include <cstdio>
#include <map>
#include <vector>

#include "iceberg/location.h"
#include "iceberg/table_update.h"
#include "io/file_io.h"

namespace clickstream::maintenance {

namespace {

Status MeasureMetadataDirectory(const iceberg::Table& table, TableHealth& health) {
  CS_ASSIGN_OR_RETURN(health.current_metadata_bytes, io::FileSize(table.metadata_location()));
  CS_ASSIGN_OR_RETURN(auto files,
                      io::ListFiles(iceberg::JoinLocation(table.metadata().location, "metadata")));
  for (const io::FileInfo& f : files) {
    ++health.metadata_files;
    health.metadata_dir_bytes += f.size;
  }
  return Ok();
}

Status MeasureDataFiles(const iceberg::Table& table, TableHealth& health) {
  const iceberg::Snapshot* current = table.metadata().CurrentSnapshot();
  if (current == nullptr) return Ok();
  CS_ASSIGN_OR_RETURN(auto manifests, iceberg::ReadManifestList(current->manifest_list));
  health.manifests = static_cast<int64_t>(manifests.size());
  std::map<std::pair<int, std::vector<iceberg::Literal>>, int64_t> small_per_partition;
  std::map<std::pair<int, std::vector<iceberg::Literal>>, int64_t> files_per_partition;
  for (const auto& m : manifests) {
    CS_ASSIGN_OR_RETURN(auto entries, iceberg::ReadManifest(m.manifest_path, &m));
    for (const auto& e : entries) {
      if (e.status == iceberg::EntryStatus::kDeleted) continue;
      if (e.content != 0) {
        ++health.delete_files;
        continue;
      }
      const iceberg::DataFile& f = e.data_file;
      ++health.data_files;
      health.data_bytes += f.file_size_in_bytes;
      health.records += f.record_count;
      auto key = std::make_pair(f.spec_id, f.partition);
      ++files_per_partition[key];
      if (f.file_size_in_bytes < health.small_file_threshold_bytes) {
        ++health.small_files;
        ++small_per_partition[key];
      }
    }
  }
  health.partitions = static_cast<int64_t>(files_per_partition.size());
  for (const auto& [key, count] : small_per_partition) {
    if (count >= 2) health.mergeable_small_files += count;
  }
  return Ok();
}

std::string Bytes(int64_t bytes) {
  char text[64];
  if (bytes >= (1LL << 30)) {
    std::snprintf(text, sizeof(text), "%.2f GiB", bytes / double(1LL << 30));
  } else if (bytes >= (1LL << 20)) {
    std::snprintf(text, sizeof(text), "%.2f MiB", bytes / double(1LL << 20));
  } else if (bytes >= 1024) {
    std::snprintf(text, sizeof(text), "%.1f KiB", bytes / 1024.0);
  } else {
    std::snprintf(text, sizeof(text), "%lld B", static_cast<long long>(bytes));
  }
  return text;
}

}  // namespace

Result<TableHealth> MeasureHealth(const iceberg::Table& table) {
  TableHealth health;
  health.table = table.id().ToString();
  health.location = table.metadata().location;
  health.target_file_bytes =
      iceberg::PropertyAsLong(table.metadata(), kTargetFileSizeProperty, kDefaultTargetFileSize);
  if (health.target_file_bytes <= 0) health.target_file_bytes = kDefaultTargetFileSize;
  health.small_file_threshold_bytes = health.target_file_bytes / kSmallFileDivisor;
  health.snapshots = static_cast<int64_t>(table.metadata().snapshots.size());
  if (table.metadata().last_updated_ms > 0) {
    health.last_commit_ms = table.metadata().last_updated_ms;
  }
  CS_RETURN_IF_ERROR(MeasureDataFiles(table, health));
  CS_RETURN_IF_ERROR(MeasureMetadataDirectory(table, health));
  return health;
}

nlohmann::json HealthToJson(const TableHealth& h, int64_t now_ms) {
  nlohmann::json j = {
      {"table", h.table},
      {"location", h.location},
      {"data_files", h.data_files},
      {"data_bytes", h.data_bytes},
      {"records", h.records},
      {"partitions", h.partitions},
      {"average_file_bytes", h.average_file_bytes()},
      {"target_file_bytes", h.target_file_bytes},
      {"small_file_threshold_bytes", h.small_file_threshold_bytes},
      {"small_files", h.small_files},
      {"small_file_share", h.small_file_share()},
      {"mergeable_small_files", h.mergeable_small_files},
      {"delete_files", h.delete_files},
      {"snapshots", h.snapshots},
      {"manifests", h.manifests},
      {"current_metadata_bytes", h.current_metadata_bytes},
      {"metadata_files", h.metadata_files},
      {"metadata_dir_bytes", h.metadata_dir_bytes},
      {"last_commit_ms", nullptr},
      {"last_commit_age_ms", nullptr},
  };
  if (h.last_commit_ms) {
    j["last_commit_ms"] = *h.last_commit_ms;
    j["last_commit_age_ms"] = now_ms - *h.last_commit_ms;
  }
  return j;
}

std::string HealthToText(const TableHealth& h, int64_t now_ms) {
  char line[512];
  std::string out;
  auto add = [&](const char* label, const std::string& value) {
    std::snprintf(line, sizeof(line), "%-22s %s\n", label, value.c_str());
    out += line;
  };
  add("table:", h.table);
  add("location:", h.location);
  add("data files:", std::to_string(h.data_files) + " in " + std::to_string(h.partitions) +
                         " partitions, " + Bytes(h.data_bytes) + ", " + std::to_string(h.records) +
                         " records");
  add("average file size:", Bytes(static_cast<int64_t>(h.average_file_bytes())) + " (target " +
                                Bytes(h.target_file_bytes) + ")");
  std::snprintf(line, sizeof(line), "%lld (%.1f%%) below %s, %lld of them mergeable",
                static_cast<long long>(h.small_files), 100.0 * h.small_file_share(),
                Bytes(h.small_file_threshold_bytes).c_str(),
                static_cast<long long>(h.mergeable_small_files));
  add("small files:", line);
  if (h.delete_files > 0) add("delete files:", std::to_string(h.delete_files));
  add("snapshots:", std::to_string(h.snapshots));
  add("manifests:", std::to_string(h.manifests) + " in the current snapshot");
  add("current metadata:", Bytes(h.current_metadata_bytes));
  add("metadata directory:",
      std::to_string(h.metadata_files) + " files, " + Bytes(h.metadata_dir_bytes));
  if (h.last_commit_ms) {
    std::snprintf(line, sizeof(line), "%.1f s ago", (now_ms - *h.last_commit_ms) / 1000.0);
    add("last commit:", line);
  } else {
    add("last commit:", "never");
  }
  return out;
}

}  // namespace clickstream::maintenance
