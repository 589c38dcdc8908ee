#include "iceberg/manifest.h"

#include <cmath>

#include "iceberg/avro.h"
#include "iceberg/bounds.h"
#include "iceberg/table_metadata.h"
#include "io/file_io.h"

namespace clickstream::iceberg {

using avro::AvroValue;
using nlohmann::json;

namespace {

// Avro type of an Iceberg primitive (spec, Appendix A: Avro).
json AvroTypeOf(TypeId type) {
  switch (type) {
    case TypeId::kBoolean:
      return "boolean";
    case TypeId::kInt:
      return "int";
    case TypeId::kLong:
      return "long";
    case TypeId::kFloat:
      return "float";
    case TypeId::kDouble:
      return "double";
    case TypeId::kDate:
      return {{"type", "int"}, {"logicalType", "date"}};
    case TypeId::kTimestamp:
      return {{"type", "long"}, {"logicalType", "timestamp-micros"}, {"adjust-to-utc", false}};
    case TypeId::kTimestamptz:
      return {{"type", "long"}, {"logicalType", "timestamp-micros"}, {"adjust-to-utc", true}};
    case TypeId::kString:
      return "string";
    case TypeId::kBinary:
      return "bytes";
  }
  return "null";
}

// Result type of a partition transform (spec, "Partition Transforms").
Result<TypeId> PartitionResultType(const json& schema, const PartitionField& field) {
  const std::string& t = field.transform;
  if (t.starts_with("bucket[") || t == "year" || t == "month" || t == "hour") return TypeId::kInt;
  if (t == "day") return TypeId::kDate;
  if (t == "identity" || t == "void" || t.starts_with("truncate[")) {
    return FieldType(schema, field.source_id);
  }
  return InvalidArgument("partition transform '" + t + "' is not supported");
}

Result<std::vector<TypeId>> PartitionTypes(const ManifestContext& context) {
  std::vector<TypeId> types;
  for (const auto& field : context.spec.fields) {
    CS_ASSIGN_OR_RETURN(TypeId type, PartitionResultType(context.schema, field));
    types.push_back(type);
  }
  return types;
}

json MapType(int key_id, int value_id, const char* value_type) {
  return json::array(
      {"null",
       {{"type", "array"},
        {"logicalType", "map"},
        {"items",
         {{"type", "record"},
          {"name", "k" + std::to_string(key_id) + "_v" + std::to_string(value_id)},
          {"fields",
           json::array({{{"name", "key"}, {"type", "int"}, {"field-id", key_id}},
                        {{"name", "value"}, {"type", value_type}, {"field-id", value_id}}})}}}}});
}

json OptionalField(const char* name, int id, json type) {
  return {{"name", name},
          {"type", json::array({"null", std::move(type)})},
          {"default", nullptr},
          {"field-id", id}};
}

json RequiredField(const char* name, int id, json type) {
  return {{"name", name}, {"type", std::move(type)}, {"field-id", id}};
}

Result<AvroValue> LiteralToAvro(TypeId type, const Literal& value) {
  if (std::holds_alternative<std::monostate>(value)) return AvroValue::Null();
  switch (type) {
    case TypeId::kBoolean:
      if (auto* v = std::get_if<bool>(&value)) return AvroValue::Boolean(*v);
      break;
    case TypeId::kInt:
    case TypeId::kDate:
      if (auto* v = std::get_if<int32_t>(&value)) return AvroValue::Int(*v);
      break;
    case TypeId::kLong:
    case TypeId::kTimestamp:
    case TypeId::kTimestamptz:
      if (auto* v = std::get_if<int64_t>(&value)) return AvroValue::Long(*v);
      break;
    case TypeId::kFloat:
      if (auto* v = std::get_if<float>(&value)) return AvroValue::Float(*v);
      break;
    case TypeId::kDouble:
      if (auto* v = std::get_if<double>(&value)) return AvroValue::Double(*v);
      break;
    case TypeId::kString:
      if (auto* v = std::get_if<std::string>(&value)) return AvroValue::String(*v);
      break;
    case TypeId::kBinary:
      if (auto* v = std::get_if<std::string>(&value)) return AvroValue::Bytes(*v);
      break;
  }
  return InvalidArgument("a partition value does not match the partition field type " +
                         std::string(TypeName(type)));
}

Literal AvroToLiteral(const AvroValue& value) {
  switch (value.kind) {
    case AvroValue::Kind::kBoolean:
      return value.integer != 0;
    case AvroValue::Kind::kInt:
      return static_cast<int32_t>(value.integer);
    case AvroValue::Kind::kLong:
      return value.integer;
    case AvroValue::Kind::kFloat:
      return static_cast<float>(value.real);
    case AvroValue::Kind::kDouble:
      return value.real;
    case AvroValue::Kind::kString:
    case AvroValue::Kind::kBytes:
      return value.bytes;
    default:
      return std::monostate{};
  }
}

template <typename T>
AvroValue MapToAvro(const std::map<int, T>& values) {
  std::vector<AvroValue> items;
  items.reserve(values.size());
  for (const auto& [key, value] : values) {
    AvroValue v;
    if constexpr (std::is_same_v<T, std::string>) {
      v = AvroValue::Bytes(value);
    } else {
      v = AvroValue::Long(value);
    }
    items.push_back(AvroValue::Record().Add("key", AvroValue::Int(key)).Add("value", std::move(v)));
  }
  return AvroValue::Array(std::move(items));
}

// Reads a map stored as an array of key/value records; an Avro map keyed by strings is also
// accepted for robustness.
void MapFromAvro(const AvroValue* value, std::map<int, int64_t>& out) {
  if (value == nullptr) return;
  for (const auto& item : value->items) {
    const AvroValue* key = item.Find("key");
    const AvroValue* v = item.Find("value");
    if (key != nullptr && v != nullptr) out[static_cast<int>(key->integer)] = v->integer;
  }
}
void MapFromAvro(const AvroValue* value, std::map<int, std::string>& out) {
  if (value == nullptr) return;
  for (const auto& item : value->items) {
    const AvroValue* key = item.Find("key");
    const AvroValue* v = item.Find("value");
    if (key != nullptr && v != nullptr) out[static_cast<int>(key->integer)] = v->bytes;
  }
}

int64_t LongOr(const AvroValue* value, int64_t fallback) {
  return value == nullptr || value->is_null() ? fallback : value->integer;
}
std::optional<int64_t> OptionalLong(const AvroValue* value) {
  if (value == nullptr || value->is_null()) return std::nullopt;
  return value->integer;
}

bool IsNaN(const Literal& value) {
  if (auto* f = std::get_if<float>(&value)) return std::isnan(*f);
  if (auto* d = std::get_if<double>(&value)) return std::isnan(*d);
  return false;
}

Result<std::vector<PartitionFieldSummary>> Summarize(const std::vector<TypeId>& types,
                                                     std::span<const DataFile> files) {
  std::vector<PartitionFieldSummary> summaries(types.size());
  for (std::size_t i = 0; i < types.size(); ++i) {
    PartitionFieldSummary& summary = summaries[i];
    bool floating = types[i] == TypeId::kFloat || types[i] == TypeId::kDouble;
    if (floating) summary.contains_nan = false;
    std::optional<Literal> lower;
    std::optional<Literal> upper;
    for (const auto& file : files) {
      const Literal& value = file.partition[i];
      if (std::holds_alternative<std::monostate>(value)) {
        summary.contains_null = true;
        continue;
      }
      if (IsNaN(value)) {
        summary.contains_nan = true;
        continue;
      }
      if (!lower || value < *lower) lower = value;
      if (!upper || *upper < value) upper = value;
    }
    if (lower) {
      CS_ASSIGN_OR_RETURN(summary.lower_bound, SerializeValue(types[i], *lower));
      CS_ASSIGN_OR_RETURN(summary.upper_bound, SerializeValue(types[i], *upper));
    }
  }
  return summaries;
}

AvroValue OptionalBytes(const std::optional<std::string>& value) {
  return value ? AvroValue::Bytes(*value) : AvroValue::Null();
}

AvroValue LongOrNull(std::optional<int64_t> value) {
  return value ? AvroValue::Long(*value) : AvroValue::Null();
}

json MapField(const char* name, int id, int key_id, int value_id, const char* value_type) {
  return {{"name", name},
          {"type", MapType(key_id, value_id, value_type)},
          {"default", nullptr},
          {"field-id", id}};
}

// data_file's fields in the order of the spec's table for the format version ("Manifests").
json DataFileFields(json partition_fields, int format_version) {
  json fields = json::array();
  if (format_version >= 2) fields.push_back(RequiredField("content", 134, "int"));
  fields.push_back(RequiredField("file_path", 100, "string"));
  fields.push_back(RequiredField("file_format", 101, "string"));
  fields.push_back(RequiredField(
      "partition", 102,
      {{"type", "record"}, {"name", "r102"}, {"fields", std::move(partition_fields)}}));
  fields.push_back(RequiredField("record_count", 103, "long"));
  fields.push_back(RequiredField("file_size_in_bytes", 104, "long"));
  if (format_version == 1) fields.push_back(RequiredField("block_size_in_bytes", 105, "long"));
  fields.push_back(MapField("column_sizes", 108, 117, 118, "long"));
  fields.push_back(MapField("value_counts", 109, 119, 120, "long"));
  fields.push_back(MapField("null_value_counts", 110, 121, 122, "long"));
  fields.push_back(MapField("nan_value_counts", 137, 138, 139, "long"));
  fields.push_back(MapField("lower_bounds", 125, 126, 127, "bytes"));
  fields.push_back(MapField("upper_bounds", 128, 129, 130, "bytes"));
  fields.push_back(OptionalField("key_metadata", 131, "bytes"));
  fields.push_back(OptionalField("split_offsets", 132,
                                 {{"type", "array"}, {"items", "long"}, {"element-id", 133}}));
  if (format_version >= 2) {
    fields.push_back(OptionalField("equality_ids", 135,
                                   {{"type", "array"}, {"items", "int"}, {"element-id", 136}}));
  }
  fields.push_back(OptionalField("sort_order_id", 140, "int"));
  return fields;
}

// The data_file record of `entry`, fields as DataFileFields lists them.
Result<AvroValue> DataFileRecord(const ManifestContext& context, const std::vector<TypeId>& types,
                                 const ManifestEntry& entry) {
  const DataFile& file = entry.data_file;
  const bool v1 = context.format_version == 1;
  AvroValue partition = AvroValue::Record();
  for (std::size_t i = 0; i < types.size(); ++i) {
    CS_ASSIGN_OR_RETURN(auto value, LiteralToAvro(types[i], file.partition[i]));
    partition.Add(context.spec.fields[i].name, std::move(value));
  }
  std::vector<AvroValue> offsets;
  for (int64_t offset : file.split_offsets) offsets.push_back(AvroValue::Long(offset));
  AvroValue data_file = AvroValue::Record();
  if (!v1) data_file.Add("content", AvroValue::Int(entry.content));
  data_file.Add("file_path", AvroValue::String(file.file_path))
      .Add("file_format", AvroValue::String(file.file_format))
      .Add("partition", std::move(partition))
      .Add("record_count", AvroValue::Long(file.record_count))
      .Add("file_size_in_bytes", AvroValue::Long(file.file_size_in_bytes));
  if (v1) data_file.Add("block_size_in_bytes", AvroValue::Long(kV1BlockSizeInBytes));
  data_file.Add("column_sizes", MapToAvro(file.column_sizes))
      .Add("value_counts", MapToAvro(file.value_counts))
      .Add("null_value_counts", MapToAvro(file.null_value_counts))
      .Add("nan_value_counts", MapToAvro(file.nan_value_counts))
      .Add("lower_bounds", MapToAvro(file.lower_bounds))
      .Add("upper_bounds", MapToAvro(file.upper_bounds))
      .Add("key_metadata", AvroValue::Null())
      .Add("split_offsets",
           offsets.empty() ? AvroValue::Null() : AvroValue::Array(std::move(offsets)));
  std::vector<AvroValue> equality_ids;
  for (int id : file.equality_ids) equality_ids.push_back(AvroValue::Int(id));
  if (!v1) {
    data_file.Add("equality_ids", equality_ids.empty() ? AvroValue::Null()
                                                       : AvroValue::Array(std::move(equality_ids)));
  }
  data_file.Add("sort_order_id",
                file.sort_order_id ? AvroValue::Int(*file.sort_order_id) : AvroValue::Null());
  return data_file;
}

// Whether `entry` fits the manifest: its partition tuple and spec, and what the format version
// can record (v1: data files only; v2: explicit sequence numbers unless ADDED).
Status CheckEntry(const ManifestContext& context, std::size_t partition_fields,
                  const ManifestEntry& entry) {
  const DataFile& file = entry.data_file;
  if (file.partition.size() != partition_fields) {
    return InvalidArgument(file.file_path + " has " + std::to_string(file.partition.size()) +
                           " partition values; the spec has " + std::to_string(partition_fields));
  }
  if (file.spec_id != context.spec.spec_id) {
    return InvalidArgument(file.file_path + " was written for partition spec " +
                           std::to_string(file.spec_id) + ", the table's is " +
                           std::to_string(context.spec.spec_id));
  }
  if (context.format_version == 1) {
    if (entry.content != 0) {
      return InvalidArgument(file.file_path +
                             " is a delete file, which a format version 1 table cannot hold");
    }
  } else if (entry.status != EntryStatus::kAdded &&
             (!entry.snapshot_id || !entry.sequence_number || !entry.file_sequence_number)) {
    return InvalidArgument(file.file_path +
                           ": existing and deleted entries need explicit snapshot id and "
                           "sequence numbers");
  }
  return Ok();
}

// The manifest_entry record: v1 writes every entry's snapshot id and no sequence numbers.
Result<AvroValue> EntryRecord(const ManifestContext& context, const std::vector<TypeId>& types,
                              const ManifestEntry& entry, int64_t snapshot_id) {
  CS_ASSIGN_OR_RETURN(AvroValue data_file, DataFileRecord(context, types, entry));
  AvroValue record = AvroValue::Record();
  record.Add("status", AvroValue::Int(static_cast<int32_t>(entry.status)))
      .Add("snapshot_id", AvroValue::Long(entry.snapshot_id.value_or(snapshot_id)));
  if (context.format_version >= 2) {
    record.Add("sequence_number", LongOrNull(entry.sequence_number))
        .Add("file_sequence_number", LongOrNull(entry.file_sequence_number));
  }
  record.Add("data_file", std::move(data_file));
  return record;
}

// Adds `entry` to the manifest_file's counts and min_sequence_number.
void CountEntry(const ManifestEntry& entry, ManifestFile& manifest) {
  const int64_t rows = entry.data_file.record_count;
  switch (entry.status) {
    case EntryStatus::kAdded:
      manifest.added_files_count += 1;
      manifest.added_rows_count += rows;
      break;
    case EntryStatus::kExisting:
      manifest.existing_files_count += 1;
      manifest.existing_rows_count += rows;
      break;
    case EntryStatus::kDeleted:
      manifest.deleted_files_count += 1;
      manifest.deleted_rows_count += rows;
      break;
  }
  if (entry.sequence_number && entry.status != EntryStatus::kDeleted) {
    manifest.min_sequence_number = std::min(manifest.min_sequence_number, *entry.sequence_number);
  }
}

// An Avro writer with the manifest metadata of the format version (spec, "Manifest Metadata").
Result<avro::AvroFileWriter> ManifestFileWriter(const ManifestContext& context) {
  if (context.format_version != 1 && context.format_version != 2) {
    return InvalidArgument("manifests of format version " + std::to_string(context.format_version) +
                           " cannot be written");
  }
  CS_ASSIGN_OR_RETURN(auto schema, ManifestEntryAvroSchema(context));
  std::vector<std::pair<std::string, std::string>> metadata = {
      {"schema", context.schema.dump()},
      {"schema-id", std::to_string(context.schema.value("schema-id", 0))},
      {"partition-spec", PartitionFieldsToJson(context.spec).dump()},
      {"partition-spec-id", std::to_string(context.spec.spec_id)},
      {"format-version", std::to_string(context.format_version)}};
  if (context.format_version >= 2) metadata.emplace_back("content", "data");
  return avro::AvroFileWriter::Create(std::move(schema), std::move(metadata));
}

// The status of a manifest entry record; kCorrupt unless 0, 1 or 2 (spec, "Manifests").
Result<EntryStatus> StatusOf(const AvroValue& status) {
  if (status.kind != AvroValue::Kind::kInt && status.kind != AvroValue::Kind::kLong) {
    return Corrupt("a manifest entry's status is not an int");
  }
  if (status.integer < 0 || status.integer > 2) {
    return Corrupt("manifest entry status " + std::to_string(status.integer) +
                   " is none of 0 (EXISTING), 1 (ADDED), 2 (DELETED)");
  }
  return static_cast<EntryStatus>(status.integer);
}

void ReadDataFile(const AvroValue& data_file, DataFile& df) {
  if (const AvroValue* v = data_file.Find("file_path")) df.file_path = v->bytes;
  if (const AvroValue* v = data_file.Find("file_format")) df.file_format = v->bytes;
  if (const AvroValue* partition = data_file.Find("partition")) {
    for (const auto& value : partition->items) df.partition.push_back(AvroToLiteral(value));
  }
  df.record_count = LongOr(data_file.Find("record_count"), 0);
  df.file_size_in_bytes = LongOr(data_file.Find("file_size_in_bytes"), 0);
  MapFromAvro(data_file.Find("column_sizes"), df.column_sizes);
  MapFromAvro(data_file.Find("value_counts"), df.value_counts);
  MapFromAvro(data_file.Find("null_value_counts"), df.null_value_counts);
  MapFromAvro(data_file.Find("nan_value_counts"), df.nan_value_counts);
  MapFromAvro(data_file.Find("lower_bounds"), df.lower_bounds);
  MapFromAvro(data_file.Find("upper_bounds"), df.upper_bounds);
  if (const AvroValue* v = data_file.Find("split_offsets"); v && !v->is_null()) {
    for (const auto& offset : v->items) df.split_offsets.push_back(offset.integer);
  }
  if (const AvroValue* v = data_file.Find("equality_ids"); v && !v->is_null()) {
    for (const auto& id : v->items) df.equality_ids.push_back(static_cast<int>(id.integer));
  }
  if (const AvroValue* v = data_file.Find("sort_order_id"); v && !v->is_null()) {
    df.sort_order_id = static_cast<int>(v->integer);
  }
}

// One entry of a manifest, with the values the spec says readers supply: sequence numbers 0 for
// v1 manifests (Appendix E), and inheritance from `manifest` when given ("Sequence Number
// Inheritance", "Snapshot ID Inheritance").
Result<ManifestEntry> EntryFromRecord(const AvroValue& record, int spec_id,
                                      const ManifestFile* manifest) {
  const AvroValue* data_file = record.Find("data_file");
  const AvroValue* status = record.Find("status");
  if (data_file == nullptr || status == nullptr) {
    return Corrupt("not a manifest (an entry has no status or data_file)");
  }
  ManifestEntry entry;
  CS_ASSIGN_OR_RETURN(entry.status, StatusOf(*status));
  entry.snapshot_id = OptionalLong(record.Find("snapshot_id"));
  if (record.Find("sequence_number") == nullptr) {
    entry.sequence_number = 0;  // a v1 manifest
    entry.file_sequence_number = 0;
  } else {
    entry.sequence_number = OptionalLong(record.Find("sequence_number"));
    entry.file_sequence_number = OptionalLong(record.Find("file_sequence_number"));
  }
  entry.content = static_cast<int>(LongOr(data_file->Find("content"), 0));
  entry.data_file.spec_id = spec_id;
  ReadDataFile(*data_file, entry.data_file);
  if (manifest != nullptr) {
    if (!entry.snapshot_id) entry.snapshot_id = manifest->added_snapshot_id;
    if (entry.status == EntryStatus::kAdded) {
      if (!entry.sequence_number) entry.sequence_number = manifest->sequence_number;
      if (!entry.file_sequence_number) entry.file_sequence_number = manifest->sequence_number;
    }
  }
  return entry;
}

AvroValue PartitionSummaries(const ManifestFile& m) {
  std::vector<AvroValue> partitions;
  for (const auto& s : m.partitions) {
    partitions.push_back(AvroValue::Record()
                             .Add("contains_null", AvroValue::Boolean(s.contains_null))
                             .Add("contains_nan", s.contains_nan
                                                      ? AvroValue::Boolean(*s.contains_nan)
                                                      : AvroValue::Null())
                             .Add("lower_bound", OptionalBytes(s.lower_bound))
                             .Add("upper_bound", OptionalBytes(s.upper_bound)));
  }
  return AvroValue::Array(std::move(partitions));
}

// The manifest_file record; v1 has no content or sequence numbers, so no delete manifests.
Result<AvroValue> ManifestFileRecord(const ManifestFile& m, int format_version) {
  AvroValue record = AvroValue::Record();
  record.Add("manifest_path", AvroValue::String(m.manifest_path))
      .Add("manifest_length", AvroValue::Long(m.manifest_length))
      .Add("partition_spec_id", AvroValue::Int(m.partition_spec_id));
  if (format_version >= 2) {
    record.Add("content", AvroValue::Int(m.content))
        .Add("sequence_number", AvroValue::Long(m.sequence_number))
        .Add("min_sequence_number", AvroValue::Long(m.min_sequence_number));
  } else if (m.content != 0) {
    return InvalidArgument(m.manifest_path +
                           " is a delete manifest, which a format version 1 table cannot list");
  }
  record.Add("added_snapshot_id", AvroValue::Long(m.added_snapshot_id))
      .Add("added_files_count", AvroValue::Int(m.added_files_count))
      .Add("existing_files_count", AvroValue::Int(m.existing_files_count))
      .Add("deleted_files_count", AvroValue::Int(m.deleted_files_count))
      .Add("added_rows_count", AvroValue::Long(m.added_rows_count))
      .Add("existing_rows_count", AvroValue::Long(m.existing_rows_count))
      .Add("deleted_rows_count", AvroValue::Long(m.deleted_rows_count))
      .Add("partitions", PartitionSummaries(m))
      .Add("key_metadata", OptionalBytes(m.key_metadata));
  return record;
}

}  // namespace

Result<std::string> ManifestEntryAvroSchema(const ManifestContext& context) {
  CS_ASSIGN_OR_RETURN(auto types, PartitionTypes(context));
  json partition_fields = json::array();
  for (std::size_t i = 0; i < types.size(); ++i) {
    const PartitionField& field = context.spec.fields[i];
    partition_fields.push_back({{"name", field.name},
                                {"type", json::array({"null", AvroTypeOf(types[i])})},
                                {"default", nullptr},
                                {"field-id", field.field_id}});
  }
  json data_file = {
      {"type", "record"},
      {"name", "r2"},
      {"fields", DataFileFields(std::move(partition_fields), context.format_version)}};
  json fields = json::array({RequiredField("status", 0, "int")});
  if (context.format_version == 1) {
    fields.push_back(RequiredField("snapshot_id", 1, "long"));
  } else {
    fields.push_back(OptionalField("snapshot_id", 1, "long"));
    fields.push_back(OptionalField("sequence_number", 3, "long"));
    fields.push_back(OptionalField("file_sequence_number", 4, "long"));
  }
  fields.push_back(RequiredField("data_file", 2, std::move(data_file)));
  json entry = {{"type", "record"}, {"name", "manifest_entry"}, {"fields", std::move(fields)}};
  return entry.dump();
}

std::string ManifestFileAvroSchema(int format_version) {
  json summary = {
      {"type", "record"},
      {"name", "r508"},
      {"fields", json::array({
                     RequiredField("contains_null", 509, "boolean"),
                     OptionalField("contains_nan", 518, "boolean"),
                     OptionalField("lower_bound", 510, "bytes"),
                     OptionalField("upper_bound", 511, "bytes"),
                 })},
  };
  const bool v1 = format_version == 1;
  // v1 leaves the counts optional (spec, "Manifest Lists"); this writer always fills them.
  auto count = [v1](const char* name, int id, const char* type) {
    return v1 ? OptionalField(name, id, type) : RequiredField(name, id, type);
  };
  json fields = json::array({RequiredField("manifest_path", 500, "string"),
                             RequiredField("manifest_length", 501, "long"),
                             RequiredField("partition_spec_id", 502, "int")});
  if (!v1) {
    fields.push_back(RequiredField("content", 517, "int"));
    fields.push_back(RequiredField("sequence_number", 515, "long"));
    fields.push_back(RequiredField("min_sequence_number", 516, "long"));
  }
  fields.push_back(RequiredField("added_snapshot_id", 503, "long"));
  fields.push_back(count("added_files_count", 504, "int"));
  fields.push_back(count("existing_files_count", 505, "int"));
  fields.push_back(count("deleted_files_count", 506, "int"));
  fields.push_back(count("added_rows_count", 512, "long"));
  fields.push_back(count("existing_rows_count", 513, "long"));
  fields.push_back(count("deleted_rows_count", 514, "long"));
  fields.push_back(OptionalField("partitions", 507,
                                 {{"type", "array"}, {"items", summary}, {"element-id", 508}}));
  fields.push_back(OptionalField("key_metadata", 519, "bytes"));
  json schema = {{"type", "record"}, {"name", "manifest_file"}, {"fields", std::move(fields)}};
  return schema.dump();
}

Result<ManifestFile> WriteManifest(std::string_view location, const ManifestContext& context,
                                   int64_t snapshot_id, int64_t sequence_number,
                                   std::span<const DataFile> files) {
  std::vector<ManifestEntry> entries;
  entries.reserve(files.size());
  for (const DataFile& file : files) {
    ManifestEntry entry;
    entry.status = EntryStatus::kAdded;
    entry.snapshot_id = snapshot_id;
    entry.data_file = file;
    entries.push_back(std::move(entry));
  }
  return WriteManifestEntries(location, context, snapshot_id, sequence_number, entries);
}

Result<ManifestFile> WriteManifestEntries(std::string_view location, const ManifestContext& context,
                                          int64_t snapshot_id, int64_t sequence_number,
                                          std::span<const ManifestEntry> entries) {
  CS_ASSIGN_OR_RETURN(auto types, PartitionTypes(context));
  CS_ASSIGN_OR_RETURN(auto writer, ManifestFileWriter(context));
  ManifestFile manifest;
  manifest.manifest_path = std::string(location);
  manifest.partition_spec_id = context.spec.spec_id;
  manifest.sequence_number = sequence_number;
  manifest.min_sequence_number = sequence_number;
  manifest.added_snapshot_id = snapshot_id;
  std::vector<DataFile> live_files;
  for (const ManifestEntry& entry : entries) {
    CS_RETURN_IF_ERROR(CheckEntry(context, types.size(), entry));
    CS_ASSIGN_OR_RETURN(AvroValue record, EntryRecord(context, types, entry, snapshot_id));
    CS_RETURN_IF_ERROR(writer.Append(record));
    CountEntry(entry, manifest);
    if (entry.status != EntryStatus::kDeleted) live_files.push_back(entry.data_file);
  }
  CS_ASSIGN_OR_RETURN(manifest.partitions, Summarize(types, live_files));
  CS_ASSIGN_OR_RETURN(auto bytes, writer.Finish());
  manifest.manifest_length = static_cast<int64_t>(bytes.size());
  CS_RETURN_IF_ERROR(io::WriteNewFile(location, bytes));
  return manifest;
}

Result<std::vector<ManifestEntry>> ReadManifest(std::string_view location,
                                                const ManifestFile* manifest) {
  CS_ASSIGN_OR_RETURN(auto bytes, io::ReadFile(location));
  auto entries = ParseManifest(bytes, manifest);
  if (!entries.has_value()) return std::unexpected(entries.error().WithContext(location));
  return entries;
}

Result<std::vector<ManifestEntry>> ParseManifest(std::string_view bytes,
                                                 const ManifestFile* manifest) {
  CS_ASSIGN_OR_RETURN(auto file, avro::ReadAvroFile(bytes));
  int spec_id = 0;
  if (auto it = file.metadata.find("partition-spec-id"); it != file.metadata.end()) {
    spec_id = std::atoi(it->second.c_str());
  }
  std::vector<ManifestEntry> entries;
  entries.reserve(file.records.size());
  for (const AvroValue& record : file.records) {
    CS_ASSIGN_OR_RETURN(auto entry, EntryFromRecord(record, spec_id, manifest));
    entries.push_back(std::move(entry));
  }
  return entries;
}

Status WriteManifestList(std::string_view location, int64_t snapshot_id,
                         std::optional<int64_t> parent_snapshot_id, int64_t sequence_number,
                         std::span<const ManifestFile> manifests, int format_version) {
  if (format_version != 1 && format_version != 2) {
    return InvalidArgument("manifest lists of format version " + std::to_string(format_version) +
                           " cannot be written");
  }
  std::vector<std::pair<std::string, std::string>> metadata = {
      {"snapshot-id", std::to_string(snapshot_id)},
      {"parent-snapshot-id",
       parent_snapshot_id ? std::to_string(*parent_snapshot_id) : std::string("null")}};
  if (format_version >= 2)
    metadata.emplace_back("sequence-number", std::to_string(sequence_number));
  metadata.emplace_back("format-version", std::to_string(format_version));
  CS_ASSIGN_OR_RETURN(
      auto writer,
      avro::AvroFileWriter::Create(ManifestFileAvroSchema(format_version), std::move(metadata)));
  for (const ManifestFile& m : manifests) {
    CS_ASSIGN_OR_RETURN(AvroValue record, ManifestFileRecord(m, format_version));
    CS_RETURN_IF_ERROR(writer.Append(record));
  }
  CS_ASSIGN_OR_RETURN(auto bytes, writer.Finish());
  return io::WriteNewFile(location, bytes);
}

bool HasLiveFiles(const ManifestFile& m) {
  return !m.file_counts_known || m.added_files_count > 0 || m.existing_files_count > 0;
}

std::vector<ManifestFile> WithLiveFiles(std::vector<ManifestFile> manifests) {
  std::erase_if(manifests, [](const ManifestFile& m) { return !HasLiveFiles(m); });
  return manifests;
}

Result<std::vector<ManifestFile>> ReadManifestList(std::string_view location) {
  CS_ASSIGN_OR_RETURN(auto bytes, io::ReadFile(location));
  auto manifests = ParseManifestList(bytes);
  if (!manifests.has_value()) return std::unexpected(manifests.error().WithContext(location));
  return manifests;
}

Result<std::vector<ManifestFile>> ParseManifestList(std::string_view bytes) {
  CS_ASSIGN_OR_RETURN(auto file, avro::ReadAvroFile(bytes));
  std::vector<ManifestFile> manifests;
  for (const AvroValue& r : file.records) {
    ManifestFile m;
    const AvroValue* path = r.Find("manifest_path");
    if (path == nullptr) return Corrupt("not a manifest list (a record has no manifest_path)");
    m.manifest_path = path->bytes;
    m.manifest_length = LongOr(r.Find("manifest_length"), 0);
    m.partition_spec_id = static_cast<int>(LongOr(r.Find("partition_spec_id"), 0));
    m.content = static_cast<int>(LongOr(r.Find("content"), 0));
    m.sequence_number = LongOr(r.Find("sequence_number"), 0);
    m.min_sequence_number = LongOr(r.Find("min_sequence_number"), 0);
    m.added_snapshot_id = LongOr(r.Find("added_snapshot_id"), 0);
    // v1 lists name the counts added_data_files_count etc.
    auto count = [&r, &m](const char* v2, const char* v1) {
      const AvroValue* v = r.Find(v2);
      if (v == nullptr) v = r.Find(v1);
      if (v == nullptr || v->is_null()) m.file_counts_known = false;
      return static_cast<int32_t>(LongOr(v, 0));
    };
    m.added_files_count = count("added_files_count", "added_data_files_count");
    m.existing_files_count = count("existing_files_count", "existing_data_files_count");
    m.deleted_files_count = count("deleted_files_count", "deleted_data_files_count");
    m.added_rows_count = LongOr(r.Find("added_rows_count"), 0);
    m.existing_rows_count = LongOr(r.Find("existing_rows_count"), 0);
    m.deleted_rows_count = LongOr(r.Find("deleted_rows_count"), 0);
    if (const AvroValue* parts = r.Find("partitions"); parts && !parts->is_null()) {
      for (const auto& p : parts->items) {
        PartitionFieldSummary s;
        s.contains_null = LongOr(p.Find("contains_null"), 0) != 0;
        if (const AvroValue* v = p.Find("contains_nan"); v && !v->is_null()) {
          s.contains_nan = v->integer != 0;
        }
        if (const AvroValue* v = p.Find("lower_bound"); v && !v->is_null())
          s.lower_bound = v->bytes;
        if (const AvroValue* v = p.Find("upper_bound"); v && !v->is_null())
          s.upper_bound = v->bytes;
        m.partitions.push_back(std::move(s));
      }
    }
    if (const AvroValue* v = r.Find("key_metadata"); v && !v->is_null()) m.key_metadata = v->bytes;
    manifests.push_back(std::move(m));
  }
  return manifests;
}

}  // namespace clickstream::iceberg
