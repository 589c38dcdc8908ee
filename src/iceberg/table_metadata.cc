#include "iceberg/table_metadata.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <stdexcept>

#include "iceberg/location.h"
#include "io/file_io.h"

namespace clickstream::iceberg {

using nlohmann::json;

namespace {

constexpr std::pair<TypeId, std::string_view> kTypeNames[] = {
    {TypeId::kBoolean, "boolean"},     {TypeId::kInt, "int"},
    {TypeId::kLong, "long"},           {TypeId::kFloat, "float"},
    {TypeId::kDouble, "double"},       {TypeId::kDate, "date"},
    {TypeId::kTimestamp, "timestamp"}, {TypeId::kTimestamptz, "timestamptz"},
    {TypeId::kString, "string"},       {TypeId::kBinary, "binary"},
};

// Top-level keys this struct models; all others go to TableMetadata::extra.
constexpr std::string_view kModeledKeys[] = {
    "format-version",
    "table-uuid",
    "location",
    "last-sequence-number",
    "last-updated-ms",
    "last-column-id",
    "schemas",
    "schema",
    "current-schema-id",
    "partition-specs",
    "partition-spec",
    "default-spec-id",
    "last-partition-id",
    "properties",
    "current-snapshot-id",
    "snapshots",
    "snapshot-log",
    "metadata-log",
    "sort-orders",
    "default-sort-order-id",
    "refs",
};

std::mt19937_64& Random() {
  // Seeded per thread from the OS so processes started at the same moment diverge.
  thread_local std::mt19937_64 engine = [] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device(), static_cast<unsigned>(getpid())};
    return std::mt19937_64(seed);
  }();
  return engine;
}

// A JSON value where the spec has an integer that is not one, or does not fit the field.
struct NotAnInteger : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// nlohmann's get<T>() converts any number to an integer type, a float out of T's range with
// undefined behaviour (found by fuzz_table_metadata): integers are read through these, which take
// JSON integers that fit T only and throw NotAnInteger otherwise.
template <typename T>
T AsInt(const json& v, std::string_view key) {
  if (v.is_number_unsigned()) {
    if (v.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<T>::max())) {
      return static_cast<T>(v.get<uint64_t>());
    }
  } else if (v.is_number_integer()) {
    int64_t value = v.get<int64_t>();
    if (value >= std::numeric_limits<T>::min() && value <= std::numeric_limits<T>::max()) {
      return static_cast<T>(value);
    }
  }
  throw NotAnInteger("\"" + std::string(key) + "\" is " + v.dump(-1).substr(0, 40) +
                     ", not an integer of " + std::to_string(sizeof(T) * 8) + " bits");
}
template <typename T>
T IntAt(const json& j, const char* key) {
  return AsInt<T>(j.at(key), key);
}
template <typename T>
T IntOr(const json& j, const char* key, T fallback) {
  auto it = j.find(key);
  return it == j.end() ? fallback : AsInt<T>(*it, key);
}
std::optional<int64_t> OptionalId(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  return AsInt<int64_t>(*it, key);
}

// Schemas and refs are kept as JSON and read again later (CurrentSchemaJson, FieldType, refs):
// their ids are checked once here, so those later reads cannot meet a wrong type.
void CheckKeptJson(const TableMetadata& m) {
  if (!m.schemas.is_array()) throw NotAnInteger("\"schemas\" is not an array");
  for (const auto& schema : m.schemas) {
    if (!schema.is_object()) throw NotAnInteger("a schema is not an object");
    (void)IntOr<int>(schema, "schema-id", 0);
    for (const auto& f : schema.value("fields", json::array())) {
      if (!f.is_object()) throw NotAnInteger("a schema field is not an object");
      (void)IntOr<int>(f, "id", 0);
    }
  }
  if (!m.refs.is_object()) throw NotAnInteger("\"refs\" is not an object");
  for (const auto& ref : m.refs) {
    if (!ref.is_object()) throw NotAnInteger("a ref is not an object");
    (void)IntAt<int64_t>(ref, "snapshot-id");
  }
}

