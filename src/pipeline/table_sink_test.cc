// TableSink against the real SQLite catalog and Iceberg table operations in a temporary directory.
#include "pipeline/table_sink.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <future>
#include <string>

#include "catalog/sqlite_catalog.h"
#include "iceberg/table.h"
#include "iceberg/testing_python.h"
#include "pipeline/kafka_offsets.h"
#include "pipeline/processor.h"

namespace clickstream::pipeline {
namespace {

class TableSinkTest : public iceberg::testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    auto catalog = catalog::OpenSqliteCatalog((dir_ / "catalog.db").string());
    ASSERT_TRUE(catalog.has_value()) << catalog.error().message;
    catalog_ = std::move(*catalog);
  }

  std::unique_ptr<TableSink> Open() {
    auto sink = TableSink::Open(*catalog_, (dir_ / "warehouse").string(), {"website", "clicks"},
                                ClicksTable(), "group", "topic");
    EXPECT_TRUE(sink.has_value()) << sink.error().message;
    return sink ? std::move(*sink) : nullptr;
  }

  static void AppendClicks(TableSink& sink, int rows) {
    for (int i = 0; i < rows; ++i) {
      const std::string user = "user_" + std::to_string(i);
      const std::array<iceberg::Value, 3> row{std::string_view(user), std::string_view("/home"),
                                              int64_t{1'700'000'000'000'000} + i};
      ASSERT_TRUE(sink.Append(row).has_value());
    }
  }

  size_t ParquetFiles() const {
    size_t count = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_ / "warehouse")) {
      if (entry.path().extension() == ".parquet") ++count;
    }
    return count;
  }

  std::unique_ptr<catalog::Catalog> catalog_;
};

TEST_F(TableSinkTest, CommitRecordsTheNextOffsetOfEveryPartitionThatMoved) {
  auto sink = Open();
  const int32_t partitions[] = {0, 1};
  ASSERT_TRUE(sink->Reload(partitions).has_value());
  EXPECT_EQ(sink->recorded(0), std::nullopt);
  AppendClicks(*sink, 10);
  auto commit = sink->Commit({{0, 7}, {1, 3}, {2, std::nullopt}});
  ASSERT_TRUE(commit.has_value()) << commit.error().message;
  EXPECT_TRUE(commit->committed);
  EXPECT_EQ(commit->rows, 10);
  EXPECT_EQ(sink->recorded(0), 7);
  EXPECT_FALSE(sink->Accepts(0, 6));
  EXPECT_TRUE(sink->Accepts(0, 7));

  auto table = iceberg::Table::Load(*catalog_, {"website", "clicks"});
  ASSERT_TRUE(table.has_value());
  auto offsets = RecordedKafkaOffsets(table->metadata(), "group", "topic");
  ASSERT_TRUE(offsets.has_value());
  EXPECT_EQ(*offsets, (std::map<int32_t, int64_t>{{0, 7}, {1, 3}}));

  // Nothing pending: nothing to commit.
  auto idle = sink->Commit({{0, 9}});
  ASSERT_TRUE(idle.has_value());
  EXPECT_FALSE(idle->committed);
}

TEST_F(TableSinkTest, StaleWriterIsFencedAndItsFilesNeverBecomeVisible) {
  auto owner = Open();
  auto zombie = Open();
  const int32_t partitions[] = {0};
  ASSERT_TRUE(owner->Reload(partitions).has_value());
  ASSERT_TRUE(zombie->Reload(partitions).has_value());

  // Both read partition 0 from its beginning; the owner commits [0, 5) first.
  AppendClicks(*owner, 5);
  ASSERT_TRUE(owner->Commit({{0, 5}}).has_value());
  AppendClicks(*zombie, 4);
  auto fenced = zombie->Commit({{0, 4}});
  ASSERT_FALSE(fenced.has_value());
  EXPECT_EQ(fenced.error().code, ErrorCode::kConflict);
  EXPECT_NE(fenced.error().message.find("partition 0"), std::string::npos);
  EXPECT_EQ(zombie->pending_rows(), 0);
  EXPECT_EQ(ParquetFiles(), 1u);  // the zombie's file was deleted

  auto table = iceberg::Table::Load(*catalog_, {"website", "clicks"});
  ASSERT_TRUE(table.has_value());
  auto files = table->CurrentFiles();
  ASSERT_TRUE(files.has_value());
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ((*files)[0].data_file.record_count, 5);

  // After re-reading, the former zombie continues from the owner's record.
  ASSERT_TRUE(zombie->Reload(partitions).has_value());
  EXPECT_EQ(zombie->recorded(0), 5);
  AppendClicks(*zombie, 2);
  ASSERT_TRUE(zombie->Commit({{0, 7}}).has_value());
  // Now the owner is the stale one.
  AppendClicks(*owner, 1);
  auto stale = owner->Commit({{0, 6}});
  ASSERT_FALSE(stale.has_value());
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
}

