#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/result.h"
#include "iceberg/batch_builder.h"
#include "pipeline/click_tables.h"

namespace clickstream::pipeline {

// Next offset per Kafka partition; nullopt for a partition read from its beginning that has
// delivered nothing yet.
using Positions = std::map<int32_t, std::optional<int64_t>>;

// What one TableSink::Commit did.
struct SinkCommit {
  bool committed = false;  // a snapshot was committed
  int64_t rows = 0;        // rows it added
  int64_t files = 0;       // data files it added
  // The new snapshot's summary (Iceberg spec "Snapshots": total-data-files, total-records, ...).
  std::map<std::string, std::string> summary = {};
  int64_t bytes = 0;  // their size
  // The next offsets it recorded, per partition that moved (what Settle takes as the records).
  std::map<int32_t, int64_t> records = {};
};

// One table the processor writes: the rows buffered for the next commit and, per assigned Kafka
// partition, the next offset the table records for the processor's group and topic. Commits are
// fenced on those offsets (DESIGN.md "Delivery guarantee"): a commit covering [a, b) of a
// partition succeeds only while the table still records a (or nothing, when a is the beginning).
class TableSink {
 public:
  // Loads the table, creating it (and its namespace) from `definition` when it does not exist.
  static Result<std::unique_ptr<TableSink>> Open(catalog::Catalog& catalog,
                                                 const std::string& warehouse,
                                                 const catalog::TableIdentifier& id,
                                                 const TableDefinition& definition,
                                                 std::string group, std::string topic);
  // Checks, creating nothing, that the table does not exist yet or has the definition's columns,
  // so a caller can validate every table before it creates the first one.
  static Status CheckExisting(catalog::Catalog& catalog, const catalog::TableIdentifier& id,
                              const TableDefinition& definition);
  ~TableSink();

  const std::string& name() const { return name_; }

  // Buffers one row for the next commit (one value per column of the table's schema).
  Status Append(std::span<const iceberg::Value> row);
  int64_t pending_rows() const;
  int64_t pending_bytes() const;

  // The next offset this table records for `partition`, as last read or committed.
  std::optional<int64_t> recorded(int32_t partition) const;
  // True when the message at `offset` is not yet in the table, so the sink must take its row.
  bool Accepts(int32_t partition, int64_t offset) const {
    std::optional<int64_t> next = recorded(partition);
    return !next || offset >= *next;
  }

  // Re-reads the table and takes what it records for `partitions` as the truth.
  Status Reload(std::span<const int32_t> partitions);
  // Stops tracking partitions this processor no longer owns.
  void Forget(std::span<const int32_t> partitions);

  // Writes the pending rows as data files and commits them as one snapshot whose summary records
  // the next offset of every partition in `positions` that moved past the table's record. Does
  // nothing (committed = false) without pending rows. kConflict when fenced: another writer moved
  // one of the partitions on; the pending rows are dropped, their files deleted, and Reload is
  // needed before reading on. After any other error the pending rows are gone too and Reload is
  // needed before reading on; the files are deleted unless the commit's outcome is unknown
  // (kCommitStateUnknown: it may have landed, so they stay). Seal, Publish and Settle in a row.
  Result<SinkCommit> Commit(const Positions& positions);

  // Commit in three steps, so that reading goes on while a batch is committed (the processor's
  // pipelined commits). Seal takes the pending rows and the offsets `positions` gives them out
  // of the sink: Append starts the next batch at once. False when nothing is pending; at most one
  // batch is sealed at a time. Publish commits the sealed batch, with Commit's outcomes; it may
  // run on another thread while the owner only calls Append, pending_rows, pending_bytes,
  // recorded and Accepts (it touches neither the pending rows nor the records). Settle takes a
  // published commit's offsets as the table's records.
  bool Seal(const Positions& positions);
  Result<SinkCommit> Publish();
  void Settle(const SinkCommit& commit);

  // Records `starts` as the next offsets of their partitions (--reset-offsets after the topic was
  // re-created), in one metadata update without a snapshot, fenced on the records this sink read:
  // kConflict when another processor moved one of them on meanwhile.
  Status ResetOffsets(const std::map<int32_t, int64_t>& starts);

  // Forgets the pending and the sealed rows and deletes their files (after another table's commit
  // was fenced). Not while a Publish runs.
  void DropPending();

 private:
  struct Impl;
  explicit TableSink(std::unique_ptr<Impl> impl);
  // Forgets the sealed batch and deletes its files.
  void DropSealed();
  std::unique_ptr<Impl> impl_;
  std::string name_;
};

}  // namespace clickstream::pipeline
