#include "pipeline/processor.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <future>
#include <optional>
#include <set>
#include <string_view>
#include <thread>
#include <utility>

#include "catalog/open_catalog.h"
#include "events/click_codec.h"
#include "events/dead_letter_reason.h"
#include "pipeline/click_tables.h"
#include "pipeline/processor_telemetry.h"
#include "pipeline/profile_directory.h"
#include "pipeline/table_sink.h"

namespace clickstream::pipeline {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Messages taken from the consumer per Poll.
constexpr size_t kPollBatch = 10'000;
constexpr auto kProgressInterval = std::chrono::seconds(1);
// A commit cycle (files plus a catalog commit) longer than this beyond the commit interval shows
// as unhealthy, e.g. a catalog locked by another process.
constexpr auto kStuckAfter = std::chrono::seconds(15);
// Pauses between attempts while commits fail for a reason that may pass (RetriesCommit).
constexpr milliseconds kFirstRetryPause{500};
constexpr milliseconds kMaxRetryPause{5000};

// A failed commit worth retrying in a stream: the warehouse is read-only or full, the catalog is
// busy or unreachable, or a commit's outcome is unknown (the offset fence makes a retry safe).
bool RetriesCommit(const Error& error) {
  return error.code == ErrorCode::kIoError || error.code == ErrorCode::kUnavailable ||
         error.code == ErrorCode::kCommitStateUnknown;
}

double MillisSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// What publishing one commit cycle's sealed batches did: the commits, in order, up to the first
// failure, if any (the sinks after it stay sealed).
struct PublishedCycle {
  struct Commit {
    TableSink* sink;
    SinkCommit commit;
    double seconds;
  };
  std::vector<Commit> commits;
  std::optional<Error> error;
  TableSink* failed = nullptr;
  double millis = 0;
};

// Publishes the sealed batch of every sink, in order (see Processor::Sinks), stopping at the
// first failure. Runs on a helper thread while the processor reads on.
PublishedCycle PublishSealed(const std::vector<TableSink*>& sinks) {
  const Clock::time_point start = Clock::now();
  PublishedCycle cycle;
  for (TableSink* sink : sinks) {
    const Clock::time_point sink_start = Clock::now();
    Result<SinkCommit> commit = sink->Publish();
    if (!commit) {
      cycle.error = std::move(commit.error());
      cycle.failed = sink;
      break;
    }
    cycle.commits.push_back({sink, std::move(*commit), MillisSince(sink_start) / 1000});
  }
  cycle.millis = MillisSince(start);
  return cycle;
}

class Processor final : public kafka::RebalanceHandler {
 public:
  Processor(const ProcessorOptions& options, const ProcessorHooks& hooks)
      : options_(options),
        hooks_(hooks),
        parser_(options.event_time_zone),
        telemetry_(options.metrics) {}

  ~Processor() override {
    // A commit in flight uses the sinks and the catalog: it ends first.
    if (in_flight_.valid()) in_flight_.wait();
    // The consumer calls back into this object while it closes; close it first.
    failed_ = true;
    consumer_.reset();
  }

  Status Open();
  Result<ProcessorStats> Run();

  Result<std::vector<kafka::StartOffset>> OnPartitionsAssigned(
      std::span<const int32_t> partitions) override;
  Status OnPartitionsRevoked(std::span<const int32_t> partitions, bool lost) override;

