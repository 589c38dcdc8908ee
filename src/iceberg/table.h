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
#include "iceberg/snapshot_producer.h"
#include "iceberg/table_metadata.h"
#include "iceberg/table_operation.h"

namespace clickstream::iceberg {

// The location of a table under a warehouse: "<absolute warehouse>/<namespace>/<table>" for a local
// directory, "s3://bucket/prefix/<namespace>/<table>" on S3. Names are validated, so the result is
// always inside the warehouse.
Result<std::string> TableLocation(const std::string& warehouse, const catalog::TableIdentifier& id);

// An Iceberg table in a catalog: its identifier, current metadata and metadata location.
// Holds a reference to the catalog, which must outlive it. Not thread-safe.
class Table {
 public:
  // Writes the first metadata file under TableLocation and registers it (creating the namespace
  // if needed); kAlreadyExists if the table exists. With a REST catalog an empty `warehouse`
  // lets the server pick the location under its own warehouse.
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

  // Commits `operation`: applies it to the table as just re-read, writes the next metadata file
  // and swaps it in with the catalog's compare-and-swap. On losing the swap it re-reads the
  // table, deletes the attempt's files and applies the operation again (which re-validates), up
  // to options.max_attempts. Old metadata files are deleted when the table says so
  // (write.metadata.delete-after-commit.enabled). Returns the committed metadata; on error
  // nothing became visible and the operation's files are deleted.
  Result<TableMetadata> Commit(TableOperation& operation, const CommitOptions& options = {});

  // Fast append (FastAppend) of `files` as one snapshot; returns the committed snapshot.
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

  // Hands one change to the catalog: writes the next metadata file and swaps it in (SQLite), or
  // sends requirements and updates (REST); adopts the committed metadata.
  Status Publish(const TableChange& change);

  catalog::Catalog* catalog_;
  catalog::TableIdentifier id_;
  std::string metadata_location_;
  TableMetadata metadata_;
};

}  // namespace clickstream::iceberg
