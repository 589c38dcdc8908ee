#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace clickstream::iceberg {

// Iceberg primitive types the project writes (Iceberg spec, "Primitive Types").
enum class TypeId {
  kBoolean,
  kInt,
  kLong,
  kFloat,
  kDouble,
  kDate,
  kTimestamp,    // microseconds, no zone
  kTimestamptz,  // microseconds since epoch, UTC
  kString,
  kBinary,
};

// A top-level column with its permanent field id.
struct Field {
  int id = 0;
  std::string name;
  TypeId type = TypeId::kString;
  bool required = false;
  std::string doc;
};

struct Schema {
  int schema_id = 0;
  std::vector<Field> fields;
};

// One partition field (Iceberg spec, "Partitioning"); the project uses the identity transform.
struct PartitionField {
  int source_id = 0;
  int field_id = 1000;  // partition field ids start at 1000
  std::string name;
  std::string transform = "identity";
};

struct PartitionSpec {
  int spec_id = 0;
  std::vector<PartitionField> fields;
};

// A single value of a partition tuple; monostate is null. Strings and binaries are bytes.
using Literal = std::variant<std::monostate, bool, int32_t, int64_t, float, double, std::string>;

}  // namespace clickstream::iceberg