 private:
  // Every table this processor writes, in commit order: the clicks table last (see StartOffset).
  std::vector<TableSink*> Sinks() const;
  // Where a partition (re)starts: the clicks table's record. Every other table commits before the
  // clicks table in each cycle, so it holds its rows of every offset below that record; it skips
  // the rows it already has by its own record.
  std::optional<int64_t> StartOffset(int32_t partition) const {
    return clicks_->recorded(partition);
  }
  // Checks the clicks table's record of `partition` against the partition's log: a record beyond
  // the end stops the processor or is reset (--reset-offsets); one below the log start (retention
  // removed messages) is a warning, counted in skipped_offsets.
  Status CheckRecordedOffset(int32_t partition, const kafka::Watermarks& marks);
  Status Route(const kafka::Record& record);
  // A message that is not a valid click, handled as options_.on_bad_record says.
  Status RouteBadRecord(const kafka::Record& record, const std::string& reason);
  // Commits every table; when one is fenced, drops all pending rows, re-reads and re-seeks.
  // Settles the cycle in flight, then starts and settles one.
  Status CommitCycle();
  // Pipelined commits: seals every table's pending rows at the current positions and publishes
  // them on a helper thread, so reading goes on meanwhile. The previous cycle must be settled.
  void StartCommitCycle();
  // Waits for the cycle in flight, if any, and takes in its outcome as CommitCycle does. Every
  // use of the sinks' tables or the catalog other than Append waits for it first.
  Status SettleCommitCycle();
  Status Resync();
  // Picks up a new profiles snapshot; one that cannot be read never stops the stream: the last
  // good profiles (none at first: names and locations null) stay, with one warning per failure.
  void RefreshProfiles();
  // A commit cycle failed with `error`. In a stream (no --until-caught-up) an error that may pass
  // drops the batch, says so once, pauses and re-reads from what the tables record; anything else
  // (or a stop request meanwhile) is returned.
  Status RecoverFromFailedCommit(const Error& error);
  // The first part of it: false when `error` is not retried; otherwise says so (once per run of
  // failures) and forgets the batch's telemetry.
  bool NoteFailedCommit(const Error& error);
  // After a commit cycle that committed a snapshot: ends a run of failed ones, saying so once.
  void CommitsSucceed();
  // Sleeps up to `pause`; false when a stop was requested meanwhile.
  bool PauseUnlessStopped(milliseconds pause) const;
  // --until-caught-up: every assigned partition was read up to the end seen at assignment.
  bool ReachedEnds() const;
  // ... and everything read is committed.
  bool CaughtUp() const;
  void UpdateLag();

  ProcessorOptions options_;
  ProcessorHooks hooks_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<TableSink> clicks_;
  std::unique_ptr<TableSink> dead_letters_;
  std::unique_ptr<TableSink> enriched_;
  std::unique_ptr<ProfileDirectory> profiles_;
  std::unique_ptr<kafka::Consumer> consumer_;
  events::ClickEventParser parser_;

