#include "catalog/sqlite_catalog.h"

#include <sqlite3.h>

#include <filesystem>
#include <set>

namespace clickstream::catalog {
namespace {

// DDL as pyiceberg's SqlCatalog creates it (Java's JdbcCatalog V1 has the same columns).
constexpr const char* kCreateTablesSql = R"sql(
CREATE TABLE IF NOT EXISTS iceberg_tables (
  catalog_name VARCHAR(255) NOT NULL,
  table_namespace VARCHAR(255) NOT NULL,
  table_name VARCHAR(255) NOT NULL,
  metadata_location VARCHAR(1000),
  previous_metadata_location VARCHAR(1000),
  iceberg_type VARCHAR(5),
  PRIMARY KEY (catalog_name, table_namespace, table_name)
);
CREATE TABLE IF NOT EXISTS iceberg_namespace_properties (
  catalog_name VARCHAR(255) NOT NULL,
  namespace VARCHAR(255) NOT NULL,
  property_key VARCHAR(255) NOT NULL,
  property_value VARCHAR(1000) NOT NULL,
  PRIMARY KEY (catalog_name, namespace, property_key)
);
)sql";

// Rows written by JdbcCatalog V1 may be views; tables are 'TABLE' or NULL (V0 rows).
constexpr const char* kTableTypeFilter = " AND (iceberg_type = 'TABLE' OR iceberg_type IS NULL)";

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;

// One prepared statement with positional text parameters.
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}

  void BindText(int index, std::string_view value) {
    sqlite3_bind_text(stmt_.get(), index, value.data(), static_cast<int>(value.size()),
                      SQLITE_TRANSIENT);
  }
  void BindNull(int index) { sqlite3_bind_null(stmt_.get(), index); }

  // True when a row is available, false when done.
  Result<bool> Step() {
    int rc = sqlite3_step(stmt_.get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return SqliteError(db_, rc, "executing a catalog statement");
  }

  std::string ColumnText(int index) {
    const unsigned char* text = sqlite3_column_text(stmt_.get(), index);
    if (text == nullptr) return {};
    return std::string(reinterpret_cast<const char*>(text),
                       static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), index)));
  }

  static std::unexpected<Error> SqliteError(sqlite3* db, int rc, std::string_view doing) {
    std::string message =
        "SQLite catalog: " + std::string(doing) + " failed: " + sqlite3_errmsg(db);
    int primary = rc & 0xff;
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
      return Unavailable(message + " (another process holds the catalog lock)");
    }
    if (primary == SQLITE_CONSTRAINT) return AlreadyExists(message);
    return IoError(message);
  }

 private:
  sqlite3* db_;
  std::unique_ptr<sqlite3_stmt, StmtFinalizer> stmt_;
};

class SqliteCatalog final : public Catalog {
 public:
  SqliteCatalog(Db db, std::string name, bool has_type_column)
      : db_(std::move(db)), name_(std::move(name)), has_type_column_(has_type_column) {}

  const std::string& name() const override { return name_; }

  Status CreateNamespace(std::string_view ns,
                         const std::map<std::string, std::string>& properties) override {
    CS_RETURN_IF_ERROR(ValidateNamespace(ns));
    CS_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    auto status = CreateNamespaceLocked(ns, properties);
    CS_RETURN_IF_ERROR(Exec(status.has_value() ? "COMMIT" : "ROLLBACK"));
    return status;
  }

  Result<bool> NamespaceExists(std::string_view ns) override {
    CS_RETURN_IF_ERROR(ValidateStoredName(ns, "namespace"));
    CS_ASSIGN_OR_RETURN(
        auto stmt, Prepare("SELECT 1 FROM iceberg_namespace_properties WHERE catalog_name = ?1 "
                           "AND namespace = ?2 UNION ALL SELECT 1 FROM iceberg_tables WHERE "
                           "catalog_name = ?1 AND table_namespace = ?2 LIMIT 1"));
    stmt.BindText(1, name_);
    stmt.BindText(2, ns);
    return stmt.Step();
  }

  Result<std::vector<std::string>> ListNamespaces() override {
    CS_ASSIGN_OR_RETURN(auto stmt,
                        Prepare("SELECT namespace FROM iceberg_namespace_properties WHERE "
                                "catalog_name = ?1 UNION SELECT table_namespace FROM "
                                "iceberg_tables WHERE catalog_name = ?1"));
    stmt.BindText(1, name_);
    std::set<std::string> names;
    while (true) {
      CS_ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      names.insert(stmt.ColumnText(0));
    }
    return std::vector<std::string>(names.begin(), names.end());
  }

