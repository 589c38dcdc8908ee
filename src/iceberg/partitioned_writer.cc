#include "iceberg/partitioned_writer.h"

#include <arrow/record_batch.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <system_error>
#include <thread>
#include <utility>

#include "iceberg/location.h"
#include "io/file_io.h"

namespace clickstream::iceberg {
namespace {

// A random version 4 UUID naming one writer's files, so concurrent writers never collide.
std::string RandomWriteId() {
  std::random_device device;
  std::mt19937_64 rng((static_cast<uint64_t>(device()) << 32) ^ device());
  uint64_t hi = rng();
  uint64_t lo = rng();
  hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08llx-%04llx-%04llx-%04llx-%012llx",
                static_cast<unsigned long long>(hi >> 32),
                static_cast<unsigned long long>((hi >> 16) & 0xFFFF),
                static_cast<unsigned long long>(hi & 0xFFFF),
                static_cast<unsigned long long>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  return buf;
}

bool PathSupported(TypeId type) {
  return type == TypeId::kString || type == TypeId::kInt || type == TypeId::kLong ||
         type == TypeId::kDate || type == TypeId::kBoolean;
}

// Days since 1970-01-01 as "YYYY-MM-DD" (proleptic Gregorian; H. Hinnant's civil_from_days).
std::string DateString(int32_t days) {
  int64_t z = static_cast<int64_t>(days) + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04lld-%02lld-%02lld", static_cast<long long>(y),
                static_cast<long long>(m), static_cast<long long>(d));
  return buf;
}

// The human form of a partition value (spec, "Partition Transforms": identity).
Result<std::string> HumanString(TypeId type, const Literal& value) {
  if (std::holds_alternative<std::monostate>(value)) return std::string("null");
  if (type == TypeId::kString) {
    if (const auto* s = std::get_if<std::string>(&value)) return *s;
  } else if (type == TypeId::kDate) {
    if (const auto* d = std::get_if<int32_t>(&value)) return DateString(*d);
  } else if (type == TypeId::kInt) {
    if (const auto* i = std::get_if<int32_t>(&value)) return std::to_string(*i);
  } else if (type == TypeId::kLong) {
    if (const auto* l = std::get_if<int64_t>(&value)) return std::to_string(*l);
  } else if (type == TypeId::kBoolean) {
    if (const auto* b = std::get_if<bool>(&value)) return std::string(*b ? "true" : "false");
  }
  return InvalidArgument("a partition value does not match its source column type");
}

Literal ToLiteral(const Value& value) {
  return std::visit(
      [](const auto& v) -> Literal {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string_view>) {
          return Literal(std::string(v));
        } else {
          return Literal(v);
        }
      },
      value);
}

// Appends a self-delimiting encoding of `value` to `key`, so tuples map to distinct keys.
void AppendKey(const Value& value, std::string& key) {
  key.push_back(static_cast<char>(value.index()));
  std::visit(
      [&key](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string_view>) {
          uint32_t n = static_cast<uint32_t>(v.size());
          key.append(reinterpret_cast<const char*>(&n), sizeof(n));
          key.append(v);
        } else if constexpr (!std::is_same_v<T, std::monostate>) {
          key.append(reinterpret_cast<const char*>(&v), sizeof(v));
        }
      },
      value);
}

}  // namespace

