#include "metrics/processor_metrics.h"

#include <chrono>

namespace clickstream::metrics {

std::vector<double> FreshnessBuckets() {
  return {0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30, 60, 120, 300, 900, 3600, 21600, 86400};
}

Result<std::unique_ptr<ProcessorMetrics>> ProcessorMetrics::Register(Registry& registry,
                                                                     Health& health,
                                                                     std::string topic) {
  std::unique_ptr<ProcessorMetrics> self(new ProcessorMetrics(health, std::move(topic)));
  CS_RETURN_IF_ERROR(self->RegisterFamilies(registry));
  CS_ASSIGN_OR_RETURN(self->maintenance_, MaintenanceMetrics::Register(registry));
  health.Fail("processor", "starting: connecting to Kafka and the catalog");
  return self;
}

Status ProcessorMetrics::RegisterFamilies(Registry& r) {
  const std::vector<std::string> table{"table"};
  const std::vector<std::string> topic{"topic"};
  const std::vector<std::string> partition{"topic", "partition"};
  CS_ASSIGN_OR_RETURN(auto consumed, r.AddCounter("clickstream_messages_consumed_total",
                                                  "Messages taken from Kafka.", topic));
  consumed_ = &consumed->WithLabels({topic_});
  CS_ASSIGN_OR_RETURN(auto fenced, r.AddCounter("clickstream_fenced_batches_total",
                                                "Batches dropped because another processor "
                                                "committed their partition first.",
                                                topic));
  fenced_ = &fenced->WithLabels({topic_});
  CS_ASSIGN_OR_RETURN(auto assigned, r.AddGauge("clickstream_assigned_partitions",
                                                "Partitions assigned to this processor.", topic));
  assigned_ = &assigned->WithLabels({topic_});
  CS_ASSIGN_OR_RETURN(rows_, r.AddCounter("clickstream_rows_committed_total",
                                          "Rows committed (visible to readers).", table));
  CS_ASSIGN_OR_RETURN(commits_,
                      r.AddCounter("clickstream_commits_total", "Snapshots committed.", table));
  CS_ASSIGN_OR_RETURN(files_, r.AddCounter("clickstream_committed_files_total",
                                           "Data files added by committed snapshots.", table));
  CS_ASSIGN_OR_RETURN(bytes_,
                      r.AddCounter("clickstream_committed_bytes_total",
                                   "Bytes of data files added by committed snapshots.", table));
  CS_ASSIGN_OR_RETURN(commit_seconds_,
                      r.AddHistogram("clickstream_commit_duration_seconds",
                                     "Time to write a batch's data files and commit its snapshot.",
                                     table, DurationBuckets()));
  CS_ASSIGN_OR_RETURN(last_commit_, r.AddGauge("clickstream_last_commit_timestamp_seconds",
                                               "Unix time of the last committed snapshot.", table));
  CS_ASSIGN_OR_RETURN(
      dead_letters_,
      r.AddCounter("clickstream_dead_letters_total",
                   "Malformed messages committed to the dead-letter table.", {"topic", "reason"}));
  CS_ASSIGN_OR_RETURN(
      skipped_records_,
      r.AddCounter("clickstream_skipped_records_total",
                   "Malformed messages dropped by --on-bad-record skip.", {"topic", "reason"}));
  CS_ASSIGN_OR_RETURN(skipped_, r.AddCounter("clickstream_skipped_offsets_total",
                                             "Offsets removed by retention before this processor "
                                             "read them (their events are lost).",
                                             partition));
  CS_ASSIGN_OR_RETURN(
      lag_messages_,
      r.AddGauge("clickstream_partition_lag_messages",
                 "Messages in the partition after the next one to read.", partition));
  CS_ASSIGN_OR_RETURN(lag_seconds_,
                      r.AddGauge("clickstream_partition_lag_seconds",
                                 "Age of the oldest message of the partition not yet visible in "
                                 "the tables (0 when caught up).",
                                 partition));
  CS_ASSIGN_OR_RETURN(event_freshness_,
                      r.AddHistogram("clickstream_event_to_visible_seconds",
                                     "Per committed row: commit time minus the event's event_ts.",
                                     table, FreshnessBuckets()));
  CS_ASSIGN_OR_RETURN(kafka_freshness_,
                      r.AddHistogram("clickstream_kafka_to_visible_seconds",
                                     "Per committed row: commit time minus the Kafka timestamp of "
                                     "its message.",
                                     table, FreshnessBuckets()));
  CS_ASSIGN_OR_RETURN(table_files_,
                      r.AddGauge("clickstream_table_data_files",
                                 "Data files in the table's current snapshot.", table));
  CS_ASSIGN_OR_RETURN(
      table_records_,
      r.AddGauge("clickstream_table_records", "Records in the table's current snapshot.", table));
  CS_ASSIGN_OR_RETURN(table_bytes_,
                      r.AddGauge("clickstream_table_data_bytes",
                                 "Bytes of data files in the table's current snapshot.", table));
  return Ok();
}

void ProcessorMetrics::TableTotals(std::string_view table, int64_t data_files, int64_t records,
                                   int64_t bytes) {
  const std::vector<std::string> labels{std::string(table)};
  if (data_files >= 0) table_files_->WithLabels(labels).Set(static_cast<double>(data_files));
  if (records >= 0) table_records_->WithLabels(labels).Set(static_cast<double>(records));
  if (bytes >= 0) table_bytes_->WithLabels(labels).Set(static_cast<double>(bytes));
}

void ProcessorMetrics::TableOpened(std::string_view table) {
  const std::vector<std::string> labels{std::string(table)};
  rows_->WithLabels(labels);
  commits_->WithLabels(labels);
  files_->WithLabels(labels);
  bytes_->WithLabels(labels);
}

void ProcessorMetrics::Committed(std::string_view table, int64_t rows, int64_t files, int64_t bytes,
                                 double seconds) {
  const std::vector<std::string> labels{std::string(table)};
  rows_->WithLabels(labels).Increment(static_cast<double>(rows));
  commits_->WithLabels(labels).Increment();
  files_->WithLabels(labels).Increment(static_cast<double>(files));
  bytes_->WithLabels(labels).Increment(static_cast<double>(bytes));
  commit_seconds_->WithLabels(labels).Observe(seconds);
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  last_commit_->WithLabels(labels).Set(std::chrono::duration<double>(now).count());
}

void ProcessorMetrics::Visible(std::string_view table, std::span<const int64_t> event_us,
                               std::span<const int64_t> kafka_ms, int64_t visible_us) {
  const std::vector<std::string> labels{std::string(table)};
  scratch_.clear();
  for (int64_t us : event_us) scratch_.push_back(static_cast<double>(visible_us - us) * 1e-6);
  event_freshness_->WithLabels(labels).ObserveEach(scratch_);
  scratch_.clear();
  const int64_t visible_ms = visible_us / 1000;
  for (int64_t ms : kafka_ms) scratch_.push_back(static_cast<double>(visible_ms - ms) * 1e-3);
  kafka_freshness_->WithLabels(labels).ObserveEach(scratch_);
}

void ProcessorMetrics::DeadLetters(std::string_view reason, int64_t rows) {
  dead_letters_->WithLabels({topic_, std::string(reason)}).Increment(static_cast<double>(rows));
}

void ProcessorMetrics::SkippedRecords(std::string_view reason, int64_t rows) {
  skipped_records_->WithLabels({topic_, std::string(reason)}).Increment(static_cast<double>(rows));
}

void ProcessorMetrics::SkippedOffsets(int32_t partition, int64_t count) {
  skipped_->WithLabels(PartitionLabels(partition)).Increment(static_cast<double>(count));
}

void ProcessorMetrics::Assigned(std::span<const int32_t> partitions, size_t now_assigned) {
  // Lag series appear with the first measurement (Lag), never as a 0 nobody measured.
  for (int32_t partition : partitions) skipped_->WithLabels(PartitionLabels(partition));
  assigned_->Set(static_cast<double>(now_assigned));
}

void ProcessorMetrics::Released(std::span<const int32_t> partitions, size_t now_assigned) {
  for (int32_t partition : partitions) {
    lag_messages_->Remove(PartitionLabels(partition));
    lag_seconds_->Remove(PartitionLabels(partition));
  }
  assigned_->Set(static_cast<double>(now_assigned));
}

void ProcessorMetrics::Lag(int32_t partition, int64_t messages, double seconds) {
  lag_messages_->WithLabels(PartitionLabels(partition)).Set(static_cast<double>(messages));
  lag_seconds_->WithLabels(PartitionLabels(partition)).Set(seconds);
}

}  // namespace clickstream::metrics
