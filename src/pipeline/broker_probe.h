#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "metrics/health.h"

namespace clickstream::pipeline {

// Asks the brokers for the topic's metadata every `interval` on a thread of its own, with its own
// connection, and reports the answer as Health component "kafka": unhealthy with one line naming
// the brokers while they do not answer within `timeout`. A thread, because librdkafka's consumer
// calls can block well past their timeout while the broker is gone (the processor must not).
class BrokerProbe {
 public:
  BrokerProbe(std::string brokers, std::string topic, metrics::Health& health,
              std::chrono::milliseconds interval = std::chrono::seconds(2),
              std::chrono::milliseconds timeout = std::chrono::seconds(2));
  ~BrokerProbe();
  BrokerProbe(const BrokerProbe&) = delete;
  BrokerProbe& operator=(const BrokerProbe&) = delete;

 private:
  void Loop();

  std::string brokers_;
  std::string topic_;
  metrics::Health& health_;
  std::chrono::milliseconds interval_;
  std::chrono::milliseconds timeout_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace clickstream::pipeline
