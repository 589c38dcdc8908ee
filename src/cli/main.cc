// The one binary: `clickstream <subcommand> [flags]`. Parsing only; each subcommand lives in its
// own file and every piece of work in a subsystem library.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/command.h"

namespace clickstream::cli {

namespace {

int Main(int argc, char** argv) {
  CLI::App app{
      "clickstream: website click events from Kafka into Apache Iceberg tables, exactly once.\n"
      "Produce events, process them into Iceberg, and query the tables with SQL.",
      "clickstream"};
  app.require_subcommand(1);
  app.fallthrough();
  app.set_version_flag("--version", "clickstream 0.1.0");

  GlobalOptions globals;
  app.add_option("--brokers", globals.brokers, "Kafka bootstrap servers")
      ->envname("CLICKSTREAM_BROKERS")
      ->check(NameValue())
      ->capture_default_str();
  app.add_option("--catalog", globals.catalog,
                 "Iceberg catalog: a SQLite file, or http(s)://... for an Iceberg REST catalog")
      ->envname("CLICKSTREAM_CATALOG")
      ->check(NameValue())
      ->capture_default_str();
  app.add_option("--warehouse", globals.warehouse,
                 "Where new tables go: a directory or s3://bucket/prefix (default: "
                 "lakehouse/warehouse for a SQLite catalog, the REST catalog's own warehouse)")
      ->envname("CLICKSTREAM_WAREHOUSE")
      ->check(NameValue());

  int exit_code = kExitOk;
  AddProduceCommand(app, globals, exit_code);
  AddProcessCommand(app, globals, exit_code);
  AddProfilesCommand(app, globals, exit_code);
  AddTablesCommand(app, globals, exit_code);
  AddQueryCommand(app, globals, exit_code);
  AddSqlCommand(app, globals, exit_code);
  AddReportCommand(app, globals, exit_code);
  AddMaintainCommand(app, globals, exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "clickstream: " << e.what() << " (see --help)\n";
    return kExitUsage;
  }
  return exit_code;
}

}  // namespace
}  // namespace clickstream::cli

int main(int argc, char** argv) { return clickstream::cli::Main(argc, argv); }
