#include "iceberg/manifest.h"

#include <cmath>

#include "iceberg/avro.h"
#include "iceberg/bounds.h"
#include "iceberg/table_metadata.h"

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
  json data_file_fields = json::array({
      RequiredField("content", 134, "int"),
      RequiredField("file_path", 100, "string"),
      RequiredField("file_format", 101, "string"),
      RequiredField("partition", 102,
                    {{"type", "record"}, {"name", "r102"}, {"fields", partition_fields}}),
      RequiredField("record_count", 103, "long"),
      RequiredField("file_size_in_bytes", 104, "long"),
      {{"name", "column_sizes"},
       {"type", MapType(117, 118, "long")},
       {"default", nullptr},
       {"field-id", 108}},
      {{"name", "value_counts"},
       {"type", MapType(119, 120, "long")},
       {"default", nullptr},
       {"field-id", 109}},
      {{"name", "null_value_counts"},
       {"type", MapType(121, 122, "long")},
       {"default", nullptr},
       {"field-id", 110}},
      {{"name", "nan_value_counts"},
       {"type", MapType(138, 139, "long")},
       {"default", nullptr},
       {"field-id", 137}},
      {{"name", "lower_bounds"},
       {"type", MapType(126, 127, "bytes")},
       {"default", nullptr},
       {"field-id", 125}},
      {{"name", "upper_bounds"},
       {"type", MapType(129, 130, "bytes")},
       {"default", nullptr},
       {"field-id", 128}},
      OptionalField("key_metadata", 131, "bytes"),
      OptionalField("split_offsets", 132,
                    {{"type", "array"}, {"items", "long"}, {"element-id", 133}}),
      OptionalField("equality_ids", 135,
                    {{"type", "array"}, {"items", "int"}, {"element-id", 136}}),
      OptionalField("sort_order_id", 140, "int"),
  });
  json entry = {
      {"type", "record"},
      {"name", "manifest_entry"},
      {"fields",
       json::array({
           RequiredField("status", 0, "int"),
           OptionalField("snapshot_id", 1, "long"),
           OptionalField("sequence_number", 3, "long"),
           OptionalField("file_sequence_number", 4, "long"),
           RequiredField("data_file", 2,
                         {{"type", "record"}, {"name", "r2"}, {"fields", data_file_fields}}),
       })},
  };
  return entry.dump();
}

