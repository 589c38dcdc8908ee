// `clickstream tables create|list|describe|snapshots|files|load`: the project's Iceberg tables in
// the SQLite catalog (DESIGN.md "Command-line contract"). Flags and output only.
#include <array>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "catalog/identifier.h"
#include "catalog/open_catalog.h"
#include "cli/command.h"
#include "cli/table_loading.h"
#include "cli/tables_maintenance.h"
#include "iceberg/table.h"
#include "pipeline/click_tables.h"
#include "pipeline/ndjson_loader.h"

namespace clickstream::cli {
namespace {

using catalog::TableIdentifier;
using iceberg::Table;

// The contract tables `tables create` knows (DESIGN.md "Tables").
std::array<const pipeline::TableDefinition*, 4> ContractTables() {
  return {&pipeline::ClicksTable(), &pipeline::UserProfilesTable(),
          &pipeline::EnrichedClicksTable(), &pipeline::DeadLetterTable()};
}

const pipeline::TableDefinition* FindContractTable(const TableIdentifier& id) {
  for (const auto* def : ContractTables()) {
    if (def->ns == id.ns && def->name == id.name) return def;
  }
  return nullptr;
}

std::string ContractTableNames() {
  std::string names;
  for (const auto* def : ContractTables()) {
    if (!names.empty()) names += ", ";
    names += std::string(def->ns) + "." + std::string(def->name);
  }
  return names;
}

std::string IsoTime(int64_t millis) {
  std::time_t seconds = static_cast<std::time_t>(millis / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[96];
  std::snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(millis % 1000));
  return text;
}

std::string LiteralText(const iceberg::Literal& value) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return "null";
        } else if constexpr (std::is_same_v<T, std::string>) {
          return v;
        } else if constexpr (std::is_same_v<T, bool>) {
          return v ? "true" : "false";
        } else {
          return std::to_string(v);
        }
      },
      value);
}

std::string SummaryValue(const iceberg::Snapshot& s, const std::string& key) {
  auto it = s.summary.find(key);
  return it == s.summary.end() ? "-" : it->second;
}

Result<std::unique_ptr<catalog::Catalog>> OpenCatalog(const GlobalOptions& globals) {
  return catalog::OpenCatalog(globals.catalog);
}

// Reading commands open an existing catalog only: a mistyped --catalog is an error, never a new
// empty catalog (and its directories) left behind.
Result<std::unique_ptr<catalog::Catalog>> OpenCatalogForReading(const GlobalOptions& globals) {
  catalog::CatalogOptions options = catalog::CatalogOptionsFromEnvironment();
  options.sqlite.create_if_missing = false;
  return catalog::OpenCatalog(globals.catalog, options);
}

Status Create(const GlobalOptions& globals, const std::vector<std::string>& names) {
  std::vector<TableIdentifier> ids;
  for (const auto& name : names.empty() ? std::vector<std::string>{"website.clicks"} : names) {
    CS_ASSIGN_OR_RETURN(auto id, AsUsage(catalog::ParseTableIdentifier(name)));
    if (FindContractTable(id) == nullptr) {
      return Usage("unknown table " + id.ToString() + "; tables create knows " +
                   ContractTableNames());
    }
    ids.push_back(id);
  }
  CS_ASSIGN_OR_RETURN(auto catalog, OpenCatalog(globals));
  for (const auto& id : ids) {
    const auto* def = FindContractTable(id);
    auto table = Table::Create(*catalog, globals.Warehouse(), id, def->schema, def->spec,
                               pipeline::CreatedTableProperties());
    if (!table.has_value() && table.error().code == ErrorCode::kAlreadyExists) {
      std::cout << id.ToString() << " already exists\n";
      continue;
    }
    if (!table.has_value()) return std::unexpected(table.error());
    std::cout << "created " << id.ToString() << " at " << table->metadata().location << "\n";
  }
  return Ok();
}

Status List(const GlobalOptions& globals) {
  CS_ASSIGN_OR_RETURN(auto catalog, OpenCatalogForReading(globals));
  CS_ASSIGN_OR_RETURN(auto namespaces, catalog->ListNamespaces());
  for (const auto& ns : namespaces) {
    CS_ASSIGN_OR_RETURN(auto tables, catalog->ListTables(ns));
    for (const auto& id : tables) std::cout << id.ToString() << "\n";
  }
  return Ok();
}

