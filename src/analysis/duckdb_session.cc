#include "analysis/duckdb_session.h"

#include <duckdb.h>

#include <cstdlib>
#include <optional>
#include <utility>

namespace clickstream::analysis {

namespace {

std::string EnvOr(const char* name, std::string fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : std::move(fallback);
}

// DuckDB errors read "<Kind> Error: <sentence>\n<hint>\n\nLINE 1: <query>\n<caret>". Keeps the
// sentence and its hint ("Did you mean ...?") on one line, drops the echoed query.
std::string Explanation(std::string_view message) {
  std::string out;
  std::size_t start = 0;
  while (start < message.size()) {
    std::size_t end = message.find('\n', start);
    if (end == std::string_view::npos) end = message.size();
    std::string_view line = message.substr(start, end - start);
    if (line.empty() || line.starts_with("LINE ")) break;
    if (!out.empty()) out += ' ';
    out += line;
    start = end + 1;
  }
  return out.empty() ? std::string(message) : out;
}

// Maps a DuckDB error message to an Error: mistakes in the user's SQL are usage errors.
Error ClassifyError(std::string_view message) {
  std::string text = Explanation(message);
  for (std::string_view kind : {"Parser Error: ", "Catalog Error: ", "Binder Error: ",
                                "Conversion Error: ", "Invalid Input Error: ", "Syntax Error: "}) {
    if (text.starts_with(kind)) {
      std::string sentence = text.substr(kind.size());
      if (kind == "Parser Error: ") sentence = "SQL syntax error: " + sentence;
      return Error{ErrorCode::kInvalidArgument, sentence};
    }
  }
  if (text.starts_with("IO Error: ")) return Error{ErrorCode::kIoError, text.substr(10)};
  if (text.starts_with("HTTP Error: ")) return Error{ErrorCode::kIoError, text.substr(12)};
  return Error{ErrorCode::kInternal, text};
}

std::string TypeName(duckdb_type type) {
  switch (type) {
    case DUCKDB_TYPE_BOOLEAN:
      return "BOOLEAN";
    case DUCKDB_TYPE_TINYINT:
      return "TINYINT";
    case DUCKDB_TYPE_SMALLINT:
      return "SMALLINT";
    case DUCKDB_TYPE_INTEGER:
      return "INTEGER";
    case DUCKDB_TYPE_BIGINT:
      return "BIGINT";
    case DUCKDB_TYPE_UTINYINT:
      return "UTINYINT";
    case DUCKDB_TYPE_USMALLINT:
      return "USMALLINT";
    case DUCKDB_TYPE_UINTEGER:
      return "UINTEGER";
    case DUCKDB_TYPE_UBIGINT:
      return "UBIGINT";
    case DUCKDB_TYPE_HUGEINT:
      return "HUGEINT";
    case DUCKDB_TYPE_UHUGEINT:
      return "UHUGEINT";
    case DUCKDB_TYPE_FLOAT:
      return "FLOAT";
    case DUCKDB_TYPE_DOUBLE:
      return "DOUBLE";
    case DUCKDB_TYPE_DECIMAL:
      return "DECIMAL";
    case DUCKDB_TYPE_VARCHAR:
      return "VARCHAR";
    case DUCKDB_TYPE_BLOB:
      return "BLOB";
    case DUCKDB_TYPE_DATE:
      return "DATE";
    case DUCKDB_TYPE_TIME:
      return "TIME";
    case DUCKDB_TYPE_TIMESTAMP:
      return "TIMESTAMP";
    case DUCKDB_TYPE_TIMESTAMP_S:
      return "TIMESTAMP_S";
    case DUCKDB_TYPE_TIMESTAMP_MS:
      return "TIMESTAMP_MS";
    case DUCKDB_TYPE_TIMESTAMP_NS:
      return "TIMESTAMP_NS";
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return "TIMESTAMP WITH TIME ZONE";
    case DUCKDB_TYPE_INTERVAL:
      return "INTERVAL";
    case DUCKDB_TYPE_UUID:
      return "UUID";
    case DUCKDB_TYPE_LIST:
      return "LIST";
    case DUCKDB_TYPE_STRUCT:
      return "STRUCT";
    case DUCKDB_TYPE_MAP:
      return "MAP";
    case DUCKDB_TYPE_ARRAY:
      return "ARRAY";
    case DUCKDB_TYPE_SQLNULL:
      return "NULL";
    default:
      return "OTHER";
  }
}

ValueKind KindOf(duckdb_type type) {
  switch (type) {
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_UBIGINT:
    case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_UHUGEINT:
    case DUCKDB_TYPE_FLOAT:
    case DUCKDB_TYPE_DOUBLE:
    case DUCKDB_TYPE_DECIMAL:
      return ValueKind::kNumber;
    case DUCKDB_TYPE_BOOLEAN:
      return ValueKind::kBoolean;
    default:
      return ValueKind::kText;
  }
}

// The types duckdb_value_varchar prints correctly; it returns nothing for timestamptz, lists,
// structs, maps and UUIDs and must not be used for intervals.
bool TextAccessorWorks(duckdb_type type) {
  switch (type) {
    case DUCKDB_TYPE_BOOLEAN:
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_UBIGINT:
    case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_FLOAT:
    case DUCKDB_TYPE_DOUBLE:
    case DUCKDB_TYPE_DECIMAL:
    case DUCKDB_TYPE_VARCHAR:
    case DUCKDB_TYPE_DATE:
    case DUCKDB_TYPE_TIME:
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_SQLNULL:
      return true;
    default:
      return false;
  }
}

// Owns a duckdb_result and copies it out as text values (the materialized-result C API; its
// text accessor is used only for the types of TextAccessorWorks).
class ResultHolder {
 public:
  ResultHolder() = default;
  ~ResultHolder() { duckdb_destroy_result(&result_); }
  ResultHolder(const ResultHolder&) = delete;
  ResultHolder& operator=(ResultHolder&& other) noexcept {
    if (this != &other) {
      duckdb_destroy_result(&result_);
      result_ = other.result_;
      other.result_ = duckdb_result{};
    }
    return *this;
  }
  ResultHolder(ResultHolder&& other) noexcept : result_(other.result_) {
    other.result_ = duckdb_result{};
  }
  duckdb_result* get() { return &result_; }

