#pragma once

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "common/result.h"

namespace clickstream::cli {

// Flags every subcommand shares; each also reads an environment variable (DESIGN.md).
struct GlobalOptions {
  std::string brokers = "127.0.0.1:9092";
  std::string catalog = "lakehouse/catalog.db";
  std::string warehouse;  // empty: see Warehouse()

  // Where new tables go: --warehouse / CLICKSTREAM_WAREHOUSE when given; otherwise the REST
  // catalog's own warehouse (empty: the server picks each table's location) or, for a SQLite
  // catalog, lakehouse/warehouse.
  std::string Warehouse() const {
    if (!warehouse.empty()) return warehouse;
    if (catalog.starts_with("http://") || catalog.starts_with("https://")) return {};
    return "lakehouse/warehouse";
  }
};

// Process exit codes (DESIGN.md): 0 success, 1 runtime failure, 2 usage error.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// Prints `error` as one line on stderr and returns the exit code it maps to: 2 for kUsage only,
// 1 for every other error (DESIGN.md: 2 is never a problem found at run time).
inline int ReportError(const Error& error) {
  std::fprintf(stderr, "clickstream: %s\n", error.message.c_str());
  return error.code == ErrorCode::kUsage ? kExitUsage : kExitFailure;
}

// `result` with a kInvalidArgument error turned into kUsage: for calls whose only input is the
// command line (a table name, the SQL text), so a bad argument exits with 2.
template <typename T>
std::expected<T, Error> AsUsage(std::expected<T, Error> result) {
  if (!result.has_value() && result.error().code == ErrorCode::kInvalidArgument) {
    result.error().code = ErrorCode::kUsage;
  }
  return result;
}

// A check for flags that name something (--topic, --group, --table, --catalog, ...): the value
// may be neither empty nor look like a flag, so `--group= --until-caught-up` is a usage error
// instead of a group named "--until-caught-up".
inline CLI::Validator NameValue() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        if (value.empty()) return "the value is empty";
        if (value.starts_with('-')) return "the value '" + value + "' looks like a flag";
        return "";
      },
      "NAME");
}

// Each subcommand registers its flags on `root`; when it is the one chosen, its callback runs the
// command and stores the exit code in `exit_code`. One function per file in src/cli/.
void AddProduceCommand(CLI::App& root, const GlobalOptions& globals, int& exit_code);
void AddProcessCommand(CLI::App& root, const GlobalOptions& globals, int& exit_code);
void AddProfilesCommand(CLI::App& root, const GlobalOptions& globals, int& exit_code);
void AddTablesCommand(CLI::App& root, const GlobalOptions& globals, int& exit_code);
void AddQueryCommand(CLI::App& root, const GlobalOptions& globals, int& exit_code);
void AddSqlCommand(CLI::App& root, const GlobalOptions& globals, int& exit_code);
void AddReportCommand(CLI::App& root, const GlobalOptions& globals, int& exit_code);
// `tables rewrite-data-files|rewrite-manifests` (tables_compaction.cc), under `tables`.
void AddTablesCompactionCommands(CLI::App& tables, const GlobalOptions& globals, int& exit_code);
void AddMaintainCommand(CLI::App& root, const GlobalOptions& globals, int& exit_code);

}  // namespace clickstream::cli