Result<Snapshot> SnapshotFromJson(const json& j) {
  Snapshot s;
  s.snapshot_id = IntAt<int64_t>(j, "snapshot-id");
  s.parent_snapshot_id = OptionalId(j, "parent-snapshot-id");
  s.sequence_number = IntOr<int64_t>(j, "sequence-number", 0);
  s.timestamp_ms = IntAt<int64_t>(j, "timestamp-ms");
  if (!j.contains("manifest-list")) {
    return InvalidArgument("snapshot " + std::to_string(s.snapshot_id) +
                           " uses a v1 manifests array; only manifest lists are supported");
  }
  s.manifest_list = j.at("manifest-list").get<std::string>();
  if (j.contains("summary")) {
    for (const auto& [key, value] : j.at("summary").items()) {
      s.summary[key] = value.is_string() ? value.get<std::string>() : value.dump();
    }
  }
  if (OptionalId(j, "schema-id")) s.schema_id = AsInt<int>(j.at("schema-id"), "schema-id");
  return s;
}

Result<PartitionSpec> SpecFromJson(const json& j, int spec_id) {
  PartitionSpec spec;
  spec.spec_id = spec_id;
  for (const auto& f : j) {
    PartitionField field;
    field.source_id = IntAt<int>(f, "source-id");
    field.field_id = IntOr<int>(f, "field-id", 1000 + static_cast<int>(spec.fields.size()));
    field.name = f.at("name").get<std::string>();
    field.transform = f.at("transform").get<std::string>();
    spec.fields.push_back(std::move(field));
  }
  return spec;
}

// Schemas and partition specs, in v2's lists or v1's single "schema" / "partition-spec".
Status ParseSchemasAndSpecs(const json& j, TableMetadata& m) {
  if (j.contains("schemas")) {
    m.schemas = j.at("schemas");
    m.current_schema_id = IntOr<int>(j, "current-schema-id", 0);
  } else {
    json schema = j.at("schema");
    m.current_schema_id = IntOr<int>(schema, "schema-id", 0);
    schema["schema-id"] = m.current_schema_id;
    m.schemas = json::array({schema});
  }
  if (j.contains("partition-specs")) {
    for (const auto& spec : j.at("partition-specs")) {
      CS_ASSIGN_OR_RETURN(auto parsed,
                          SpecFromJson(spec.at("fields"), IntAt<int>(spec, "spec-id")));
      m.partition_specs.push_back(std::move(parsed));
    }
    m.default_spec_id = IntOr<int>(j, "default-spec-id", 0);
  } else {
    CS_ASSIGN_OR_RETURN(auto parsed, SpecFromJson(j.at("partition-spec"), 0));
    m.partition_specs.push_back(std::move(parsed));
  }
  int max_partition_id = 999;
  for (const auto& spec : m.partition_specs) {
    for (const auto& f : spec.fields) max_partition_id = std::max(max_partition_id, f.field_id);
  }
  m.last_partition_id = IntOr<int>(j, "last-partition-id", max_partition_id);
  return Ok();
}

// Snapshots, the snapshot log and the metadata log.
Status ParseHistory(const json& j, TableMetadata& m) {
  if (auto id = OptionalId(j, "current-snapshot-id"); id && *id != -1) m.current_snapshot_id = id;
  for (const auto& s : j.value("snapshots", json::array())) {
    CS_ASSIGN_OR_RETURN(auto snapshot, SnapshotFromJson(s));
    m.snapshots.push_back(std::move(snapshot));
  }
  for (const auto& e : j.value("snapshot-log", json::array())) {
    m.snapshot_log.push_back({IntAt<int64_t>(e, "timestamp-ms"), IntAt<int64_t>(e, "snapshot-id")});
  }
  for (const auto& e : j.value("metadata-log", json::array())) {
    m.metadata_log.push_back(
        {IntAt<int64_t>(e, "timestamp-ms"), e.at("metadata-file").get<std::string>()});
  }
  return Ok();
}

