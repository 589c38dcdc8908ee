#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "analysis/query_result.h"
#include "analysis/s3_access.h"
#include "common/result.h"

namespace clickstream::analysis {

// Where the DuckDB extensions come from: the files of the pinned duckdb-extension-{iceberg,avro,
// httpfs} wheels (DuckDB 1.5.5, linux_amd64) that setup signature-checked and copied into
// .deps/duckdb/extensions; loaded by path without a second signature check.
struct DuckDbOptions {
  std::string iceberg_extension;
  std::string avro_extension;
  std::string httpfs_extension;  // loaded only by EnableS3
};

// The extension paths found when the project was configured (cmake/DuckDB.cmake);
// CLICKSTREAM_DUCKDB_{ICEBERG,AVRO,HTTPFS}_EXTENSION override them.
DuckDbOptions DefaultDuckDbOptions();

// A bound query parameter ($1, $2, ... in order).
using QueryParameter = std::variant<std::string, int64_t>;

// One in-memory DuckDB database and connection, with the iceberg extension loaded. Nothing is ever
// downloaded (extension autoinstall and autoload are off); the network is used only to read S3
// after EnableS3. The session's time zone is UTC so timestamps print and truncate the same
// everywhere. Not thread-safe; movable, not copyable.
class DuckDbSession {
 public:
  // Opens the database and loads the avro then the iceberg extension (DuckDB still checks their
  // version and platform). kUnavailable with the file name when an extension cannot be loaded.
  static Result<DuckDbSession> Open(const DuckDbOptions& options);

  DuckDbSession(DuckDbSession&&) noexcept;
  DuckDbSession& operator=(DuckDbSession&&) noexcept;
  ~DuckDbSession();

  // Loads the httpfs extension (once) and makes `access` the secret of every s3:// read. From
  // then on, a failed S3 read is one sentence naming what to check (ExplainS3Error).
  // kUnavailable with the file name when httpfs cannot be loaded.
  Status EnableS3(const S3Access& access);

  // Runs statements whose results are not needed (DDL, SET).
  Status Execute(std::string_view sql);
  // Runs `sql` (the last statement's rows are returned) with `parameters` bound to $1, $2, ...
  // A syntax error, an unknown table or column, or a wrong type is kInvalidArgument with DuckDB's
  // first line of explanation; any other failure is kIoError or kInternal.
  Result<QueryResult> Query(std::string_view sql,
                            const std::vector<QueryParameter>& parameters = {});

  // Asks the statement running on another thread (Query, Execute) to stop: it then fails with
  // "Interrupted". Safe to call from any thread; does nothing when no statement runs.
  void Interrupt();

  // DuckDB's version string ("v1.5.5").
  static std::string LibraryVersion();

 private:
  struct Handles;
  explicit DuckDbSession(std::unique_ptr<Handles> handles);
  Result<QueryResult> Run(std::string_view sql, const std::vector<QueryParameter>& parameters);
  Status LoadExtension(const std::string& path);
  std::unique_ptr<Handles> handles_;
};

// `text` as a single-quoted SQL string literal.
std::string QuoteSqlString(std::string_view text);
// `name` as a double-quoted SQL identifier.
std::string QuoteSqlIdentifier(std::string_view name);

}  // namespace clickstream::analysis
