#include "maintenance/compaction_rewrite.h"

#include <arrow/compute/api_vector.h>
#include <arrow/compute/initialize.h>
#include <arrow/datum.h>
#include <arrow/record_batch.h>
#include <arrow/table.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "iceberg/location.h"
#include "iceberg/parquet_reader.h"
#include "iceberg/partitioned_writer.h"
#include "io/arrow_error.h"
#include "io/file_io.h"

namespace clickstream::maintenance {
namespace {

using iceberg::DataFile;

using io::FromArrow;

DataFile Unfinished(std::string location) {
  DataFile f;
  f.file_path = std::move(location);
  return f;
}

// Writes row groups into files of about the target size: a file is closed once it holds the
// target, so it exceeds it by at most one row group.
class FileRoller {
 public:
  FileRoller(const GroupRewriteOptions& options, const FileGroup& group, std::string directory)
      : options_(options), group_(group), directory_(std::move(directory)) {}
  ~FileRoller() { Abort(); }

  Status Write(const arrow::RecordBatch& batch) {
    if (writer_ == nullptr) {
      char name[64];
      std::snprintf(name, sizeof(name), "%05d-0-", options_.task_id);
      char seq[16];
      std::snprintf(seq, sizeof(seq), "-%05d.parquet", static_cast<int>(files_.size() + 1));
      std::string location =
          iceberg::JoinLocation(directory_, std::string(name) + options_.write_id + seq);
      CS_ASSIGN_OR_RETURN(writer_, iceberg::ParquetDataFileWriter::Open(options_.schema, location,
                                                                        options_.parquet));
    }
    CS_RETURN_IF_ERROR(writer_->Write(batch));
    if (writer_->bytes_written() >= options_.target_file_size_bytes) return CloseCurrent();
    return Ok();
  }

  Result<std::vector<DataFile>> Finish() {
    CS_RETURN_IF_ERROR(CloseCurrent());
    std::vector<DataFile> out = std::move(files_);
    files_.clear();
    return out;
  }

  void Abort() {
    if (writer_ != nullptr) {
      std::string location = writer_->location();
      writer_.reset();
      files_.push_back(Unfinished(location));
    }
    DeleteUncommittedFiles(files_);
    files_.clear();
  }

 private:
  Status CloseCurrent() {
    if (writer_ == nullptr) return Ok();
    auto closed = writer_->Close();
    std::string location = writer_->location();
    writer_.reset();
    if (!closed.has_value()) {
      files_.push_back(Unfinished(location));
      return std::unexpected(closed.error());
    }
    closed->spec_id = group_.spec_id;
    closed->partition = group_.partition;
    files_.push_back(std::move(*closed));
    return Ok();
  }