TEST_F(TableSinkTest, AppendsGoOnWhileTheSealedBatchIsPublishedOnAnotherThread) {
  auto sink = Open();
  const int32_t partitions[] = {0};
  ASSERT_TRUE(sink->Reload(partitions).has_value());
  EXPECT_FALSE(sink->Seal({{0, 0}}));  // nothing pending
  AppendClicks(*sink, 5);
  ASSERT_TRUE(sink->Seal({{0, 5}}));
  EXPECT_EQ(sink->pending_rows(), 0);
  auto published = std::async(std::launch::async, [&sink] { return sink->Publish(); });
  AppendClicks(*sink, 3);  // the next batch, read meanwhile
  Result<SinkCommit> commit = published.get();
  ASSERT_TRUE(commit.has_value()) << commit.error().message;
  EXPECT_EQ(commit->rows, 5);
  EXPECT_EQ(commit->records, (std::map<int32_t, int64_t>{{0, 5}}));
  EXPECT_EQ(sink->recorded(0), std::nullopt);  // until it is settled
  sink->Settle(*commit);
  EXPECT_EQ(sink->recorded(0), 5);
  EXPECT_EQ(sink->pending_rows(), 3);

  auto next = sink->Commit({{0, 8}});
  ASSERT_TRUE(next.has_value()) << next.error().message;
  EXPECT_EQ(next->rows, 3);
  auto table = iceberg::Table::Load(*catalog_, {"website", "clicks"});
  ASSERT_TRUE(table.has_value());
  auto files = table->CurrentFiles();
  ASSERT_TRUE(files.has_value());
  EXPECT_EQ(files->size(), 2u);
  auto offsets = RecordedKafkaOffsets(table->metadata(), "group", "topic");
  ASSERT_TRUE(offsets.has_value());
  EXPECT_EQ(*offsets, (std::map<int32_t, int64_t>{{0, 8}}));
}

TEST_F(TableSinkTest, DropPendingForgetsTheSealedBatchToo) {
  auto sink = Open();
  const int32_t partitions[] = {0};
  ASSERT_TRUE(sink->Reload(partitions).has_value());
  AppendClicks(*sink, 4);
  ASSERT_TRUE(sink->Seal({{0, 4}}));
  AppendClicks(*sink, 2);
  sink->DropPending();
  EXPECT_EQ(sink->pending_rows(), 0);
  auto publish = sink->Publish();
  ASSERT_TRUE(publish.has_value());
  EXPECT_FALSE(publish->committed);
  EXPECT_EQ(ParquetFiles(), 0u);
  auto table = iceberg::Table::Load(*catalog_, {"website", "clicks"});
  ASSERT_TRUE(table.has_value());
  EXPECT_FALSE(table->metadata().current_snapshot_id.has_value());
}

TEST_F(TableSinkTest, RefusesATableWithOtherColumns) {
  auto other = iceberg::Table::Create(
      *catalog_, (dir_ / "warehouse").string(), {"website", "clicks"},
      iceberg::Schema{0, {iceberg::Field{1, "user_id", iceberg::TypeId::kLong, false, ""}}},
      iceberg::PartitionSpec{0, {}});
  ASSERT_TRUE(other.has_value()) << other.error().message;
  auto sink = TableSink::Open(*catalog_, (dir_ / "warehouse").string(), {"website", "clicks"},
                              ClicksTable(), "group", "topic");
  ASSERT_FALSE(sink.has_value());
  EXPECT_NE(sink.error().message.find("cannot take the processor's rows"), std::string::npos)
      << sink.error().message;
}

// Expires every snapshot but the current one, as Spark's expire_snapshots(retain_last => 1) does.
class ExpireAllButCurrent final : public iceberg::TableOperation {
 public:
  std::string_view name() const override { return "expire"; }
  Result<iceberg::TableChange> Apply(const iceberg::TableMetadata& base, std::string_view,
                                     iceberg::CommitAttempt&) override {
    iceberg::RemoveSnapshots remove;
    for (const auto& s : base.snapshots) {
      if (s.snapshot_id != base.current_snapshot_id) remove.snapshot_ids.push_back(s.snapshot_id);
    }
    return iceberg::TableChange{{}, {remove}};
  }
};

