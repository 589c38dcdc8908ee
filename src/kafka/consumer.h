#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

struct rd_kafka_s;
struct rd_kafka_message_s;
struct rd_kafka_topic_partition_list_s;

namespace clickstream::kafka {

// librdkafka's logical offset "the earliest message still in the log", accepted by Seek.
inline constexpr int64_t kOffsetBeginning = -2;

// Where a partition starts after assignment: an explicit offset, or the earliest offset still in
// the log when the caller has no record of the partition.
struct StartOffset {
  int32_t partition = 0;
  std::optional<int64_t> offset;  // nullopt: the beginning of the partition
};

// Called on the thread that calls Consumer::Poll or Consumer::Close (librdkafka serves rebalances
// from there), so an implementation may flush and commit without locking.
class RebalanceHandler {
 public:
  virtual ~RebalanceHandler() = default;
  // Partitions just given to this member; returns where each one starts. An error stops the
  // consumer: Poll returns it and no message of these partitions is delivered.
  virtual Result<std::vector<StartOffset>> OnPartitionsAssigned(
      std::span<const int32_t> partitions) = 0;
  // Partitions about to be released. `lost` is true when the group already gave them to another
  // member (session timeout); work for them may still be committed only if it is fenced.
  virtual Status OnPartitionsRevoked(std::span<const int32_t> partitions, bool lost) = 0;
};

struct ConsumerOptions {
  std::string brokers;
  std::string group_id;
  std::string topic;
  std::string client_id = "clickstream";
  // Open() gives up when the broker does not answer a metadata request within this time.
  std::chrono::milliseconds connect_timeout{10000};
  // How long the group waits for a silent member before giving its partitions away.
  std::chrono::milliseconds session_timeout{10000};
  // Partition EOF is reported through ConsumedBatch::eofs.
  bool report_partition_eof = true;
  // Polled while Open() waits for the broker; true (SIGINT) ends the wait with kUnavailable.
  std::function<bool()> should_stop;
};

// One consumed message; views stay valid while the ConsumedBatch that holds it lives.
class Record {
 public:
  int32_t partition() const;
  int64_t offset() const;
  std::string_view payload() const;
  std::string_view key() const;
  // Milliseconds since the epoch (create or log-append time), or nullopt when the broker has none.
  std::optional<int64_t> timestamp_ms() const;

 private:
  friend class ConsumedBatch;
  explicit Record(const rd_kafka_message_s* message) : message_(message) {}
  const rd_kafka_message_s* message_;
};

// A partition reached the end of its log: every message before `next_offset` was delivered.
struct PartitionEof {
  int32_t partition = 0;
  int64_t next_offset = 0;
};

// The messages of one Poll, in delivery order (per partition: increasing offsets). Move-only; frees
// the librdkafka messages when destroyed.
class ConsumedBatch {
 public:
  ConsumedBatch() = default;
  ConsumedBatch(ConsumedBatch&& other) noexcept;
  ConsumedBatch& operator=(ConsumedBatch&& other) noexcept;
  ConsumedBatch(const ConsumedBatch&) = delete;
  ConsumedBatch& operator=(const ConsumedBatch&) = delete;
  ~ConsumedBatch();

  size_t size() const { return messages_.size(); }
  bool empty() const { return messages_.empty(); }
  Record operator[](size_t i) const { return Record(messages_[i]); }
  const std::vector<PartitionEof>& eofs() const { return eofs_; }

 private:
  friend class Consumer;
  void Clear();
  // Frees the messages and EOFs of the partitions for which `drop` is true.
  void DropPartitions(const std::function<bool(int32_t)>& drop);
  std::vector<rd_kafka_message_s*> messages_;
  std::vector<PartitionEof> eofs_;
};

// Low and high watermarks of a partition: offsets [low, high) are in the log.
struct Watermarks {
  int64_t low = 0;
  int64_t high = 0;
};

// A member of a consumer group reading one topic, with offsets managed by the caller: nothing is
// committed to Kafka automatically and every assigned partition starts where the RebalanceHandler
// says. Uses the cooperative-sticky assignor, so a rebalance only revokes the partitions that move.
class Consumer {
 public:
  // Connects and checks within options.connect_timeout that the broker answers and the topic
  // exists; does not join the group yet (Subscribe). Errors: kUnavailable (broker unreachable),
  // kNotFound (no such topic).
  static Result<std::unique_ptr<Consumer>> Open(const ConsumerOptions& options,
                                                RebalanceHandler* handler);
  // Joins the consumer group for the topic. The handler is called from Poll and Close only, so a
  // caller can check the broker with Open, prepare what the handler needs, then subscribe.
  Status Subscribe();
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // Waits up to `timeout` for a first message, then takes what else is already fetched, up to
  // `max_messages`. Rebalances are served here. Transient broker errors are not errors (librdkafka
  // reconnects); an error from the RebalanceHandler or a fatal client error is.
  Result<ConsumedBatch> Poll(size_t max_messages, std::chrono::milliseconds timeout);

  // Makes the next messages of an assigned partition start at `offset`; messages fetched earlier
  // for that partition are not delivered anymore.
  Status Seek(int32_t partition, int64_t offset);

  Result<Watermarks> QueryWatermarks(int32_t partition, std::chrono::milliseconds timeout);
  // The watermarks last seen in fetch responses, without asking the broker; nullopt before the
  // first fetch of the partition.
  std::optional<Watermarks> CachedWatermarks(int32_t partition) const;

  // Records consumer-group offsets in Kafka, asynchronously. Only for lag monitoring: the pipeline
  // never reads them back.
  Status CommitForMonitoring(std::span<const std::pair<int32_t, int64_t>> next_offsets);

  // Partitions currently assigned to this member, ascending.
  std::vector<int32_t> Assignment() const;

  // Number of partitions of the topic (from the metadata Open fetched).
  int32_t partition_count() const { return partition_count_; }
  const std::string& topic() const { return options_.topic; }

  // Leaves the group: revokes the assignment through the handler, then closes. Idempotent; the
  // destructor calls it and ignores its error. A member that subscribed but has not received its
  // first assignment waits for it (at most the session timeout or 10 s, without calling the
  // handler) before closing: librdkafka 2.0.2 aborts when a cooperative-sticky member is destroyed
  // after joining and before its first assignment (confluentinc/librdkafka#4312, fixed in 2.3.0).
  Status Close();

  // The most recent broker-level error librdkafka reported (for progress lines), empty if none.
  std::string last_client_error() const;

 private:
  struct Callbacks;
  Consumer(ConsumerOptions options, RebalanceHandler* handler);
  void OnRebalance(int err, rd_kafka_topic_partition_list_s* partitions);
  void OnClientError(int err, const char* reason);
  void AwaitFirstAssignment();

  ConsumerOptions options_;
  RebalanceHandler* handler_;
  rd_kafka_s* rk_ = nullptr;
  int32_t partition_count_ = 0;
  std::optional<Error> fatal_;
  std::string last_client_error_;
  bool closed_ = false;
  bool subscribed_ = false;
  bool assigned_once_ = false;  // a first assignment (maybe empty) reached OnRebalance
  bool handler_off_ = false;    // closing before the handler saw any partition: it is not called
  // The group's rebalance protocol at the last rebalance: librdkafka reports none (NULL) while the
  // consumer closes, and the configured strategy is cooperative-sticky.
  bool cooperative_ = true;
  // The messages Poll is collecting, so that a rebalance served in the middle of a Poll drops
  // those of the partitions it revokes before the caller sees them.
  ConsumedBatch* collecting_ = nullptr;
};

}  // namespace clickstream::kafka
