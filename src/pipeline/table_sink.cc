#include "pipeline/table_sink.h"

#include <filesystem>

#include "iceberg/location.h"
#include "iceberg/partitioned_writer.h"
#include "iceberg/table.h"
#include "io/file_io.h"
#include "pipeline/column_mapping.h"
#include "pipeline/kafka_offsets.h"
#include "pipeline/offset_fence.h"

namespace clickstream::pipeline {

namespace {

// Memory a sink's writer may buffer before it writes row groups early.
constexpr int64_t kWriterBufferBytes = 48LL << 20;

// Sets the Kafka offset properties of partitions, fenced on what the table recorded before:
// a metadata update with no snapshot.
class OffsetReset final : public iceberg::TableOperation {
 public:
  OffsetReset(std::string group, std::string topic, ExpectedOffsets expected,
              std::map<int32_t, int64_t> starts)
      : group_(std::move(group)),
        topic_(std::move(topic)),
        expected_(std::move(expected)),
        starts_(std::move(starts)) {}
  std::string_view name() const override { return "offset reset"; }
  Result<iceberg::TableChange> Apply(const iceberg::TableMetadata& base, std::string_view,
                                     iceberg::CommitAttempt&) override {
    CS_ASSIGN_OR_RETURN(auto recorded, RecordedKafkaOffsets(base, group_, topic_));
    CS_RETURN_IF_ERROR(CheckExpectedOffsets(recorded, expected_));
    iceberg::TableChange change;
    change.Require(iceberg::AssertTableUuid{base.table_uuid});
    change.Update(iceberg::SetProperties{KafkaOffsetProperties(group_, topic_, starts_)});
    return change;
  }

