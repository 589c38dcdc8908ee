#include "iceberg/table_update.h"

#include <algorithm>
#include <charconv>
#include <set>
#include <unordered_set>

namespace clickstream::iceberg {

namespace {

std::string Describe(const std::optional<int64_t>& id) {
  return id ? "snapshot " + std::to_string(*id) : "no snapshot";
}

std::optional<int64_t> RefSnapshot(const TableMetadata& metadata, const std::string& ref) {
  if (ref == "main" && !metadata.refs.contains("main")) return metadata.current_snapshot_id;
  auto it = metadata.refs.find(ref);
  if (it == metadata.refs.end() || !it->is_object() || !it->contains("snapshot-id")) {
    return std::nullopt;
  }
  return it->at("snapshot-id").get<int64_t>();
}

Status Apply(TableMetadata& m, const AddSnapshot& u) {
  if (m.FindSnapshot(u.snapshot.snapshot_id) != nullptr) {
    return Conflict("snapshot " + std::to_string(u.snapshot.snapshot_id) + " already exists");
  }
  if (m.format_version >= 2 && u.snapshot.sequence_number <= m.last_sequence_number &&
      u.snapshot.parent_snapshot_id.has_value()) {
    return Conflict("snapshot sequence number " + std::to_string(u.snapshot.sequence_number) +
                    " is not above the table's last sequence number " +
                    std::to_string(m.last_sequence_number));
  }
  m.snapshots.push_back(u.snapshot);
  m.last_sequence_number = std::max(m.last_sequence_number, u.snapshot.sequence_number);
  m.last_updated_ms = std::max(m.last_updated_ms, u.snapshot.timestamp_ms);
  return Ok();
}

Status Apply(TableMetadata& m, const SetSnapshotRef& u) {
  const Snapshot* snapshot = m.FindSnapshot(u.snapshot_id);
  if (snapshot == nullptr) {
    return InvalidArgument("ref " + u.ref + " cannot point at unknown snapshot " +
                           std::to_string(u.snapshot_id));
  }
  nlohmann::json ref = m.refs.contains(u.ref) ? m.refs[u.ref] : nlohmann::json::object();
  ref["snapshot-id"] = u.snapshot_id;
  ref["type"] = u.type;
  m.refs[u.ref] = ref;
  if (u.ref == "main") {
    m.current_snapshot_id = u.snapshot_id;
    m.snapshot_log.push_back({snapshot->timestamp_ms, u.snapshot_id});
  }
  return Ok();
}

// Statistics entries ("statistics", "partition-statistics") of removed snapshots go with them.
void RemoveStatistics(nlohmann::json& extra, const std::unordered_set<int64_t>& removed) {
  for (const char* key : {"statistics", "partition-statistics"}) {
    auto it = extra.find(key);
    if (it == extra.end() || !it->is_array()) continue;
    nlohmann::json kept = nlohmann::json::array();
    for (const auto& entry : *it) {
      bool drop = entry.is_object() && entry.contains("snapshot-id") &&
                  entry["snapshot-id"].is_number_integer() &&
                  removed.contains(entry["snapshot-id"].get<int64_t>());
      if (!drop) kept.push_back(entry);
    }
    *it = kept;
  }
}

Status Apply(TableMetadata& m, const RemoveSnapshots& u) {
  std::unordered_set<int64_t> removed(u.snapshot_ids.begin(), u.snapshot_ids.end());
  if (m.current_snapshot_id && removed.contains(*m.current_snapshot_id)) {
    return InvalidArgument("the current snapshot " + std::to_string(*m.current_snapshot_id) +
                           " cannot be removed");
  }
  std::erase_if(m.snapshots, [&](const Snapshot& s) { return removed.contains(s.snapshot_id); });
  for (auto it = m.refs.begin(); it != m.refs.end();) {
    bool drop = it->is_object() && it->contains("snapshot-id") &&
                removed.contains((*it)["snapshot-id"].get<int64_t>());
    it = drop ? m.refs.erase(it) : std::next(it);
  }
  // Any entry of a missing snapshot invalidates the history before it (Java's updateSnapshotLog).
  std::vector<SnapshotLogEntry> log;
  for (const auto& entry : m.snapshot_log) {
    if (m.FindSnapshot(entry.snapshot_id) == nullptr) {
      log.clear();
    } else {
      log.push_back(entry);
    }
  }
  m.snapshot_log = std::move(log);
  RemoveStatistics(m.extra, removed);
  return Ok();
}

Status Apply(TableMetadata& m, const SetProperties& u) {
  for (const auto& [key, value] : u.updates) m.properties[key] = value;
  return Ok();
}

Status Apply(TableMetadata& m, const RemoveProperties& u) {
  for (const auto& key : u.removals) m.properties.erase(key);
  return Ok();
}

}  // namespace

TableChange& TableChange::Require(TableRequirement requirement) {
  requirements.push_back(std::move(requirement));
  return *this;
}

TableChange& TableChange::Update(TableUpdate update) {
  updates.push_back(std::move(update));
  return *this;
}

Status CheckRequirements(const TableMetadata& base,
                         std::span<const TableRequirement> requirements) {
  for (const auto& requirement : requirements) {
    if (const auto* uuid = std::get_if<AssertTableUuid>(&requirement)) {
      if (uuid->uuid != base.table_uuid) {
        return Conflict("the table's uuid is " + base.table_uuid + ", not " + uuid->uuid +
                        ": it was dropped and created again");
      }
    } else if (const auto* ref = std::get_if<AssertRefSnapshotId>(&requirement)) {
      std::optional<int64_t> actual = RefSnapshot(base, ref->ref);
      if (actual != ref->snapshot_id) {
        return Conflict("branch " + ref->ref + " is at " + Describe(actual) + ", not at " +
                        Describe(ref->snapshot_id) + ": another writer committed first");
      }
    }
  }
  return Ok();
}

Result<TableMetadata> ApplyTableChange(const TableMetadata& base, std::string_view base_location,
                                       const TableChange& change) {
  CS_RETURN_IF_ERROR(CheckRequirements(base, change.requirements));
  TableMetadata next = base;
  for (const auto& update : change.updates) {
    CS_RETURN_IF_ERROR(std::visit([&](const auto& u) { return Apply(next, u); }, update));
  }
  next.last_updated_ms = std::max({next.last_updated_ms, base.last_updated_ms, NowMillis()});
  if (!base_location.empty()) {
    next.metadata_log.push_back({base.last_updated_ms, std::string(base_location)});
  }
  auto keep = static_cast<size_t>(std::max<int64_t>(
      1, PropertyAsLong(next, kMetadataPreviousVersionsMax, kDefaultMetadataPreviousVersionsMax)));
  if (next.metadata_log.size() > keep) {
    next.metadata_log.erase(next.metadata_log.begin(), next.metadata_log.end() - keep);
  }
  return next;
}

std::vector<std::string> DroppedMetadataFiles(const TableMetadata& base,
                                              std::string_view /*base_location*/,
                                              const TableMetadata& next) {
  std::set<std::string> kept;
  for (const auto& entry : next.metadata_log) kept.insert(entry.metadata_file);
  std::vector<std::string> dropped;
  for (const auto& entry : base.metadata_log) {
    if (!kept.contains(entry.metadata_file)) dropped.push_back(entry.metadata_file);
  }
  return dropped;
}

nlohmann::json RequirementsToJson(std::span<const TableRequirement> requirements) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& requirement : requirements) {
    if (const auto* uuid = std::get_if<AssertTableUuid>(&requirement)) {
      out.push_back({{"type", "assert-table-uuid"}, {"uuid", uuid->uuid}});
    } else if (const auto* ref = std::get_if<AssertRefSnapshotId>(&requirement)) {
      nlohmann::json id = ref->snapshot_id ? nlohmann::json(*ref->snapshot_id) : nlohmann::json();
      out.push_back({{"type", "assert-ref-snapshot-id"}, {"ref", ref->ref}, {"snapshot-id", id}});
    }
  }
  return out;
}