  const GroupRewriteOptions& options_;
  const FileGroup& group_;
  std::string directory_;
  std::unique_ptr<iceberg::ParquetDataFileWriter> writer_;
  std::vector<DataFile> files_;
};

// Writes `table` as row groups of options.row_group_rows; a shorter tail is written only when
// `write_tail`, else returned for the next call.
Result<std::shared_ptr<arrow::Table>> WriteRowGroups(const std::shared_ptr<arrow::Table>& table,
                                                     int64_t row_group_rows, bool write_tail,
                                                     FileRoller& roller) {
  int64_t offset = 0;
  const int64_t rows = table->num_rows();
  while (offset < rows && (rows - offset >= row_group_rows || write_tail)) {
    int64_t n = std::min(row_group_rows, rows - offset);
    auto batch = table->Slice(offset, n)->CombineChunksToBatch();
    if (!batch.ok()) return std::unexpected(FromArrow(batch.status(), "combining rows"));
    CS_RETURN_IF_ERROR(roller.Write(**batch));
    offset += n;
  }
  return table->Slice(offset);
}

Result<std::shared_ptr<arrow::Table>> Concatenate(
    const std::vector<std::shared_ptr<arrow::Table>>& tables) {
  auto joined = arrow::ConcatenateTables(tables);
  if (!joined.ok()) return std::unexpected(FromArrow(joined.status(), "concatenating files"));
  return *joined;
}

Result<std::shared_ptr<arrow::Table>> Sort(const std::shared_ptr<arrow::Table>& table,
                                           const std::vector<std::string>& columns) {
  arrow::Status init = arrow::compute::Initialize();
  if (!init.ok()) return std::unexpected(FromArrow(init, "initializing Arrow compute"));
  std::vector<arrow::compute::SortKey> keys;
  for (const auto& c : columns) {
    keys.emplace_back(arrow::FieldRef(c), arrow::compute::SortOrder::Ascending,
                      arrow::compute::NullPlacement::AtStart);
  }
  auto indices = arrow::compute::SortIndices(arrow::Datum(table),
                                             arrow::compute::SortOptions(std::move(keys)));
  if (!indices.ok()) return std::unexpected(FromArrow(indices.status(), "sorting rows"));
  auto sorted = arrow::compute::Take(arrow::Datum(table), arrow::Datum(*indices));
  if (!sorted.ok()) return std::unexpected(FromArrow(sorted.status(), "reordering rows"));
  return sorted->table();
}

// Asks the kernel to read inputs [begin, end) ahead: small files read one after another from a
// cold cache otherwise wait for the disk one at a time. Errors are ignored (a hint only).
void ReadAhead(const FileGroup& group, std::size_t begin, std::size_t end) {
  for (std::size_t i = begin; i < std::min(end, group.inputs.size()); ++i) {
    auto path = iceberg::LocalPath(group.inputs[i].data_file.file_path);
    if (!path.has_value()) continue;
    int fd = ::open(path->c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_WILLNEED);
    ::close(fd);
  }
}

constexpr std::size_t kReadAheadFiles = 64;

// Reads the group's files one row group at a time and writes full row groups as soon as it has
// them: without --sort-by, memory holds about two row groups, however big the inputs (a partition's
// big file merged with its small ones); with it, all rows, which the sort needs.
Status RewriteInto(const FileGroup& group, const GroupRewriteOptions& options, FileRoller& roller) {
  const int64_t row_group_rows = std::max<int64_t>(options.row_group_rows, 1);
  std::vector<std::shared_ptr<arrow::Table>> pending;
  int64_t pending_rows = 0;
  auto consume = [&](std::shared_ptr<arrow::Table> rows) -> Status {
    pending_rows += rows->num_rows();
    pending.push_back(std::move(rows));
    if (!options.sort_by.empty() || pending_rows < row_group_rows) return Ok();
    CS_ASSIGN_OR_RETURN(auto joined, Concatenate(pending));
    CS_ASSIGN_OR_RETURN(auto rest, WriteRowGroups(joined, row_group_rows, false, roller));
    pending = {rest};
    pending_rows = rest->num_rows();
    return Ok();
  };
  for (std::size_t i = 0; i < group.inputs.size(); ++i) {
    // Keeps 32 to 64 files ahead of the reader in flight.
    if (i == 0) {
      ReadAhead(group, 0, kReadAheadFiles);
    } else if (i % (kReadAheadFiles / 2) == 0) {
      ReadAhead(group, i + kReadAheadFiles / 2, i + kReadAheadFiles);
    }
    CS_RETURN_IF_ERROR(
        iceberg::ForEachRowGroup(options.schema, group.inputs[i].data_file.file_path, consume));
  }
  if (pending.empty()) return Ok();
  CS_ASSIGN_OR_RETURN(auto joined, Concatenate(pending));
  pending.clear();
  if (!options.sort_by.empty()) {
    CS_ASSIGN_OR_RETURN(joined, Sort(joined, options.sort_by));
  }
  CS_ASSIGN_OR_RETURN(auto rest, WriteRowGroups(joined, row_group_rows, true, roller));
  (void)rest;
  return Ok();
}

}  // namespace

Status ValidateSortColumns(const iceberg::Schema& schema, const std::vector<std::string>& sort_by) {
  for (const auto& name : sort_by) {
    bool found = std::any_of(schema.fields.begin(), schema.fields.end(),
                             [&](const iceberg::Field& f) { return f.name == name; });
    if (!found) return InvalidArgument("--sort-by: the table has no column " + name);
  }
  return Ok();
}

Result<std::vector<DataFile>> RewriteFileGroup(const FileGroup& group,
                                               const GroupRewriteOptions& options) {
  CS_RETURN_IF_ERROR(ValidateSortColumns(options.schema, options.sort_by));
  CS_ASSIGN_OR_RETURN(std::string partition_path,
                      iceberg::PartitionPath(options.schema, options.spec, group.partition));
  std::string directory = iceberg::JoinLocation(options.table_location, "data");
  if (!partition_path.empty()) directory = iceberg::JoinLocation(directory, partition_path);
  FileRoller roller(options, group, directory);
  CS_RETURN_IF_ERROR(RewriteInto(group, options, roller));
  return roller.Finish();
}

void DeleteUncommittedFiles(const std::vector<DataFile>& files) {
  for (const auto& f : files) io::DeleteQuietly(f.file_path);
}

}  // namespace clickstream::maintenance