 private:
  std::string group_;
  std::string topic_;
  ExpectedOffsets expected_;
  std::map<int32_t, int64_t> starts_;
};

}  // namespace

struct TableSink::Impl {
  Impl(iceberg::Table t, ColumnMapping m, std::string g, std::string tp)
      : table(std::move(t)), mapping(std::move(m)), group(std::move(g)), topic(std::move(tp)) {}
  iceberg::Table table;
  ColumnMapping mapping;  // the processor's rows -> the table's columns
  std::string group;
  std::string topic;
  std::unique_ptr<iceberg::PartitionedWriter> writer;  // the pending rows
  // The sealed batch (Seal): its writer (swapped with `writer` at each Seal), whether it holds a
  // batch, the records it is fenced on and the offsets it records.
  std::unique_ptr<iceberg::PartitionedWriter> sealed;
  bool has_sealed = false;
  ExpectedOffsets expected;
  std::map<int32_t, int64_t> moved;
  std::vector<iceberg::DataFile> written;  // closed files of the sealed batch
  std::map<int32_t, std::optional<int64_t>> recorded;
};

TableSink::TableSink(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
  name_ = impl_->table.id().ToString();
}
TableSink::~TableSink() = default;

Result<std::unique_ptr<TableSink>> TableSink::Open(catalog::Catalog& catalog,
                                                   const std::string& warehouse,
                                                   const catalog::TableIdentifier& id,
                                                   const TableDefinition& definition,
                                                   std::string group, std::string topic) {
  Result<iceberg::Table> table = iceberg::Table::Load(catalog, id);
  if (!table && table.error().code == ErrorCode::kNotFound) {
    table = iceberg::Table::Create(catalog, warehouse, id, definition.schema, definition.spec,
                                   CreatedTableProperties());
    // Another processor of the group may have created it at the same moment (a REST server may
    // report that lost race as an error other than 409): use it if it is there now.
    if (!table) {
      if (Result<iceberg::Table> now = iceberg::Table::Load(catalog, id); now)
        table = std::move(now);
    }
  }
  if (!table) return std::unexpected(table.error().WithContext("opening " + id.ToString()));
  CS_ASSIGN_OR_RETURN(iceberg::Schema schema, table->metadata().CurrentSchema());
  CS_ASSIGN_OR_RETURN(iceberg::PartitionSpec spec, table->metadata().DefaultSpec());
  CS_ASSIGN_OR_RETURN(ColumnMapping mapping, ColumnMapping::Make(id, schema, definition.schema));

  iceberg::PartitionedWriterOptions writer_options;
  writer_options.max_buffered_bytes = kWriterBufferBytes;
  std::string location = table->metadata().location;
  auto impl = std::make_unique<Impl>(std::move(*table), std::move(mapping), std::move(group),
                                     std::move(topic));
  CS_ASSIGN_OR_RETURN(impl->writer,
                      iceberg::PartitionedWriter::Make(schema, spec, location, writer_options));
  CS_ASSIGN_OR_RETURN(impl->sealed,
                      iceberg::PartitionedWriter::Make(schema, spec, location, writer_options));
  return std::unique_ptr<TableSink>(new TableSink(std::move(impl)));
}

Status TableSink::CheckExisting(catalog::Catalog& catalog, const catalog::TableIdentifier& id,
                                const TableDefinition& definition) {
  Result<iceberg::Table> table = iceberg::Table::Load(catalog, id);
  if (!table && table.error().code == ErrorCode::kNotFound) return Ok();
  if (!table) return std::unexpected(table.error().WithContext("opening " + id.ToString()));
  CS_ASSIGN_OR_RETURN(iceberg::Schema schema, table->metadata().CurrentSchema());
  CS_RETURN_IF_ERROR(ColumnMapping::Make(id, schema, definition.schema));
  return Ok();
}

Status TableSink::Append(std::span<const iceberg::Value> row) {
  return impl_->writer->Append(impl_->mapping.Apply(row));
}

int64_t TableSink::pending_rows() const { return impl_->writer->num_rows(); }

int64_t TableSink::pending_bytes() const { return impl_->writer->memory_bytes(); }

std::optional<int64_t> TableSink::recorded(int32_t partition) const {
  auto it = impl_->recorded.find(partition);
  return it == impl_->recorded.end() ? std::nullopt : it->second;
}

Status TableSink::Reload(std::span<const int32_t> partitions) {
  CS_RETURN_IF_ERROR(impl_->table.Refresh());
  CS_ASSIGN_OR_RETURN(auto offsets,
                      RecordedKafkaOffsets(impl_->table.metadata(), impl_->group, impl_->topic));
  for (int32_t partition : partitions) {
    auto it = offsets.find(partition);
    impl_->recorded[partition] =
        it == offsets.end() ? std::nullopt : std::optional<int64_t>(it->second);
  }
  return Ok();
}

void TableSink::Forget(std::span<const int32_t> partitions) {
  for (int32_t partition : partitions) impl_->recorded.erase(partition);
}

Result<SinkCommit> TableSink::Commit(const Positions& positions) {
  if (!Seal(positions)) return SinkCommit{};
  CS_ASSIGN_OR_RETURN(SinkCommit commit, Publish());
  Settle(commit);
  return commit;
}

bool TableSink::Seal(const Positions& positions) {
  if (pending_rows() == 0) return false;
  impl_->expected.clear();
  impl_->moved.clear();
  for (const auto& [partition, position] : positions) {
    if (!position) continue;
    std::optional<int64_t> record = recorded(partition);
    if (record && *position <= *record) continue;
    impl_->expected[partition] = record;
    impl_->moved[partition] = *position;
  }
  std::swap(impl_->writer, impl_->sealed);
  impl_->has_sealed = true;
  return true;
}

Result<SinkCommit> TableSink::Publish() {
  Impl& impl = *impl_;
  if (!impl.has_sealed) return SinkCommit{};
  Result<std::vector<iceberg::DataFile>> files = impl.sealed->Close();
  if (!files) {
    DropSealed();  // a failed batch (disk full) leaves no file behind
    return std::unexpected(files.error());
  }
  impl.written = std::move(*files);
  iceberg::AppendOptions append;
  append.set_properties = KafkaOffsetProperties(impl.group, impl.topic, impl.moved);
  append.condition = [&impl](const iceberg::TableMetadata& current) -> Status {
    CS_ASSIGN_OR_RETURN(auto offsets, RecordedKafkaOffsets(current, impl.group, impl.topic));
    return CheckExpectedOffsets(offsets, impl.expected);
  };
  Result<iceberg::Snapshot> snapshot = impl.table.Append(impl.written, append);
  if (!snapshot) {
    if (snapshot.error().code == ErrorCode::kCommitStateUnknown) {
      // The commit may have landed and reference the files: they stay (an orphan at worst, for
      // remove-orphan-files); the caller re-reads the table to learn what it holds.
      impl.written.clear();
    }
    // Otherwise Table::Append committed nothing, fenced or not: the batch's files go too.
    DropSealed();
    return std::unexpected(snapshot.error());
  }
  SinkCommit commit{.committed = true, .summary = snapshot->summary, .records = impl.moved};
  for (const iceberg::DataFile& file : impl.written) {
    commit.rows += file.record_count;
    commit.bytes += file.file_size_in_bytes;
  }
  commit.files = static_cast<int64_t>(impl.written.size());
  impl.written.clear();
  impl.has_sealed = false;
  return commit;
}

void TableSink::Settle(const SinkCommit& commit) {
  for (const auto& [partition, next] : commit.records) impl_->recorded[partition] = next;
}

Status TableSink::ResetOffsets(const std::map<int32_t, int64_t>& starts) {
  if (starts.empty()) return Ok();
  ExpectedOffsets expected;
  for (const auto& [partition, start] : starts) expected[partition] = recorded(partition);
  OffsetReset reset(impl_->group, impl_->topic, std::move(expected), starts);
  CS_RETURN_IF_ERROR(impl_->table.Commit(reset));
  for (const auto& [partition, start] : starts) impl_->recorded[partition] = start;
  return Ok();
}

void TableSink::DropPending() {
  impl_->writer->Abort();
  DropSealed();
}

void TableSink::DropSealed() {
  impl_->sealed->Abort();
  for (const iceberg::DataFile& file : impl_->written) io::DeleteQuietly(file.file_path);
  impl_->written.clear();
  impl_->has_sealed = false;
}

}  // namespace clickstream::pipeline
