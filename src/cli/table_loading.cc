#include "cli/table_loading.h"

#include "catalog/identifier.h"
#include "cli/command.h"

namespace clickstream::cli {

Result<iceberg::Table> LoadNamedTable(catalog::Catalog& catalog, const std::string& name) {
  CS_ASSIGN_OR_RETURN(auto id, AsUsage(catalog::ParseTableIdentifier(name)));
  return iceberg::Table::Load(catalog, id);
}

}  // namespace clickstream::cli
