#pragma once

#include <arrow/type_fwd.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.h"
#include "iceberg/batch_builder.h"
#include "iceberg/data_file.h"
#include "iceberg/parquet_writer.h"
#include "iceberg/schema.h"

namespace clickstream::iceberg {

// Escapes one partition path component as Java's PartitionSpec.partitionToPath does
// (java.net.URLEncoder, UTF-8): letters, digits and ".-*_" stay, space becomes '+', every other
// byte %XX. So page "/products/12" lives under "page=%2Fproducts%2F12".
std::string EscapePartitionPathComponent(std::string_view text);

// Longest escaped partition name or value put in a directory name as it is. A longer one keeps
// its first kPartitionPathPrefixBytes (never splitting a %XX escape) followed by '-' and 16 hex
// digits of a hash of the whole text, so every directory level stays far below the 255-byte
// NAME_MAX of Linux file systems whatever the value. Readers find files through manifests, which
// hold the full value, never through directory names.
inline constexpr std::size_t kMaxPartitionPathComponentBytes = 120;
inline constexpr std::size_t kPartitionPathPrefixBytes = 96;

// `escaped` as it goes into a directory name: unchanged up to kMaxPartitionPathComponentBytes,
// shortened with a hash past it.
std::string ShortenPartitionPathComponent(std::string_view escaped);

// "<name>=<value>/..." for one partition tuple of an identity spec, values in their human form
// (spec, "Partition Transforms"; null is "null"), escaped and shortened as above. Empty for an
// unpartitioned spec.
Result<std::string> PartitionPath(const Schema& schema, const PartitionSpec& spec,
                                  std::span<const Literal> partition);

// What one partition costs in memory besides its rows: its column builders, key and directory.
inline constexpr int64_t kPartitionOverheadBytes = 8 << 10;

struct PartitionedWriterOptions {
  ParquetWriteOptions parquet;
  // Rows a partition buffers before they are written as one row group.
  int64_t row_group_rows = 256 * 1024;
  // Bound on rows buffered in memory over all partitions; past it the largest buffer is written.
  int64_t max_buffered_bytes = 128LL << 20;
  // Bound on Parquet files open at once; past it the least recently written one is closed.
  int max_open_files = 32;
  // A file is closed and a new one started once it holds this many bytes
  // (Iceberg's write.target-file-size-bytes).
  int64_t target_file_size_bytes = 512LL << 20;
  // Identifies this writer in file names: "<partition seq>-<task_id>-<write_id>-<file seq>.parquet"
  // as Java names data files. An empty write_id is replaced by a random UUID.
  int task_id = 0;
  std::string write_id;
};

// Fans rows out to one open Parquet data file per partition value of an identity partition spec,
// under <table location>/data/<partition path>/. Memory and open files are bounded (see options);
// every file written, including rolled ones, is returned by Close with its partition tuple and
// exact metrics. Not thread-safe.
class PartitionedWriter {
 public:
  // Fails for specs with non-identity transforms or partition source fields the writer cannot put
  // in a path (only string, int, long, date and boolean sources are supported).
  static Result<std::unique_ptr<PartitionedWriter>> Make(Schema schema, PartitionSpec spec,
                                                         std::string table_location,
                                                         PartitionedWriterOptions options = {});
  // Deletes the files written since the last Close (as Abort): only Close hands files out.
  ~PartitionedWriter();
  PartitionedWriter(const PartitionedWriter&) = delete;
  PartitionedWriter& operator=(const PartitionedWriter&) = delete;

  // Appends one row (one value per schema field, as BatchBuilder::Append).
  Status Append(std::span<const Value> row);

  int64_t num_rows() const { return num_rows_; }
  // Rows not yet written (bounded by options.max_buffered_bytes).
  int64_t buffered_bytes() const { return buffered_bytes_; }
  // buffered_bytes() plus kPartitionOverheadBytes and the value's own bytes for every partition
  // seen since the last Close: a batch spread over many distinct values costs what it really holds
  // (builders, keys, paths), so callers can bound it.
  int64_t memory_bytes() const { return buffered_bytes_ + partition_bytes_; }
  int open_files() const;

  // Writes every buffered row, closes every file and returns all files written since Make. The
  // writer is empty afterwards and may be used again (new files get new sequence numbers). On
  // error (disk full) it aborts first: no file written since the last Close is left behind.
  Result<std::vector<DataFile>> Close();

  // Closes everything and deletes every file this writer wrote since the last Close: for a batch
  // that will not be committed.
  void Abort();

 private:
  struct Partition;

  PartitionedWriter(Schema schema, PartitionSpec spec, std::string table_location,
                    PartitionedWriterOptions options);
  Result<Partition*> PartitionOf(std::span<const Value> row);
  Status Flush(Partition& partition);
  Status CloseFile(Partition& partition);
  // Closes the open files of `partitions` concurrently; the closed ones join closed_, a failed one
  // is deleted and the first error returned.
  Status CloseFiles(std::span<Partition* const> partitions);
  Status EnforceBounds();

  Schema schema_;
  PartitionSpec spec_;
  std::string table_location_;
  PartitionedWriterOptions options_;
  std::vector<int> source_columns_;  // column index in the schema of each partition field
  std::unordered_map<std::string, std::unique_ptr<Partition>> partitions_;
  std::string key_;  // reused buffer for the partition key of the current row
  std::vector<DataFile> closed_;
  int64_t num_rows_ = 0;
  int64_t buffered_bytes_ = 0;   // rows buffered in builders, bounded by max_buffered_bytes
  int64_t partition_bytes_ = 0;  // per-partition overhead since the last Close
  int64_t file_seq_ = 0;
  int64_t clock_ = 0;  // orders partitions by last write, for closing the least recent file
};

}  // namespace clickstream::iceberg
