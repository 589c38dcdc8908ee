#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"
#include "iceberg/manifest.h"
#include "iceberg/table_metadata.h"

namespace clickstream::iceberg {

// Files a set of snapshots reaches (Iceberg spec, "Snapshots", "Manifest Lists", "Manifests"),
// each as a normalized local path (see NormalizedPath) so that "file:/x" and "/x" compare equal.
struct ReachableFiles {
  std::set<std::string> manifest_lists;
  std::set<std::string> manifests;
  // Data and delete files with a live (ADDED or EXISTING) entry in one of the manifests.
  std::set<std::string> live_content_files;
  // Data and delete files with any entry, DELETED ones included.
  std::set<std::string> all_content_files;
};

// The manifest lists, manifests and content files the snapshots `snapshot_ids` of `metadata`
// reach (all snapshots when nullopt). Reads every manifest list and manifest once; any file
// that cannot be read is an error, so callers never mistake an unreadable file for "unused".
Result<ReachableFiles> FindReachableFiles(
    const TableMetadata& metadata, std::optional<std::span<const int64_t>> snapshot_ids = {});

// The manifests the manifest lists of `snapshot_ids` name, by normalized path; kNotFound-style
// errors when a manifest list cannot be read.
Result<std::map<std::string, ManifestFile>> ListManifests(const TableMetadata& metadata,
                                                          std::span<const int64_t> snapshot_ids);

// Reads one manifest and adds the paths of its live (ADDED, EXISTING) entries to `live` and of
// all its entries to `all`; either may be null.
Status CollectContentFiles(const ManifestFile& manifest, std::set<std::string>* live,
                           std::set<std::string>* all);

// Statistics and partition-statistics files the metadata lists, per snapshot id.
std::set<std::string> StatisticsFiles(const TableMetadata& metadata,
                                      std::optional<std::span<const int64_t>> snapshot_ids = {});

// The metadata files a table's current metadata references: its own location and every
// metadata-log entry.
std::set<std::string> MetadataFiles(const TableMetadata& metadata,
                                    std::string_view metadata_location);

// A location as a normalized local path ("file:///w/x" and "/w/./x" become "/w/x"); locations
// that are not local are returned as they are.
std::string NormalizedPath(std::string_view location);

}  // namespace clickstream::iceberg