  // Every value of an all-VARCHAR result, read by length from its data chunks: the value
  // accessors go through C strings and would cut a string at its first NUL byte.
  QueryResult VarcharsToQueryResult() {
    QueryResult out;
    const idx_t columns = duckdb_column_count(&result_);
    for (idx_t c = 0; c < columns; ++c) {
      out.columns.push_back(Column{duckdb_column_name(&result_, c), "VARCHAR", ValueKind::kText});
    }
    const idx_t chunks = duckdb_result_chunk_count(result_);
    for (idx_t k = 0; k < chunks; ++k) {
      duckdb_data_chunk chunk = duckdb_result_get_chunk(result_, k);
      const idx_t rows = duckdb_data_chunk_get_size(chunk);
      for (idx_t r = 0; r < rows; ++r) out.rows.emplace_back(columns);
      for (idx_t c = 0; c < columns; ++c) {
        duckdb_vector vector = duckdb_data_chunk_get_vector(chunk, c);
        auto* values = static_cast<duckdb_string_t*>(duckdb_vector_get_data(vector));
        uint64_t* validity = duckdb_vector_get_validity(vector);
        for (idx_t r = 0; r < rows; ++r) {
          if (validity != nullptr && !duckdb_validity_row_is_valid(validity, r)) continue;
          auto& cell = out.rows[out.rows.size() - rows + r][c];
          cell.emplace(duckdb_string_t_data(&values[r]), duckdb_string_t_length(values[r]));
        }
      }
      duckdb_destroy_data_chunk(&chunk);
    }
    return out;
  }

  // Every value as text; kInvalidArgument for a column the text accessor cannot print.
  Result<QueryResult> ToQueryResult() {
    QueryResult out;
    const idx_t columns = duckdb_column_count(&result_);
    const idx_t rows = duckdb_row_count(&result_);
    out.columns.reserve(columns);
    for (idx_t c = 0; c < columns; ++c) {
      const duckdb_type type = duckdb_column_type(&result_, c);
      if (!TextAccessorWorks(type)) {
        return InvalidArgument("column " + std::string(duckdb_column_name(&result_, c)) +
                               " is of type " + TypeName(type) +
                               ", which is printed only when the SQL is a single SELECT");
      }
      out.columns.push_back(Column{duckdb_column_name(&result_, c), TypeName(type), KindOf(type)});
    }
    out.rows.reserve(rows);
    for (idx_t r = 0; r < rows; ++r) {
      auto& row = out.rows.emplace_back();
      row.reserve(columns);
      for (idx_t c = 0; c < columns; ++c) {
        if (duckdb_value_is_null(&result_, c, r)) {
          row.emplace_back(std::nullopt);
          continue;
        }
        char* text = duckdb_value_varchar(&result_, c, r);
        row.emplace_back(text != nullptr ? std::string(text) : std::string());
        duckdb_free(text);
      }
    }
    return out;
  }