std::string ManifestFileAvroSchema() {
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
  json schema = {
      {"type", "record"},
      {"name", "manifest_file"},
      {"fields", json::array({
                     RequiredField("manifest_path", 500, "string"),
                     RequiredField("manifest_length", 501, "long"),
                     RequiredField("partition_spec_id", 502, "int"),
                     RequiredField("content", 517, "int"),
                     RequiredField("sequence_number", 515, "long"),
                     RequiredField("min_sequence_number", 516, "long"),
                     RequiredField("added_snapshot_id", 503, "long"),
                     RequiredField("added_files_count", 504, "int"),
                     RequiredField("existing_files_count", 505, "int"),
                     RequiredField("deleted_files_count", 506, "int"),
                     RequiredField("added_rows_count", 512, "long"),
                     RequiredField("existing_rows_count", 513, "long"),
                     RequiredField("deleted_rows_count", 514, "long"),
                     OptionalField("partitions", 507,
                                   {{"type", "array"}, {"items", summary}, {"element-id", 508}}),
                     OptionalField("key_metadata", 519, "bytes"),
                 })},
  };
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
  CS_ASSIGN_OR_RETURN(auto schema, ManifestEntryAvroSchema(context));
  CS_ASSIGN_OR_RETURN(
      auto writer,
      avro::AvroFileWriter::Create(
          std::move(schema), {{"schema", context.schema.dump()},
                              {"schema-id", std::to_string(context.schema.value("schema-id", 0))},
                              {"partition-spec", PartitionFieldsToJson(context.spec).dump()},
                              {"partition-spec-id", std::to_string(context.spec.spec_id)},
                              {"format-version", "2"},
                              {"content", "data"}}));

  ManifestFile manifest;
  manifest.manifest_path = std::string(location);
  manifest.partition_spec_id = context.spec.spec_id;
  manifest.sequence_number = sequence_number;
  manifest.min_sequence_number = sequence_number;
  manifest.added_snapshot_id = snapshot_id;
  std::vector<DataFile> live_files;
  for (const ManifestEntry& entry : entries) {
    const DataFile& file = entry.data_file;
    if (file.partition.size() != types.size()) {
      return InvalidArgument(file.file_path + " has " + std::to_string(file.partition.size()) +
                             " partition values; the spec has " + std::to_string(types.size()));
    }
    if (file.spec_id != context.spec.spec_id) {
      return InvalidArgument(file.file_path + " was written for partition spec " +
                             std::to_string(file.spec_id) + ", the table's is " +
                             std::to_string(context.spec.spec_id));
    }
    if (entry.status != EntryStatus::kAdded &&
        (!entry.snapshot_id || !entry.sequence_number || !entry.file_sequence_number)) {
      return InvalidArgument(file.file_path +
                             ": existing and deleted entries need explicit snapshot id and "
                             "sequence numbers");
    }
    AvroValue partition = AvroValue::Record();
    for (std::size_t i = 0; i < types.size(); ++i) {
      CS_ASSIGN_OR_RETURN(auto value, LiteralToAvro(types[i], file.partition[i]));
      partition.Add(context.spec.fields[i].name, std::move(value));
    }
    std::vector<AvroValue> offsets;
    for (int64_t offset : file.split_offsets) offsets.push_back(AvroValue::Long(offset));
    AvroValue data_file = AvroValue::Record();
    data_file.Add("content", AvroValue::Int(entry.content))
        .Add("file_path", AvroValue::String(file.file_path))
        .Add("file_format", AvroValue::String(file.file_format))
        .Add("partition", std::move(partition))
        .Add("record_count", AvroValue::Long(file.record_count))
        .Add("file_size_in_bytes", AvroValue::Long(file.file_size_in_bytes))
        .Add("column_sizes", MapToAvro(file.column_sizes))
        .Add("value_counts", MapToAvro(file.value_counts))
        .Add("null_value_counts", MapToAvro(file.null_value_counts))
        .Add("nan_value_counts", MapToAvro(file.nan_value_counts))
        .Add("lower_bounds", MapToAvro(file.lower_bounds))
        .Add("upper_bounds", MapToAvro(file.upper_bounds))
        .Add("key_metadata", AvroValue::Null())
        .Add("split_offsets",
             offsets.empty() ? AvroValue::Null() : AvroValue::Array(std::move(offsets)))
        .Add("equality_ids", AvroValue::Null())
        .Add("sort_order_id",
             file.sort_order_id ? AvroValue::Int(*file.sort_order_id) : AvroValue::Null());
    auto optional_long = [](std::optional<int64_t> v) {
      return v ? AvroValue::Long(*v) : AvroValue::Null();
    };
    AvroValue record = AvroValue::Record();
    record.Add("status", AvroValue::Int(static_cast<int32_t>(entry.status)))
        .Add("snapshot_id", AvroValue::Long(entry.snapshot_id.value_or(snapshot_id)))
        .Add("sequence_number", optional_long(entry.sequence_number))
        .Add("file_sequence_number", optional_long(entry.file_sequence_number))
        .Add("data_file", std::move(data_file));
    CS_RETURN_IF_ERROR(writer.Append(record));
    switch (entry.status) {
      case EntryStatus::kAdded:
        manifest.added_files_count += 1;
        manifest.added_rows_count += file.record_count;
        break;
      case EntryStatus::kExisting:
        manifest.existing_files_count += 1;
        manifest.existing_rows_count += file.record_count;
        break;
      case EntryStatus::kDeleted:
        manifest.deleted_files_count += 1;
        manifest.deleted_rows_count += file.record_count;
        break;
    }
    if (entry.status != EntryStatus::kDeleted) live_files.push_back(file);
    if (entry.sequence_number && entry.status != EntryStatus::kDeleted) {
      manifest.min_sequence_number = std::min(manifest.min_sequence_number, *entry.sequence_number);
    }
  }
  CS_ASSIGN_OR_RETURN(manifest.partitions, Summarize(types, live_files));
  CS_ASSIGN_OR_RETURN(auto bytes, writer.Finish());
  manifest.manifest_length = static_cast<int64_t>(bytes.size());
  CS_RETURN_IF_ERROR(WriteNewFile(location, bytes));
  return manifest;
}