  Positions positions_;              // assigned partitions and their next offsets
  std::map<int32_t, int64_t> ends_;  // --until-caught-up: end offsets seen at assignment
  bool failed_ = false;              // a fatal error happened; callbacks do nothing more
  Clock::time_point last_commit_ = Clock::now();
  std::string profiles_warning_;  // the last profiles error reported (RefreshProfiles)
  // A commit during a rebalance failed but will be retried: after the Poll that ran the callback,
  // the batch is dropped and every partition re-read from the tables' records.
  bool resync_after_poll_ = false;
  int failed_commits_ = 0;  // commit cycles failed in a row (RecoverFromFailedCommit)
  Clock::time_point first_failure_;
  milliseconds retry_pause_ = kFirstRetryPause;
  ProcessorStats stats_;
  ProcessorTelemetry telemetry_;
  std::future<PublishedCycle> in_flight_;  // the commit cycle being published, if any
};

Status Processor::Open() {
  catalog::CatalogOptions catalog_options = catalog::CatalogOptionsFromEnvironment();
  catalog_options.sqlite.busy_timeout = options_.catalog_busy_timeout;
  CS_ASSIGN_OR_RETURN(catalog_, catalog::OpenCatalog(options_.catalog_path, catalog_options));
  const std::string& ns = options_.table.ns;
  // Nothing is created before the existing tables, the broker and the topic check out.
  CS_RETURN_IF_ERROR(TableSink::CheckExisting(*catalog_, options_.table, ClicksTable()));
  CS_RETURN_IF_ERROR(
      TableSink::CheckExisting(*catalog_, {ns, options_.table.name + "_dlq"}, DeadLetterTable()));
  if (options_.enrich) {
    CS_RETURN_IF_ERROR(TableSink::CheckExisting(*catalog_, {ns, options_.table.name + "_enriched"},
                                                EnrichedClicksTable()));
  }
  kafka::ConsumerOptions consumer_options;
  consumer_options.brokers = options_.brokers;
  consumer_options.group_id = options_.group;
  consumer_options.topic = options_.topic;
  consumer_options.client_id = "clickstream-process";
  consumer_options.connect_timeout = options_.connect_timeout;
  consumer_options.session_timeout = options_.session_timeout;
  consumer_options.should_stop = hooks_.should_stop;
  // Rebalance callbacks use the sinks: the group is joined only once they are open.
  CS_ASSIGN_OR_RETURN(consumer_, kafka::Consumer::Open(consumer_options, this));
  CS_ASSIGN_OR_RETURN(
      dead_letters_,
      TableSink::Open(*catalog_, options_.warehouse, {ns, options_.table.name + "_dlq"},
                      DeadLetterTable(), options_.group, options_.topic));
  CS_ASSIGN_OR_RETURN(clicks_, TableSink::Open(*catalog_, options_.warehouse, options_.table,
                                               ClicksTable(), options_.group, options_.topic));
  if (options_.enrich) {
    CS_ASSIGN_OR_RETURN(
        enriched_,
        TableSink::Open(*catalog_, options_.warehouse, {ns, options_.table.name + "_enriched"},
                        EnrichedClicksTable(), options_.group, options_.topic));
    profiles_ = ProfileDirectory::Unread(*catalog_, {ns, std::string(UserProfilesTable().name)});
    RefreshProfiles();
  }
  CS_RETURN_IF_ERROR(consumer_->Subscribe());
  // /healthz calls the processor stuck when a loop turn (a commit cycle at most) takes longer.
  telemetry_.Started(Sinks(), 2 * options_.commit_interval + kStuckAfter, options_.brokers,
                     options_.topic);
  return Ok();
}

std::vector<TableSink*> Processor::Sinks() const {
  std::vector<TableSink*> sinks{dead_letters_.get()};
  if (enriched_) sinks.push_back(enriched_.get());
  sinks.push_back(clicks_.get());
  return sinks;
}

Result<std::vector<kafka::StartOffset>> Processor::OnPartitionsAssigned(
    std::span<const int32_t> partitions) {
  if (failed_) return Internal("the processor already stopped");
  if (Status settled = SettleCommitCycle(); !settled) {
    if (!NoteFailedCommit(settled.error())) {
      failed_ = true;
      return std::unexpected(settled.error());
    }
    resync_after_poll_ = true;  // no pause inside the consumer's callback
  }
  std::vector<kafka::StartOffset> starts;
  for (TableSink* sink : Sinks()) CS_RETURN_IF_ERROR(sink->Reload(partitions));
  for (int32_t partition : partitions) {
    CS_ASSIGN_OR_RETURN(kafka::Watermarks marks,
                        consumer_->QueryWatermarks(partition, options_.connect_timeout));
    CS_RETURN_IF_ERROR(CheckRecordedOffset(partition, marks));
    const std::optional<int64_t> start = StartOffset(partition);
    positions_[partition] = start;
    starts.push_back({partition, start});
    if (options_.until_caught_up) {
      ends_[partition] = marks.high;
      // Nothing before the low watermark can be read anymore: an empty partition is caught up.
      if (!start && marks.low == marks.high) positions_[partition] = marks.high;
    }
  }
  stats_.assigned_partitions = static_cast<int>(positions_.size());
  telemetry_.Assigned(partitions, positions_.size());
  return starts;
}

Status Processor::OnPartitionsRevoked(std::span<const int32_t> partitions, bool /*lost*/) {
  if (failed_) return Ok();
  // Lost partitions are committed too: the offset fence rejects the batch if their new owner
  // committed first, and the new owner's batch is rejected if we commit first.
  Status committed = CommitCycle();
  if (!committed && NoteFailedCommit(committed.error())) {
    resync_after_poll_ = true;  // no pause inside the consumer's callback
    committed = Ok();
  }
  for (TableSink* sink : Sinks()) sink->Forget(partitions);
  for (int32_t partition : partitions) {
    positions_.erase(partition);
    ends_.erase(partition);
  }
  stats_.assigned_partitions = static_cast<int>(positions_.size());
  telemetry_.Released(partitions, positions_.size());
  if (!committed) failed_ = true;
  return committed;
}

Status Processor::CheckRecordedOffset(int32_t partition, const kafka::Watermarks& marks) {
  const std::optional<int64_t> start = StartOffset(partition);
  if (!start) return Ok();
  const std::string where = options_.topic + "/" + std::to_string(partition);
  if (*start > marks.high) {
    if (options_.reset_offsets == OffsetReset::kNone) {
      return Conflict(clicks_->name() + " records next offset " + std::to_string(*start) +
                      " for Kafka partition " + where + ", but the partition ends at " +
                      std::to_string(marks.high) +
                      " (was the topic deleted and created again?); run again with "
                      "--reset-offsets earliest to read it from its beginning or "
                      "--reset-offsets latest to skip to its end");
    }
    const int64_t to = options_.reset_offsets == OffsetReset::kEarliest ? marks.low : marks.high;
    for (TableSink* sink : Sinks()) {
      std::optional<int64_t> record = sink->recorded(partition);
      if (record && *record > marks.high) {
        CS_RETURN_IF_ERROR(sink->ResetOffsets({{partition, to}}));
      }
    }
    hooks_.on_warning("Kafka partition " + where + " was recorded at offset " +
                      std::to_string(*start) + " beyond its end " + std::to_string(marks.high) +
                      "; --reset-offsets moved it to " + std::to_string(to));
    return Ok();
  }
  if (*start < marks.low) {
    stats_.skipped_offsets += marks.low - *start;
    telemetry_.SkippedOffsets(partition, marks.low - *start);
    hooks_.on_warning("Kafka partition " + where + ": offsets " + std::to_string(*start) + " to " +
                      std::to_string(marks.low - 1) +
                      " were removed by retention before they were read; they are skipped and "
                      "reading goes on at " +
                      std::to_string(marks.low));
  }
  return Ok();
}

Status Processor::Route(const kafka::Record& record) {
  const int32_t partition = record.partition();
  const int64_t offset = record.offset();
  auto position = positions_.find(partition);
  if (position == positions_.end()) return Ok();                    // not (or no longer) ours
  if (position->second && offset < *position->second) return Ok();  // already routed
  position->second = offset + 1;

  const std::string_view payload = record.payload();
  std::string reason;
  if (payload.size() > kMaxEventBytes) {
    reason = "oversized message: " + std::to_string(payload.size()) + " bytes, the limit is " +
             std::to_string(kMaxEventBytes);
  } else if (auto event = parser_.Parse(payload); !event) {
    reason = event.error().message;
  } else {
    const std::array<iceberg::Value, 3> click{std::string_view(event->user_id),
                                              std::string_view(event->page), event->event_ts_us};
    if (clicks_->Accepts(partition, offset)) {
      CS_RETURN_IF_ERROR(clicks_->Append(click));
      telemetry_.Click(partition, event->event_ts_us, record.timestamp_ms());
    }
    if (enriched_ && enriched_->Accepts(partition, offset)) {
      const UserProfile* profile = profiles_->Find(event->user_id);
      const std::array<iceberg::Value, 5> row{
          click[0], click[1], click[2],
          profile ? iceberg::Value(std::string_view(profile->name)) : iceberg::Value(),
          profile ? iceberg::Value(std::string_view(profile->location)) : iceberg::Value()};
      CS_RETURN_IF_ERROR(enriched_->Append(row));
    }
    return Ok();
  }
  return RouteBadRecord(record, reason);
}

Status Processor::RouteBadRecord(const kafka::Record& record, const std::string& reason) {
  const int32_t partition = record.partition();
  const int64_t offset = record.offset();
  switch (options_.on_bad_record) {
    case BadRecordPolicy::kFail:
      if (!dead_letters_->Accepts(partition, offset)) return Ok();  // a dlq run took it before
      return Corrupt("bad record in Kafka partition " + options_.topic + "/" +
                     std::to_string(partition) + " at offset " + std::to_string(offset) + ": " +
                     reason + " (--on-bad-record fail: nothing of the current batch was " +
                     "committed; --on-bad-record dlq or skip reads past it)");
    case BadRecordPolicy::kSkip: {
      if (!clicks_->Accepts(partition, offset)) return Ok();  // counted before a restart
      const std::string_view category = events::DeadLetterReason(reason);
      ++stats_.skipped_records;
      auto [it, inserted] = stats_.skipped_by_reason.try_emplace(std::string(category), 0);
      ++it->second;
      telemetry_.SkippedRecord(category);
      return Ok();
    }
    case BadRecordPolicy::kDeadLetter:
      break;
  }
  if (!dead_letters_->Accepts(partition, offset)) return Ok();
  std::optional<int64_t> timestamp_ms = record.timestamp_ms();
  telemetry_.DeadLetter(partition, reason, timestamp_ms);
  const std::array<iceberg::Value, 6> row{
      std::string_view(options_.topic),
      partition,
      offset,
      timestamp_ms ? iceberg::Value(*timestamp_ms * 1000) : iceberg::Value(),
      record.payload(),
      std::string_view(reason)};
  return dead_letters_->Append(row);
}

Status Processor::CommitCycle() {
  CS_RETURN_IF_ERROR(SettleCommitCycle());
  StartCommitCycle();
  return SettleCommitCycle();
}

void Processor::StartCommitCycle() {
  std::vector<TableSink*> sealed;
  for (TableSink* sink : Sinks()) {
    if (sink->Seal(positions_)) sealed.push_back(sink);
  }
  last_commit_ = Clock::now();
  telemetry_.Sealed();
  if (sealed.empty()) {  // nothing to commit, and nothing in flight
    telemetry_.CycleCommitted();
    if (profiles_) RefreshProfiles();
    return;
  }
  in_flight_ = std::async(std::launch::async,
                          [sealed = std::move(sealed)] { return PublishSealed(sealed); });
}

Status Processor::SettleCommitCycle() {
  if (!in_flight_.valid()) return Ok();
  PublishedCycle cycle = in_flight_.get();
  for (const PublishedCycle::Commit& done : cycle.commits) {
    done.sink->Settle(done.commit);
    telemetry_.Committed(*done.sink, done.commit, done.seconds, done.sink == clicks_.get(),
                         done.sink == dead_letters_.get());
    ++stats_.commits;
    if (done.sink == clicks_.get()) stats_.committed_rows += done.commit.rows;
    if (done.sink == dead_letters_.get()) stats_.dead_letters += done.commit.rows;
    if (done.sink == enriched_.get()) stats_.enriched_rows += done.commit.rows;
  }
  if (cycle.error) {
    if (cycle.error->code != ErrorCode::kConflict) {
      Error error = cycle.error->WithContext("committing to " + cycle.failed->name());
      telemetry_.CommitFailed(error.message);
      return std::unexpected(std::move(error));
    }
    // Fenced: another processor owns a partition now. The batch is gone, and so is what was read
    // meanwhile; read on from what the tables record.
    ++stats_.fenced_batches;
    telemetry_.Fenced();
    return Resync();
  }
  telemetry_.CycleCommitted();
  if (!cycle.commits.empty()) {
    stats_.last_commit_ms = cycle.millis;
    // For lag tools only; the tables stay the source of truth.
    std::vector<std::pair<int32_t, int64_t>> done;
    for (const auto& [partition, position] : positions_) {
      if (std::optional<int64_t> next = StartOffset(partition)) done.emplace_back(partition, *next);
    }
    (void)consumer_->CommitForMonitoring(done);
  }
  if (profiles_) RefreshProfiles();
  return Ok();
}

bool Processor::NoteFailedCommit(const Error& error) {
  if (options_.until_caught_up || !RetriesCommit(error)) return false;
  if (failed_commits_++ == 0) {
    first_failure_ = Clock::now();
    hooks_.on_warning(error.message +
                      "; the batch was dropped and is read again from Kafka, and commits are "
                      "retried until they succeed (nothing is lost meanwhile)");
  }
  telemetry_.Dropped();
  return true;
}

Status Processor::RecoverFromFailedCommit(const Error& error) {
  if (!NoteFailedCommit(error)) return std::unexpected(error);
  while (true) {
    if (!PauseUnlessStopped(retry_pause_)) return std::unexpected(error);
    retry_pause_ = std::min(2 * retry_pause_, kMaxRetryPause);
    Status resynced = Resync();
    if (resynced) return Ok();
    if (!RetriesCommit(resynced.error())) return resynced;
  }
}

void Processor::CommitsSucceed() {
  retry_pause_ = kFirstRetryPause;
  if (failed_commits_ == 0) return;
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - first_failure_);
  hooks_.on_warning("commits succeed again after " + std::to_string(failed_commits_) +
                    " failed attempts over " + std::to_string(seconds.count()) +
                    " s; every message read meanwhile is committed exactly once");
  failed_commits_ = 0;
  telemetry_.CommitsRecovered();
}

