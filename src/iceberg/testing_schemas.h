#pragma once

// Test-only: schemas the unit tests share. Included by *_test.cc only.

#include "iceberg/schema.h"

namespace clickstream::iceberg::testing {

// The clicks table's columns (DESIGN.md), all required.
inline Schema ClicksSchema() {
  return Schema{0,
                {Field{1, "user_id", TypeId::kString, false, ""},
                 Field{2, "page", TypeId::kString, false, ""},
                 Field{3, "click_timestamp", TypeId::kTimestamptz, false, ""}}};
}

}  // namespace clickstream::iceberg::testing
