#include "catalog/sqlite_catalog.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "common/testing_temp_dir.h"

namespace clickstream::catalog {
namespace {

// A commit as the client-writes-metadata path makes it: swap `from` for `to`.
TableCommit Swap(const TableIdentifier& id, std::string from, std::string to) {
  TableCommit commit;
  commit.id = id;
  commit.base_location = std::move(from);
  commit.written_location = std::move(to);
  return commit;
}

namespace fs = std::filesystem;

class SqliteCatalogTest : public testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    path_ = (dir_ / "nested" / "catalog.db").string();
  }

  std::unique_ptr<Catalog> Open() {
    auto catalog = OpenSqliteCatalog(path_);
    EXPECT_TRUE(catalog.has_value()) << catalog.error().message;
    return std::move(catalog).value();
  }

  std::string path_;
};

const TableIdentifier kClicks{"website", "clicks"};

TEST_F(SqliteCatalogTest, CreatesFileAndParentDirectoryOnFirstUse) {
  auto catalog = Open();
  EXPECT_TRUE(fs::exists(path_));
  auto namespaces = catalog->ListNamespaces();
  ASSERT_TRUE(namespaces.has_value());
  EXPECT_TRUE(namespaces->empty());
}

TEST_F(SqliteCatalogTest, NamespacesAreCreatedOnceAndListed) {
  auto catalog = Open();
  ASSERT_TRUE(catalog->CreateNamespace("website").has_value());
  auto again = catalog->CreateNamespace("website");
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
  ASSERT_TRUE(catalog->CreateNamespace("analytics", {{"owner", "team"}}).has_value());
  auto namespaces = catalog->ListNamespaces();
  ASSERT_TRUE(namespaces.has_value());
  EXPECT_EQ(*namespaces, (std::vector<std::string>{"analytics", "website"}));
  EXPECT_TRUE(catalog->NamespaceExists("website").value());
  EXPECT_FALSE(catalog->NamespaceExists("nope").value());
}

TEST_F(SqliteCatalogTest, TableLifecycle) {
  auto catalog = Open();
  auto missing_ns = catalog->CreateTable(kClicks, "/w/m1.json");
  ASSERT_FALSE(missing_ns.has_value());
  EXPECT_EQ(missing_ns.error().code, ErrorCode::kNotFound);

  ASSERT_TRUE(catalog->CreateNamespace("website").has_value());
  ASSERT_TRUE(catalog->CreateTable(kClicks, "/w/m1.json").has_value());
  auto duplicate = catalog->CreateTable(kClicks, "/w/other.json");
  ASSERT_FALSE(duplicate.has_value());
  EXPECT_EQ(duplicate.error().code, ErrorCode::kAlreadyExists);

  auto entry = catalog->LoadTable(kClicks);
  ASSERT_TRUE(entry.has_value());
  EXPECT_EQ(entry->metadata_location, "/w/m1.json");
  EXPECT_EQ(entry->previous_metadata_location, "");

  auto tables = catalog->ListTables("website");
  ASSERT_TRUE(tables.has_value());
  ASSERT_EQ(tables->size(), 1u);
  EXPECT_EQ(tables->front(), kClicks);

  ASSERT_TRUE(catalog->DropTable(kClicks).has_value());
  EXPECT_EQ(catalog->LoadTable(kClicks).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(catalog->DropTable(kClicks).error().code, ErrorCode::kNotFound);
}

TEST_F(SqliteCatalogTest, CommitIsCompareAndSwapOnMetadataLocation) {
  auto writer_a = Open();
  auto writer_b = Open();
  ASSERT_TRUE(writer_a->CreateNamespace("website").has_value());
  ASSERT_TRUE(writer_a->CreateTable(kClicks, "/w/m1.json").has_value());

  // Both writers read m1; A wins, B must see a conflict and the table must point at A's file.
  ASSERT_TRUE(writer_a->CommitTable(Swap(kClicks, "/w/m1.json", "/w/m2a.json")).has_value());
  auto lost = writer_b->CommitTable(Swap(kClicks, "/w/m1.json", "/w/m2b.json"));
  ASSERT_FALSE(lost.has_value());
  EXPECT_EQ(lost.error().code, ErrorCode::kConflict);

  auto entry = writer_b->LoadTable(kClicks);
  ASSERT_TRUE(entry.has_value());
  EXPECT_EQ(entry->metadata_location, "/w/m2a.json");
  EXPECT_EQ(entry->previous_metadata_location, "/w/m1.json");

  ASSERT_TRUE(writer_b->CommitTable(Swap(kClicks, "/w/m2a.json", "/w/m3.json")).has_value());
  EXPECT_EQ(writer_a->LoadTable(kClicks)->metadata_location, "/w/m3.json");
}

TEST_F(SqliteCatalogTest, CommitOnDroppedTableIsNotFound) {
  auto catalog = Open();
  ASSERT_TRUE(catalog->CreateNamespace("website").has_value());
  auto status = catalog->CommitTable(Swap(kClicks, "/w/m1.json", "/w/m2.json"));
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().code, ErrorCode::kNotFound);
}