Result<TableMetadata> ParseTableMetadataJson(const json& j) {
  TableMetadata m;
  m.format_version = IntAt<int>(j, "format-version");
  if (m.format_version < 1 || m.format_version > 2) {
    return InvalidArgument("table metadata format-version " + std::to_string(m.format_version) +
                           " is not supported (1 and 2 are)");
  }
  m.table_uuid = j.value("table-uuid", "");
  m.location = j.at("location").get<std::string>();
  m.last_sequence_number = IntOr<int64_t>(j, "last-sequence-number", 0);
  m.last_updated_ms = IntAt<int64_t>(j, "last-updated-ms");
  m.last_column_id = IntAt<int>(j, "last-column-id");
  CS_RETURN_IF_ERROR(ParseSchemasAndSpecs(j, m));
  if (j.contains("properties")) {
    for (const auto& [key, value] : j.at("properties").items()) {
      m.properties[key] = value.is_string() ? value.get<std::string>() : value.dump();
    }
  }
  CS_RETURN_IF_ERROR(ParseHistory(j, m));
  m.sort_orders =
      j.value("sort-orders", json::array({{{"order-id", 0}, {"fields", json::array()}}}));
  m.default_sort_order_id = IntOr<int>(j, "default-sort-order-id", 0);
  m.refs = j.value("refs", json::object());
  if (m.refs.empty() && m.current_snapshot_id) {
    m.refs["main"] = {{"snapshot-id", *m.current_snapshot_id}, {"type", "branch"}};
  }
  CheckKeptJson(m);
  for (const auto& [key, value] : j.items()) {
    bool modeled = false;
    for (auto k : kModeledKeys) modeled = modeled || key == k;
    if (!modeled) m.extra[key] = value;
  }
  // A v1 table stays v1: writers keep its format version (spec, "Format Versioning"); a missing
  // table-uuid (optional in v1) stays missing rather than changing on every read.
  return m;
}

// v1 readers need the current schema and the default spec's fields as "schema" and
// "partition-spec" (spec, "Table Metadata Fields": required in v1), as Java writes them.
void AddV1RequiredFields(const TableMetadata& m, json& j) {
  if (auto schema = m.CurrentSchemaJson(); schema.has_value()) j["schema"] = *schema;
  if (auto spec = m.DefaultSpec(); spec.has_value()) {
    j["partition-spec"] = PartitionFieldsToJson(*spec);
  }
}


}  // namespace

nlohmann::json SnapshotToJson(const Snapshot& s) {
  json out = {{"snapshot-id", s.snapshot_id}};
  if (s.parent_snapshot_id) out["parent-snapshot-id"] = *s.parent_snapshot_id;
  // v1 snapshots have no sequence number; v2 ones start at 1 (Java writes it only when above 0).
  if (s.sequence_number > 0) out["sequence-number"] = s.sequence_number;
  out["timestamp-ms"] = s.timestamp_ms;
  out["manifest-list"] = s.manifest_list;
  out["summary"] = s.summary;
  if (s.schema_id) out["schema-id"] = *s.schema_id;
  return out;
}

std::string_view TypeName(TypeId type) {
  for (const auto& [id, name] : kTypeNames) {
    if (id == type) return name;
  }
  return "unknown";
}

Result<TypeId> TypeFromName(std::string_view name) {
  for (const auto& [id, type_name] : kTypeNames) {
    if (type_name == name) return id;
  }
  return InvalidArgument("Iceberg type '" + std::string(name) + "' is not supported here");
}

json SchemaToJson(const Schema& schema) {
  json fields = json::array();
  for (const auto& f : schema.fields) {
    json field = {{"id", f.id},
                  {"name", f.name},
                  {"required", f.required},
                  {"type", std::string(TypeName(f.type))}};
    if (!f.doc.empty()) field["doc"] = f.doc;
    fields.push_back(std::move(field));
  }
  return {{"type", "struct"},
          {"schema-id", schema.schema_id},
          {"identifier-field-ids", json::array()},
          {"fields", std::move(fields)}};
}

