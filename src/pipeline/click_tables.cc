#include "pipeline/click_tables.h"

#include "maintenance/maintenance_policy.h"

namespace clickstream::pipeline {

namespace {

using iceberg::Field;
using iceberg::PartitionField;
using iceberg::PartitionSpec;
using iceberg::Schema;
using iceberg::TypeId;

// identity(page), with page being field 2 in both click tables.
PartitionSpec ByPage() { return PartitionSpec{0, {PartitionField{2, 1000, "page", "identity"}}}; }

}  // namespace

std::map<std::string, std::string> CreatedTableProperties() {
  std::map<std::string, std::string> properties = maintenance::StreamingTableProperties();
  properties["write.parquet.compression-codec"] = "zstd";
  return properties;
}

const TableDefinition& ClicksTable() {
  static const TableDefinition kTable{
      "website", "clicks",
      Schema{0,
             {Field{1, "user_id", TypeId::kString, false, ""},
              Field{2, "page", TypeId::kString, false, ""},
              Field{3, "click_timestamp", TypeId::kTimestamptz, false, ""}}},
      ByPage()};
  return kTable;
}

const TableDefinition& EnrichedClicksTable() {
  static const TableDefinition kTable{
      "website", "clicks_enriched",
      Schema{0,
             {Field{1, "user_id", TypeId::kString, false, ""},
              Field{2, "page", TypeId::kString, false, ""},
              Field{3, "click_timestamp", TypeId::kTimestamptz, false, ""},
              Field{4, "name", TypeId::kString, false, ""},
              Field{5, "location", TypeId::kString, false, ""}}},
      ByPage()};
  return kTable;
}

const TableDefinition& DeadLetterTable() {
  static const TableDefinition kTable{
      "website", "clicks_dlq",
      Schema{0,
             {Field{1, "topic", TypeId::kString, false, ""},
              Field{2, "partition", TypeId::kInt, false, ""},
              Field{3, "offset", TypeId::kLong, false, ""},
              Field{4, "kafka_timestamp", TypeId::kTimestamptz, false, ""},
              Field{5, "raw", TypeId::kBinary, false, ""},
              Field{6, "error", TypeId::kString, false, ""}}},
      PartitionSpec{0, {}}};
  return kTable;
}

const TableDefinition& UserProfilesTable() {
  static const TableDefinition kTable{"website", "user_profiles",
                                      Schema{0,
                                             {Field{1, "user_id", TypeId::kString, false, ""},
                                              Field{2, "name", TypeId::kString, false, ""},
                                              Field{3, "location", TypeId::kString, false, ""}}},
                                      PartitionSpec{0, {}}};
  return kTable;
}

}  // namespace clickstream::pipeline
