#include "kafka/producer.h"

#include <array>

#include "kafka/client_config.h"

namespace clickstream::kafka {

// librdkafka's C callbacks, forwarding to the Producer named by the opaque pointer.
struct Producer::Callbacks {
  static void Delivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
    static_cast<Producer*>(opaque)->OnDelivery(message);
  }
  static void ClientError(rd_kafka_t*, int err, const char* reason, void* opaque) {
    static_cast<Producer*>(opaque)->OnClientError(err, reason);
  }
};

Result<std::unique_ptr<Producer>> Producer::Open(const ProducerOptions& options) {
  std::unique_ptr<Producer> producer(new Producer(options));
  CS_ASSIGN_OR_RETURN(ConfHandle conf, NewClientConfig(options.brokers, options.client_id));
  const std::pair<std::string, std::string> defaults[] = {
      {"enable.idempotence", "true"},  // implies acks=all; retries keep per-partition order
      {"partitioner", "murmur2_random"},
      {"allow.auto.create.topics", "false"},
      {"message.timeout.ms", std::to_string(options.delivery_timeout.count())},
      {"linger.ms", "10"},
      {"queue.buffering.max.messages", "1000000"},
      {"queue.buffering.max.kbytes", "262144"},
  };
  for (const auto& [name, value] : defaults)
    CS_RETURN_IF_ERROR(SetProperty(conf.get(), name, value));
  for (const auto& [name, value] : options.config) {
    CS_RETURN_IF_ERROR(SetProperty(conf.get(), name, value));
  }
  rd_kafka_conf_set_opaque(conf.get(), producer.get());
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &Callbacks::Delivery);
  rd_kafka_conf_set_error_cb(conf.get(), &Callbacks::ClientError);

  std::array<char, 512> errstr{};
  producer->rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), errstr.data(), errstr.size());
  if (producer->rk_ == nullptr) {
    return Internal(std::string("creating the Kafka producer: ") + errstr.data());
  }
  conf.release();  // the producer owns it now
  producer->rkt_ = rd_kafka_topic_new(producer->rk_, options.topic.c_str(), nullptr);
  if (producer->rkt_ == nullptr) {
    return Internal("creating a handle for topic " + options.topic + ": " +
                    rd_kafka_err2str(rd_kafka_last_error()));
  }
  CS_RETURN_IF_ERROR(WaitForBroker(producer->rk_, options.brokers, options.connect_timeout));
  return producer;
}

Producer::~Producer() {
  if (rk_ == nullptr) return;
  // Whatever is still queued was given up by Flush (or the caller never flushed): drop it so
  // destruction cannot block on an unreachable broker.
  rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_poll(rk_, 0);
  if (rkt_ != nullptr) rd_kafka_topic_destroy(rkt_);
  rd_kafka_destroy(rk_);
}

Status Producer::Send(std::string_view key, std::string_view value) {
  while (true) {
    if (!fatal_error_.empty()) return Internal("Kafka producer failed: " + fatal_error_);
    // A zero-length value is sent as an empty (not null) message.
    static constexpr char kEmpty[] = "";
    const int rc = rd_kafka_produce(rkt_, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
                                    const_cast<char*>(value.empty() ? kEmpty : value.data()),
                                    value.size(), key.data(), key.size(), nullptr);
    if (rc == 0) {
      ++counts_.sent;
      return Ok();
    }
    const rd_kafka_resp_err_t err = rd_kafka_last_error();
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      return Unavailable(std::string("cannot send to ") + options_.topic + ": " +
                         rd_kafka_err2str(err));
    }
    rd_kafka_poll(rk_, 5);  // room is made by delivery reports
  }
}

void Producer::Poll(std::chrono::milliseconds timeout) {
  rd_kafka_poll(rk_, static_cast<int>(timeout.count()));
}

Status Producer::Flush(std::chrono::milliseconds timeout) {
  rd_kafka_flush(rk_, static_cast<int>(timeout.count()));
  if (counts_.in_flight() > 0) {
    rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    // Purged messages come back as failed delivery reports.
    for (int i = 0; i < 100 && counts_.in_flight() > 0; ++i) rd_kafka_poll(rk_, 10);
  }
  if (counts_.failed > 0 || counts_.in_flight() > 0) {
    return Unavailable(std::to_string(counts_.failed + counts_.in_flight()) + " of " +
                       std::to_string(counts_.sent) + " messages were not delivered to " +
                       options_.topic + ": " + last_error());
  }
  return Ok();
}

std::string Producer::last_error() const {
  if (!fatal_error_.empty()) return fatal_error_;
  if (!first_delivery_error_.empty()) return first_delivery_error_;
  return last_client_error_;
}

void Producer::OnDelivery(const rd_kafka_message_t* message) {
  if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++counts_.delivered;
    return;
  }
  ++counts_.failed;
  if (first_delivery_error_.empty()) first_delivery_error_ = rd_kafka_err2str(message->err);
}

void Producer::OnClientError(int err, const char* reason) {
  last_client_error_ = reason;
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    std::array<char, 512> fatal{};
    rd_kafka_fatal_error(rk_, fatal.data(), fatal.size());
    fatal_error_ = fatal.data();
  }
}

}  // namespace clickstream::kafka
