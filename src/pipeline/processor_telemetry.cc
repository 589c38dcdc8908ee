#include "pipeline/processor_telemetry.h"

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "events/dead_letter_reason.h"

namespace clickstream::pipeline {

namespace {

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void ProcessorTelemetry::Started(std::span<TableSink* const> sinks,
                                 std::chrono::milliseconds max_silence, const std::string& brokers,
                                 const std::string& topic) {
  if (!metrics_) return;
  broker_probe_ = std::make_unique<BrokerProbe>(brokers, topic, metrics_->health());
  for (const TableSink* sink : sinks) metrics_->TableOpened(sink->name());
  max_silence_ = max_silence;
  metrics_->health().Clear("processor");
  Beat();
}

void ProcessorTelemetry::Beat() {
  if (metrics_) metrics_->health().Beat("processor", max_silence_, "consuming and committing");
}

void ProcessorTelemetry::Routed(int32_t partition, std::optional<int64_t> kafka_ms) {
  if (partition < 0 || !kafka_ms) return;
  if (static_cast<size_t>(partition) >= clocks_.size()) clocks_.resize(partition + 1);
  PartitionClock& clock = clocks_[partition];
  if (!clock.oldest_pending_ms) clock.oldest_pending_ms = kafka_ms;
  clock.last_read_ms = kafka_ms;
}

void ProcessorTelemetry::DeadLetter(int32_t partition, std::string_view error,
                                    std::optional<int64_t> kafka_ms) {
  if (!metrics_) return;
  ++reading_.dead_letter_reasons[events::DeadLetterReason(error)];
  Routed(partition, kafka_ms);
}

void ProcessorTelemetry::Committed(const TableSink& sink, const SinkCommit& commit, double seconds,
                                   bool clicks, bool dead_letters) {
  if (!metrics_) return;
  metrics_->Committed(sink.name(), commit.rows, commit.files, commit.bytes, seconds);
  auto total = [&](const char* key) -> int64_t {
    auto it = commit.summary.find(key);
    return it == commit.summary.end() ? -1 : std::strtoll(it->second.c_str(), nullptr, 10);
  };
  metrics_->TableTotals(sink.name(), total("total-data-files"), total("total-records"),
                        total("total-files-size"));
  if (clicks) {
    metrics_->Visible(sink.name(), sealed_.event_us, sealed_.kafka_ms, NowMicros());
    sealed_.event_us.clear();
    sealed_.kafka_ms.clear();
  }
  if (dead_letters) {
    for (const auto& [reason, rows] : sealed_.dead_letter_reasons) {
      metrics_->DeadLetters(reason, rows);
    }
    sealed_.dead_letter_reasons.clear();
  }
}

void ProcessorTelemetry::Sealed() {
  sealed_ = std::exchange(reading_, {});
  for (PartitionClock& clock : clocks_) {
    clock.oldest_sealed_ms = std::exchange(clock.oldest_pending_ms, std::nullopt);
  }
}

void ProcessorTelemetry::CycleCommitted() {
  for (PartitionClock& clock : clocks_) clock.oldest_sealed_ms.reset();
}

void ProcessorTelemetry::Fenced() {
  if (metrics_) metrics_->Fenced();
  Dropped();
}

void ProcessorTelemetry::Dropped() {
  reading_ = {};
  sealed_ = {};
  // The dropped messages are read again; until then they are the oldest not visible.
}

void ProcessorTelemetry::CommitFailed(const std::string& message) {
  if (metrics_) metrics_->health().Fail("commits", message);
}

void ProcessorTelemetry::Assigned(std::span<const int32_t> partitions, size_t now_assigned) {
  if (metrics_) metrics_->Assigned(partitions, now_assigned);
}

void ProcessorTelemetry::Released(std::span<const int32_t> partitions, size_t now_assigned) {
  if (!metrics_) return;
  metrics_->Released(partitions, now_assigned);
  for (int32_t partition : partitions) {
    if (partition >= 0 && static_cast<size_t>(partition) < clocks_.size()) {
      clocks_[partition] = {};
    }
  }
}

void ProcessorTelemetry::Lag(int32_t partition, int64_t messages) {
  if (!metrics_) return;
  PartitionClock clock;
  if (partition >= 0 && static_cast<size_t>(partition) < clocks_.size()) {
    clock = clocks_[partition];
  }
  // The oldest message read but not yet committed; when none is pending but more are in the log,
  // they were appended after the last one read.
  std::optional<int64_t> since =
      clock.oldest_sealed_ms ? clock.oldest_sealed_ms : clock.oldest_pending_ms;
  if (!since && messages > 0) since = clock.last_read_ms;
  const double seconds =
      since ? std::max(0.0, static_cast<double>(NowMicros() / 1000 - *since) / 1000.0) : 0.0;
  metrics_->Lag(partition, messages, seconds);
}

}  // namespace clickstream::pipeline
