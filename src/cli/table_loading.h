#pragma once

#include <string>

#include "catalog/catalog.h"
#include "common/result.h"
#include "iceberg/table.h"

namespace clickstream::cli {

// The table a command names on its command line: a malformed name is a usage error (exit 2), a
// missing table or an unreachable catalog a run-time one.
Result<iceberg::Table> LoadNamedTable(catalog::Catalog& catalog, const std::string& name);

}  // namespace clickstream::cli
