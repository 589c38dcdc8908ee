#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

struct rd_kafka_s;
struct rd_kafka_topic_s;
struct rd_kafka_message_s;

namespace clickstream::kafka {

struct ProducerOptions {
  std::string brokers;
  std::string topic;
  std::string client_id = "clickstream-producer";
  // Open() fails with kUnavailable when no broker answers a metadata request within this time.
  std::chrono::milliseconds connect_timeout{5000};
  // A message not acknowledged within this time is reported as failed (message.timeout.ms).
  std::chrono::milliseconds delivery_timeout{30000};
  // Further librdkafka properties, applied last (e.g. {"linger.ms", "20"}).
  std::vector<std::pair<std::string, std::string>> config;
};

// Delivery outcome so far: every sent message ends up in exactly one of delivered or failed.
struct DeliveryCounts {
  int64_t sent = 0;
  int64_t delivered = 0;
  int64_t failed = 0;
  int64_t in_flight() const { return sent - delivered - failed; }
};

// An idempotent librdkafka producer of one topic (acks=all, retries keep per-key order, Java's
// murmur2 partitioner so a key lands where Java clients would put it) with delivery reports
// counted. Not thread-safe: one thread sends and serves reports.
class Producer {
 public:
  // Connects and checks that a broker answers within options.connect_timeout.
  // Errors: kUnavailable (no broker answered, with librdkafka's reason), kInvalidArgument (config).
  static Result<std::unique_ptr<Producer>> Open(const ProducerOptions& options);
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Queues one message (copied). When the local queue is full, serves delivery reports until
  // there is room. Errors only for a message that can never be sent (too large, fatal client).
  Status Send(std::string_view key, std::string_view value);

  // Serves pending delivery reports, waiting up to `timeout` for one.
  void Poll(std::chrono::milliseconds timeout = std::chrono::milliseconds{0});

  // Waits until every sent message is delivered or failed, at most `timeout`; then gives up on
  // the rest (counted as failed). Error kUnavailable when any message failed.
  Status Flush(std::chrono::milliseconds timeout);

  const DeliveryCounts& counts() const { return counts_; }
  // The first delivery error or, failing that, the latest client error (empty if none).
  std::string last_error() const;

 private:
  struct Callbacks;
  explicit Producer(ProducerOptions options) : options_(std::move(options)) {}
  void OnDelivery(const rd_kafka_message_s* message);
  void OnClientError(int err, const char* reason);

  ProducerOptions options_;
  rd_kafka_s* rk_ = nullptr;
  rd_kafka_topic_s* rkt_ = nullptr;
  DeliveryCounts counts_;
  std::string first_delivery_error_;
  std::string last_client_error_;
  std::string fatal_error_;
};

}  // namespace clickstream::kafka
