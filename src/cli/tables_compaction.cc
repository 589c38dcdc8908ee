// `clickstream tables rewrite-data-files|rewrite-manifests`: compaction of data files and
// manifests (DESIGN.md "Table maintenance"). Flags and one line of output only; the work is in
// src/maintenance/compaction.h.
#include <chrono>
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "catalog/identifier.h"
#include "catalog/open_catalog.h"
#include "cli/command.h"
#include "cli/table_loading.h"
#include "iceberg/table.h"
#include "maintenance/compaction.h"

namespace clickstream::cli {
namespace {

struct CompactionArgs {
  std::string table;
  std::string where;
  std::string sort_by;
  int64_t target_file_size_bytes = 0;
  int min_input_files = 5;
  int64_t max_group_bytes = 1LL << 30;
  int64_t row_group_rows = 0;
  int threads = 2;
  bool rewrite_all = false;
};

std::vector<std::string> SplitColumns(const std::string& text) {
  std::vector<std::string> columns;
  std::stringstream in(text);
  for (std::string column; std::getline(in, column, ',');) {
    auto first = column.find_first_not_of(' ');
    auto last = column.find_last_not_of(' ');
    if (first != std::string::npos) columns.push_back(column.substr(first, last - first + 1));
  }
  return columns;
}

std::string Mib(int64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  return text;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Result<iceberg::Table> OpenTable(const GlobalOptions& globals, const std::string& name,
                                 std::unique_ptr<catalog::Catalog>& catalog) {
  CS_RETURN_IF_ERROR(AsUsage(catalog::ParseTableIdentifier(name)));  // before opening anything
  CS_ASSIGN_OR_RETURN(catalog, catalog::OpenCatalog(globals.catalog));
  return LoadNamedTable(*catalog, name);
}

Status RewriteDataFiles(const GlobalOptions& globals, const CompactionArgs& args) {
  auto start = std::chrono::steady_clock::now();
  maintenance::RewriteDataFilesOptions options;
  if (args.target_file_size_bytes > 0) options.target_file_size_bytes = args.target_file_size_bytes;
  options.min_input_files = args.min_input_files;
  options.max_group_bytes = args.max_group_bytes;
  options.rewrite_all = args.rewrite_all;
  options.where = args.where;
  options.sort_by = SplitColumns(args.sort_by);
  // Sorted files get smaller row groups so that their statistics prune one key's rows.
  options.row_group_rows = args.row_group_rows > 0   ? args.row_group_rows
                           : options.sort_by.empty() ? int64_t{1} << 20
                                                     : int64_t{16} << 10;
  options.threads = args.threads;
  std::unique_ptr<catalog::Catalog> catalog;
  CS_ASSIGN_OR_RETURN(auto table, OpenTable(globals, args.table, catalog));
  CS_RETURN_IF_ERROR(AsUsage(maintenance::ValidateRewriteOptions(table.metadata(), options)));
  CS_ASSIGN_OR_RETURN(auto r, maintenance::RewriteDataFiles(table, options));
  if (!r.snapshot_id) {
    std::printf("%s: nothing to rewrite (no partition has a group of small files), %.2f s\n",
                table.id().ToString().c_str(), SecondsSince(start));
    return Ok();
  }
  std::printf(
      "%s: rewrote %lld files (%s, %lld rows) into %lld files (%s) in %.2f s; snapshot %lld, "
      "%lld of %lld groups committed%s\n",
      table.id().ToString().c_str(), static_cast<long long>(r.files_rewritten),
      Mib(r.bytes_rewritten).c_str(), static_cast<long long>(r.records),
      static_cast<long long>(r.files_written), Mib(r.bytes_written).c_str(), SecondsSince(start),
      static_cast<long long>(*r.snapshot_id), static_cast<long long>(r.groups_committed),
      static_cast<long long>(r.groups_planned),
      r.groups_dropped > 0 ? " (the others' inputs changed concurrently)" : "");
  return Ok();
}

Status RewriteManifests(const GlobalOptions& globals, const std::string& name) {
  auto start = std::chrono::steady_clock::now();
  std::unique_ptr<catalog::Catalog> catalog;
  CS_ASSIGN_OR_RETURN(auto table, OpenTable(globals, name, catalog));
  CS_ASSIGN_OR_RETURN(auto r, maintenance::RewriteTableManifests(table));
  if (!r.snapshot_id) {
    std::printf("%s: nothing to rewrite (at most one data manifest), %.2f s\n",
                table.id().ToString().c_str(), SecondsSince(start));
    return Ok();
  }
  std::printf("%s: rewrote %lld manifests into %lld (%lld entries) in %.2f s; snapshot %lld\n",
              table.id().ToString().c_str(), static_cast<long long>(r.manifests_replaced),
              static_cast<long long>(r.manifests_created), static_cast<long long>(r.entries),
              SecondsSince(start), static_cast<long long>(*r.snapshot_id));
  return Ok();
}

}  // namespace

void AddTablesCompactionCommands(CLI::App& tables, const GlobalOptions& globals, int& exit_code) {
  auto run = [&exit_code](const Status& status) {
    exit_code = status.has_value() ? kExitOk : ReportError(status.error());
  };
  auto args = std::make_shared<CompactionArgs>();

  CLI::App* files = tables.add_subcommand(
      "rewrite-data-files",
      "Bin-pack the small data files of each partition into files near the target size (one "
      "`replace` snapshot)");
  files->add_option("table", args->table, "namespace.table")->required();
  files->add_option("--where", args->where,
                    "Only partitions matching this filter on partition columns, e.g. "
                    "\"page = '/cart'\" (=, !=, <, <=, >, >=, IN, NOT IN, IS [NOT] NULL, AND)");
  files->add_option("--sort-by", args->sort_by,
                    "Order rows by these columns, e.g. user_id,click_timestamp (ascending, nulls "
                    "first)");
  files->add_option("--target-file-size-bytes", args->target_file_size_bytes,
                    "Size of the new files (default: write.target-file-size-bytes, else 128 MiB)");
  files
      ->add_option("--min-input-files", args->min_input_files,
                   "Rewrite a group of small files only when it has this many")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  files
      ->add_option("--max-group-bytes", args->max_group_bytes,
                   "Input bytes rewritten together (memory and conflict unit)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  files
      ->add_option("--row-group-rows", args->row_group_rows,
                   "Rows per row group (default 1Mi, 16Ki with --sort-by)")
      ->check(CLI::PositiveNumber);
  files->add_option("--threads", args->threads, "File groups rewritten at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  files->add_flag("--all", args->rewrite_all,
                  "Rewrite every selected file, whatever its size (e.g. to apply --sort-by)");
  files->callback([&globals, args, run] { run(RewriteDataFiles(globals, *args)); });

  CLI::App* manifests = tables.add_subcommand(
      "rewrite-manifests",
      "Rewrite the current snapshot's data manifests into few, partition-clustered ones");
  manifests->add_option("table", args->table, "namespace.table")->required();
  manifests->callback([&globals, args, run] { run(RewriteManifests(globals, args->table)); });
}

}  // namespace clickstream::cli
