#pragma once

#include <map>
#include <string>
#include <string_view>

#include "iceberg/schema.h"

namespace clickstream::pipeline {

// The project's tables (DESIGN.md "Tables"), each with permanent field ids. Every column is
// optional so that the Spark and Flink writers, whose columns are nullable, can append as well.
struct TableDefinition {
  std::string_view ns = "website";
  std::string_view name;
  iceberg::Schema schema;
  iceberg::PartitionSpec spec;
};

// Properties of every table the project creates: zstd Parquet, and the streaming values of the
// snapshot-expiry and old-metadata properties (maintenance::StreamingTableProperties).
std::map<std::string, std::string> CreatedTableProperties();

// website.clicks: user_id string, page string, click_timestamp timestamptz; identity(page).
const TableDefinition& ClicksTable();
// website.clicks_enriched: clicks' columns, then name and location (null without a profile).
const TableDefinition& EnrichedClicksTable();
// website.clicks_dlq: topic, partition, offset, kafka_timestamp, raw, error; unpartitioned.
const TableDefinition& DeadLetterTable();
// website.user_profiles: user_id, name, location; unpartitioned.
const TableDefinition& UserProfilesTable();

}  // namespace clickstream::pipeline
