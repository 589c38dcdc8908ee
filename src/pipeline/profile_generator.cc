#include "pipeline/profile_generator.h"

#include <array>
#include <string_view>

#include "events/random.h"
#include "iceberg/partitioned_writer.h"
#include "iceberg/table.h"
#include "pipeline/click_tables.h"

namespace clickstream::pipeline {

namespace {

constexpr std::array<std::string_view, 24> kFirstNames = {
    "Ada",   "Alan",  "Barbara", "Claude", "Donald", "Edsger",   "Frances", "Grace",
    "Hedy",  "Ivan",  "Jean",    "Ken",    "Linus",  "Margaret", "Niklaus", "Ole",
    "Radia", "Robin", "Shafi",   "Tim",    "Tony",   "Ursula",   "Vint",    "Whitfield"};
constexpr std::array<std::string_view, 24> kLastNames = {
    "Allen",      "Backus",   "Cerf",    "Dijkstra",   "Engelbart", "Floyd",
    "Goldwasser", "Hopper",   "Iverson", "Johnson",    "Kahn",      "Lamport",
    "Liskov",     "McCarthy", "Naur",    "Ousterhout", "Perlman",   "Ritchie",
    "Stroustrup", "Thompson", "Ullman",  "Valiant",    "Wirth",     "Yao"};
constexpr std::array<std::string_view, 20> kLocations = {
    "Amsterdam", "Berlin", "Bogota", "Cairo",  "Chicago", "Dublin",   "Jakarta",
    "Lagos",     "Lisbon", "London", "Madrid", "Mumbai",  "Nairobi",  "New York",
    "Paris",     "Seoul",  "Sydney", "Tokyo",  "Toronto", "Sao Paulo"};

}  // namespace

UserProfile GenerateProfile(uint64_t seed, int64_t index) {
  // One generator per user, so a profile does not depend on how many others are generated.
  events::DeterministicRandom random(seed * 0x9E3779B97F4A7C15ULL + static_cast<uint64_t>(index));
  UserProfile profile;
  profile.name = std::string(kFirstNames[random.Below(kFirstNames.size())]) + " " +
                 std::string(kLastNames[random.Below(kLastNames.size())]);
  profile.location = std::string(kLocations[random.Below(kLocations.size())]);
  return profile;
}

Result<ProfilesWritten> GenerateProfiles(catalog::Catalog& catalog, const std::string& warehouse,
                                         const catalog::TableIdentifier& id, int64_t users,
                                         uint64_t seed) {
  if (users < 1) return InvalidArgument("--users must be at least 1");
  const TableDefinition& definition = UserProfilesTable();
  Result<iceberg::Table> table = iceberg::Table::Load(catalog, id);
  if (!table && table.error().code == ErrorCode::kNotFound) {
    table = iceberg::Table::Create(catalog, warehouse, id, definition.schema, definition.spec,
                                   CreatedTableProperties());
  }
  if (!table) return std::unexpected(table.error().WithContext("opening " + id.ToString()));
  CS_ASSIGN_OR_RETURN(auto existing, ProfileDirectory::Open(catalog, id));
  CS_ASSIGN_OR_RETURN(iceberg::Schema schema, table->metadata().CurrentSchema());
  CS_ASSIGN_OR_RETURN(iceberg::PartitionSpec spec, table->metadata().DefaultSpec());
  CS_ASSIGN_OR_RETURN(auto writer,
                      iceberg::PartitionedWriter::Make(schema, spec, table->metadata().location));

  ProfilesWritten written;
  std::string user_id;
  for (int64_t index = 1; index <= users; ++index) {
    user_id = "user_" + std::to_string(index);
    if (existing->Find(user_id) != nullptr) {
      ++written.existing;
      continue;
    }
    const UserProfile profile = GenerateProfile(seed, index);
    const std::array<iceberg::Value, 3> row{std::string_view(user_id),
                                            std::string_view(profile.name),
                                            std::string_view(profile.location)};
    if (Status appended = writer->Append(row); !appended) {
      writer->Abort();
      return std::unexpected(appended.error());
    }
    ++written.added;
  }
  if (written.added == 0) return written;
  Result<std::vector<iceberg::DataFile>> files = writer->Close();
  if (!files) {
    writer->Abort();
    return std::unexpected(files.error());
  }
  iceberg::AppendOptions append;
  append.summary["clickstream.profiles-seed"] = std::to_string(seed);
  CS_ASSIGN_OR_RETURN(iceberg::Snapshot snapshot, table->Append(*files, append));
  written.snapshot_id = snapshot.snapshot_id;
  return written;
}

}  // namespace clickstream::pipeline