 private:
  duckdb_result result_{};
};

// Owns one DuckDB C API handle and releases it with `Destroy`.
template <typename Handle, void (*Destroy)(Handle*)>
class DuckdbHandle {
 public:
  DuckdbHandle() = default;
  ~DuckdbHandle() { Destroy(&handle_); }
  DuckdbHandle(const DuckdbHandle&) = delete;
  DuckdbHandle& operator=(const DuckdbHandle&) = delete;
  Handle* get() { return &handle_; }
  Handle value() const { return handle_; }

 private:
  Handle handle_ = nullptr;
};

using PreparedHolder = DuckdbHandle<duckdb_prepared_statement, duckdb_destroy_prepare>;
using ExtractedHolder = DuckdbHandle<duckdb_extracted_statements, duckdb_destroy_extracted>;

Status Bind(duckdb_prepared_statement statement, const std::vector<QueryParameter>& parameters) {
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    const idx_t index = i + 1;
    const duckdb_state bound = std::visit(
        [&](const auto& value) {
          if constexpr (std::is_same_v<std::decay_t<decltype(value)>, int64_t>) {
            return duckdb_bind_int64(statement, index, value);
          } else {
            return duckdb_bind_varchar_length(statement, index, value.data(), value.size());
          }
        },
        parameters[i]);
    if (bound == DuckDBError) {
      return InvalidArgument("cannot bind parameter $" + std::to_string(index));
    }
  }
  return Ok();
}

// Runs one SELECT with every column cast to VARCHAR by DuckDB; the types come from `typed`.
Result<QueryResult> QueryAsText(duckdb_connection connection, const std::string& sql,
                                duckdb_prepared_statement typed) {
  const std::string wrapped =
      "SELECT CAST(COLUMNS(*) AS VARCHAR) FROM query(" + QuoteSqlString(sql) + ")";
  ResultHolder result;
  if (duckdb_query(connection, wrapped.c_str(), result.get()) == DuckDBError) {
    const char* message = duckdb_result_error(result.get());
    return std::unexpected(ClassifyError(message != nullptr ? message : "query failed"));
  }
  QueryResult out = result.VarcharsToQueryResult();
  const idx_t columns = duckdb_prepared_statement_column_count(typed);
  if (columns != out.columns.size()) {
    return Internal("the text form of the query has " + std::to_string(out.columns.size()) +
                    " columns instead of " + std::to_string(columns));
  }
  for (idx_t c = 0; c < columns; ++c) {
    const duckdb_type type = duckdb_prepared_statement_column_type(typed, c);
    out.columns[c].type = TypeName(type);
    out.columns[c].kind = KindOf(type);
  }
  return out;
}

}  // namespace

DuckDbOptions DefaultDuckDbOptions() {
  return DuckDbOptions{
      .iceberg_extension =
          EnvOr("CLICKSTREAM_DUCKDB_ICEBERG_EXTENSION", CLICKSTREAM_DUCKDB_ICEBERG_EXTENSION),
      .avro_extension =
          EnvOr("CLICKSTREAM_DUCKDB_AVRO_EXTENSION", CLICKSTREAM_DUCKDB_AVRO_EXTENSION),
      .httpfs_extension =
          EnvOr("CLICKSTREAM_DUCKDB_HTTPFS_EXTENSION", CLICKSTREAM_DUCKDB_HTTPFS_EXTENSION),
  };
}

struct DuckDbSession::Handles {
  duckdb_database database = nullptr;
  duckdb_connection connection = nullptr;
  std::string httpfs_extension;
  std::optional<S3Access> s3;  // set by EnableS3
  ~Handles() {
    if (connection != nullptr) duckdb_disconnect(&connection);
    if (database != nullptr) duckdb_close(&database);
  }
};

DuckDbSession::DuckDbSession(std::unique_ptr<Handles> handles) : handles_(std::move(handles)) {}
DuckDbSession::DuckDbSession(DuckDbSession&&) noexcept = default;
DuckDbSession& DuckDbSession::operator=(DuckDbSession&&) noexcept = default;
DuckDbSession::~DuckDbSession() = default;

std::string DuckDbSession::LibraryVersion() { return duckdb_library_version(); }

void DuckDbSession::Interrupt() { duckdb_interrupt(handles_->connection); }