  Status CreateTable(const TableIdentifier& id, std::string_view metadata_location) override {
    CS_RETURN_IF_ERROR(ValidateNamespace(id.ns));
    CS_RETURN_IF_ERROR(ValidateName(id.name, "table"));
    CS_ASSIGN_OR_RETURN(bool ns_exists, NamespaceExists(id.ns));
    if (!ns_exists) {
      return NotFound("namespace '" + id.ns + "' does not exist in catalog '" + name_ + "'");
    }
    std::string sql =
        has_type_column_
            ? "INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, "
              "metadata_location, previous_metadata_location, iceberg_type) VALUES "
              "(?1, ?2, ?3, ?4, NULL, 'TABLE')"
            : "INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, "
              "metadata_location, previous_metadata_location) VALUES (?1, ?2, ?3, ?4, NULL)";
    CS_ASSIGN_OR_RETURN(auto stmt, Prepare(sql));
    BindId(stmt, id);
    stmt.BindText(4, metadata_location);
    auto done = stmt.Step();
    if (!done.has_value()) {
      if (done.error().code == ErrorCode::kAlreadyExists) {
        return AlreadyExists("table " + id.ToString() + " already exists");
      }
      return std::unexpected(done.error());
    }
    return Ok();
  }

  Result<std::vector<TableIdentifier>> ListTables(std::string_view ns) override {
    CS_RETURN_IF_ERROR(ValidateStoredName(ns, "namespace"));
    CS_ASSIGN_OR_RETURN(auto stmt, Prepare(std::string("SELECT table_name FROM iceberg_tables "
                                                       "WHERE catalog_name = ?1 AND "
                                                       "table_namespace = ?2") +
                                           TypeFilter() + " ORDER BY table_name"));
    stmt.BindText(1, name_);
    stmt.BindText(2, ns);
    std::vector<TableIdentifier> tables;
    while (true) {
      CS_ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      tables.push_back(TableIdentifier{std::string(ns), stmt.ColumnText(0)});
    }
    return tables;
  }

  Result<TableEntry> LoadTable(const TableIdentifier& id) override {
    CS_RETURN_IF_ERROR(Validate(id));
    CS_ASSIGN_OR_RETURN(auto stmt,
                        Prepare(std::string("SELECT metadata_location, previous_metadata_location "
                                            "FROM iceberg_tables WHERE catalog_name = ?1 AND "
                                            "table_namespace = ?2 AND table_name = ?3") +
                                TypeFilter()));
    BindId(stmt, id);
    CS_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return NotFound("table " + id.ToString() + " does not exist");
    TableEntry entry{id, stmt.ColumnText(0), stmt.ColumnText(1), std::nullopt};
    if (entry.metadata_location.empty()) {
      return Corrupt("table " + id.ToString() + " has no metadata location in the catalog");
    }
    return entry;
  }

  Status DropTable(const TableIdentifier& id) override {
    CS_RETURN_IF_ERROR(Validate(id));
    CS_ASSIGN_OR_RETURN(auto stmt, Prepare(std::string("DELETE FROM iceberg_tables WHERE "
                                                       "catalog_name = ?1 AND table_namespace = "
                                                       "?2 AND table_name = ?3") +
                                           TypeFilter()));
    BindId(stmt, id);
    CS_RETURN_IF_ERROR(stmt.Step());
    if (sqlite3_changes(db_.get()) == 0) {
      return NotFound("table " + id.ToString() + " does not exist");
    }
    return Ok();
  }

  Result<TableEntry> CommitTable(const TableCommit& commit) override {
    const TableIdentifier& id = commit.id;
    const std::string& expected_location = commit.base_location;
    const std::string& new_location = commit.written_location;
    CS_RETURN_IF_ERROR(Validate(id));
    if (new_location.empty()) {
      return InvalidArgument("a commit to catalog " + name_ + " needs the new metadata file");
    }
    CS_ASSIGN_OR_RETURN(auto stmt,
                        Prepare("UPDATE iceberg_tables SET metadata_location = ?4, "
                                "previous_metadata_location = ?5 WHERE catalog_name = ?1 AND "
                                "table_namespace = ?2 AND table_name = ?3 AND "
                                "metadata_location = ?5"));
    BindId(stmt, id);
    stmt.BindText(4, new_location);
    stmt.BindText(5, expected_location);
    CS_RETURN_IF_ERROR(stmt.Step());
    if (sqlite3_changes(db_.get()) == 1) {
      return TableEntry{id, new_location, expected_location, std::nullopt};
    }
    // Nothing matched: either the table is gone or another writer moved it on.
    auto current = LoadTable(id);
    if (!current.has_value()) return std::unexpected(current.error());
    return Conflict("table " + id.ToString() + " was changed by another writer (expected " +
                    expected_location + ", found " + current->metadata_location + ")");
  }

