#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/result.h"
#include "iceberg/data_file.h"
#include "iceberg/manifest.h"
#include "iceberg/schema.h"
#include "iceberg/table_metadata.h"

namespace clickstream::iceberg {

// Caller-supplied snapshot summary properties (e.g. Kafka offsets, see snapshot_summary.h).
using SummaryProperties = std::map<std::string, std::string>;

// Checks, against the table as freshly re-read before each commit attempt, that the append may
// still happen; an error aborts the append and is returned as is (DESIGN.md "Delivery guarantee").
using CommitCondition = std::function<Status(const TableMetadata& current)>;

struct AppendOptions {
  SummaryProperties summary;
  CommitCondition condition;  // optional
  // Attempts before giving up on compare-and-swap conflicts, and the backoff between them
  // (exponential with full jitter).
  int max_attempts = 100;
  std::chrono::milliseconds initial_backoff{10};
  std::chrono::milliseconds max_backoff{1000};
  // When the current snapshot lists this many data manifests smaller than
  // manifest_merge_max_bytes, they are merged into one (entries kept as EXISTING), so readers
  // open few manifests however many appends came before (Java's commit.manifest.min-count-to-merge
  // and commit.manifest.target-size-bytes).
  int manifest_merge_min_count = 100;
  int64_t manifest_merge_max_bytes = 8 << 20;
};

// The location of a table under a local warehouse: "<absolute warehouse>/<namespace>/<table>".
// Names are validated, so the result is always inside the warehouse.
Result<std::string> TableLocation(const std::string& warehouse, const catalog::TableIdentifier& id);

// An Iceberg table in a catalog: its identifier, current metadata and metadata location.
// Holds a reference to the catalog, which must outlive it. Not thread-safe.
class Table {
 public:
  // Writes the first metadata file under TableLocation and registers it (creating the namespace
  // if needed); kAlreadyExists if the table exists.
  static Result<Table> Create(catalog::Catalog& catalog, const std::string& warehouse,
                              const catalog::TableIdentifier& id, const Schema& schema,
                              const PartitionSpec& spec,
                              std::map<std::string, std::string> properties = {});
  // kNotFound if the table does not exist.
  static Result<Table> Load(catalog::Catalog& catalog, const catalog::TableIdentifier& id);

  const catalog::TableIdentifier& id() const { return id_; }
  const TableMetadata& metadata() const { return metadata_; }
  const std::string& metadata_location() const { return metadata_location_; }
  // "<location>/data", where data files are written.
  std::string DataLocation() const;

  // Re-reads the current metadata from the catalog.
  Status Refresh();

  // Fast append: writes one manifest for `files` and commits one snapshot whose manifest list is
  // that manifest plus the current snapshot's manifests (small ones merged, see AppendOptions). The
  // summary carries the standard totals (spec, "Snapshot Summary") and `options.summary`. On losing
  // the compare-and-swap the table is re-read, `options.condition` re-checked, and the commit
  // re-applied, up to max_attempts. Returns the committed snapshot; on error nothing became
  // visible.
  Result<Snapshot> Append(std::span<const DataFile> files, const AppendOptions& options = {});

  // Live data file entries of the current snapshot, sequence numbers inherited.
  Result<std::vector<ManifestEntry>> CurrentFiles() const;

 private:
  Table(catalog::Catalog& catalog, catalog::TableIdentifier id, std::string metadata_location,
        TableMetadata metadata)
      : catalog_(&catalog),
        id_(std::move(id)),
        metadata_location_(std::move(metadata_location)),
        metadata_(std::move(metadata)) {}

  catalog::Catalog* catalog_;
  catalog::TableIdentifier id_;
  std::string metadata_location_;
  TableMetadata metadata_;
};

}  // namespace clickstream::iceberg