Status Describe(const GlobalOptions& globals, const std::string& name) {
  CS_ASSIGN_OR_RETURN(auto catalog, OpenCatalogForReading(globals));
  CS_ASSIGN_OR_RETURN(auto table, LoadNamedTable(*catalog, name));
  const auto& m = table.metadata();
  std::cout << "table:            " << table.id().ToString() << "\n"
            << "location:         " << m.location << "\n"
            << "metadata:         " << table.metadata_location() << "\n"
            << "format-version:   " << m.format_version << "\n"
            << "table-uuid:       " << m.table_uuid << "\n"
            << "last-updated:     " << IsoTime(m.last_updated_ms) << "\n";
  CS_ASSIGN_OR_RETURN(auto schema, m.CurrentSchemaJson());
  std::cout << "schema " << m.current_schema_id << ":\n";
  for (const auto& f : schema.value("fields", nlohmann::json::array())) {
    std::string type = f["type"].is_string() ? f["type"].get<std::string>() : f["type"].dump();
    std::cout << "  " << f.value("id", 0) << "  " << f.value("name", "") << "  " << type
              << (f.value("required", false) ? "  required" : "") << "\n";
  }
  CS_ASSIGN_OR_RETURN(auto spec, m.DefaultSpec());
  std::cout << "partition spec " << spec.spec_id << ":"
            << (spec.fields.empty() ? " unpartitioned" : "") << "\n";
  for (const auto& f : spec.fields) {
    std::cout << "  " << f.field_id << "  " << f.name << " = " << f.transform << "(source "
              << f.source_id << ")\n";
  }
  std::cout << "properties:" << (m.properties.empty() ? " none" : "") << "\n";
  for (const auto& [key, value] : m.properties) std::cout << "  " << key << " = " << value << "\n";
  if (const auto* s = m.CurrentSnapshot()) {
    std::cout << "current snapshot: " << s->snapshot_id << " (sequence " << s->sequence_number
              << ", " << IsoTime(s->timestamp_ms) << ")\n"
              << "total-records:    " << SummaryValue(*s, "total-records") << "\n"
              << "total-data-files: " << SummaryValue(*s, "total-data-files") << "\n"
              << "snapshots:        " << m.snapshots.size() << "\n";
  } else {
    std::cout << "current snapshot: none (empty table)\n";
  }
  return Ok();
}

Status Snapshots(const GlobalOptions& globals, const std::string& name) {
  CS_ASSIGN_OR_RETURN(auto catalog, OpenCatalogForReading(globals));
  CS_ASSIGN_OR_RETURN(auto table, LoadNamedTable(*catalog, name));
  static const std::set<std::string> kShown = {"operation", "added-records", "total-records",
                                               "added-data-files", "total-data-files"};
  std::printf("%-4s %-20s %-24s %-9s %13s %13s %6s  %s\n", "seq", "snapshot-id", "committed",
              "operation", "added-records", "total-records", "files", "other summary");
  for (const auto& s : table.metadata().snapshots) {
    std::string other;
    for (const auto& [key, value] : s.summary) {
      if (kShown.contains(key) || key.starts_with("total-") || key.starts_with("added-") ||
          key == "changed-partition-count") {
        continue;
      }
      other += (other.empty() ? "" : " ") + key + "=" + value;
    }
    std::printf("%-4lld %-20lld %-24s %-9s %13s %13s %6s  %s\n",
                static_cast<long long>(s.sequence_number), static_cast<long long>(s.snapshot_id),
                IsoTime(s.timestamp_ms).c_str(), SummaryValue(s, "operation").c_str(),
                SummaryValue(s, "added-records").c_str(), SummaryValue(s, "total-records").c_str(),
                SummaryValue(s, "added-data-files").c_str(), other.c_str());
  }
  return Ok();
}

Status Files(const GlobalOptions& globals, const std::string& name) {
  CS_ASSIGN_OR_RETURN(auto catalog, OpenCatalogForReading(globals));
  CS_ASSIGN_OR_RETURN(auto table, LoadNamedTable(*catalog, name));
  CS_ASSIGN_OR_RETURN(auto files, table.CurrentFiles());
  CS_ASSIGN_OR_RETURN(auto spec, table.metadata().DefaultSpec());
  std::printf("%10s %12s %5s  %-24s %s\n", "records", "bytes", "seq", "partition", "path");
  for (const auto& e : files) {
    std::string partition;
    for (std::size_t i = 0; i < e.data_file.partition.size(); ++i) {
      if (i > 0) partition += ",";
      if (i < spec.fields.size()) partition += spec.fields[i].name + "=";
      partition += LiteralText(e.data_file.partition[i]);
    }
    std::printf("%10lld %12lld %5lld  %-24s %s\n", static_cast<long long>(e.data_file.record_count),
                static_cast<long long>(e.data_file.file_size_in_bytes),
                static_cast<long long>(e.sequence_number.value_or(0)),
                partition.empty() ? "-" : partition.c_str(), e.data_file.file_path.c_str());
  }
  return Ok();
}

