#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "catalog/catalog.h"
#include "common/result.h"

namespace clickstream::pipeline {

struct UserProfile {
  std::string name;
  std::string location;
};

// Hashes std::string and std::string_view alike, so lookups by view allocate nothing.
struct TransparentStringHash {
  using is_transparent = void;
  size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};
using ProfileMap =
    std::unordered_map<std::string, UserProfile, TransparentStringHash, std::equal_to<>>;

// The user profiles table held in memory for the enrichment join, keyed by user_id. Refresh picks
// up a new snapshot of the table (or its creation) without a restart. v2 row-level deletes are
// applied: position deletes (what Spark's UPDATE, DELETE and MERGE write in merge-on-read mode) and
// equality deletes on the profile columns (what Flink's upserts write).
class ProfileDirectory {
 public:
  // Reads the table's current snapshot; a table that does not exist yet reads as empty.
  static Result<std::unique_ptr<ProfileDirectory>> Open(catalog::Catalog& catalog,
                                                        catalog::TableIdentifier id);
  // An empty directory that reads the table at the first Refresh.
  static std::unique_ptr<ProfileDirectory> Unread(catalog::Catalog& catalog,
                                                  catalog::TableIdentifier id);

  // Re-reads the table when its current metadata changed since the last read; cheap otherwise
  // (one catalog lookup). On error the profiles are those of the last good read, and the same
  // metadata is not read again: the same error comes back until the table changes.
  Status Refresh();

  // The profile of `user_id`, or nullptr when there is none.
  const UserProfile* Find(std::string_view user_id) const;
  size_t size() const { return profiles_.size(); }
  // The snapshot the profiles come from; nullopt for a missing or empty table.
  std::optional<int64_t> snapshot_id() const { return snapshot_id_; }

 private:
  ProfileDirectory(catalog::Catalog& catalog, catalog::TableIdentifier id)
      : catalog_(catalog), id_(std::move(id)) {}
  Status Read(const std::string& metadata_location);

  catalog::Catalog& catalog_;
  catalog::TableIdentifier id_;
  std::string metadata_location_;
  std::optional<int64_t> snapshot_id_;
  bool loaded_ = false;  // a snapshot (or its absence) was read
  ProfileMap profiles_;
  std::string failed_location_;  // metadata whose profiles could not be read, and why
  std::optional<Error> failed_;
};

}  // namespace clickstream::pipeline
