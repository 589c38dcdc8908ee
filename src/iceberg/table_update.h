#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/result.h"
#include "iceberg/table_metadata.h"

// Iceberg's commit model (REST catalog spec, "TableRequirement" and "TableUpdate"): a commit is a
// list of requirements on the table as it is and a list of updates to it. The SQLite catalog
// applies the updates itself and swaps the metadata location; a REST catalog sends them as they
// are.
namespace clickstream::iceberg {

// assert-table-uuid: the table was not dropped and re-created meanwhile.
struct AssertTableUuid {
  std::string uuid;
};
// assert-ref-snapshot-id: `ref` points at `snapshot_id` (nullopt: `ref` must not exist).
struct AssertRefSnapshotId {
  std::string ref;
  std::optional<int64_t> snapshot_id;
};
using TableRequirement = std::variant<AssertTableUuid, AssertRefSnapshotId>;

// add-snapshot (also raises last-sequence-number to the snapshot's).
struct AddSnapshot {
  Snapshot snapshot;
};
// set-snapshot-ref; for "main" this also sets current-snapshot-id and appends to the snapshot log.
struct SetSnapshotRef {
  std::string ref;
  int64_t snapshot_id = 0;
  std::string type = "branch";
};
// remove-snapshots: drops the snapshots, the refs pointing at them, their statistics files and the
// snapshot-log entries up to the newest removed one (as Java's TableMetadata does).
struct RemoveSnapshots {
  std::vector<int64_t> snapshot_ids;
};
struct SetProperties {
  std::map<std::string, std::string> updates;
};
struct RemoveProperties {
  std::vector<std::string> removals;
};
using TableUpdate =
    std::variant<AddSnapshot, SetSnapshotRef, RemoveSnapshots, SetProperties, RemoveProperties>;

// One atomic commit.
struct TableChange {
  std::vector<TableRequirement> requirements;
  std::vector<TableUpdate> updates;

  // Appending through these (defined out of line) keeps g++ 12's false maybe-uninitialized
  // warning on std::variant moves out of callers.
  TableChange& Require(TableRequirement requirement);
  TableChange& Update(TableUpdate update);
};

// The REST spec's JSON forms: [{"type": "assert-table-uuid", ...}] and
// [{"action": "add-snapshot", ...}], as sent in a CommitTableRequest.
nlohmann::json RequirementsToJson(std::span<const TableRequirement> requirements);
nlohmann::json UpdatesToJson(std::span<const TableUpdate> updates);

// Table properties the commit path reads (Iceberg's names and defaults, "Table Properties").
inline constexpr std::string_view kMetadataDeleteAfterCommit =
    "write.metadata.delete-after-commit.enabled";
inline constexpr std::string_view kMetadataPreviousVersionsMax =
    "write.metadata.previous-versions-max";
inline constexpr int64_t kDefaultMetadataPreviousVersionsMax = 100;

// kConflict naming the first requirement `base` does not meet.
Status CheckRequirements(const TableMetadata& base, std::span<const TableRequirement> requirements);

// The metadata after `change`, or kConflict when a requirement fails / kInvalidArgument when an
// update cannot apply. `base_location` (the metadata file `base` was read from) joins the metadata
// log, which keeps at most write.metadata.previous-versions-max entries; last-updated-ms moves on.
Result<TableMetadata> ApplyTableChange(const TableMetadata& base, std::string_view base_location,
                                       const TableChange& change);

// Metadata files `base` (read from `base_location`) knew of that `next` no longer lists: the old
// files a commit may delete when write.metadata.delete-after-commit.enabled is true.
std::vector<std::string> DroppedMetadataFiles(const TableMetadata& base,
                                              std::string_view base_location,
                                              const TableMetadata& next);

// The value of an integer table property, `fallback` when absent or not a number.
int64_t PropertyAsLong(const TableMetadata& metadata, std::string_view key, int64_t fallback);
bool PropertyAsBool(const TableMetadata& metadata, std::string_view key, bool fallback);

}  // namespace clickstream::iceberg
