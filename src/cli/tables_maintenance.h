#pragma once

#include <CLI/CLI.hpp>

#include "cli/command.h"

namespace clickstream::cli {

// `tables health|expire-snapshots|remove-orphan-files`: the table lifecycle subcommands of
// `clickstream tables` (DESIGN.md "Table maintenance"), registered on the `tables` command.
void AddTableLifecycleCommands(CLI::App& tables, const GlobalOptions& globals, int& exit_code);

}  // namespace clickstream::cli