 private:
  Status CreateNamespaceLocked(std::string_view ns,
                               const std::map<std::string, std::string>& properties) {
    CS_ASSIGN_OR_RETURN(bool exists, NamespaceExists(ns));
    if (exists) return AlreadyExists("namespace '" + std::string(ns) + "' already exists");
    // JdbcCatalog and SqlCatalog record a namespace without properties as exists=true.
    std::map<std::string, std::string> props = properties;
    if (props.empty()) props.emplace("exists", "true");
    for (const auto& [key, value] : props) {
      CS_ASSIGN_OR_RETURN(auto stmt, Prepare("INSERT INTO iceberg_namespace_properties "
                                             "(catalog_name, namespace, property_key, "
                                             "property_value) VALUES (?1, ?2, ?3, ?4)"));
      stmt.BindText(1, name_);
      stmt.BindText(2, ns);
      stmt.BindText(3, key);
      stmt.BindText(4, value);
      CS_RETURN_IF_ERROR(stmt.Step());
    }
    return Ok();
  }

  // Names of tables other engines made (nested namespaces, any characters) are looked up as
  // they are; CreateTable alone needs names that can become directories.
  Status Validate(const TableIdentifier& id) const {
    CS_RETURN_IF_ERROR(ValidateStoredName(id.ns, "namespace"));
    return ValidateStoredName(id.name, "table");
  }

  const char* TypeFilter() const { return has_type_column_ ? kTableTypeFilter : ""; }

  void BindId(Statement& stmt, const TableIdentifier& id) const {
    stmt.BindText(1, name_);
    stmt.BindText(2, id.ns);
    stmt.BindText(3, id.name);
  }

  Result<Statement> Prepare(const std::string& sql) {
    sqlite3_stmt* raw = nullptr;
    int rc =
        sqlite3_prepare_v2(db_.get(), sql.c_str(), static_cast<int>(sql.size()), &raw, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(raw);
      return Statement::SqliteError(db_.get(), rc, "preparing a catalog statement");
    }
    return Statement(db_.get(), raw);
  }

  Status Exec(const char* sql) {
    int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return Statement::SqliteError(db_.get(), rc, sql);
    return Ok();
  }

  Db db_;
  std::string name_;
  bool has_type_column_;
};

Result<bool> HasTypeColumn(sqlite3* db) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_info('iceberg_tables')", -1, &raw,
                              nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(raw);
    return Statement::SqliteError(db, rc, "reading the catalog schema");
  }
  Statement stmt(db, raw);
  while (true) {
    CS_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return false;
    if (stmt.ColumnText(0) == "iceberg_type") return true;
  }
}

// Opens a catalog file that must already exist and hold the catalog tables; creates nothing.
Result<std::unique_ptr<Catalog>> OpenExisting(const std::string& path,
                                              const SqliteCatalogOptions& options) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return NotFound("no catalog at " + path +
                    ": create the tables first (clickstream tables create), or pass --catalog");
  }
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) {
    return IoError("cannot open the catalog " + path + ": " +
                   (raw ? sqlite3_errmsg(raw) : "out of memory"));
  }
  sqlite3_busy_timeout(db.get(), static_cast<int>(options.busy_timeout.count()));
  sqlite3_stmt* probe = nullptr;
  rc = sqlite3_prepare_v2(db.get(),
                          "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                          "('iceberg_tables', 'iceberg_namespace_properties')",
                          -1, &probe, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(probe);
    return Statement::SqliteError(db.get(), rc, "reading " + path);
  }
  Statement stmt(db.get(), probe);
  CS_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row || stmt.ColumnText(0) != "2") {
    return InvalidArgument(path + " is not an Iceberg SQL catalog (no iceberg_tables table)");
  }
  CS_ASSIGN_OR_RETURN(bool has_type_column, HasTypeColumn(db.get()));
  return std::make_unique<SqliteCatalog>(std::move(db), options.catalog_name, has_type_column);
}

}  // namespace

Result<std::unique_ptr<Catalog>> OpenSqliteCatalog(const std::string& path,
                                                   const SqliteCatalogOptions& options) {
  CS_RETURN_IF_ERROR(ValidateName(options.catalog_name, "catalog"));
  if (path.empty()) return InvalidArgument("the catalog path is empty");
  std::filesystem::path file(path);
  if (!options.create_if_missing) return OpenExisting(path, options);
  if (file.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(file.parent_path(), ec);
    if (ec) {
      return IoError("cannot create the catalog directory " + file.parent_path().string() + ": " +
                     ec.message());
    }
  }
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) {
    return IoError("cannot open the catalog " + path + ": " +
                   (raw ? sqlite3_errmsg(raw) : "out of memory"));
  }
  sqlite3_busy_timeout(db.get(), static_cast<int>(options.busy_timeout.count()));
  char* message = nullptr;
  rc = sqlite3_exec(db.get(), kCreateTablesSql, nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string text = message ? message : "unknown error";
    sqlite3_free(message);
    return IoError("cannot create the catalog tables in " + path + ": " + text);
  }
  CS_ASSIGN_OR_RETURN(bool has_type_column, HasTypeColumn(db.get()));
  return std::make_unique<SqliteCatalog>(std::move(db), options.catalog_name, has_type_column);
}

}  // namespace clickstream::catalog
