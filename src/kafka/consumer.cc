#include "kafka/consumer.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <functional>
#include <string>

#include "kafka/handles.h"

namespace clickstream::kafka {

namespace {

// Owns a librdkafka partition list.
struct PartitionList {
  explicit PartitionList(int capacity) : list(rd_kafka_topic_partition_list_new(capacity)) {}
  ~PartitionList() { rd_kafka_topic_partition_list_destroy(list); }
  PartitionList(const PartitionList&) = delete;
  PartitionList& operator=(const PartitionList&) = delete;
  rd_kafka_topic_partition_list_t* list;
};

// Turns an rd_kafka_error_t into an Error and frees it; nullptr is success.
Status TakeError(rd_kafka_error_t* error, std::string_view what) {
  if (error == nullptr) return Ok();
  std::string message = std::string(what) + ": " + rd_kafka_error_string(error);
  rd_kafka_error_destroy(error);
  return Unavailable(std::move(message));
}

// The longest Close waits for a first assignment (AwaitFirstAssignment).
constexpr std::chrono::milliseconds kJoinWaitCap{10000};

}  // namespace

// ---- Record ----

int32_t Record::partition() const { return message_->partition; }
int64_t Record::offset() const { return message_->offset; }
std::string_view Record::payload() const {
  if (message_->payload == nullptr) return {};
  return {static_cast<const char*>(message_->payload), message_->len};
}
std::string_view Record::key() const {
  if (message_->key == nullptr) return {};
  return {static_cast<const char*>(message_->key), message_->key_len};
}
std::optional<int64_t> Record::timestamp_ms() const {
  rd_kafka_timestamp_type_t type;
  int64_t ts = rd_kafka_message_timestamp(message_, &type);
  if (type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE || ts < 0) return std::nullopt;
  return ts;
}

// ---- ConsumedBatch ----

ConsumedBatch::ConsumedBatch(ConsumedBatch&& other) noexcept
    : messages_(std::move(other.messages_)), eofs_(std::move(other.eofs_)) {
  other.messages_.clear();
  other.eofs_.clear();
}

ConsumedBatch& ConsumedBatch::operator=(ConsumedBatch&& other) noexcept {
  if (this != &other) {
    Clear();
    messages_ = std::move(other.messages_);
    eofs_ = std::move(other.eofs_);
    other.messages_.clear();
    other.eofs_.clear();
  }
  return *this;
}

ConsumedBatch::~ConsumedBatch() { Clear(); }

void ConsumedBatch::DropPartitions(const std::function<bool(int32_t)>& drop) {
  std::erase_if(messages_, [&](rd_kafka_message_t* m) {
    if (!drop(m->partition)) return false;
    rd_kafka_message_destroy(m);
    return true;
  });
  std::erase_if(eofs_, [&](const PartitionEof& eof) { return drop(eof.partition); });
}

void ConsumedBatch::Clear() {
  for (rd_kafka_message_t* m : messages_) rd_kafka_message_destroy(m);
  messages_.clear();
  eofs_.clear();
}

// ---- Consumer ----

// librdkafka's C callbacks, forwarding to the Consumer named by the opaque pointer.
struct Consumer::Callbacks {
  static void Rebalance(rd_kafka_t*, rd_kafka_resp_err_t err,
                        rd_kafka_topic_partition_list_t* partitions, void* opaque) {
    static_cast<Consumer*>(opaque)->OnRebalance(err, partitions);
  }
  static void ClientError(rd_kafka_t*, int err, const char* reason, void* opaque) {
    static_cast<Consumer*>(opaque)->OnClientError(err, reason);
  }
  // librdkafka's own log lines would break the one-line error contract; errors reach us through
  // ClientError instead.
  static void Log(const rd_kafka_t*, int, const char*, const char*) {}
};

Consumer::Consumer(ConsumerOptions options, RebalanceHandler* handler)
    : options_(std::move(options)), handler_(handler) {}

Consumer::~Consumer() { (void)Close(); }

Result<std::unique_ptr<Consumer>> Consumer::Open(const ConsumerOptions& options,
                                                 RebalanceHandler* handler) {
  if (options.topic.empty()) return InvalidArgument("a topic name is required");
  if (options.group_id.empty()) return InvalidArgument("a consumer group name is required");
  std::unique_ptr<Consumer> consumer(new Consumer(options, handler));

  ConfHandle conf(rd_kafka_conf_new());
  char errstr[512];
  const std::string session_ms = std::to_string(options.session_timeout.count());
  const std::string heartbeat_ms =
      std::to_string(std::max<int64_t>(100, options.session_timeout.count() / 4));
  const std::pair<const char*, std::string> settings[] = {
      {"bootstrap.servers", options.brokers},
      {"group.id", options.group_id},
      {"client.id", options.client_id},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"auto.offset.reset", "earliest"},
      {"partition.assignment.strategy", "cooperative-sticky"},
      {"session.timeout.ms", session_ms},
      {"heartbeat.interval.ms", heartbeat_ms},
      {"enable.partition.eof", options.report_partition_eof ? "true" : "false"},
      {"allow.auto.create.topics", "false"},
      // Bounds the prefetch buffer (and so the resident memory) to 32 MiB.
      {"queued.max.messages.kbytes", "32768"},
      // librdkafka 2.0 pauses a partition's fetches for fetch.error.backoff.ms (500 ms) whenever
      // its prefetch queue is full, which left the processor idle most of the time in backfills:
      // resume fetching after 10 ms instead.
      {"fetch.error.backoff.ms", "10"},
      // Let the byte bound above, not a message count (default 100,000), limit prefetching.
      {"queued.min.messages", "10000000"},
      {"reconnect.backoff.max.ms", "2000"},
  };
  for (const auto& [name, value] : settings) {
    if (rd_kafka_conf_set(conf.get(), name, value.c_str(), errstr, sizeof errstr) !=
        RD_KAFKA_CONF_OK) {
      return InvalidArgument(std::string("Kafka setting ") + name + "=" + value + ": " + errstr);
    }
  }
  rd_kafka_conf_set_opaque(conf.get(), consumer.get());
  rd_kafka_conf_set_rebalance_cb(conf.get(), &Callbacks::Rebalance);
  rd_kafka_conf_set_error_cb(conf.get(), &Callbacks::ClientError);
  rd_kafka_conf_set_log_cb(conf.get(), &Callbacks::Log);

  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), errstr, sizeof errstr);
  if (rk == nullptr) {
    return InvalidArgument(std::string("cannot create a Kafka consumer: ") + errstr);
  }
  conf.release();
  consumer->rk_ = rk;  // owns conf now
  rd_kafka_poll_set_consumer(rk);

  // Bounded check that the broker answers and the topic exists; librdkafka alone would retry
  // forever.
  TopicHandle rkt(rd_kafka_topic_new(rk, options.topic.c_str(), nullptr));
  const rd_kafka_metadata_t* metadata = nullptr;
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR__TIMED_OUT;
  bool stopped = false;
  // Asked in short slices so that a stop request (Ctrl-C) is seen within a quarter second.
  const auto deadline = std::chrono::steady_clock::now() + options.connect_timeout;
  while (true) {
    stopped = options.should_stop && options.should_stop();
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (stopped || left.count() <= 0) break;
    const auto slice = std::min(left, std::chrono::milliseconds(250));
    err = rd_kafka_metadata(rk, 0, rkt.get(), &metadata, static_cast<int>(slice.count()));
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
  }
  rkt.reset();
  MetadataHandle owned_metadata(err == RD_KAFKA_RESP_ERR_NO_ERROR ? metadata : nullptr);
  if (stopped) {
    consumer->closed_ = true;
    rd_kafka_destroy(rk);
    consumer->rk_ = nullptr;
    return Unavailable("stopped while waiting for the Kafka broker at " + options.brokers);
  }
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    consumer->closed_ = true;
    rd_kafka_destroy(rk);
    consumer->rk_ = nullptr;
    return Unavailable("could not reach the Kafka broker at " + options.brokers + " within " +
                       std::to_string(options.connect_timeout.count()) + " ms (" +
                       rd_kafka_err2str(err) + "); is it running?");
  }
  rd_kafka_resp_err_t topic_err = RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    if (options.topic == metadata->topics[i].topic) {
      topic_err = metadata->topics[i].err;
      consumer->partition_count_ = metadata->topics[i].partition_cnt;
    }
  }
  owned_metadata.reset();
  if (topic_err != RD_KAFKA_RESP_ERR_NO_ERROR || consumer->partition_count_ == 0) {
    consumer->closed_ = true;
    rd_kafka_destroy(rk);
    consumer->rk_ = nullptr;
    return NotFound("topic " + options.topic + " does not exist on the Kafka broker at " +
                    options.brokers + " (" + rd_kafka_err2str(topic_err) + ")");
  }

  return consumer;
}