bool Processor::PauseUnlessStopped(milliseconds pause) const {
  const Clock::time_point until = Clock::now() + pause;
  while (Clock::now() < until) {
    if (hooks_.should_stop()) return false;
    std::this_thread::sleep_for(std::min<Clock::duration>(milliseconds(50), until - Clock::now()));
  }
  return !hooks_.should_stop();
}

void Processor::RefreshProfiles() {
  Status refreshed = profiles_->Refresh();
  if (refreshed) {
    profiles_warning_.clear();
    return;
  }
  if (refreshed.error().message == profiles_warning_) return;  // said already
  profiles_warning_ = refreshed.error().message;
  const std::optional<int64_t> snapshot = profiles_->snapshot_id();
  hooks_.on_warning(profiles_warning_ + "; enrichment goes on with " +
                    (snapshot ? "the profiles of snapshot " + std::to_string(*snapshot)
                              : std::string("no profiles (name and location null)")) +
                    " until the table has a snapshot that can be read");
}

Status Processor::Resync() {
  // Everything is read again from the tables' records: a cycle still in flight (none on the
  // paths that lead here) only has to end.
  if (in_flight_.valid()) in_flight_.wait();
  in_flight_ = {};
  for (TableSink* sink : Sinks()) sink->DropPending();
  std::vector<int32_t> partitions;
  for (const auto& [partition, position] : positions_) partitions.push_back(partition);
  for (TableSink* sink : Sinks()) CS_RETURN_IF_ERROR(sink->Reload(partitions));
  for (int32_t partition : partitions) {
    const std::optional<int64_t> start = StartOffset(partition);
    positions_[partition] = start;
    CS_RETURN_IF_ERROR(consumer_->Seek(partition, start ? *start : kafka::kOffsetBeginning));
  }
  return Ok();
}

