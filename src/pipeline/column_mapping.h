#pragma once

#include <span>
#include <vector>

#include "catalog/identifier.h"
#include "common/result.h"
#include "iceberg/batch_builder.h"
#include "iceberg/schema.h"

namespace clickstream::pipeline {

// How the processor's rows (the columns of its TableDefinition, in that order) land in a table
// that already exists, possibly created by hand the seed's way in Spark or Flink SQL: columns are
// matched by name, in any order; a `timestamptz` value goes into a `timestamp` column as its UTC
// wall time (Flink's `TIMESTAMP(6)`); a table column the processor does not write gets a null
// when it is optional. Anything else is one sentence naming the columns.
class ColumnMapping {
 public:
  static Result<ColumnMapping> Make(const catalog::TableIdentifier& id,
                                    const iceberg::Schema& table, const iceberg::Schema& rows);

  // `row` (in the definition's layout) in the table's layout; valid until the next call.
  std::span<const iceberg::Value> Apply(std::span<const iceberg::Value> row);

 private:
  std::vector<int> source_;  // per table column: the row's column, or -1 for a null
  bool identity_ = true;
  std::vector<iceberg::Value> scratch_;
};

}  // namespace clickstream::pipeline
