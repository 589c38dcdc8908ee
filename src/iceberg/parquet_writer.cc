#include "iceberg/parquet_writer.h"

#include <arrow/array.h>
#include <arrow/io/file.h>
#include <arrow/memory_pool.h>
#include <arrow/record_batch.h>
#include <arrow/table.h>
#include <parquet/arrow/writer.h>
#include <parquet/metadata.h>
#include <parquet/properties.h>
#include <parquet/schema.h>
#include <parquet/statistics.h>

#include <cmath>
#include <filesystem>
#include <optional>
#include <system_error>
#include <unordered_map>
#include <utility>

#include "iceberg/arrow_schema.h"
#include "iceberg/bounds.h"
#include "iceberg/location.h"
#include "io/arrow_error.h"
#include "io/file_io.h"

namespace clickstream::iceberg {

using io::FromArrow;
namespace {

// Min and max of one column over the row groups seen so far, as Iceberg literals.
struct ColumnBounds {
  bool known = true;  // false once a row group with values lacks statistics
  std::optional<Literal> min;
  std::optional<Literal> max;
};

template <typename StatsT>
std::pair<Literal, Literal> MinMaxOf(const parquet::Statistics& stats) {
  const auto& typed = static_cast<const StatsT&>(stats);
  return {Literal(typed.min()), Literal(typed.max())};
}

std::string ByteArrayString(const parquet::ByteArray& b) {
  return std::string(reinterpret_cast<const char*>(b.ptr), b.len);
}

// The statistics' min and max as literals of the Iceberg type; nullopt when the physical type
// is not the one we write for it.
std::optional<std::pair<Literal, Literal>> StatsMinMax(TypeId type,
                                                       const parquet::Statistics& stats) {
  using parquet::Type;
  switch (type) {
    case TypeId::kBoolean:
      if (stats.physical_type() != Type::BOOLEAN) return std::nullopt;
      return MinMaxOf<parquet::BoolStatistics>(stats);
    case TypeId::kInt:
    case TypeId::kDate:
      if (stats.physical_type() != Type::INT32) return std::nullopt;
      return MinMaxOf<parquet::Int32Statistics>(stats);
    case TypeId::kLong:
    case TypeId::kTimestamp:
    case TypeId::kTimestamptz:
      if (stats.physical_type() != Type::INT64) return std::nullopt;
      return MinMaxOf<parquet::Int64Statistics>(stats);
    case TypeId::kFloat:
      if (stats.physical_type() != Type::FLOAT) return std::nullopt;
      return MinMaxOf<parquet::FloatStatistics>(stats);
    case TypeId::kDouble:
      if (stats.physical_type() != Type::DOUBLE) return std::nullopt;
      return MinMaxOf<parquet::DoubleStatistics>(stats);
    case TypeId::kString:
    case TypeId::kBinary: {
      if (stats.physical_type() != Type::BYTE_ARRAY) return std::nullopt;
      const auto& typed = static_cast<const parquet::ByteArrayStatistics&>(stats);
      return std::pair{Literal(ByteArrayString(typed.min())),
                       Literal(ByteArrayString(typed.max()))};
    }
  }
  return std::nullopt;
}

// Literal order for bounds of one type: numbers by value, strings/binaries by unsigned bytes
// (std::string compares through char_traits<char>, which orders as unsigned char).
bool Less(const Literal& a, const Literal& b) { return a < b; }

// Dictionary encoding pays for repeated values (ids, pages, flags); timestamps and floating point
// values are nearly all distinct, so their dictionaries only cost time before falling back to
// plain.
bool DictionaryPays(TypeId type) {
  return type != TypeId::kTimestamp && type != TypeId::kTimestamptz && type != TypeId::kFloat &&
         type != TypeId::kDouble;
}

int64_t CountNaNs(const arrow::Array& array) {
  int64_t n = 0;
  if (array.type_id() == arrow::Type::FLOAT) {
    const auto& a = static_cast<const arrow::FloatArray&>(array);
    for (int64_t i = 0; i < a.length(); ++i) n += a.IsValid(i) && std::isnan(a.Value(i));
  } else if (array.type_id() == arrow::Type::DOUBLE) {
    const auto& a = static_cast<const arrow::DoubleArray&>(array);
    for (int64_t i = 0; i < a.length(); ++i) n += a.IsValid(i) && std::isnan(a.Value(i));
  }
  return n;
}

// Fills the DataFile's metrics from the footer of the file just written.
Status FillMetrics(const Schema& schema, const parquet::FileMetaData& meta, DataFile& file) {
  std::unordered_map<int, const Field*> by_id;
  for (const Field& f : schema.fields) by_id[f.id] = &f;

  const parquet::SchemaDescriptor& descr = *meta.schema();
  std::vector<int> column_ids(descr.num_columns());
  for (int c = 0; c < descr.num_columns(); ++c) {
    column_ids[c] = descr.Column(c)->schema_node()->field_id();
    if (!by_id.contains(column_ids[c])) {
      return Internal("Parquet column " + descr.Column(c)->name() + " has field id " +
                      std::to_string(column_ids[c]) + ", which is not in the Iceberg schema");
    }
  }

  std::map<int, ColumnBounds> bounds;
  std::map<int, bool> null_count_known;
  for (int id : column_ids) null_count_known[id] = true;

  file.record_count = meta.num_rows();
  for (int g = 0; g < meta.num_row_groups(); ++g) {
    std::unique_ptr<parquet::RowGroupMetaData> rg = meta.RowGroup(g);
    for (int c = 0; c < rg->num_columns(); ++c) {
      const int id = column_ids[c];
      const TypeId type = by_id[id]->type;
      std::unique_ptr<parquet::ColumnChunkMetaData> chunk = rg->ColumnChunk(c);
      if (c == 0) {
        // The row group starts at its first page: the dictionary page when there is one.
        int64_t offset = chunk->data_page_offset();
        if (chunk->has_dictionary_page() && chunk->dictionary_page_offset() > 0 &&
            chunk->dictionary_page_offset() < offset) {
          offset = chunk->dictionary_page_offset();
        }
        file.split_offsets.push_back(offset);
      }
      file.column_sizes[id] += chunk->total_compressed_size();
      file.value_counts[id] += chunk->num_values();

      std::shared_ptr<parquet::Statistics> stats = chunk->statistics();
      int64_t nulls = 0;
      if (stats != nullptr && stats->HasNullCount()) {
        nulls = stats->null_count();
        file.null_value_counts[id] += nulls;
      } else {
        null_count_known[id] = false;
      }
      ColumnBounds& b = bounds[id];
      if (stats != nullptr && stats->HasMinMax()) {
        std::optional<std::pair<Literal, Literal>> mm = StatsMinMax(type, *stats);
        if (!mm.has_value()) {
          b.known = false;
          continue;
        }
        if (!b.min.has_value() || Less(mm->first, *b.min)) b.min = mm->first;
        if (!b.max.has_value() || Less(*b.max, mm->second)) b.max = mm->second;
      } else if (stats == nullptr || !stats->HasNullCount() || nulls < chunk->num_values()) {
        // Values exist but the row group has no min/max (e.g. only NaNs, or values too long for
        // statistics): no bound can be claimed for this column.
        b.known = false;
      }
    }
  }

  for (const auto& [id, known] : null_count_known) {
    if (!known) file.null_value_counts.erase(id);
  }
  for (const auto& [id, b] : bounds) {
    if (!b.known || !b.min.has_value()) continue;
    const TypeId type = by_id[id]->type;
    CS_ASSIGN_OR_RETURN(std::string lower, SerializeValue(type, *b.min));
    CS_ASSIGN_OR_RETURN(std::string upper, SerializeValue(type, *b.max));
    file.lower_bounds[id] = TruncateLowerBound(type, lower);
    if (std::optional<std::string> u = TruncateUpperBound(type, upper); u.has_value()) {
      file.upper_bounds[id] = std::move(*u);
    }
  }
  return Ok();
}

}  // namespace

Result<std::unique_ptr<ParquetDataFileWriter>> ParquetDataFileWriter::Open(
    const Schema& schema, std::string location, const ParquetWriteOptions& options) {
  CS_ASSIGN_OR_RETURN(std::shared_ptr<arrow::io::OutputStream> sink, io::OpenOutputFile(location));

  arrow::MemoryPool* pool = arrow::system_memory_pool();
  parquet::WriterProperties::Builder builder;
  builder.memory_pool(pool)
      ->compression(arrow::Compression::ZSTD)
      ->compression_level(options.compression_level)
      ->enable_dictionary()
      ->dictionary_pagesize_limit(options.dictionary_page_size_bytes)
      ->data_pagesize(options.page_size_bytes)
      ->max_row_group_length(options.max_row_group_rows)
      ->enable_statistics();
  for (const Field& f : schema.fields) {
    if (!DictionaryPays(f.type)) builder.disable_dictionary(f.name);
  }
  std::shared_ptr<parquet::WriterProperties> props = builder.build();
  // No ARROW:schema in the footer: readers take types from the Parquet logical types and the
  // Iceberg schema, as they do for files written by Java and pyiceberg.
  std::shared_ptr<parquet::ArrowWriterProperties> arrow_props =
      parquet::ArrowWriterProperties::Builder().build();
  auto writer =
      parquet::arrow::FileWriter::Open(*ToArrowSchema(schema), pool, sink, props, arrow_props);
  if (!writer.ok()) {
    (void)sink->Abort();  // writing the magic bytes failed (disk full): no file is left
    io::DeleteQuietly(location);
    return std::unexpected(FromArrow(writer.status(), "opening Parquet writer for " + location));
  }

  std::unique_ptr<ParquetDataFileWriter> out(new ParquetDataFileWriter());
  out->schema_ = schema;
  out->location_ = std::move(location);
  out->sink_ = std::move(sink);
  out->writer_ = std::move(*writer);
  out->max_row_group_rows_ = options.max_row_group_rows;
  for (const Field& f : schema.fields) {
    if (f.type == TypeId::kFloat || f.type == TypeId::kDouble) out->nan_counts_[f.id] = 0;
  }
  return out;
}

ParquetDataFileWriter::~ParquetDataFileWriter() {
  if (!closed_ && writer_ != nullptr) {
    // Abandoned without Close: release the handle; the file is not in any table (on S3 the
    // upload is aborted, so no object appears).
    (void)writer_->Close();
    (void)sink_->Abort();
  }
}

Status ParquetDataFileWriter::Write(const arrow::RecordBatch& batch) {
  if (closed_) return Internal("write to a closed data file " + location_);
  if (batch.num_rows() == 0) return Ok();
  CS_RETURN_IF_ERROR(CheckArrowSchema(schema_, *batch.schema()));
  for (int i = 0; i < batch.num_columns(); ++i) {
    auto it = nan_counts_.find(schema_.fields[i].id);
    if (it != nan_counts_.end()) it->second += CountNaNs(*batch.column(i));
  }
  std::shared_ptr<arrow::Table> table =
      arrow::Table::Make(batch.schema(), batch.columns(), batch.num_rows());
  arrow::Status st = writer_->WriteTable(*table, max_row_group_rows_);
  if (!st.ok()) return std::unexpected(FromArrow(st, "writing a row group to " + location_));
  num_rows_ += batch.num_rows();
  return Ok();
}

void ParquetDataFileWriter::Abandon() {
  if (!closed_) {
    closed_ = true;
    (void)writer_->Close();
  }
  if (sink_ != nullptr && !sink_->closed()) (void)sink_->Abort();
  io::DeleteQuietly(location_);
}

int64_t ParquetDataFileWriter::bytes_written() const {
  auto pos = sink_->Tell();
  return pos.ok() ? *pos : 0;
}

Result<DataFile> ParquetDataFileWriter::Close() {
  if (closed_) return Internal("data file " + location_ + " closed twice");
  closed_ = true;
  arrow::Status st = writer_->Close();
  if (!st.ok()) return std::unexpected(FromArrow(st, "writing the footer of " + location_));
  auto size = sink_->Tell();
  if (!size.ok()) return std::unexpected(FromArrow(size.status(), "sizing " + location_));
  st = sink_->Close();
  if (!st.ok()) return std::unexpected(FromArrow(st, "closing " + location_));

  // A writer whose row group failed (ENOSPC) may close "successfully" without a footer.
  const std::shared_ptr<parquet::FileMetaData> meta = writer_->metadata();
  if (meta == nullptr) return IoError("the footer of " + location_ + " was not written");

  DataFile file;
  file.file_path = location_;
  file.file_format = "PARQUET";
  file.file_size_in_bytes = *size;
  CS_RETURN_IF_ERROR(FillMetrics(schema_, *meta, file));
  if (file.record_count != num_rows_) {
    return Internal("footer of " + location_ + " counts " + std::to_string(file.record_count) +
                    " rows, " + std::to_string(num_rows_) + " were written");
  }
  file.nan_value_counts = nan_counts_;
  return file;
}

}  // namespace clickstream::iceberg
