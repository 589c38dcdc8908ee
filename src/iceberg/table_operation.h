#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "iceberg/table_metadata.h"
#include "iceberg/table_update.h"

namespace clickstream::iceberg {

// One attempt of a commit: its number and the files written for it alone, which the commit path
// deletes when the attempt loses (a manifest list, a merged manifest). Files shared by every
// attempt belong to the operation, which deletes them in Abort.
struct CommitAttempt {
  int number = 0;  // 0 for the first attempt
  std::vector<std::string> files;
};

// A change to a table built on the table as it is: an append, a rewrite, an expiry. Table::Commit
// calls Apply on the freshly read table for every attempt, so each attempt re-validates (an
// append's offset fence, a rewrite's input files) and rebuilds what depends on the base.
class TableOperation {
 public:
  virtual ~TableOperation() = default;
  // What the operation is, for messages ("append", "rewrite-data-files").
  virtual std::string_view name() const = 0;
  // The change to commit on `base` (read from `base_location`). An error aborts the commit and is
  // returned as is; kConflict here means the operation itself no longer applies (no retry).
  virtual Result<TableChange> Apply(const TableMetadata& base, std::string_view base_location,
                                    CommitAttempt& attempt) = 0;
  // Whether this operation's change is already in `current`: asked after a commit whose outcome is
  // unknown (kCommitStateUnknown, a REST catalog that did not answer) before trying again.
  virtual bool Landed(const TableMetadata& /*current*/) const { return false; }
  // After the commit landed, with the committed metadata (an expiry deletes unreachable files).
  virtual void OnCommitted(const TableMetadata& /*committed*/) {}
  // After the commit failed for good: delete files written once for all attempts.
  virtual void Abort() {}
};

// How hard Table::Commit tries when other writers win the compare-and-swap: attempts, and the
// backoff between them (exponential with full jitter).
struct CommitOptions {
  int max_attempts = 100;
  std::chrono::milliseconds initial_backoff{10};
  std::chrono::milliseconds max_backoff{1000};
};

}  // namespace clickstream::iceberg
