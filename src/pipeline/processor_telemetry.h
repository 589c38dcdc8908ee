#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/processor_metrics.h"
#include "pipeline/broker_probe.h"
#include "pipeline/table_sink.h"

namespace clickstream::pipeline {

// What the processor tells its metrics (--metrics-addr), kept out of the processor's own code:
// the per-row facts of the batch being built (event and Kafka times of clicks, dead-letter
// categories, the oldest message per partition not yet visible) move to the sealed batch when it
// is sealed, turn into metrics when it commits and are forgotten when it is fenced. Every call
// does nothing without metrics.
class ProcessorTelemetry {
 public:
  explicit ProcessorTelemetry(metrics::ProcessorMetrics* metrics) : metrics_(metrics) {}

  bool enabled() const { return metrics_ != nullptr; }

  // The consumer is open: the processor is live from now on (health "processor"), and a
  // BrokerProbe watches the brokers (health "kafka").
  void Started(std::span<TableSink* const> sinks, std::chrono::milliseconds max_silence,
               const std::string& brokers, const std::string& topic);
  // One turn of the processor's loop: it is not stuck.
  void Beat();
  void Consumed(size_t messages) {
    if (metrics_) metrics_->Consumed(static_cast<int64_t>(messages));
  }

  // A message of `partition` routed into the batch: a click (its event time) or a dead letter
  // (the parser's error text).
  void Click(int32_t partition, int64_t event_us, std::optional<int64_t> kafka_ms) {
    if (!metrics_) return;
    reading_.event_us.push_back(event_us);
    if (kafka_ms) reading_.kafka_ms.push_back(*kafka_ms);
    Routed(partition, kafka_ms);
  }
  void DeadLetter(int32_t partition, std::string_view error, std::optional<int64_t> kafka_ms);
  // A bad message of category `reason` was dropped (--on-bad-record skip): counted at once, as
  // nothing is committed for it.
  void SkippedRecord(std::string_view reason) {
    if (metrics_) metrics_->SkippedRecords(reason, 1);
  }

  // The batch read so far was sealed for a commit (TableSink::Seal); what is read next is the
  // next batch's.
  void Sealed();
  // `sink` committed the sealed batch's snapshot in `seconds`; `clicks` marks the clicks table,
  // whose rows feed the freshness histograms, `dead_letters` the dead-letter table.
  void Committed(const TableSink& sink, const SinkCommit& commit, double seconds, bool clicks,
                 bool dead_letters);
  // Every table committed the sealed batch: none of it is pending anymore.
  void CycleCommitted();
  // A batch was fenced and dropped (or is about to be re-read): forget its facts.
  void Fenced();
  void Dropped();
  void CommitFailed(const std::string& message);
  // Commits succeed again after CommitFailed.
  void CommitsRecovered() {
    if (metrics_) metrics_->health().Clear("commits");
  }

  // Retention removed `count` offsets of `partition` before they were read.
  void SkippedOffsets(int32_t partition, int64_t count) {
    if (metrics_) metrics_->SkippedOffsets(partition, count);
  }
  void Assigned(std::span<const int32_t> partitions, size_t now_assigned);
  void Released(std::span<const int32_t> partitions, size_t now_assigned);
  // `messages` between the next offset to read and the partition's end.
  void Lag(int32_t partition, int64_t messages);

 private:
  struct PartitionClock {
    // Kafka times of the first message not yet visible: of the batch being read, of the sealed one
    std::optional<int64_t> oldest_pending_ms;
    std::optional<int64_t> oldest_sealed_ms;
    std::optional<int64_t> last_read_ms;  // Kafka time of the last message read
  };
  // The facts of one batch's rows.
  struct BatchFacts {
    std::vector<int64_t> event_us;
    std::vector<int64_t> kafka_ms;
    std::map<std::string_view, int64_t> dead_letter_reasons;
  };
  void Routed(int32_t partition, std::optional<int64_t> kafka_ms);

  metrics::ProcessorMetrics* metrics_;
  std::chrono::milliseconds max_silence_{0};
  BatchFacts reading_;                  // of the batch being read
  BatchFacts sealed_;                   // of the sealed batch, being committed
  std::vector<PartitionClock> clocks_;  // by partition number
  std::unique_ptr<BrokerProbe> broker_probe_;
};

}  // namespace clickstream::pipeline
