#include "pipeline/ndjson_loader.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>

#include "events/click_codec.h"
#include "iceberg/batch_builder.h"
#include "iceberg/location.h"
#include "io/file_io.h"

namespace clickstream::pipeline {
namespace {

// Where each event field goes in a row of the table's schema.
struct ClickColumns {
  size_t user_id = 0;
  size_t page = 0;
  size_t click_timestamp = 0;
};

Result<ClickColumns> FindClickColumns(const iceberg::Schema& schema) {
  auto find = [&](std::string_view name, iceberg::TypeId type) -> Result<size_t> {
    for (size_t i = 0; i < schema.fields.size(); ++i) {
      if (schema.fields[i].name == name) {
        if (schema.fields[i].type != type) {
          return InvalidArgument("column " + std::string(name) + " has a type events cannot fill");
        }
        return i;
      }
    }
    return InvalidArgument("the table has no column " + std::string(name) + " for click events");
  };
  ClickColumns c;
  CS_ASSIGN_OR_RETURN(c.user_id, find("user_id", iceberg::TypeId::kString));
  CS_ASSIGN_OR_RETURN(c.page, find("page", iceberg::TypeId::kString));
  CS_ASSIGN_OR_RETURN(c.click_timestamp, find("click_timestamp", iceberg::TypeId::kTimestamptz));
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    if (schema.fields[i].required && i != c.user_id && i != c.page && i != c.click_timestamp) {
      return InvalidArgument("required column " + schema.fields[i].name +
                             " cannot be filled from click events");
    }
  }
  return c;
}

void DeleteFiles(const std::vector<iceberg::DataFile>& files) {
  for (const iceberg::DataFile& f : files) io::DeleteQuietly(f.file_path);
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

}  // namespace

Result<NdjsonBatch> WriteNdjsonDataFiles(const std::filesystem::path& ndjson,
                                         const iceberg::Schema& schema,
                                         const iceberg::PartitionSpec& spec,
                                         const std::string& table_location,
                                         const NdjsonOptions& options) {
  CS_ASSIGN_OR_RETURN(ClickColumns columns, FindClickColumns(schema));
  std::unique_ptr<std::FILE, FileCloser> in(std::fopen(ndjson.c_str(), "rb"));
  if (in == nullptr) {
    return IoError("cannot open " + ndjson.string() + ": " + std::strerror(errno));
  }
  CS_ASSIGN_OR_RETURN(
      std::unique_ptr<iceberg::PartitionedWriter> writer,
      iceberg::PartitionedWriter::Make(schema, spec, table_location, options.writer));

  NdjsonBatch batch;
  events::ClickEventParser parser;
  std::vector<iceberg::Value> row(schema.fields.size());
  char* line = nullptr;
  size_t capacity = 0;
  ssize_t length;
  Status failed = Ok();
  while ((length = ::getline(&line, &capacity, in.get())) >= 0) {
    ++batch.lines;
    std::string_view text(line, static_cast<size_t>(length));
    if (text.ends_with('\n')) text.remove_suffix(1);
    Result<events::ClickEvent> event = parser.Parse(text);
    if (!event.has_value()) {
      ++batch.bad_count;
      if (batch.bad_lines.size() < options.max_reported_bad_lines) {
        batch.bad_lines.push_back(BadLine{batch.lines, event.error().message});
      }
      continue;
    }
    row[columns.user_id] = std::string_view(event->user_id);
    row[columns.page] = std::string_view(event->page);
    row[columns.click_timestamp] = event->event_ts_us;
    if (Status st = writer->Append(row); !st.has_value()) {
      failed = std::unexpected(st.error().WithContext("line " + std::to_string(batch.lines)));
      break;
    }
    ++batch.rows;
  }
  std::free(line);
  if (failed.has_value() && std::ferror(in.get())) {
    failed = IoError("reading " + ndjson.string() + ": " + std::strerror(errno));
  }
  if (!failed.has_value()) {
    writer->Abort();
    return std::unexpected(failed.error());
  }
  Result<std::vector<iceberg::DataFile>> files = writer->Close();
  if (!files.has_value()) {
    writer->Abort();
    return std::unexpected(files.error());
  }
  batch.files = std::move(*files);
  return batch;
}

Result<LoadReport> LoadNdjson(iceberg::Table& table, const std::filesystem::path& ndjson,
                              const NdjsonOptions& options) {
  CS_ASSIGN_OR_RETURN(iceberg::Schema schema, table.metadata().CurrentSchema());
  CS_ASSIGN_OR_RETURN(iceberg::PartitionSpec spec, table.metadata().DefaultSpec());
  LoadReport report;
  CS_ASSIGN_OR_RETURN(
      report.batch, WriteNdjsonDataFiles(ndjson, schema, spec, table.metadata().location, options));
  if (report.batch.files.empty()) return report;

  iceberg::AppendOptions append;
  append.summary["clickstream.source"] = "ndjson";
  append.summary["clickstream.bad-lines"] = std::to_string(report.batch.bad_count);
  Result<iceberg::Snapshot> snapshot = table.Append(report.batch.files, append);
  if (!snapshot.has_value()) {
    DeleteFiles(report.batch.files);
    return std::unexpected(snapshot.error().WithContext("appending " + ndjson.string()));
  }
  report.snapshot_id = snapshot->snapshot_id;
  return report;
}

}  // namespace clickstream::pipeline
