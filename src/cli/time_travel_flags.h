#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "analysis/lakehouse_views.h"

namespace clickstream::cli {

// `--snapshot ID` / `--as-of TIMESTAMP` of `clickstream sql` and `clickstream query`; at most one.
inline void AddTimeTravelFlags(CLI::App& cmd, analysis::TimeTravel& travel) {
  auto* snapshot =
      cmd.add_option("--snapshot", travel.snapshot_id,
                     "Read the table that has this snapshot id as of that snapshot (time travel)");
  cmd.add_option("--as-of", travel.as_of,
                 "Read every table as it was at this time, e.g. 2026-11-23T22:55:00Z (UTC when no "
                 "offset is given)")
      ->excludes(snapshot);
}

}  // namespace clickstream::cli