TEST_F(SqliteCatalogTest, ConcurrentWritersNeverLoseACommit) {
  {
    auto setup = Open();
    ASSERT_TRUE(setup->CreateNamespace("website").has_value());
    ASSERT_TRUE(setup->CreateTable(kClicks, "v0").has_value());
  }
  constexpr int kWriters = 4;
  constexpr int kCommitsEach = 50;
  std::atomic<int> unexpected_errors{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      auto catalog = OpenSqliteCatalog(path_);
      if (!catalog.has_value()) {
        ++unexpected_errors;
        return;
      }
      int done = 0;
      while (done < kCommitsEach) {
        auto entry = (*catalog)->LoadTable(kClicks);
        if (!entry.has_value()) {
          ++unexpected_errors;
          return;
        }
        // Locations form a chain "v<n>"; each successful commit increments n by one.
        int n = std::stoi(entry->metadata_location.substr(1));
        auto status = (*catalog)->CommitTable(
            Swap(kClicks, entry->metadata_location, "v" + std::to_string(n + 1)));
        if (status.has_value()) {
          ++done;
        } else if (status.error().code != ErrorCode::kConflict) {
          ++unexpected_errors;
          return;
        }
        (void)w;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(unexpected_errors.load(), 0);
  EXPECT_EQ(Open()->LoadTable(kClicks)->metadata_location,
            "v" + std::to_string(kWriters * kCommitsEach));
}

TEST_F(SqliteCatalogTest, UsesAJdbcCatalogV0FileWithoutTypeColumn) {
  fs::create_directories(fs::path(path_).parent_path());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  const char* ddl =
      "CREATE TABLE iceberg_tables(catalog_name VARCHAR(255) NOT NULL, table_namespace "
      "VARCHAR(255) NOT NULL, table_name VARCHAR(255) NOT NULL, metadata_location VARCHAR(1000), "
      "previous_metadata_location VARCHAR(1000), PRIMARY KEY (catalog_name, table_namespace, "
      "table_name));"
      "INSERT INTO iceberg_tables VALUES ('catalog', 'website', 'clicks', '/w/m1.json', NULL);";
  ASSERT_EQ(sqlite3_exec(db, ddl, nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);

  auto catalog = Open();
  EXPECT_EQ(catalog->LoadTable(kClicks)->metadata_location, "/w/m1.json");
  EXPECT_TRUE(catalog->NamespaceExists("website").value());
  ASSERT_TRUE(catalog->CreateTable({"website", "other"}, "/w/o1.json").has_value());
  EXPECT_EQ(catalog->ListTables("website")->size(), 2u);
}

TEST_F(SqliteCatalogTest, RejectsInvalidNames) {
  auto catalog = Open();
  EXPECT_EQ(catalog->CreateNamespace("..").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(catalog->CreateTable({"website", "../x"}, "/w/x.json").error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(catalog->CreateTable({"a..b", "x"}, "/w/x.json").error().code,
            ErrorCode::kInvalidArgument);
  // A lookup by a name no table can have is simply not found.
  EXPECT_EQ(catalog->LoadTable({"website", "../x"}).error().code, ErrorCode::kNotFound);
}

TEST_F(SqliteCatalogTest, ListsAndLoadsTablesInNamespacesOtherEnginesMade) {
  auto catalog = Open();
  ASSERT_TRUE(catalog->CreateNamespace("analytics.daily").has_value());
  ASSERT_TRUE(catalog->CreateTable({"analytics.daily", "events"}, "/w/e1.json").has_value());
  // pyiceberg accepts any characters in a namespace; such a table is listed and loaded too.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "INSERT INTO iceberg_tables VALUES ('catalog', 'sales reports', "
                         "'q1 totals', '/w/q1.json', NULL, 'TABLE')",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  EXPECT_EQ(catalog->ListNamespaces().value(),
            (std::vector<std::string>{"analytics.daily", "sales reports"}));
  auto nested = catalog->ListTables("analytics.daily");
  ASSERT_TRUE(nested.has_value()) << nested.error().message;
  ASSERT_EQ(nested->size(), 1u);
  EXPECT_EQ(catalog->LoadTable(nested->front())->metadata_location, "/w/e1.json");
  auto spaced = catalog->ListTables("sales reports");
  ASSERT_TRUE(spaced.has_value()) << spaced.error().message;
  EXPECT_EQ(catalog->LoadTable(spaced->front())->metadata_location, "/w/q1.json");
}

TEST_F(SqliteCatalogTest, ReadingNeverCreatesACatalog) {
  SqliteCatalogOptions reading;
  reading.create_if_missing = false;
  auto missing = OpenSqliteCatalog(path_, reading);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(fs::exists(fs::path(path_).parent_path()));
  fs::create_directories(fs::path(path_).parent_path());
  { std::ofstream(path_) << "not a database"; }
  EXPECT_FALSE(OpenSqliteCatalog(path_, reading).has_value());
  fs::remove(path_);
  Open()->CreateNamespace("website").value();
  auto existing = OpenSqliteCatalog(path_, reading);
  ASSERT_TRUE(existing.has_value()) << existing.error().message;
  EXPECT_EQ((*existing)->ListNamespaces().value(), (std::vector<std::string>{"website"}));
}

}  // namespace
}  // namespace clickstream::catalog