bool Processor::ReachedEnds() const {
  if (positions_.empty()) return false;
  for (const auto& [partition, position] : positions_) {
    auto end = ends_.find(partition);
    if (end == ends_.end()) return false;
    if (!position || *position < end->second) return false;
  }
  return true;
}

bool Processor::CaughtUp() const {
  if (!ReachedEnds() || in_flight_.valid()) return false;
  for (TableSink* sink : Sinks()) {
    if (sink->pending_rows() > 0) return false;
  }
  return true;
}

void Processor::UpdateLag() {
  int64_t lag = 0;
  for (const auto& [partition, position] : positions_) {
    std::optional<kafka::Watermarks> marks = consumer_->CachedWatermarks(partition);
    if (!marks) continue;
    const int64_t partition_lag = std::max<int64_t>(0, marks->high - position.value_or(marks->low));
    lag += partition_lag;
    telemetry_.Lag(partition, partition_lag);
  }
  stats_.lag = lag;
  stats_.last_client_error = consumer_->last_client_error();
}

Result<ProcessorStats> Processor::Run() {
  Clock::time_point next_progress = Clock::now() + kProgressInterval;
  auto fail = [&](Error error) -> Result<ProcessorStats> {
    failed_ = true;
    return std::unexpected(std::move(error));
  };
  while (!hooks_.should_stop()) {
    telemetry_.Beat();
    const auto until_commit = std::chrono::duration_cast<milliseconds>(
        last_commit_ + options_.commit_interval - Clock::now());
    const milliseconds wait = std::clamp(until_commit, milliseconds(0), milliseconds(100));
    Result<kafka::ConsumedBatch> batch = consumer_->Poll(kPollBatch, wait);
    if (!batch) return fail(batch.error());
    if (failed_) return fail(Error{ErrorCode::kInternal, "a rebalance commit failed"});
    if (std::exchange(resync_after_poll_, false)) {
      Status resynced = Resync();
      if (!resynced) resynced = RecoverFromFailedCommit(resynced.error());
      if (!resynced) return fail(resynced.error());
      last_commit_ = Clock::now();
      continue;  // this batch is read again from the tables' records
    }
    stats_.consumed += static_cast<int64_t>(batch->size());
    telemetry_.Consumed(batch->size());
    for (size_t i = 0; i < batch->size(); ++i) {
      if (Status routed = Route((*batch)[i]); !routed) return fail(routed.error());
    }
    for (const kafka::PartitionEof& eof : batch->eofs()) {
      auto position = positions_.find(eof.partition);
      if (position == positions_.end()) continue;
      if (!position->second || *position->second < eof.next_offset) {
        position->second = eof.next_offset;
      }
    }
    int64_t pending_rows = 0;
    int64_t pending_bytes = 0;
    for (TableSink* sink : Sinks()) {
      pending_rows += sink->pending_rows();
      pending_bytes += sink->pending_bytes();
    }
    if (options_.until_caught_up && CaughtUp()) break;
    if (Clock::now() >= last_commit_ + options_.commit_interval ||
        pending_rows >= options_.max_pending_rows || pending_bytes >= options_.max_pending_bytes ||
        (options_.until_caught_up && ReachedEnds())) {
      const int64_t commits_before = stats_.commits;
      // The previous cycle settles and this one is published while reading goes on; the last one
      // of --until-caught-up settles at once.
      Status committed = SettleCommitCycle();
      if (committed) StartCommitCycle();
      if (committed && options_.until_caught_up && ReachedEnds()) committed = SettleCommitCycle();
      if (!committed) {
        Status recovered = RecoverFromFailedCommit(committed.error());
        if (!recovered) return fail(recovered.error());
        last_commit_ = Clock::now();  // the re-read batch gets a whole interval
        continue;
      }
      if (stats_.commits > commits_before) CommitsSucceed();
      if (options_.until_caught_up && CaughtUp()) break;  // not fenced: all committed
      // Half an interval: the rest absorbs a slow commit, so freshness stays near one interval.
      hooks_.between_commits(options_.commit_interval / 2);
    }
    if (Clock::now() >= next_progress) {
      UpdateLag();
      hooks_.on_progress(stats_);
      next_progress = Clock::now() + kProgressInterval;
    }
  }
  // Stopping: everything read so far goes into the tables, then the group is left cleanly.
  if (Status committed = CommitCycle(); !committed) {
    return fail(committed.error());
  }
  UpdateLag();
  if (Status closed = consumer_->Close(); !closed) return fail(closed.error());
  return stats_;
}

}  // namespace

Result<ProcessorStats> RunProcessor(const ProcessorOptions& options, const ProcessorHooks& hooks) {
  if (options.commit_interval <= milliseconds(0)) {
    return InvalidArgument("--commit-interval-ms must be positive");
  }
  Processor processor(options, hooks);
  CS_RETURN_IF_ERROR(processor.Open());
  return processor.Run();
}

}  // namespace clickstream::pipeline
