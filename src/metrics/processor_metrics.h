#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "metrics/health.h"
#include "metrics/maintenance_metrics.h"
#include "metrics/registry.h"

namespace clickstream::metrics {

// The clickstream_* metrics of `process` (DESIGN.md "Observability"), labels in braces:
//   clickstream_messages_consumed_total{topic}          messages taken from Kafka
//   clickstream_rows_committed_total{table}             rows made visible, per table
//   clickstream_commits_total{table}                    snapshots committed
//   clickstream_committed_files_total{table}            data files those snapshots added
//   clickstream_committed_bytes_total{table}            bytes of those files
//   clickstream_commit_duration_seconds{table}          histogram: writing files + catalog commit
//   clickstream_last_commit_timestamp_seconds{table}    Unix time of the last commit
//   clickstream_dead_letters_total{topic,reason}        rows committed to the dead-letter table
//   clickstream_skipped_records_total{topic,reason}     bad messages dropped (--on-bad-record skip)
//   clickstream_fenced_batches_total{topic}             batches dropped: another processor moved on
//   clickstream_skipped_offsets_total{topic,partition}  offsets removed by retention before read
//   clickstream_partition_lag_messages{topic,partition} end offset - next offset to read
//   clickstream_partition_lag_seconds{topic,partition}  age of the oldest message not yet visible
//   clickstream_assigned_partitions{topic}
//   clickstream_event_to_visible_seconds{table}         histogram, one observation per row
//   clickstream_kafka_to_visible_seconds{table}         histogram, one observation per row
//   clickstream_table_data_files{table}                 the table as of this processor's last
//   clickstream_table_records{table}                    commit (its snapshot summary's totals,
//   clickstream_table_data_bytes{table}                 so other writers' changes count too)
// plus MaintenanceMetrics. Health components: "processor" (starting, stuck), "kafka" (broker
// unreachable), "commits" (a commit failed).
class ProcessorMetrics {
 public:
  // Registers the families; `health` (which must outlive this) is what /healthz reports.
  static Result<std::unique_ptr<ProcessorMetrics>> Register(Registry& registry, Health& health,
                                                            std::string topic);

  const std::string& topic() const { return topic_; }
  Health& health() { return health_; }
  MaintenanceMetrics& maintenance() { return *maintenance_; }

  // Shows the table's counters (at 0) before its first commit.
  void TableOpened(std::string_view table);
  void Consumed(int64_t messages) { consumed_->Increment(static_cast<double>(messages)); }
  // One snapshot of `table` with `rows` rows in `files` data files of `bytes` bytes, committed in
  // `seconds` (writing the files and the catalog commit).
  void Committed(std::string_view table, int64_t rows, int64_t files, int64_t bytes,
                 double seconds);
  // Rows that became visible at `visible_us` (Unix microseconds): their event times (Unix
  // microseconds) and Kafka timestamps (Unix milliseconds) go to the freshness histograms.
  void Visible(std::string_view table, std::span<const int64_t> event_us,
               std::span<const int64_t> kafka_ms, int64_t visible_us);
  // `rows` dead letters of category `reason` (events/dead_letter_reason.h) were committed.
  void DeadLetters(std::string_view reason, int64_t rows);
  // `rows` bad messages of category `reason` were read and dropped (--on-bad-record skip).
  void SkippedRecords(std::string_view reason, int64_t rows);
  // The table's totals after a commit; negative values are unknown and left as they were.
  void TableTotals(std::string_view table, int64_t data_files, int64_t records, int64_t bytes);
  void Fenced() { fenced_->Increment(); }
  // Retention removed `count` offsets of `partition` before this processor read them.
  void SkippedOffsets(int32_t partition, int64_t count);

  // Partition bookkeeping: assigned partitions show their skipped offsets (at 0 until something
  // happens) and their lag once measured; released ones disappear from the lag gauges.
  void Assigned(std::span<const int32_t> partitions, size_t now_assigned);
  void Released(std::span<const int32_t> partitions, size_t now_assigned);
  void Lag(int32_t partition, int64_t messages, double seconds);

 private:
  ProcessorMetrics(Health& health, std::string topic) : health_(health), topic_(std::move(topic)) {}
  Status RegisterFamilies(Registry& registry);
  std::vector<std::string> PartitionLabels(int32_t partition) const {
    return {topic_, std::to_string(partition)};
  }

  Health& health_;
  std::string topic_;
  std::unique_ptr<MaintenanceMetrics> maintenance_;
  Counter* consumed_ = nullptr;
  Counter* fenced_ = nullptr;
  Gauge* assigned_ = nullptr;
  Family<Counter>* rows_ = nullptr;
  Family<Counter>* commits_ = nullptr;
  Family<Counter>* files_ = nullptr;
  Family<Counter>* bytes_ = nullptr;
  Family<Histogram>* commit_seconds_ = nullptr;
  Family<Gauge>* last_commit_ = nullptr;
  Family<Counter>* dead_letters_ = nullptr;
  Family<Counter>* skipped_records_ = nullptr;
  Family<Counter>* skipped_ = nullptr;
  Family<Gauge>* lag_messages_ = nullptr;
  Family<Gauge>* lag_seconds_ = nullptr;
  Family<Histogram>* event_freshness_ = nullptr;
  Family<Histogram>* kafka_freshness_ = nullptr;
  Family<Gauge>* table_files_ = nullptr;
  Family<Gauge>* table_records_ = nullptr;
  Family<Gauge>* table_bytes_ = nullptr;
  std::vector<double> scratch_;
};

// Bucket bounds for freshness (seconds from event to visible): 50 ms to 1 day.
std::vector<double> FreshnessBuckets();

}  // namespace clickstream::metrics
