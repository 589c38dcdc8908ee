#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/result.h"

struct rd_kafka_s;

namespace clickstream::kafka {

// Topic administration over librdkafka's Admin API. Every call is bounded by `timeout`.
class Admin {
 public:
  // Connects and checks that a broker answers within `timeout`; kUnavailable otherwise.
  static Result<std::unique_ptr<Admin>> Open(const std::string& brokers,
                                             std::chrono::milliseconds timeout);
  ~Admin();
  Admin(const Admin&) = delete;
  Admin& operator=(const Admin&) = delete;

  // Number of partitions of `topic`; kNotFound when the broker does not know it.
  Result<int32_t> PartitionCount(const std::string& topic, std::chrono::milliseconds timeout);

  // Creates `topic` with `partitions` partitions and replication factor 1 (single-node broker)
  // and waits until its metadata shows every partition. kAlreadyExists if it exists.
  Status CreateTopic(const std::string& topic, int32_t partitions,
                     std::chrono::milliseconds timeout);

  // Creates the topic if missing; returns its partition count (the existing one if it existed).
  Result<int32_t> EnsureTopic(const std::string& topic, int32_t partitions,
                              std::chrono::milliseconds timeout);

 private:
  Admin(rd_kafka_s* rk, std::string brokers) : rk_(rk), brokers_(std::move(brokers)) {}
  rd_kafka_s* rk_;
  std::string brokers_;
};

}  // namespace clickstream::kafka