TEST_F(TableSinkTest, OffsetsOfEveryPartitionSurviveSnapshotExpiry) {
  auto sink = Open();
  const int32_t partitions[] = {0, 1};
  ASSERT_TRUE(sink->Reload(partitions).has_value());
  AppendClicks(*sink, 3);
  ASSERT_TRUE(sink->Commit({{0, 3}, {1, 8}}).has_value());
  AppendClicks(*sink, 2);
  ASSERT_TRUE(sink->Commit({{0, 5}, {1, 8}}).has_value());  // partition 1 did not move

  auto table = iceberg::Table::Load(*catalog_, {"website", "clicks"}).value();
  ExpireAllButCurrent expire;
  ASSERT_TRUE(table.Commit(expire).has_value());
  ASSERT_EQ(table.metadata().snapshots.size(), 1u);

  auto reopened = Open();
  ASSERT_TRUE(reopened->Reload(partitions).has_value());
  EXPECT_EQ(reopened->recorded(0), 5);
  EXPECT_EQ(reopened->recorded(1), 8);
}

TEST_F(TableSinkTest, ATableWithOldSummaryOffsetsIsReadOnceThenRecordsProperties) {
  // A table written by an earlier version: offsets only in snapshot summaries.
  {
    auto table =
        iceberg::Table::Create(*catalog_, (dir_ / "warehouse").string(), {"website", "clicks"},
                               ClicksTable().schema, ClicksTable().spec)
            .value();
    iceberg::DataFile file;
    file.file_path = (dir_ / "old.parquet").string();
    file.partition = {std::string("/home")};
    file.record_count = 1;
    file.file_size_in_bytes = 10;
    ASSERT_TRUE(table
                    .Append(std::span(&file, 1),
                            {.summary = {{LegacyKafkaOffsetKey("group", "topic", 0), "12"}}})
                    .has_value());
  }
  auto sink = Open();
  const int32_t partitions[] = {0};
  ASSERT_TRUE(sink->Reload(partitions).has_value());
  EXPECT_EQ(sink->recorded(0), 12);
  AppendClicks(*sink, 2);
  ASSERT_TRUE(sink->Commit({{0, 14}}).has_value());
  auto table = iceberg::Table::Load(*catalog_, {"website", "clicks"}).value();
  EXPECT_EQ(table.metadata().properties.at(KafkaOffsetProperty("group", "topic", 0)), "14");
}

TEST_F(TableSinkTest, OffsetResetIsFencedOnWhatTheSinkRead) {
  auto sink = Open();
  auto other = Open();
  const int32_t partitions[] = {0};
  ASSERT_TRUE(sink->Reload(partitions).has_value());
  ASSERT_TRUE(other->Reload(partitions).has_value());
  AppendClicks(*sink, 2);
  ASSERT_TRUE(sink->Commit({{0, 500}}).has_value());

  // `other` read no record, so its reset is fenced; `sink` read 500 and may reset it.
  auto fenced = other->ResetOffsets({{0, 0}});
  ASSERT_FALSE(fenced.has_value());
  EXPECT_EQ(fenced.error().code, ErrorCode::kConflict);
  ASSERT_TRUE(sink->ResetOffsets({{0, 0}}).has_value());
  EXPECT_EQ(sink->recorded(0), 0);
  EXPECT_TRUE(sink->Accepts(0, 0));
  auto table = iceberg::Table::Load(*catalog_, {"website", "clicks"}).value();
  EXPECT_EQ(RecordedKafkaOffsets(table.metadata(), "group", "topic").value(),
            (std::map<int32_t, int64_t>{{0, 0}}));
  EXPECT_EQ(table.metadata().snapshots.size(), 1u);  // a reset adds no snapshot
}

// Issue 10: 20,000 distinct pages in one batch cost ~7.5 KB of writer state each (builders, key,
// directory) beyond their rows. Pending bytes count it, so the processor's default bound commits
// such a batch early instead of holding 20,000 partitions.
TEST_F(TableSinkTest, PendingBytesCountWhatEachDistinctPartitionCosts) {
  auto sink = Open();
  constexpr int kPages = 20'000;
  for (int i = 0; i < kPages; ++i) {
    const std::string page = "/p/" + std::to_string(i);
    const std::array<iceberg::Value, 3> row{std::string_view("u"), std::string_view(page),
                                            int64_t{1'700'000'000'000'000}};
    ASSERT_TRUE(sink->Append(row).has_value());
  }
  EXPECT_GE(sink->pending_bytes(), int64_t{kPages} * 7'500);
  EXPECT_GT(sink->pending_bytes(), ProcessorOptions{}.max_pending_bytes);
  // The rows alone (~40 bytes each) are far below the bound: only the overhead triggers it.
  EXPECT_LT(int64_t{kPages} * 64, ProcessorOptions{}.max_pending_bytes / 10);

  sink->DropPending();
  EXPECT_EQ(sink->pending_bytes(), 0);  // a new batch starts the count again
}

}  // namespace
}  // namespace clickstream::pipeline
