#pragma once

// A small Avro implementation (Avro 1.11 specification: binary encoding and object container
// files), enough for Iceberg manifests and manifest lists. Schemas are kept as the JSON text they
// were written with, so Iceberg's "field-id" and "element-id" attributes survive untouched.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace clickstream::iceberg::avro {

enum class AvroType {
  kNull,
  kBoolean,
  kInt,
  kLong,
  kFloat,
  kDouble,
  kBytes,
  kString,
  kRecord,
  kEnum,
  kArray,
  kMap,
  kUnion,
  kFixed,
};

// One node of a parsed schema. Named types referenced again by name share the node.
struct AvroNode {
  AvroType type = AvroType::kNull;
  std::string name;                                       // record, enum, fixed
  std::vector<std::string> field_names;                   // record
  std::vector<std::shared_ptr<const AvroNode>> children;  // record fields, array item, map value,
                                                          // union branches
  std::vector<std::string> symbols;                       // enum
  std::size_t fixed_size = 0;                             // fixed
};
using AvroSchema = std::shared_ptr<const AvroNode>;

// Parses an Avro schema in JSON form; kCorrupt when it is not a valid schema.
Result<AvroSchema> ParseAvroSchema(std::string_view json);

// A decoded or to-be-encoded value. Unions are transparent: a value is written with the first
// union branch its kind fits (null with "null"), and read as the branch's value.
struct AvroValue {
  enum class Kind {
    kNull,
    kBoolean,
    kInt,
    kLong,
    kFloat,
    kDouble,
    kBytes,
    kString,
    kArray,
    kMap,
    kRecord
  };

  Kind kind = Kind::kNull;
  int64_t integer = 0;            // boolean, int, long, enum symbol index
  double real = 0;                // float, double
  std::string bytes;              // string, bytes, fixed, enum symbol
  std::vector<AvroValue> items;   // array items, map values, record fields in schema order
  std::vector<std::string> keys;  // map keys; record field names

  static AvroValue Null() { return {}; }
  static AvroValue Boolean(bool v);
  static AvroValue Int(int32_t v);
  static AvroValue Long(int64_t v);
  static AvroValue Float(float v);
  static AvroValue Double(double v);
  static AvroValue String(std::string v);
  static AvroValue Bytes(std::string v);
  static AvroValue Array(std::vector<AvroValue> items);
  // A record built field by field in schema order.
  static AvroValue Record();
  AvroValue& Add(std::string field_name, AvroValue value);

  bool is_null() const { return kind == Kind::kNull; }
  // The field of a record by name, or nullptr when the record has no such field.
  const AvroValue* Find(std::string_view field_name) const;
};

// Appends the binary encoding of `value` as `schema` to `out`; kInvalidArgument when the value
// does not fit the schema.
Status Encode(const AvroNode& schema, const AvroValue& value, std::string& out);

// Decodes one value of `schema` from data[pos...], advancing pos; kCorrupt on malformed input.
Result<AvroValue> Decode(const AvroNode& schema, std::string_view data, std::size_t& pos);

enum class AvroCodec { kNull, kDeflate };

// Builds an Avro object container file in memory: header (magic, metadata map with avro.schema
// and avro.codec, 16-byte sync marker), then blocks of records each followed by the marker.
class AvroFileWriter {
 public:
  // `metadata` is written in the given order after avro.schema and avro.codec.
  static Result<AvroFileWriter> Create(std::string schema_json,
                                       std::vector<std::pair<std::string, std::string>> metadata,
                                       AvroCodec codec = AvroCodec::kDeflate);

  Status Append(const AvroValue& record);
  // Flushes the last block and returns the complete file; the writer is spent afterwards.
  Result<std::string> Finish();

 private:
  AvroFileWriter() = default;
  Status FlushBlock();

  AvroSchema schema_;
  AvroCodec codec_ = AvroCodec::kDeflate;
  std::string sync_;
  std::string out_;
  std::string block_;
  int64_t block_count_ = 0;
};

// A whole container file, decoded.
struct AvroFile {
  std::map<std::string, std::string> metadata;  // includes avro.schema and avro.codec
  AvroSchema schema;
  std::vector<AvroValue> records;
};

// Reads a container file written with the null or deflate codec.
Result<AvroFile> ReadAvroFile(std::string_view bytes);

}  // namespace clickstream::iceberg::avro