Result<std::vector<ManifestEntry>> ReadManifest(std::string_view location,
                                                const ManifestFile* manifest) {
  CS_ASSIGN_OR_RETURN(auto bytes, ReadWholeFile(location));
  auto file = avro::ReadAvroFile(bytes);
  if (!file.has_value()) return std::unexpected(file.error().WithContext(location));
  int spec_id = 0;
  if (auto it = file->metadata.find("partition-spec-id"); it != file->metadata.end()) {
    spec_id = std::atoi(it->second.c_str());
  }
  std::vector<ManifestEntry> entries;
  entries.reserve(file->records.size());
  for (const AvroValue& record : file->records) {
    const AvroValue* data_file = record.Find("data_file");
    const AvroValue* status = record.Find("status");
    if (data_file == nullptr || status == nullptr) {
      return Corrupt(std::string(location) + " is not a manifest (no status or data_file)");
    }
    ManifestEntry entry;
    entry.status = static_cast<EntryStatus>(status->integer);
    entry.snapshot_id = OptionalLong(record.Find("snapshot_id"));
    entry.sequence_number = OptionalLong(record.Find("sequence_number"));
    entry.file_sequence_number = OptionalLong(record.Find("file_sequence_number"));
    entry.content = static_cast<int>(LongOr(data_file->Find("content"), 0));
    DataFile& df = entry.data_file;
    df.spec_id = spec_id;
    if (const AvroValue* v = data_file->Find("file_path")) df.file_path = v->bytes;
    if (const AvroValue* v = data_file->Find("file_format")) df.file_format = v->bytes;
    if (const AvroValue* partition = data_file->Find("partition")) {
      for (const auto& value : partition->items) df.partition.push_back(AvroToLiteral(value));
    }
    df.record_count = LongOr(data_file->Find("record_count"), 0);
    df.file_size_in_bytes = LongOr(data_file->Find("file_size_in_bytes"), 0);
    MapFromAvro(data_file->Find("column_sizes"), df.column_sizes);
    MapFromAvro(data_file->Find("value_counts"), df.value_counts);
    MapFromAvro(data_file->Find("null_value_counts"), df.null_value_counts);
    MapFromAvro(data_file->Find("nan_value_counts"), df.nan_value_counts);
    MapFromAvro(data_file->Find("lower_bounds"), df.lower_bounds);
    MapFromAvro(data_file->Find("upper_bounds"), df.upper_bounds);
    if (const AvroValue* v = data_file->Find("split_offsets"); v && !v->is_null()) {
      for (const auto& offset : v->items) df.split_offsets.push_back(offset.integer);
    }
    if (const AvroValue* v = data_file->Find("sort_order_id"); v && !v->is_null()) {
      df.sort_order_id = static_cast<int>(v->integer);
    }
    if (manifest != nullptr) {
      // Inheritance (spec, "Sequence Number Inheritance" and "Snapshot ID Inheritance").
      if (!entry.snapshot_id) entry.snapshot_id = manifest->added_snapshot_id;
      if (entry.status == EntryStatus::kAdded) {
        if (!entry.sequence_number) entry.sequence_number = manifest->sequence_number;
        if (!entry.file_sequence_number) entry.file_sequence_number = manifest->sequence_number;
      }
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

Status WriteManifestList(std::string_view location, int64_t snapshot_id,
                         std::optional<int64_t> parent_snapshot_id, int64_t sequence_number,
                         std::span<const ManifestFile> manifests) {
  CS_ASSIGN_OR_RETURN(
      auto writer,
      avro::AvroFileWriter::Create(
          ManifestFileAvroSchema(),
          {{"snapshot-id", std::to_string(snapshot_id)},
           {"parent-snapshot-id",
            parent_snapshot_id ? std::to_string(*parent_snapshot_id) : std::string("null")},
           {"sequence-number", std::to_string(sequence_number)},
           {"format-version", "2"}}));
  for (const ManifestFile& m : manifests) {
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
    AvroValue record = AvroValue::Record();
    record.Add("manifest_path", AvroValue::String(m.manifest_path))
        .Add("manifest_length", AvroValue::Long(m.manifest_length))
        .Add("partition_spec_id", AvroValue::Int(m.partition_spec_id))
        .Add("content", AvroValue::Int(m.content))
        .Add("sequence_number", AvroValue::Long(m.sequence_number))
        .Add("min_sequence_number", AvroValue::Long(m.min_sequence_number))
        .Add("added_snapshot_id", AvroValue::Long(m.added_snapshot_id))
        .Add("added_files_count", AvroValue::Int(m.added_files_count))
        .Add("existing_files_count", AvroValue::Int(m.existing_files_count))
        .Add("deleted_files_count", AvroValue::Int(m.deleted_files_count))
        .Add("added_rows_count", AvroValue::Long(m.added_rows_count))
        .Add("existing_rows_count", AvroValue::Long(m.existing_rows_count))
        .Add("deleted_rows_count", AvroValue::Long(m.deleted_rows_count))
        .Add("partitions", AvroValue::Array(std::move(partitions)))
        .Add("key_metadata", OptionalBytes(m.key_metadata));
    CS_RETURN_IF_ERROR(writer.Append(record));
  }
  CS_ASSIGN_OR_RETURN(auto bytes, writer.Finish());
  return WriteNewFile(location, bytes);
}

Result<std::vector<ManifestFile>> ReadManifestList(std::string_view location) {
  CS_ASSIGN_OR_RETURN(auto bytes, ReadWholeFile(location));
  auto file = avro::ReadAvroFile(bytes);
  if (!file.has_value()) return std::unexpected(file.error().WithContext(location));
  std::vector<ManifestFile> manifests;
  for (const AvroValue& r : file->records) {
    ManifestFile m;
    const AvroValue* path = r.Find("manifest_path");
    if (path == nullptr) {
      return Corrupt(std::string(location) + " is not a manifest list (no manifest_path)");
    }
    m.manifest_path = path->bytes;
    m.manifest_length = LongOr(r.Find("manifest_length"), 0);
    m.partition_spec_id = static_cast<int>(LongOr(r.Find("partition_spec_id"), 0));
    m.content = static_cast<int>(LongOr(r.Find("content"), 0));
    m.sequence_number = LongOr(r.Find("sequence_number"), 0);
    m.min_sequence_number = LongOr(r.Find("min_sequence_number"), 0);
    m.added_snapshot_id = LongOr(r.Find("added_snapshot_id"), 0);
    // v1 lists name the counts added_data_files_count etc.
    auto count = [&r](const char* v2, const char* v1) {
      const AvroValue* v = r.Find(v2);
      if (v == nullptr) v = r.Find(v1);
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