std::string EscapePartitionPathComponent(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
        c == '-' || c == '*' || c == '_') {
      out.push_back(ch);
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

std::string ShortenPartitionPathComponent(std::string_view escaped) {
  if (escaped.size() <= kMaxPartitionPathComponentBytes) return std::string(escaped);
  std::size_t cut = kPartitionPathPrefixBytes;
  // Back off to the start of a %XX escape the cut would split.
  if (escaped[cut - 1] == '%') {
    cut -= 1;
  } else if (escaped[cut - 2] == '%') {
    cut -= 2;
  }
  uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a, 64 bits
  for (char c : escaped) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  char suffix[24];
  std::snprintf(suffix, sizeof(suffix), "-%016llx", static_cast<unsigned long long>(hash));
  return std::string(escaped.substr(0, cut)) + suffix;
}

Result<std::string> PartitionPath(const Schema& schema, const PartitionSpec& spec,
                                  std::span<const Literal> partition) {
  if (partition.size() != spec.fields.size()) {
    return InvalidArgument("a partition tuple has " + std::to_string(partition.size()) +
                           " values, the spec " + std::to_string(spec.fields.size()) + " fields");
  }
  std::string path;
  for (size_t i = 0; i < spec.fields.size(); ++i) {
    const PartitionField& pf = spec.fields[i];
    auto source = std::find_if(schema.fields.begin(), schema.fields.end(),
                               [&](const Field& f) { return f.id == pf.source_id; });
    if (source == schema.fields.end()) {
      return InvalidArgument("partition field " + pf.name + " has no source column");
    }
    CS_ASSIGN_OR_RETURN(std::string human, HumanString(source->type, partition[i]));
    if (i > 0) path += '/';
    path += ShortenPartitionPathComponent(EscapePartitionPathComponent(pf.name));
    path += '=';
    path += ShortenPartitionPathComponent(EscapePartitionPathComponent(human));
  }
  return path;
}

struct PartitionedWriter::Partition {
  explicit Partition(const Schema& schema) : builder(schema) {}

  std::vector<Literal> values;
  std::string directory;  // <table location>/data[/<partition path>]
  BatchBuilder builder;
  std::unique_ptr<ParquetDataFileWriter> file;
  int64_t last_write = 0;
};

PartitionedWriter::PartitionedWriter(Schema schema, PartitionSpec spec, std::string table_location,
                                     PartitionedWriterOptions options)
    : schema_(std::move(schema)),
      spec_(std::move(spec)),
      table_location_(std::move(table_location)),
      options_(std::move(options)) {}

PartitionedWriter::~PartitionedWriter() { Abort(); }

Result<std::unique_ptr<PartitionedWriter>> PartitionedWriter::Make(
    Schema schema, PartitionSpec spec, std::string table_location,
    PartitionedWriterOptions options) {
  CS_RETURN_IF_ERROR(io::StorageOf(table_location));
  if (options.max_open_files < 1 || options.row_group_rows < 1) {
    return InvalidArgument("a partitioned writer needs max_open_files and row_group_rows >= 1");
  }
  if (options.write_id.empty()) options.write_id = RandomWriteId();
  std::vector<int> sources;
  for (const PartitionField& pf : spec.fields) {
    if (pf.transform != "identity") {
      return InvalidArgument("partition field " + pf.name + " uses transform " + pf.transform +
                             "; only identity is supported");
    }
    auto it = std::find_if(schema.fields.begin(), schema.fields.end(),
                           [&](const Field& f) { return f.id == pf.source_id; });
    if (it == schema.fields.end()) {
      return InvalidArgument("partition field " + pf.name + " refers to missing field id " +
                             std::to_string(pf.source_id));
    }
    if (!PathSupported(it->type)) {
      return InvalidArgument("partition field " + pf.name +
                             " has a source type the writer cannot put in a path");
    }
    sources.push_back(static_cast<int>(it - schema.fields.begin()));
  }
  std::unique_ptr<PartitionedWriter> writer(new PartitionedWriter(
      std::move(schema), std::move(spec), std::move(table_location), std::move(options)));
  writer->source_columns_ = std::move(sources);
  return writer;
}

int PartitionedWriter::open_files() const {
  int n = 0;
  for (const auto& [key, p] : partitions_) n += p->file != nullptr;
  return n;
}

Result<PartitionedWriter::Partition*> PartitionedWriter::PartitionOf(std::span<const Value> row) {
  if (row.size() != schema_.fields.size()) {
    return InvalidArgument("a row has " + std::to_string(row.size()) + " values, the schema " +
                           std::to_string(schema_.fields.size()) + " fields");
  }
  key_.clear();
  for (int column : source_columns_) AppendKey(row[column], key_);
  if (auto it = partitions_.find(key_); it != partitions_.end()) return it->second.get();

  auto partition = std::make_unique<Partition>(schema_);
  for (int column : source_columns_) partition->values.push_back(ToLiteral(row[column]));
  CS_ASSIGN_OR_RETURN(std::string path, PartitionPath(schema_, spec_, partition->values));
  partition->directory = JoinLocation(table_location_, "data");
  if (!path.empty()) partition->directory = JoinLocation(partition->directory, path);
  partition_bytes_ +=
      kPartitionOverheadBytes + static_cast<int64_t>(2 * key_.size() + partition->directory.size());
  Partition* raw = partition.get();
  partitions_.emplace(key_, std::move(partition));
  return raw;
}

Status PartitionedWriter::Append(std::span<const Value> row) {
  CS_ASSIGN_OR_RETURN(Partition * partition, PartitionOf(row));
  const int64_t before = partition->builder.buffered_bytes();
  CS_RETURN_IF_ERROR(partition->builder.Append(row));
  buffered_bytes_ += partition->builder.buffered_bytes() - before;
  ++num_rows_;
  partition->last_write = ++clock_;
  if (partition->builder.num_rows() >= options_.row_group_rows) {
    CS_RETURN_IF_ERROR(Flush(*partition));
  }
  return EnforceBounds();
}

Status PartitionedWriter::EnforceBounds() {
  while (buffered_bytes_ > options_.max_buffered_bytes) {
    Partition* largest = nullptr;
    for (auto& [key, p] : partitions_) {
      if (largest == nullptr || p->builder.buffered_bytes() > largest->builder.buffered_bytes()) {
        largest = p.get();
      }
    }
    if (largest == nullptr || largest->builder.num_rows() == 0) break;
    CS_RETURN_IF_ERROR(Flush(*largest));
  }
  return Ok();
}

Status PartitionedWriter::Flush(Partition& partition) {
  if (partition.builder.num_rows() == 0) return Ok();
  if (partition.file == nullptr) {
    if (open_files() >= options_.max_open_files) {
      Partition* oldest = nullptr;
      for (auto& [key, p] : partitions_) {
        if (p->file != nullptr && (oldest == nullptr || p->last_write < oldest->last_write)) {
          oldest = p.get();
        }
      }
      if (oldest != nullptr) CS_RETURN_IF_ERROR(CloseFile(*oldest));
    }
    char name[160];
    std::snprintf(name, sizeof(name), "00000-%d-%s-%05lld.parquet", options_.task_id,
                  options_.write_id.c_str(), static_cast<long long>(++file_seq_));
    CS_ASSIGN_OR_RETURN(partition.file,
                        ParquetDataFileWriter::Open(
                            schema_, JoinLocation(partition.directory, name), options_.parquet));
  }
  const int64_t bytes = partition.builder.buffered_bytes();
  CS_ASSIGN_OR_RETURN(std::shared_ptr<arrow::RecordBatch> batch, partition.builder.Finish());
  buffered_bytes_ -= bytes;
  CS_RETURN_IF_ERROR(partition.file->Write(*batch));
  if (partition.file->bytes_written() >= options_.target_file_size_bytes) {
    CS_RETURN_IF_ERROR(CloseFile(partition));
  }
  return Ok();
}

Status PartitionedWriter::CloseFile(Partition& partition) {
  if (partition.file == nullptr) return Ok();
  std::unique_ptr<ParquetDataFileWriter> file = std::move(partition.file);
  Result<DataFile> closed = file->Close();
  if (!closed) {
    file->Abandon();  // no longer tracked by the partition: delete it here
    return std::unexpected(closed.error());
  }
  DataFile data_file = std::move(*closed);
  data_file.spec_id = spec_.spec_id;
  data_file.partition = partition.values;
  closed_.push_back(std::move(data_file));
  return Ok();
}

Status PartitionedWriter::CloseFiles(std::span<Partition* const> partitions) {
  // On object storage each close is a PUT whose round trip dominates: close several at once.
  constexpr std::size_t kConcurrentCloses = 8;
  std::vector<std::unique_ptr<ParquetDataFileWriter>> files;
  for (Partition* p : partitions) files.push_back(std::move(p->file));
  std::vector<Result<DataFile>> results(files.size());
  std::atomic<std::size_t> next{0};
  auto close_next = [&] {
    for (std::size_t i = next++; i < files.size(); i = next++) results[i] = files[i]->Close();
  };
  {
    std::vector<std::jthread> helpers;
    for (std::size_t t = 1; t < std::min(kConcurrentCloses, files.size()); ++t) {
      helpers.emplace_back(close_next);
    }
    close_next();
  }  // joined
  Status status = Ok();
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (!results[i]) {
      files[i]->Abandon();  // no longer tracked by the partition: delete it here
      if (status) status = std::unexpected(results[i].error());
      continue;
    }
    DataFile data_file = std::move(*results[i]);
    data_file.spec_id = spec_.spec_id;
    data_file.partition = partitions[i]->values;
    closed_.push_back(std::move(data_file));
  }
  return status;
}

Result<std::vector<DataFile>> PartitionedWriter::Close() {
  for (auto& [key, p] : partitions_) {
    if (Status flushed = Flush(*p); !flushed) {
      Abort();  // disk full or the like: no file of the batch is left behind
      return std::unexpected(flushed.error());
    }
  }
  std::vector<Partition*> open;  // after every flush: a flush may close the oldest open file
  for (auto& [key, p] : partitions_) {
    if (p->file != nullptr) open.push_back(p.get());
  }
  if (Status closed = CloseFiles(open); !closed) {
    Abort();
    return std::unexpected(closed.error());
  }
  partitions_.clear();
  buffered_bytes_ = 0;
  partition_bytes_ = 0;
  num_rows_ = 0;
  return std::exchange(closed_, {});
}

void PartitionedWriter::Abort() {
  for (auto& [key, p] : partitions_) {
    if (p->file != nullptr) p->file->Abandon();
  }
  for (const DataFile& f : closed_) {
    io::DeleteQuietly(f.file_path);
  }
  partitions_.clear();
  closed_.clear();
  buffered_bytes_ = 0;
  partition_bytes_ = 0;
  num_rows_ = 0;
}

}  // namespace clickstream::iceberg
