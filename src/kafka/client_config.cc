#include "kafka/client_config.h"

#include <array>

namespace clickstream::kafka {

Status SetProperty(rd_kafka_conf_t* conf, std::string_view name, std::string_view value) {
  std::array<char, 512> errstr{};
  const std::string n(name), v(value);
  if (rd_kafka_conf_set(conf, n.c_str(), v.c_str(), errstr.data(), errstr.size()) !=
      RD_KAFKA_CONF_OK) {
    return InvalidArgument("Kafka client property " + n + "=" + v + ": " + errstr.data());
  }
  return Ok();
}

Result<ConfHandle> NewClientConfig(const std::string& brokers, const std::string& client_id) {
  ConfHandle conf(rd_kafka_conf_new());
  rd_kafka_conf_set_log_cb(conf.get(), [](const rd_kafka_t*, int, const char*, const char*) {});
  for (const auto& [name, value] :
       {std::pair<std::string_view, std::string_view>{"bootstrap.servers", brokers},
        {"client.id", client_id}}) {
    CS_RETURN_IF_ERROR(SetProperty(conf.get(), name, value));
  }
  return conf;
}

Status WaitForBroker(rd_kafka_t* rk, const std::string& brokers,
                     std::chrono::milliseconds timeout) {
  const rd_kafka_metadata_t* metadata = nullptr;
  const rd_kafka_resp_err_t err =
      rd_kafka_metadata(rk, 0, nullptr, &metadata, static_cast<int>(timeout.count()));
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    MetadataHandle owned(metadata);
    if (owned->broker_cnt > 0) return Ok();
  }
  return Unavailable("no Kafka broker answered at " + brokers + " within " +
                     FormatDuration(timeout) + " (" + rd_kafka_err2str(err) +
                     "); is it running? (./scripts/kafka start)");
}

std::string FormatDuration(std::chrono::milliseconds duration) {
  const auto ms = duration.count();
  if (ms < 1000) return std::to_string(ms) + "ms";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms / 1000) + "." + std::to_string(ms % 1000 / 100) + "s";
}

}  // namespace clickstream::kafka
