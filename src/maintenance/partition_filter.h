#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "iceberg/schema.h"

namespace clickstream::maintenance {

// A `--where` filter that selects whole partitions of an identity-partitioned table. Grammar
// (keywords case-insensitive):
//
//   filter     := comparison ( AND comparison )*
//   comparison := column op literal | column [NOT] IN ( literal [, literal]* )
//               | column IS [NOT] NULL
//   op         := = | != | <> | < | <= | > | >=
//   literal    := 'text' ('' is a quote) | integer | true | false
//
// e.g. `page = '/cart'`, `page IN ('/cart', '/checkout') AND page != '/home'`. Columns must be
// source columns of identity partition fields, so a filter selects whole partitions exactly.
class PartitionFilter {
 public:
  // Parses and binds `text` to the table's schema and spec; kInvalidArgument names what is wrong.
  static Result<PartitionFilter> Parse(std::string_view text, const iceberg::Schema& schema,
                                       const iceberg::PartitionSpec& spec);

  // Whether a file with this partition tuple (one value per field of the bound spec) is selected.
  bool Matches(std::span<const iceberg::Literal> partition) const;

  const std::string& text() const { return text_; }

  enum class Op { kEq, kNe, kLt, kLe, kGt, kGe, kIn, kNotIn, kIsNull, kIsNotNull };
  struct Comparison {
    int partition_index = 0;  // position in the partition tuple
    Op op = Op::kEq;
    std::vector<iceberg::Literal> values;  // one, several (IN) or none (IS NULL)
  };

 private:
  std::string text_;
  std::vector<Comparison> comparisons_;  // all must hold
};

}  // namespace clickstream::maintenance
