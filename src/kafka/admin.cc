#include "kafka/admin.h"

#include <array>
#include <thread>

#include "kafka/client_config.h"

namespace clickstream::kafka {
namespace {

// Owns what one Admin API request allocates.
struct CreateTopicsRequest {
  rd_kafka_NewTopic_t* topic = nullptr;
  rd_kafka_AdminOptions_t* options = nullptr;
  rd_kafka_queue_t* queue = nullptr;
  rd_kafka_event_t* event = nullptr;
  ~CreateTopicsRequest() {
    if (event != nullptr) rd_kafka_event_destroy(event);
    if (queue != nullptr) rd_kafka_queue_destroy(queue);
    if (options != nullptr) rd_kafka_AdminOptions_destroy(options);
    if (topic != nullptr) rd_kafka_NewTopic_destroy(topic);
  }
};

}  // namespace

Result<std::unique_ptr<Admin>> Admin::Open(const std::string& brokers,
                                           std::chrono::milliseconds timeout) {
  CS_ASSIGN_OR_RETURN(ConfHandle conf, NewClientConfig(brokers, "clickstream-admin"));
  // Asking for a topic's metadata must never create it on a broker that auto-creates topics.
  CS_RETURN_IF_ERROR(SetProperty(conf.get(), "allow.auto.create.topics", "false"));
  std::array<char, 512> errstr{};
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), errstr.data(), errstr.size());
  if (rk == nullptr) {
    return Internal(std::string("creating the Kafka admin client: ") + errstr.data());
  }
  conf.release();  // the client owns it now
  std::unique_ptr<Admin> admin(new Admin(rk, brokers));
  CS_RETURN_IF_ERROR(WaitForBroker(rk, brokers, timeout));
  return admin;
}

Admin::~Admin() { rd_kafka_destroy(rk_); }

Result<int32_t> Admin::PartitionCount(const std::string& topic, std::chrono::milliseconds timeout) {
  TopicHandle rkt(rd_kafka_topic_new(rk_, topic.c_str(), nullptr));
  if (rkt == nullptr) return InvalidArgument("bad topic name " + topic);
  const rd_kafka_metadata_t* raw = nullptr;
  const rd_kafka_resp_err_t err =
      rd_kafka_metadata(rk_, 0, rkt.get(), &raw, static_cast<int>(timeout.count()));
  MetadataHandle metadata(err == RD_KAFKA_RESP_ERR_NO_ERROR ? raw : nullptr);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Unavailable("metadata of topic " + topic + " from " + brokers_ + ": " +
                       rd_kafka_err2str(err));
  }
  Result<int32_t> result = NotFound("topic " + topic + " does not exist");
  if (metadata->topic_cnt == 1 && metadata->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    result = metadata->topics[0].partition_cnt;
  } else if (metadata->topic_cnt == 1 &&
             metadata->topics[0].err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
    result = Unavailable("metadata of topic " + topic + ": " +
                         rd_kafka_err2str(metadata->topics[0].err));
  }
  return result;
}

Status Admin::CreateTopic(const std::string& topic, int32_t partitions,
                          std::chrono::milliseconds timeout) {
  if (partitions < 1) return InvalidArgument("a topic needs at least one partition");
  std::array<char, 512> errstr{};
  CreateTopicsRequest request;
  request.topic = rd_kafka_NewTopic_new(topic.c_str(), partitions, 1, errstr.data(), errstr.size());
  if (request.topic == nullptr) {
    return InvalidArgument("topic " + topic + ": " + errstr.data());
  }
  request.options = rd_kafka_AdminOptions_new(rk_, RD_KAFKA_ADMIN_OP_CREATETOPICS);
  const int timeout_ms = static_cast<int>(timeout.count());
  rd_kafka_AdminOptions_set_request_timeout(request.options, timeout_ms, errstr.data(),
                                            errstr.size());
  rd_kafka_AdminOptions_set_operation_timeout(request.options, timeout_ms, errstr.data(),
                                              errstr.size());
  request.queue = rd_kafka_queue_new(rk_);
  rd_kafka_CreateTopics(rk_, &request.topic, 1, request.options, request.queue);
  request.event = rd_kafka_queue_poll(request.queue, timeout_ms + 1000);
  if (request.event == nullptr) {
    return Unavailable("creating topic " + topic + ": no answer within " + FormatDuration(timeout));
  }
  if (rd_kafka_event_error(request.event) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Unavailable("creating topic " + topic + ": " +
                       rd_kafka_event_error_string(request.event));
  }
  size_t count = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(
      rd_kafka_event_CreateTopics_result(request.event), &count);
  if (count != 1) return Internal("creating topic " + topic + ": unexpected answer");
  const rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[0]);
  if (err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
    return AlreadyExists("topic " + topic + " already exists");
  }
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* message = rd_kafka_topic_result_error_string(results[0]);
    return InvalidArgument("creating topic " + topic + ": " +
                           (message != nullptr ? message : rd_kafka_err2str(err)));
  }
  // The controller has the topic; wait until the broker's metadata serves all its partitions.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto existing = PartitionCount(topic, timeout);
    if (existing.has_value() && *existing == partitions) return Ok();
    if (std::chrono::steady_clock::now() >= deadline) {
      return Unavailable("topic " + topic + " was created but its metadata did not appear within " +
                         FormatDuration(timeout));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  }
}

Result<int32_t> Admin::EnsureTopic(const std::string& topic, int32_t partitions,
                                   std::chrono::milliseconds timeout) {
  auto existing = PartitionCount(topic, timeout);
  if (existing.has_value() || existing.error().code != ErrorCode::kNotFound) return existing;
  auto created = CreateTopic(topic, partitions, timeout);
  if (created.has_value()) return partitions;
  if (created.error().code == ErrorCode::kAlreadyExists) return PartitionCount(topic, timeout);
  return std::unexpected(created.error());
}

}  // namespace clickstream::kafka