Result<Schema> SchemaFromJson(const json& j) {
  try {
    Schema schema;
    schema.schema_id = j.value("schema-id", 0);
    for (const auto& f : j.at("fields")) {
      if (!f.at("type").is_string()) {
        return InvalidArgument("column '" + f.at("name").get<std::string>() +
                               "' has a nested type, which this project does not write");
      }
      CS_ASSIGN_OR_RETURN(TypeId type, TypeFromName(f.at("type").get<std::string>()));
      schema.fields.push_back(Field{f.at("id").get<int>(), f.at("name").get<std::string>(), type,
                                    f.value("required", false), f.value("doc", "")});
    }
    return schema;
  } catch (const json::exception& e) {
    return Corrupt(std::string("schema JSON has an unexpected shape: ") + e.what());
  }
}

Result<TypeId> FieldType(const json& schema_json, int field_id) {
  for (const auto& f : schema_json.value("fields", json::array())) {
    if (f.value("id", -1) != field_id) continue;
    if (!f.contains("type") || !f.at("type").is_string()) {
      return InvalidArgument("field " + std::to_string(field_id) + " is not a primitive column");
    }
    return TypeFromName(f.at("type").get<std::string>());
  }
  return InvalidArgument("schema has no top-level field with id " + std::to_string(field_id));
}

json PartitionFieldsToJson(const PartitionSpec& spec) {
  json fields = json::array();
  for (const auto& f : spec.fields) {
    fields.push_back({{"source-id", f.source_id},
                      {"field-id", f.field_id},
                      {"transform", f.transform},
                      {"name", f.name}});
  }
  return fields;
}

const Snapshot* TableMetadata::FindSnapshot(int64_t snapshot_id) const {
  for (const auto& s : snapshots) {
    if (s.snapshot_id == snapshot_id) return &s;
  }
  return nullptr;
}

const Snapshot* TableMetadata::CurrentSnapshot() const {
  return current_snapshot_id ? FindSnapshot(*current_snapshot_id) : nullptr;
}

Result<json> TableMetadata::CurrentSchemaJson() const {
  for (const auto& s : schemas) {
    if (s.value("schema-id", 0) == current_schema_id) return s;
  }
  return Corrupt("table metadata has no schema with current-schema-id " +
                 std::to_string(current_schema_id));
}

Result<Schema> TableMetadata::CurrentSchema() const {
  CS_ASSIGN_OR_RETURN(auto j, CurrentSchemaJson());
  return SchemaFromJson(j);
}

Result<PartitionSpec> TableMetadata::DefaultSpec() const {
  for (const auto& spec : partition_specs) {
    if (spec.spec_id == default_spec_id) return spec;
  }
  return Corrupt("table metadata has no partition spec with default-spec-id " +
                 std::to_string(default_spec_id));
}

TableMetadata NewTableMetadata(const Schema& schema, const PartitionSpec& spec,
                               std::string location,
                               std::map<std::string, std::string> properties) {
  TableMetadata m;
  m.table_uuid = RandomUuid();
  m.location = std::move(location);
  m.last_updated_ms = NowMillis();
  for (const auto& f : schema.fields) m.last_column_id = std::max(m.last_column_id, f.id);
  m.schemas = json::array({SchemaToJson(schema)});
  m.current_schema_id = schema.schema_id;
  m.partition_specs = {spec};
  m.default_spec_id = spec.spec_id;
  for (const auto& f : spec.fields) m.last_partition_id = std::max(m.last_partition_id, f.field_id);
  m.properties = std::move(properties);
  m.sort_orders = json::array({{{"order-id", 0}, {"fields", json::array()}}});
  return m;
}

