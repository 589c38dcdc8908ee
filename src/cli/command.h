#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "common/result.h"

namespace clickstream::cli {

// Flags every subcommand shares; each also reads an environment variable (DESIGN.md).
struct GlobalOptions {
  std::string brokers = "127.0.0.1:9092";
  std::string catalog = "lakehouse/catalog.db";
  std::string warehouse = "lakehouse/warehouse";
};

// Process exit codes (DESIGN.md): 0 success, 1 runtime failure, 2 usage error.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// Prints `error` as one line on stderr and returns the exit code it maps to.
int ReportError(const Error& error);

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