Status Load(const GlobalOptions& globals, const std::string& name, const std::string& path) {
  CS_ASSIGN_OR_RETURN(auto id, AsUsage(catalog::ParseTableIdentifier(name)));
  CS_ASSIGN_OR_RETURN(auto catalog, OpenCatalog(globals));
  auto table = Table::Load(*catalog, id);
  if (!table.has_value() && table.error().code == ErrorCode::kNotFound) {
    // A contract table is created on first load, as the processor does.
    if (const auto* def = FindContractTable(id)) {
      table = Table::Create(*catalog, globals.Warehouse(), id, def->schema, def->spec,
                            pipeline::CreatedTableProperties());
      if (!table.has_value() && table.error().code == ErrorCode::kAlreadyExists) {
        table = Table::Load(*catalog, id);
      }
    }
  }
  if (!table.has_value()) return std::unexpected(table.error());
  CS_ASSIGN_OR_RETURN(auto report, pipeline::LoadNdjson(*table, path));
  const pipeline::NdjsonBatch& batch = report.batch;
  for (const auto& bad : batch.bad_lines) {
    std::cerr << path << ":" << bad.line_number << ": bad event: " << bad.reason << "\n";
  }
  if (batch.bad_count > static_cast<int64_t>(batch.bad_lines.size())) {
    std::cerr << "(" << batch.bad_count - static_cast<int64_t>(batch.bad_lines.size())
              << " more bad lines not listed)\n";
  }
  if (!report.snapshot_id) {
    std::cout << "no events in " << path << "; " << batch.bad_count
              << " bad lines; no snapshot committed\n";
    return Ok();
  }
  std::cout << "loaded " << batch.rows << " events from " << path << " into " << id.ToString()
            << ": snapshot " << *report.snapshot_id << ", " << batch.files.size() << " data files, "
            << batch.bad_count << " bad lines\n";
  return Ok();
}

}  // namespace

void AddTablesCommand(CLI::App& root, const GlobalOptions& globals, int& exit_code) {
  CLI::App* tables = root.add_subcommand(
      "tables", "Create, inspect and load the project's Iceberg tables in the SQLite catalog");
  tables->require_subcommand(1);

  auto run = [&exit_code](const Status& status) {
    exit_code = status.has_value() ? kExitOk : ReportError(status.error());
  };

  // Flag storage lives as long as the callbacks that read it.
  struct Args {
    std::vector<std::string> names;
    std::string table;
    std::string file;
  };
  auto args = std::make_shared<Args>();
  CLI::App* create = tables->add_subcommand(
      "create", "Create contract tables (default website.clicks); existing ones are left as is");
  create->add_option("tables", args->names, "Tables to create: " + ContractTableNames());
  create->callback([&globals, args, run] { run(Create(globals, args->names)); });

  tables->add_subcommand("list", "List every table of the catalog")->callback([&globals, run] {
    run(List(globals));
  });

  CLI::App* describe =
      tables->add_subcommand("describe", "Schema, partition spec, location and current snapshot");
  describe->add_option("table", args->table, "namespace.table")->required();
  describe->callback([&globals, args, run] { run(Describe(globals, args->table)); });

  CLI::App* snapshots =
      tables->add_subcommand("snapshots", "Every snapshot with its summary (oldest first)");
  snapshots->add_option("table", args->table, "namespace.table")->required();
  snapshots->callback([&globals, args, run] { run(Snapshots(globals, args->table)); });

  CLI::App* files = tables->add_subcommand("files", "Data files of the current snapshot");
  files->add_option("table", args->table, "namespace.table")->required();
  files->callback([&globals, args, run] { run(Files(globals, args->table)); });

  CLI::App* load = tables->add_subcommand(
      "load", "Append the events of an NDJSON file (as `produce --stdout` writes) as one snapshot");
  load->add_option("table", args->table, "namespace.table")->required();
  load->add_option("file", args->file, "NDJSON file, one event per line")->required();
  load->callback([&globals, args, run] { run(Load(globals, args->table, args->file)); });

  AddTablesCompactionCommands(*tables, globals, exit_code);
  AddTableLifecycleCommands(*tables, globals, exit_code);
}

}  // namespace clickstream::cli