std::string SerializeTableMetadata(const TableMetadata& m) {
  json j = m.extra;
  j["format-version"] = m.format_version;
  if (!m.table_uuid.empty()) j["table-uuid"] = m.table_uuid;
  j["location"] = m.location;
  if (m.format_version >= 2) j["last-sequence-number"] = m.last_sequence_number;
  j["last-updated-ms"] = m.last_updated_ms;
  j["last-column-id"] = m.last_column_id;
  j["schemas"] = m.schemas;
  j["current-schema-id"] = m.current_schema_id;
  json specs = json::array();
  for (const auto& spec : m.partition_specs) {
    specs.push_back({{"spec-id", spec.spec_id}, {"fields", PartitionFieldsToJson(spec)}});
  }
  j["partition-specs"] = specs;
  if (m.format_version == 1) AddV1RequiredFields(m, j);
  j["default-spec-id"] = m.default_spec_id;
  j["last-partition-id"] = m.last_partition_id;
  j["properties"] = m.properties;
  if (m.current_snapshot_id) {
    j["current-snapshot-id"] = *m.current_snapshot_id;
  } else {
    j["current-snapshot-id"] = -1;
  }
  json snapshots = json::array();
  for (const auto& s : m.snapshots) snapshots.push_back(SnapshotToJson(s));
  j["snapshots"] = snapshots;
  json snapshot_log = json::array();
  for (const auto& e : m.snapshot_log) {
    snapshot_log.push_back({{"timestamp-ms", e.timestamp_ms}, {"snapshot-id", e.snapshot_id}});
  }
  j["snapshot-log"] = snapshot_log;
  json metadata_log = json::array();
  for (const auto& e : m.metadata_log) {
    metadata_log.push_back({{"timestamp-ms", e.timestamp_ms}, {"metadata-file", e.metadata_file}});
  }
  j["metadata-log"] = metadata_log;
  j["sort-orders"] = m.sort_orders;
  j["default-sort-order-id"] = m.default_sort_order_id;
  j["refs"] = m.refs;
  return j.dump(2);
}

Result<TableMetadata> ParseTableMetadata(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Corrupt("table metadata is not a JSON object");
  try {
    return ParseTableMetadataJson(j);
  } catch (const json::exception& e) {
    return Corrupt(std::string("table metadata has an unexpected shape: ") + e.what());
  } catch (const NotAnInteger& e) {
    return Corrupt(std::string("table metadata has an unexpected shape: ") + e.what());
  }
}

std::string RandomUuid() {
  uint64_t hi = Random()();
  uint64_t lo = Random()();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 10
  char text[37];
  std::snprintf(text, sizeof(text), "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xffff),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return text;
}

int64_t RandomSnapshotId() {
  int64_t id = 0;
  while (id == 0) id = static_cast<int64_t>(Random()() >> 1);
  return id;
}

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string NextMetadataFileLocation(std::string_view table_location,
                                     std::string_view previous_metadata_file) {
  long next = 0;
  if (!previous_metadata_file.empty()) {
    auto slash = previous_metadata_file.rfind('/');
    std::string_view name =
        previous_metadata_file.substr(slash == std::string_view::npos ? 0 : slash + 1);
    auto dash = name.find('-');
    std::string digits(name.substr(0, dash));
    bool numeric = !digits.empty() && digits.size() < 10 &&
                   digits.find_first_not_of("0123456789") == std::string::npos;
    // Java's HadoopTableOperations names files v<N>.metadata.json.
    if (!numeric && name.starts_with("v")) {
      digits = std::string(name.substr(1, name.find('.') - 1));
      numeric = !digits.empty() && digits.size() < 10 &&
                digits.find_first_not_of("0123456789") == std::string::npos;
    }
    next = numeric ? std::stol(digits) + 1 : 1;
  }
  char version[32];
  std::snprintf(version, sizeof(version), "%05ld", next);
  return JoinLocation(table_location,
                      "metadata/" + std::string(version) + "-" + RandomUuid() + ".metadata.json");
}

Result<TableMetadata> ReadTableMetadata(std::string_view location) {
  CS_ASSIGN_OR_RETURN(auto text, io::ReadFile(location));
  auto metadata = ParseTableMetadata(text);
  if (!metadata.has_value()) return std::unexpected(metadata.error().WithContext(location));
  return metadata;
}

}  // namespace clickstream::iceberg