Status Consumer::Subscribe() {
  if (closed_) return Internal("Subscribe on a closed consumer");
  PartitionList subscription(1);
  rd_kafka_topic_partition_list_add(subscription.list, options_.topic.c_str(),
                                    RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t err = rd_kafka_subscribe(rk_, subscription.list);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Unavailable("cannot subscribe to topic " + options_.topic + ": " +
                       rd_kafka_err2str(err));
  }
  subscribed_ = true;
  return Ok();
}

void Consumer::OnRebalance(int err, rd_kafka_topic_partition_list_t* partitions) {
  // NULL while the consumer closes (its group queue is gone): a revoke served by the close keeps
  // the protocol of the group's last rebalance. Calling strcmp on it crashed a closing processor.
  if (const char* protocol = rd_kafka_rebalance_protocol(rk_); protocol != nullptr) {
    cooperative_ = std::strcmp(protocol, "COOPERATIVE") == 0;
  }
  const bool cooperative = cooperative_;
  std::vector<int32_t> ids;
  for (int i = 0; i < partitions->cnt; ++i) ids.push_back(partitions->elems[i].partition);
  std::ranges::sort(ids);

  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    assigned_once_ = true;
    if (!fatal_ && !handler_off_) {
      auto starts = handler_->OnPartitionsAssigned(ids);
      if (!starts) {
        fatal_ = starts.error();
      } else {
        for (int i = 0; i < partitions->cnt; ++i) {
          auto& elem = partitions->elems[i];
          elem.offset = RD_KAFKA_OFFSET_BEGINNING;
          for (const StartOffset& start : *starts) {
            if (start.partition == elem.partition && start.offset) elem.offset = *start.offset;
          }
        }
      }
    }
    Status assigned = cooperative ? TakeError(rd_kafka_incremental_assign(rk_, partitions),
                                              "assigning partitions")
                                  : (rd_kafka_assign(rk_, partitions) == RD_KAFKA_RESP_ERR_NO_ERROR
                                         ? Ok()
                                         : Unavailable("assigning partitions failed"));
    if (!assigned && !fatal_) fatal_ = assigned.error();
    return;
  }

  // Revoked (or a rebalance error, which librdkafka wants handled as a full revoke).
  if (collecting_ != nullptr) {
    collecting_->DropPartitions([&](int32_t p) { return std::ranges::binary_search(ids, p); });
  }
  const bool lost = rd_kafka_assignment_lost(rk_) != 0;
  if (!fatal_ && !handler_off_) {
    Status revoked = handler_->OnPartitionsRevoked(ids, lost);
    if (!revoked) fatal_ = revoked.error();
  }
  if (cooperative) {
    Status unassigned =
        TakeError(rd_kafka_incremental_unassign(rk_, partitions), "releasing partitions");
    if (!unassigned && !fatal_) fatal_ = unassigned.error();
  } else {
    rd_kafka_assign(rk_, nullptr);
  }
}

