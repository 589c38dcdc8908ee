#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "catalog/catalog.h"
#include "common/result.h"
#include "pipeline/profile_directory.h"

namespace clickstream::pipeline {

// The profile of user_<index> (the producer's user ids are user_1 .. user_<users>) for `seed`: a
// name and a city, the same for a seed and an index however many users are generated.
UserProfile GenerateProfile(uint64_t seed, int64_t index);

struct ProfilesWritten {
  int64_t added = 0;                   // profiles appended by this call
  int64_t existing = 0;                // user ids that already had a profile
  std::optional<int64_t> snapshot_id;  // the snapshot that added them; nullopt when none was needed
};

// Makes sure the profiles table (created when missing, see UserProfilesTable) holds a profile for
// each of user_1 .. user_<users>: the missing ones are appended as one snapshot; existing rows are
// never changed, so every user_id stays unique and a second run is a no-op.
Result<ProfilesWritten> GenerateProfiles(catalog::Catalog& catalog, const std::string& warehouse,
                                         const catalog::TableIdentifier& id, int64_t users,
                                         uint64_t seed);

}  // namespace clickstream::pipeline
