#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/identifier.h"
#include "common/result.h"
#include "events/event_time.h"
#include "kafka/consumer.h"
#include "metrics/processor_metrics.h"

namespace clickstream::pipeline {

// Default time between two commits (README "Stream processor" says why).
inline constexpr std::chrono::milliseconds kDefaultCommitInterval{2000};
// Messages longer than this go to the dead-letter table as "oversized".
inline constexpr size_t kMaxEventBytes = 64 * 1024;

// What to do with a partition whose table record lies beyond the partition's end (the topic was
// deleted and created again): stop (the default), or start over from its beginning or its end.
enum class OffsetReset { kNone, kEarliest, kLatest };

// What the processor does with a message that is not a valid click (DESIGN.md "Event contract"),
// as `process --on-bad-record dlq|skip|fail` says.
enum class BadRecordPolicy {
  kDeadLetter,  // write it to the dead-letter table with the reason (the default)
  kSkip,        // drop it, counted per reason in the stats and metrics
  kFail,        // stop with one sentence naming its partition, offset and reason; the batch that
                // holds it is not committed, so a restart with kDeadLetter resumes exactly once
};

struct ProcessorOptions {
  std::string brokers = "127.0.0.1:9092";
  std::string topic = "user_clicks";
  std::string group = "click_processor";
  std::string catalog_path;
  std::string warehouse;
  // The clicks table; the dead letters go to <name>_dlq and enriched clicks to <name>_enriched in
  // the same namespace, profiles are read from <namespace>.user_profiles.
  catalog::TableIdentifier table{"website", "clicks"};
  std::chrono::milliseconds commit_interval = kDefaultCommitInterval;
  // A commit also starts when this many rows (or bytes of buffered rows) are pending.
  int64_t max_pending_rows = 500'000;
  int64_t max_pending_bytes = 64 << 20;
  bool until_caught_up = false;
  bool enrich = false;
  OffsetReset reset_offsets = OffsetReset::kNone;
  BadRecordPolicy on_bad_record = BadRecordPolicy::kDeadLetter;
  // Zone-less event_ts values are read in this zone (DESIGN.md "Event contract").
  events::EventTimeZone event_time_zone = events::EventTimeZone::Utc();
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds session_timeout{10000};
  // How long a commit waits for a catalog locked by another process before giving up.
  std::chrono::milliseconds catalog_busy_timeout{30000};
  // --metrics-addr: counters, lag, freshness and health go here (owned by the caller); none when
  // null. Skipped offsets and maintenance are reported through metrics->SkippedOffsets and
  // metrics->maintenance().
  metrics::ProcessorMetrics* metrics = nullptr;
};

// Counters since start, for progress lines and the final summary.
struct ProcessorStats {
  int64_t consumed = 0;         // messages taken from Kafka (duplicates after a re-seek included)
  int64_t committed_rows = 0;   // rows committed to the clicks table
  int64_t dead_letters = 0;     // rows committed to the dead-letter table
  int64_t enriched_rows = 0;    // rows committed to the enriched table
  int64_t commits = 0;          // snapshots committed, all tables together
  int64_t fenced_batches = 0;   // batches dropped because another processor moved a partition on
  int64_t skipped_offsets = 0;  // recorded offsets already removed by retention, never read
  // Bad messages dropped by BadRecordPolicy::kSkip, in total and per reason category
  // (events/dead_letter_reason.h); a message read again after a restart counts again.
  int64_t skipped_records = 0;
  std::map<std::string, int64_t, std::less<>> skipped_by_reason;
  int64_t lag = -1;  // messages between the position and the end of assigned partitions
  int assigned_partitions = 0;
  double last_commit_ms = 0;  // wall time of the last commit cycle
  std::string last_client_error;
};

// Hooks the command line gives the processor.
struct ProcessorHooks {
  // Polled between batches; true asks for a final flush and commit, then a clean exit.
  std::function<bool()> should_stop = [] { return false; };
  // Called about once a second with the counters so far.
  std::function<void(const ProcessorStats&)> on_progress = [](const ProcessorStats&) {};
  // A condition the user should know of that does not stop the processor (one sentence).
  std::function<void(const std::string&)> on_warning = [](const std::string&) {};
  // Called after each commit cycle of the stream with the time table maintenance may take
  // without falling behind the next commit (DESIGN.md "Table maintenance"). Reading waits for it:
  // `process` hands the cycle to a thread of its own and returns at once.
  std::function<void(std::chrono::milliseconds budget)> between_commits =
      [](std::chrono::milliseconds) {};
};

// Reads the topic as a member of the consumer group and writes every message exactly once:
// parsed clicks to the clicks table (and, enriched with user profiles, to the enriched table),
// malformed ones to the dead-letter table (DESIGN.md "Delivery guarantee").
//
// Each table records in its snapshot summaries, per Kafka partition, the next offset whose rows
// it holds; each table's commit is fenced on its own offsets. In every commit cycle the other
// tables commit before the clicks table, so a partition (re)starts at the clicks table's record
// and each other table skips the messages below its own record.
Result<ProcessorStats> RunProcessor(const ProcessorOptions& options, const ProcessorHooks& hooks);

}  // namespace clickstream::pipeline
