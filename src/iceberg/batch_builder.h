#pragma once

#include <arrow/type_fwd.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/result.h"
#include "iceberg/schema.h"

namespace clickstream::iceberg {

// One cell of a row handed to the writers, without copying: strings and binaries are views that
// need to live only for the Append call. monostate is null. int32_t serves int and date, int64_t
// long, timestamp and timestamptz (microseconds).
using Value = std::variant<std::monostate, bool, int32_t, int64_t, float, double, std::string_view>;

// Accumulates rows of one Iceberg schema column by column in Arrow builders (system memory pool),
// so that rows parsed one at a time become a RecordBatch without a per-row allocation.
class BatchBuilder {
 public:
  explicit BatchBuilder(const Schema& schema);
  BatchBuilder(BatchBuilder&&) noexcept;
  BatchBuilder& operator=(BatchBuilder&&) noexcept;
  ~BatchBuilder();

  // Appends one row, one value per schema field in order. Fails, leaving the builder unchanged,
  // when the row has the wrong arity, a value of the wrong type, or a null in a required field;
  // an IoError (out of memory) leaves it unusable: every later call fails.
  Status Append(std::span<const Value> row);

  int64_t num_rows() const { return num_rows_; }
  // Bytes the buffered rows take in the builders (values, offsets and validity), approximately.
  int64_t buffered_bytes() const { return buffered_bytes_; }
  const std::shared_ptr<arrow::Schema>& arrow_schema() const { return arrow_schema_; }

  // The buffered rows as a RecordBatch of arrow_schema(); the builder is empty afterwards.
  Result<std::shared_ptr<arrow::RecordBatch>> Finish();

 private:
  Status CheckRow(std::span<const Value> row) const;

  std::vector<TypeId> types_;
  std::vector<bool> required_;
  std::shared_ptr<arrow::Schema> arrow_schema_;
  std::vector<std::unique_ptr<arrow::ArrayBuilder>> builders_;
  int64_t num_rows_ = 0;
  int64_t buffered_bytes_ = 0;
  std::string broken_;  // why the builder can no longer be used; empty while it can
};

}  // namespace clickstream::iceberg