Result<DuckDbSession> DuckDbSession::Open(const DuckDbOptions& options) {
  duckdb_config config = nullptr;
  if (duckdb_create_config(&config) == DuckDBError)
    return Internal("cannot create a DuckDB config");
  // Offline by construction: nothing is downloaded or loaded behind the project's back.
  duckdb_set_config(config, "autoinstall_known_extensions", "false");
  duckdb_set_config(config, "autoload_known_extensions", "false");
  // The extension files were signature-checked by DuckDB when setup copied them into
  // .deps/duckdb/extensions; repeating the check would cost 0.25 s of CPU on every command.
  duckdb_set_config(config, "allow_unsigned_extensions", "true");
  auto handles = std::make_unique<Handles>();
  handles->httpfs_extension = options.httpfs_extension;
  char* open_error = nullptr;
  const duckdb_state opened = duckdb_open_ext(nullptr, &handles->database, config, &open_error);
  duckdb_destroy_config(&config);
  if (opened == DuckDBError) {
    std::string message = open_error != nullptr ? open_error : "unknown error";
    duckdb_free(open_error);
    return Internal("cannot open DuckDB: " + message);
  }
  if (duckdb_connect(handles->database, &handles->connection) == DuckDBError) {
    return Internal("cannot connect to DuckDB");
  }
  DuckDbSession session(std::move(handles));
  CS_RETURN_IF_ERROR(session.Execute("SET TimeZone = 'UTC'"));
  // The iceberg extension reads manifests with the avro extension, so avro loads first.
  for (const std::string* path : {&options.avro_extension, &options.iceberg_extension}) {
    CS_RETURN_IF_ERROR(session.LoadExtension(*path));
  }
  return session;
}

Status DuckDbSession::LoadExtension(const std::string& path) {
  if (auto loaded = Execute("LOAD " + QuoteSqlString(path)); !loaded) {
    return Unavailable("cannot load the DuckDB extension " + path + " (" + loaded.error().message +
                       "); run ./scripts/setup");
  }
  return Ok();
}

Status DuckDbSession::EnableS3(const S3Access& access) {
  if (!handles_->s3) CS_RETURN_IF_ERROR(LoadExtension(handles_->httpfs_extension));
  CS_RETURN_IF_ERROR(Execute(S3SecretSql(access)));
  handles_->s3 = access;
  return Ok();
}

Status DuckDbSession::Execute(std::string_view sql) {
  CS_ASSIGN_OR_RETURN(auto ignored, Query(sql));
  (void)ignored;
  return Ok();
}

Result<QueryResult> DuckDbSession::Query(std::string_view sql,
                                         const std::vector<QueryParameter>& parameters) {
  auto result = Run(sql, parameters);
  if (!result && handles_->s3)
    return std::unexpected(ExplainS3Error(result.error(), *handles_->s3));
  return result;
}

Result<QueryResult> DuckDbSession::Run(std::string_view sql,
                                       const std::vector<QueryParameter>& parameters) {
  const std::string text(sql);
  ExtractedHolder extracted;
  const idx_t count =
      duckdb_extract_statements(handles_->connection, text.c_str(), extracted.get());
  if (count == 0) {
    const char* message = duckdb_extract_statements_error(extracted.value());
    if (message == nullptr || *message == '\0') return InvalidArgument("no SQL statement given");
    return std::unexpected(ClassifyError(message));
  }
  ResultHolder result;
  for (idx_t i = 0; i < count; ++i) {
    PreparedHolder statement;
    if (duckdb_prepare_extracted_statement(handles_->connection, extracted.value(), i,
                                           statement.get()) == DuckDBError) {
      const char* message = duckdb_prepare_error(statement.value());
      return std::unexpected(ClassifyError(message != nullptr ? message : "prepare failed"));
    }
    const bool last = i + 1 == count;
    if (last) {
      CS_RETURN_IF_ERROR(Bind(statement.value(), parameters));
      // A lone SELECT runs through DuckDB's own casts to VARCHAR: the text accessor cannot print
      // some types (timestamptz, lists, structs, ...) and cuts strings at a NUL byte. (A script's
      // last result still goes through the accessor.)
      if (count == 1 && parameters.empty() &&
          duckdb_prepared_statement_type(statement.value()) == DUCKDB_STATEMENT_TYPE_SELECT) {
        return QueryAsText(handles_->connection, text, statement.value());
      }
    }
    result = ResultHolder();
    if (duckdb_execute_prepared(statement.value(), result.get()) == DuckDBError) {
      const char* message = duckdb_result_error(result.get());
      return std::unexpected(ClassifyError(message != nullptr ? message : "query failed"));
    }
  }
  return result.ToQueryResult();
}

std::string QuoteSqlString(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  out += '\'';
  return out;
}

std::string QuoteSqlIdentifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace clickstream::analysis