nlohmann::json UpdatesToJson(std::span<const TableUpdate> updates) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& update : updates) {
    if (const auto* add = std::get_if<AddSnapshot>(&update)) {
      out.push_back({{"action", "add-snapshot"}, {"snapshot", SnapshotToJson(add->snapshot)}});
    } else if (const auto* ref = std::get_if<SetSnapshotRef>(&update)) {
      out.push_back({{"action", "set-snapshot-ref"},
                     {"ref-name", ref->ref},
                     {"type", ref->type},
                     {"snapshot-id", ref->snapshot_id}});
    } else if (const auto* remove = std::get_if<RemoveSnapshots>(&update)) {
      out.push_back({{"action", "remove-snapshots"}, {"snapshot-ids", remove->snapshot_ids}});
    } else if (const auto* set = std::get_if<SetProperties>(&update)) {
      out.push_back({{"action", "set-properties"}, {"updates", set->updates}});
    } else if (const auto* unset = std::get_if<RemoveProperties>(&update)) {
      out.push_back({{"action", "remove-properties"}, {"removals", unset->removals}});
    }
  }
  return out;
}

int64_t PropertyAsLong(const TableMetadata& metadata, std::string_view key, int64_t fallback) {
  auto it = metadata.properties.find(std::string(key));
  if (it == metadata.properties.end()) return fallback;
  int64_t value = 0;
  const std::string& text = it->second;
  auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (err != std::errc() || end != text.data() + text.size()) return fallback;
  return value;
}

bool PropertyAsBool(const TableMetadata& metadata, std::string_view key, bool fallback) {
  auto it = metadata.properties.find(std::string(key));
  if (it == metadata.properties.end()) return fallback;
  std::string value = it->second;
  std::transform(value.begin(), value.end(), value.begin(), ::tolower);
  if (value == "true") return true;
  if (value == "false") return false;
  return fallback;
}

}  // namespace clickstream::iceberg
