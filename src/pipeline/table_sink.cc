#include "pipeline/table_sink.h"

#include <filesystem>

#include "iceberg/location.h"
#include "iceberg/partitioned_writer.h"
#include "iceberg/snapshot_summary.h"
#include "iceberg/table.h"
#include "pipeline/offset_fence.h"

namespace clickstream::pipeline {

namespace {

// Memory a sink's writer may buffer before it writes row groups early.
constexpr int64_t kWriterBufferBytes = 48LL << 20;

// The table must have the definition's columns, in order and with the same types, because the
// processor builds rows in that layout.
Status CheckColumns(const catalog::TableIdentifier& id, const iceberg::Schema& actual,
                    const iceberg::Schema& expected) {
  bool same = actual.fields.size() == expected.fields.size();
  for (size_t i = 0; same && i < actual.fields.size(); ++i) {
    same = actual.fields[i].name == expected.fields[i].name &&
           actual.fields[i].type == expected.fields[i].type;
  }
  if (same) return Ok();
  std::string columns;
  for (const iceberg::Field& field : expected.fields) {
    columns += (columns.empty() ? "" : ", ") + field.name + " " +
               std::string(iceberg::TypeName(field.type));
  }
  return InvalidArgument("table " + id.ToString() + " exists with other columns than the " +
                         "processor writes (" + columns + ")");
}

}  // namespace

struct TableSink::Impl {
  Impl(iceberg::Table t, std::string g, std::string tp)
      : table(std::move(t)), group(std::move(g)), topic(std::move(tp)) {}
  iceberg::Table table;
  std::string group;
  std::string topic;
  std::unique_ptr<iceberg::PartitionedWriter> writer;
  std::vector<iceberg::DataFile> written;  // closed files of the pending batch
  int64_t written_rows = 0;
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
    table = iceberg::Table::Create(catalog, warehouse, id, definition.schema, definition.spec);
    // Another processor of the group may have created it at the same moment.
    if (!table && table.error().code == ErrorCode::kAlreadyExists) {
      table = iceberg::Table::Load(catalog, id);
    }
  }
  if (!table) return std::unexpected(table.error().WithContext("opening " + id.ToString()));
  CS_ASSIGN_OR_RETURN(iceberg::Schema schema, table->metadata().CurrentSchema());
  CS_ASSIGN_OR_RETURN(iceberg::PartitionSpec spec, table->metadata().DefaultSpec());
  CS_RETURN_IF_ERROR(CheckColumns(id, schema, definition.schema));

  iceberg::PartitionedWriterOptions writer_options;
  writer_options.max_buffered_bytes = kWriterBufferBytes;
  std::string location = table->metadata().location;
  auto impl = std::make_unique<Impl>(std::move(*table), std::move(group), std::move(topic));
  CS_ASSIGN_OR_RETURN(impl->writer,
                      iceberg::PartitionedWriter::Make(schema, spec, location, writer_options));
  return std::unique_ptr<TableSink>(new TableSink(std::move(impl)));
}

Status TableSink::Append(std::span<const iceberg::Value> row) { return impl_->writer->Append(row); }

int64_t TableSink::pending_rows() const { return impl_->writer->num_rows() + impl_->written_rows; }

int64_t TableSink::pending_bytes() const { return impl_->writer->buffered_bytes(); }

std::optional<int64_t> TableSink::recorded(int32_t partition) const {
  auto it = impl_->recorded.find(partition);
  return it == impl_->recorded.end() ? std::nullopt : it->second;
}

Status TableSink::Reload(std::span<const int32_t> partitions) {
  CS_RETURN_IF_ERROR(impl_->table.Refresh());
  CS_ASSIGN_OR_RETURN(auto offsets,
                      iceberg::KafkaOffsets(impl_->table.metadata(), impl_->group, impl_->topic));
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
  if (pending_rows() == 0) return SinkCommit{};
  ExpectedOffsets expected;
  iceberg::AppendOptions append;
  for (const auto& [partition, position] : positions) {
    if (!position) continue;
    std::optional<int64_t> record = recorded(partition);
    if (record && *position <= *record) continue;
    expected[partition] = record;
    append.summary[iceberg::KafkaOffsetKey(impl_->group, impl_->topic, partition)] =
        std::to_string(*position);
  }
  CS_ASSIGN_OR_RETURN(std::vector<iceberg::DataFile> files, impl_->writer->Close());
  for (iceberg::DataFile& file : files) {
    impl_->written_rows += file.record_count;
    impl_->written.push_back(std::move(file));
  }
  bool fenced = false;
  append.condition = [&](const iceberg::TableMetadata& current) -> Status {
    CS_ASSIGN_OR_RETURN(auto offsets, iceberg::KafkaOffsets(current, impl_->group, impl_->topic));
    Status fence = CheckExpectedOffsets(offsets, expected);
    if (!fence) fenced = true;
    return fence;
  };
  Result<iceberg::Snapshot> snapshot = impl_->table.Append(impl_->written, append);
  if (!snapshot) {
    if (fenced) DropPending();
    return std::unexpected(snapshot.error());
  }
  for (const auto& [partition, record] : expected)
    impl_->recorded[partition] = positions.at(partition);
  SinkCommit commit{true, impl_->written_rows};
  impl_->written.clear();
  impl_->written_rows = 0;
  return commit;
}

void TableSink::DropPending() {
  impl_->writer->Abort();
  for (const iceberg::DataFile& file : impl_->written) {
    if (auto path = iceberg::LocalPath(file.file_path); path.has_value()) {
      std::error_code ignored;
      std::filesystem::remove(*path, ignored);
    }
  }
  impl_->written.clear();
  impl_->written_rows = 0;
}

}  // namespace clickstream::pipeline
