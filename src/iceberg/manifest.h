#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "iceberg/data_file.h"
#include "iceberg/schema.h"

namespace clickstream::iceberg {

// manifest_entry.status (Iceberg spec, "Manifests").
enum class EntryStatus { kExisting = 0, kAdded = 1, kDeleted = 2 };

// One manifest_entry. Sequence numbers are as inherited (spec, "Sequence Number Inheritance")
// when read through ReadManifest with the manifest's ManifestFile.
struct ManifestEntry {
  EntryStatus status = EntryStatus::kAdded;
  std::optional<int64_t> snapshot_id;
  std::optional<int64_t> sequence_number;
  std::optional<int64_t> file_sequence_number;
  int content = 0;  // data_file.content: 0 data, 1 position deletes, 2 equality deletes
  DataFile data_file;
};

// field_summary of a manifest_file: bounds of one partition field over the manifest's files.
struct PartitionFieldSummary {
  bool contains_null = false;
  std::optional<bool> contains_nan;
  std::optional<std::string> lower_bound;  // single-value binary serialization
  std::optional<std::string> upper_bound;
};

// One manifest_file record of a manifest list (Iceberg spec, "Manifest Lists").
struct ManifestFile {
  std::string manifest_path;
  int64_t manifest_length = 0;
  int partition_spec_id = 0;
  int content = 0;  // 0 data, 1 deletes
  int64_t sequence_number = 0;
  int64_t min_sequence_number = 0;
  int64_t added_snapshot_id = 0;
  int32_t added_files_count = 0;
  int32_t existing_files_count = 0;
  int32_t deleted_files_count = 0;
  // False when a v1 list left the added/existing counts out (they are optional there).
  bool file_counts_known = true;
  int64_t added_rows_count = 0;
  int64_t existing_rows_count = 0;
  int64_t deleted_rows_count = 0;
  std::vector<PartitionFieldSummary> partitions;
  std::optional<std::string> key_metadata;
};

// What a manifest needs to know about its table: the schema (JSON, written into the header and
// used to type the partition struct), the partition spec its files were written with and the
// table's format version, which decides the manifest's Avro schema (spec, "Manifests").
struct ManifestContext {
  nlohmann::json schema;
  PartitionSpec spec;
  int format_version = 2;
};

// Java's and pyiceberg's block_size_in_bytes default, written in v1 manifests only.
inline constexpr int64_t kV1BlockSizeInBytes = 64LL << 20;

// Writes a v1 or v2 (context.format_version) data manifest at `location` recording `files` as
// ADDED by `snapshot_id`, with sequence numbers left to inheritance. Returns the manifest_file
// record for the manifest list (counts, partition summaries, sequence_number =
// min_sequence_number = `sequence_number`).
Result<ManifestFile> WriteManifest(std::string_view location, const ManifestContext& context,
                                   int64_t snapshot_id, int64_t sequence_number,
                                   std::span<const DataFile> files);

// Writes a data manifest of arbitrary entries for snapshot `snapshot_id` (the manifest's
// added_snapshot_id): ADDED entries may leave sequence numbers to inheritance; in v2, EXISTING and
// DELETED entries must carry their snapshot id and sequence numbers. A v1 manifest has no sequence
// numbers and writes every entry's snapshot id (the manifest's for ADDED entries without one); it
// cannot hold delete files. Counts, partition summaries and min_sequence_number are computed from
// the entries.
Result<ManifestFile> WriteManifestEntries(std::string_view location, const ManifestContext& context,
                                          int64_t snapshot_id, int64_t sequence_number,
                                          std::span<const ManifestEntry> entries);

// Reads every entry of a manifest (v1 or v2, any writer). With `manifest`, ADDED entries
// without sequence numbers or snapshot id inherit them from it. Entries of v1 manifests (no
// sequence_number field) read with sequence numbers 0 (spec, Appendix E). A status other than
// 0, 1, 2 is kCorrupt.
Result<std::vector<ManifestEntry>> ReadManifest(std::string_view location,
                                                const ManifestFile* manifest = nullptr);

// ReadManifest on the bytes of a manifest (errors without the location).
Result<std::vector<ManifestEntry>> ParseManifest(std::string_view bytes,
                                                 const ManifestFile* manifest = nullptr);

// Writes a manifest list at `location` in `format_version` 1 or 2 (a v1 list has no content or
// sequence numbers and cannot list delete manifests).
Status WriteManifestList(std::string_view location, int64_t snapshot_id,
                         std::optional<int64_t> parent_snapshot_id, int64_t sequence_number,
                         std::span<const ManifestFile> manifests, int format_version = 2);

// Whether a new snapshot carries `m` over from its parent: only a manifest that lists live files
// (ADDED or EXISTING), or whose counts are unknown, is kept. One that holds only DELETED entries
// is the history of an older snapshot and is dropped, as Java's MergingSnapshotProducer does
// (readers such as DuckDB read every listed manifest, so leaving them makes each query slower).
bool HasLiveFiles(const ManifestFile& m);

// The manifests of `manifests` that HasLiveFiles.
std::vector<ManifestFile> WithLiveFiles(std::vector<ManifestFile> manifests);

// Reads a manifest list (v1 or v2, any writer); v1 lists read with sequence numbers 0.
Result<std::vector<ManifestFile>> ReadManifestList(std::string_view location);
// ReadManifestList on the bytes of a manifest list.
Result<std::vector<ManifestFile>> ParseManifestList(std::string_view bytes);

// The Avro schema (JSON text) of manifest_entry for a partition type; exposed for tests.
Result<std::string> ManifestEntryAvroSchema(const ManifestContext& context);
// The Avro schema (JSON text) of manifest_file in format version 1 or 2.
std::string ManifestFileAvroSchema(int format_version = 2);

}  // namespace clickstream::iceberg
