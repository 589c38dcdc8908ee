#include "maintenance/orphan_files.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "iceberg/location.h"
#include "iceberg/reachable_files.h"

namespace clickstream::maintenance {

namespace {

namespace fs = std::filesystem;

// Every file the table's current metadata references, as normalized paths.
Result<std::set<std::string>> ReferencedFiles(const iceberg::Table& table) {
  const iceberg::TableMetadata& metadata = table.metadata();
  CS_ASSIGN_OR_RETURN(auto reachable, iceberg::FindReachableFiles(metadata));
  std::set<std::string> referenced = iceberg::MetadataFiles(metadata, table.metadata_location());
  referenced.merge(reachable.manifest_lists);
  referenced.merge(reachable.manifests);
  referenced.merge(reachable.all_content_files);
  referenced.merge(iceberg::StatisticsFiles(metadata));
  referenced.insert(iceberg::NormalizedPath(
      iceberg::JoinLocation(metadata.location, "metadata/version-hint.text")));
  return referenced;
}

// A directory below the table root that holds table metadata of its own belongs to another table.
bool IsOtherTable(const fs::path& dir) {
  std::error_code ec;
  fs::directory_iterator it(dir / "metadata", ec);
  if (ec) return false;
  for (const auto& entry : it) {
    if (entry.path().filename().string().ends_with(".metadata.json")) return true;
  }
  return false;
}

// Hadoop's local file system (Spark, Flink) writes ".<name>.crc" beside each file it writes; the
// checksum lives as long as its file.
std::string ChecksumOwner(const fs::path& path) {
  std::string name = path.filename().string();
  if (name.size() <= 5 || !name.starts_with('.') || !name.ends_with(".crc")) return {};
  return (path.parent_path() / name.substr(1, name.size() - 5)).lexically_normal().string();
}

int64_t ModifiedMillis(const fs::directory_entry& entry, std::error_code& ec) {
  auto time = entry.last_write_time(ec);
  if (ec) return 0;
  auto sys = std::chrono::file_clock::to_sys(time);
  return std::chrono::duration_cast<std::chrono::milliseconds>(sys.time_since_epoch()).count();
}

// Unreferenced files under `root` older than `cutoff_ms`; counts every regular file scanned.
Result<std::vector<OrphanFile>> FindUnreferenced(const fs::path& root,
                                                 const std::set<std::string>& referenced,
                                                 int64_t cutoff_ms, int64_t& scanned) {
  std::vector<OrphanFile> orphans;
  std::error_code ec;
  if (!fs::exists(root, ec)) return orphans;
  fs::recursive_directory_iterator it(root, fs::directory_options::none, ec);
  if (ec) return IoError("cannot list " + root.string() + ": " + ec.message());
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) return IoError("cannot list " + root.string() + ": " + ec.message());
    const fs::directory_entry& entry = *it;
    if (entry.is_directory(ec)) {
      if (IsOtherTable(entry.path())) it.disable_recursion_pending();
      continue;
    }
    if (!entry.is_regular_file(ec)) continue;
    ++scanned;
    std::string path = entry.path().lexically_normal().string();
    if (referenced.contains(path) || referenced.contains(ChecksumOwner(entry.path()))) continue;
    int64_t modified = ModifiedMillis(entry, ec);
    if (ec || modified >= cutoff_ms) continue;
    auto bytes = entry.file_size(ec);
    orphans.push_back({std::move(path), ec ? 0 : static_cast<int64_t>(bytes), modified});
  }
  std::sort(orphans.begin(), orphans.end(),
            [](const OrphanFile& a, const OrphanFile& b) { return a.path < b.path; });
  return orphans;
}

}  // namespace

Result<OrphanScanResult> RemoveOrphanFiles(iceberg::Table& table, const OrphanScanOptions& options,
                                           int64_t now_ms) {
  if (options.older_than.count() < 0) return InvalidArgument("--older-than must not be negative");
  CS_RETURN_IF_ERROR(table.Refresh());
  CS_ASSIGN_OR_RETURN(auto root, iceberg::LocalPath(table.metadata().location));
  CS_ASSIGN_OR_RETURN(auto referenced, ReferencedFiles(table));
  OrphanScanResult result;
  CS_ASSIGN_OR_RETURN(result.orphans,
                      FindUnreferenced(root.lexically_normal(), referenced,
                                       now_ms - options.older_than.count(), result.scanned_files));
  // A commit that landed during the scan may reference files the first view did not.
  const std::string scanned_location = table.metadata_location();
  CS_RETURN_IF_ERROR(table.Refresh());
  if (table.metadata_location() != scanned_location) {
    CS_ASSIGN_OR_RETURN(auto now_referenced, ReferencedFiles(table));
    std::erase_if(result.orphans,
                  [&](const OrphanFile& f) { return now_referenced.contains(f.path); });
    referenced.merge(now_referenced);
  }
  result.referenced_files = static_cast<int64_t>(referenced.size());
  if (options.dry_run) return result;
  for (const auto& orphan : result.orphans) {
    std::error_code ec;
    if (fs::remove(orphan.path, ec)) {
      ++result.deleted_files;
      result.deleted_bytes += orphan.bytes;
    } else if (ec) {
      return IoError("cannot delete orphan " + orphan.path + ": " + ec.message());
    }
  }
  return result;
}

}  // namespace clickstream::maintenance
