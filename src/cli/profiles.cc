// `clickstream profiles generate`: the user_profiles table the enrichment join reads.
#include <cstdio>
#include <memory>
#include <string>

#include "catalog/identifier.h"
#include "catalog/open_catalog.h"
#include "cli/command.h"
#include "pipeline/click_tables.h"
#include "pipeline/profile_generator.h"

namespace clickstream::cli {
namespace {

struct ProfilesFlags {
  int64_t users = 1000;
  uint64_t seed = 42;
  std::string table = "website.user_profiles";
};

Status Generate(const ProfilesFlags& flags, const GlobalOptions& globals) {
  CS_ASSIGN_OR_RETURN(catalog::TableIdentifier id,
                      AsUsage(catalog::ParseTableIdentifier(flags.table)));
  CS_ASSIGN_OR_RETURN(auto catalog, catalog::OpenCatalog(globals.catalog));
  CS_ASSIGN_OR_RETURN(
      pipeline::ProfilesWritten written,
      pipeline::GenerateProfiles(*catalog, globals.Warehouse(), id, flags.users, flags.seed));
  if (written.snapshot_id) {
    std::printf("profiles: added %lld profiles to %s in snapshot %lld (%lld already there)\n",
                static_cast<long long>(written.added), flags.table.c_str(),
                static_cast<long long>(*written.snapshot_id),
                static_cast<long long>(written.existing));
  } else {
    std::printf("profiles: %s already has all %lld profiles; nothing added\n", flags.table.c_str(),
                static_cast<long long>(written.existing));
  }
  return Ok();
}

}  // namespace

void AddProfilesCommand(CLI::App& root, const GlobalOptions& globals, int& exit_code) {
  CLI::App* cmd = root.add_subcommand("profiles", "User profiles for the enrichment join");
  cmd->require_subcommand(1);
  auto flags = std::make_shared<ProfilesFlags>();
  CLI::App* generate = cmd->add_subcommand(
      "generate",
      "Add a generated profile (name, location) for each of user_1 .. user_<users> that has none");
  generate->add_option("--users", flags->users, "Number of users (ids user_1 .. user_<users>)")
      ->capture_default_str();
  generate->add_option("--seed", flags->seed, "Seed of the generated names and locations")
      ->capture_default_str();
  generate->add_option("--table", flags->table, "Profiles table (namespace.table)")
      ->check(NameValue())
      ->capture_default_str();
  generate->callback([flags, &globals, &exit_code] {
    if (Status status = Generate(*flags, globals); !status) exit_code = ReportError(status.error());
  });
}

}  // namespace clickstream::cli
