#include "pipeline/broker_probe.h"

#include <memory>

#include "kafka/admin.h"

namespace clickstream::pipeline {

BrokerProbe::BrokerProbe(std::string brokers, std::string topic, metrics::Health& health,
                         std::chrono::milliseconds interval, std::chrono::milliseconds timeout)
    : brokers_(std::move(brokers)),
      topic_(std::move(topic)),
      health_(health),
      interval_(interval),
      timeout_(timeout),
      thread_([this] { Loop(); }) {}

BrokerProbe::~BrokerProbe() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void BrokerProbe::Loop() {
  std::unique_ptr<kafka::Admin> admin;
  std::unique_lock lock(mutex_);
  while (!stop_) {
    lock.unlock();
    Status answered = Ok();
    if (!admin) {
      Result<std::unique_ptr<kafka::Admin>> opened = kafka::Admin::Open(brokers_, timeout_);
      if (opened) {
        admin = std::move(*opened);
      } else {
        answered = std::unexpected(opened.error());
      }
    }
    if (admin) {
      Result<int32_t> partitions = admin->PartitionCount(topic_, timeout_);
      if (!partitions) {
        answered = std::unexpected(partitions.error());
        admin.reset();  // a fresh connection next time
      }
    }
    if (answered) {
      health_.Clear("kafka");
    } else {
      health_.Fail("kafka", answered.error().message);  // names the brokers
    }
    lock.lock();
    wake_.wait_for(lock, interval_, [this] { return stop_; });
  }
}

}  // namespace clickstream::pipeline