void Consumer::OnClientError(int err, const char* reason) {
  last_client_error_ = reason;
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    char fatal_reason[512];
    rd_kafka_fatal_error(rk_, fatal_reason, sizeof fatal_reason);
    fatal_ =
        Error{ErrorCode::kUnavailable, std::string("the Kafka client failed: ") + fatal_reason};
  }
}

Result<ConsumedBatch> Consumer::Poll(size_t max_messages, std::chrono::milliseconds timeout) {
  if (closed_) return Internal("Poll on a closed consumer");
  if (fatal_) return std::unexpected(*fatal_);
  ConsumedBatch batch;
  collecting_ = &batch;
  int wait_ms = static_cast<int>(timeout.count());
  while (batch.messages_.size() < max_messages) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, wait_ms);
    if (m == nullptr) break;
    wait_ms = 0;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      batch.messages_.push_back(m);
    } else if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      batch.eofs_.push_back({m->partition, m->offset});
      rd_kafka_message_destroy(m);
    } else {
      last_client_error_ = rd_kafka_message_errstr(m);
      rd_kafka_message_destroy(m);
    }
    if (fatal_) break;
  }
  collecting_ = nullptr;
  if (fatal_) return std::unexpected(*fatal_);
  return batch;
}

Status Consumer::Seek(int32_t partition, int64_t offset) {
  if (collecting_ != nullptr) {  // called from a rebalance handler in the middle of a Poll
    collecting_->DropPartitions([&](int32_t p) { return p == partition; });
  }
  PartitionList list(1);
  rd_kafka_topic_partition_list_add(list.list, options_.topic.c_str(), partition)->offset = offset;
  const std::string what =
      "seeking partition " + std::to_string(partition) + " to offset " + std::to_string(offset);
  CS_RETURN_IF_ERROR(TakeError(rd_kafka_seek_partitions(rk_, list.list, 10000), what));
  if (list.list->elems[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Unavailable(what + ": " + rd_kafka_err2str(list.list->elems[0].err));
  }
  return Ok();
}

Result<Watermarks> Consumer::QueryWatermarks(int32_t partition, std::chrono::milliseconds timeout) {
  Watermarks marks;
  rd_kafka_resp_err_t err =
      rd_kafka_query_watermark_offsets(rk_, options_.topic.c_str(), partition, &marks.low,
                                       &marks.high, static_cast<int>(timeout.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Unavailable("querying the end offset of " + options_.topic + " partition " +
                       std::to_string(partition) + ": " + rd_kafka_err2str(err));
  }
  return marks;
}

std::optional<Watermarks> Consumer::CachedWatermarks(int32_t partition) const {
  Watermarks marks;
  if (rd_kafka_get_watermark_offsets(rk_, options_.topic.c_str(), partition, &marks.low,
                                     &marks.high) != RD_KAFKA_RESP_ERR_NO_ERROR ||
      marks.high < 0) {
    return std::nullopt;
  }
  return marks;
}

Status Consumer::CommitForMonitoring(std::span<const std::pair<int32_t, int64_t>> next_offsets) {
  if (next_offsets.empty()) return Ok();
  PartitionList list(static_cast<int>(next_offsets.size()));
  for (const auto& [partition, offset] : next_offsets) {
    rd_kafka_topic_partition_list_add(list.list, options_.topic.c_str(), partition)->offset =
        offset;
  }
  rd_kafka_resp_err_t err = rd_kafka_commit(rk_, list.list, /*async=*/1);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Unavailable(std::string("committing offsets to Kafka: ") + rd_kafka_err2str(err));
  }
  return Ok();
}

std::vector<int32_t> Consumer::Assignment() const {
  std::vector<int32_t> ids;
  rd_kafka_topic_partition_list_t* list = nullptr;
  if (rd_kafka_assignment(rk_, &list) != RD_KAFKA_RESP_ERR_NO_ERROR || list == nullptr) return ids;
  for (int i = 0; i < list->cnt; ++i) ids.push_back(list->elems[i].partition);
  rd_kafka_topic_partition_list_destroy(list);
  std::ranges::sort(ids);
  return ids;
}

void Consumer::AwaitFirstAssignment() {
  // The assignor is chosen when a JoinGroup response arrives, even one that arrives while the
  // consumer closes; its state appears with the first assignment. So any member that subscribed
  // and has no assignment yet waits, for a fresh group about the broker's initial rebalance delay.
  if (!subscribed_ || assigned_once_) return;
  handler_off_ = true;
  const auto deadline = std::chrono::steady_clock::now() +
                        std::min<std::chrono::milliseconds>(options_.session_timeout, kJoinWaitCap);
  while (!assigned_once_ && !fatal_ && std::chrono::steady_clock::now() < deadline) {
    if (rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, 100); m != nullptr) {
      rd_kafka_message_destroy(m);
    }
  }
}

Status Consumer::Close() {
  if (closed_ || rk_ == nullptr) return Ok();
  AwaitFirstAssignment();
  closed_ = true;
  rd_kafka_resp_err_t err = rd_kafka_consumer_close(rk_);
  rd_kafka_destroy(rk_);
  rk_ = nullptr;
  if (fatal_) return std::unexpected(*fatal_);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Unavailable("leaving consumer group " + options_.group_id + ": " +
                       rd_kafka_err2str(err));
  }
  return Ok();
}

std::string Consumer::last_client_error() const { return last_client_error_; }

}  // namespace clickstream::kafka
