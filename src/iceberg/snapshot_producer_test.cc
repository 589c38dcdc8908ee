#include "iceberg/snapshot_producer.h"

#include <gtest/gtest.h>

#include "catalog/sqlite_catalog.h"
#include "iceberg/table.h"
#include "iceberg/testing_python.h"

namespace clickstream::iceberg {
namespace {

constexpr int64_t kDayMs = 24LL * 60 * 60 * 1000;

TEST(NextSnapshotTimestampTest, OwnClockUnlessTheTableHasANewerSnapshot) {
  TableMetadata m;
  EXPECT_EQ(NextSnapshotTimestamp(m, 2000), 2000);
  m.snapshots.push_back(Snapshot{.snapshot_id = 1, .timestamp_ms = 1000});
  m.snapshots.push_back(Snapshot{.snapshot_id = 2, .timestamp_ms = 5000});
  m.snapshot_log = {{1000, 1}, {5000, 2}};
  EXPECT_EQ(NextSnapshotTimestamp(m, 9000), 9000);
  EXPECT_EQ(NextSnapshotTimestamp(m, 2000), 5001);
  EXPECT_EQ(NextSnapshotTimestamp(m, 5000), 5001);
  // An expired snapshot's log entry still counts while the log has it.
  m.snapshots.pop_back();
  EXPECT_EQ(NextSnapshotTimestamp(m, 2000), 5001);
}

// Another writer, whose clock runs a day ahead, commits a snapshot of the same files.
class SkewedWriter final : public TableOperation {
 public:
  std::string_view name() const override { return "skewed append"; }
  Result<TableChange> Apply(const TableMetadata& base, std::string_view /*location*/,
                            CommitAttempt& /*attempt*/) override {
    Snapshot s = *base.CurrentSnapshot();
    s.parent_snapshot_id = s.snapshot_id;
    s.snapshot_id = RandomSnapshotId();
    s.sequence_number = base.last_sequence_number + 1;
    s.timestamp_ms = NowMillis() + kDayMs;
    TableChange change;
    change.Update(AddSnapshot{s});
    change.Update(SetSnapshotRef{"main", s.snapshot_id, "branch"});
    return change;
  }
};

using SnapshotTimestampTest = testing::TempDirTest;

TEST_F(SnapshotTimestampTest, AClockFarAheadDoesNotFreezeLaterSnapshots) {
  auto catalog = catalog::OpenSqliteCatalog((dir_ / "catalog.db").string()).value();
  Schema schema{0, {Field{1, "user_id", TypeId::kString, false, ""}}};
  auto table = Table::Create(*catalog, (dir_ / "wh").string(), {"website", "t"}, schema,
                             PartitionSpec{0, {}})
                   .value();
  DataFile f;
  f.file_path = "/data/0.parquet";
  f.record_count = 1;
  ASSERT_TRUE(table.Append(std::span(&f, 1)).has_value());
  SkewedWriter skewed;
  ASSERT_TRUE(table.Commit(skewed).has_value());
  const int64_t ahead = table.metadata().CurrentSnapshot()->timestamp_ms;
  for (int i = 1; i <= 3; ++i) {
    f.file_path = "/data/" + std::to_string(i) + ".parquet";
    ASSERT_TRUE(table.Append(std::span(&f, 1)).has_value());
  }
  const auto& log = table.metadata().snapshot_log;
  ASSERT_EQ(log.size(), 5u);
  for (std::size_t i = 1; i < log.size(); ++i) {
    EXPECT_GT(log[i].timestamp_ms, log[i - 1].timestamp_ms) << "entry " << i;
  }
  EXPECT_LT(log.back().timestamp_ms, ahead + 1000);
  EXPECT_GE(table.metadata().last_updated_ms, log.back().timestamp_ms);
}

}  // namespace
}  // namespace clickstream::iceberg
