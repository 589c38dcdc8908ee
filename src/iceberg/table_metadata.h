#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "iceberg/schema.h"

namespace clickstream::iceberg {

// One snapshot (Iceberg spec, "Snapshots"); `summary` includes "operation".
struct Snapshot {
  int64_t snapshot_id = 0;
  std::optional<int64_t> parent_snapshot_id;
  int64_t sequence_number = 0;
  int64_t timestamp_ms = 0;
  std::string manifest_list;
  std::map<std::string, std::string> summary;
  std::optional<int> schema_id;
};

struct SnapshotLogEntry {
  int64_t timestamp_ms = 0;
  int64_t snapshot_id = 0;
};

struct MetadataLogEntry {
  int64_t timestamp_ms = 0;
  std::string metadata_file;
};

// Table metadata, format version 1 or 2 (Iceberg spec, "Table Metadata"); a v1 table is read
// and written as v1 (no sequence numbers, v1 manifests). Schemas, sort orders, refs
// and unknown top-level keys are kept as the JSON they were read with, so metadata written by
// pyiceberg or Spark (nested types, statistics, tags) survives a rewrite by this project.
struct TableMetadata {
  int format_version = 2;
  std::string table_uuid;
  std::string location;
  int64_t last_sequence_number = 0;
  int64_t last_updated_ms = 0;
  int last_column_id = 0;
  nlohmann::json schemas = nlohmann::json::array();  // each {"type":"struct","schema-id":..}
  int current_schema_id = 0;
  std::vector<PartitionSpec> partition_specs;
  int default_spec_id = 0;
  int last_partition_id = 999;
  std::map<std::string, std::string> properties;
  std::optional<int64_t> current_snapshot_id;
  std::vector<Snapshot> snapshots;
  std::vector<SnapshotLogEntry> snapshot_log;
  std::vector<MetadataLogEntry> metadata_log;
  nlohmann::json sort_orders = nlohmann::json::array();
  int default_sort_order_id = 0;
  nlohmann::json refs = nlohmann::json::object();
  nlohmann::json extra = nlohmann::json::object();  // other top-level keys, written back as read

  // The snapshot `main` points at, or nullptr for an empty table.
  const Snapshot* CurrentSnapshot() const;
  const Snapshot* FindSnapshot(int64_t snapshot_id) const;
  // The schema JSON object with current-schema-id; kCorrupt when absent.
  Result<nlohmann::json> CurrentSchemaJson() const;
  // The current schema as the project's flat Schema; kInvalidArgument for nested types.
  Result<Schema> CurrentSchema() const;
  Result<PartitionSpec> DefaultSpec() const;
};

// The JSON form of a snapshot, as in table metadata and the REST spec's add-snapshot.
nlohmann::json SnapshotToJson(const Snapshot& snapshot);
// The JSON form of a schema (Iceberg spec, Appendix C).
nlohmann::json SchemaToJson(const Schema& schema);
// Parses a flat schema of primitive columns; kInvalidArgument for types the project cannot write.
Result<Schema> SchemaFromJson(const nlohmann::json& json);
// The spec's type name ("string", "timestamptz", ...).
std::string_view TypeName(TypeId type);
Result<TypeId> TypeFromName(std::string_view name);
// The type of a top-level field of a schema JSON by id; kInvalidArgument if absent or nested.
Result<TypeId> FieldType(const nlohmann::json& schema_json, int field_id);
// The "fields" array of a partition spec, as written in manifests and metadata.
nlohmann::json PartitionFieldsToJson(const PartitionSpec& spec);

// Metadata of a new, empty table.
TableMetadata NewTableMetadata(const Schema& schema, const PartitionSpec& spec,
                               std::string location,
                               std::map<std::string, std::string> properties = {});

std::string SerializeTableMetadata(const TableMetadata& metadata);
// Parses v1 or v2 metadata JSON (as written by pyiceberg, Java/Spark or this project).
Result<TableMetadata> ParseTableMetadata(std::string_view json);

// A random (version 4) UUID in canonical text form.
std::string RandomUuid();
// A random positive snapshot id.
int64_t RandomSnapshotId();
int64_t NowMillis();

// "<location>/metadata/<NNNNN>-<uuid>.metadata.json" where NNNNN follows the version of
// `previous_metadata_file` (empty for a new table: 00000), as Java and pyiceberg name them.
std::string NextMetadataFileLocation(std::string_view table_location,
                                     std::string_view previous_metadata_file);

// Reads and parses a metadata file (local or on S3).
Result<TableMetadata> ReadTableMetadata(std::string_view location);

}  // namespace clickstream::iceberg
