#pragma once

// Shared setup of librdkafka handles for the producer and the admin client (private to src/kafka:
// includes librdkafka's header).

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <string>
#include <string_view>

#include "common/result.h"
#include "kafka/handles.h"

namespace clickstream::kafka {

// Sets one property; kInvalidArgument with librdkafka's reason when it is rejected.
Status SetProperty(rd_kafka_conf_t* conf, std::string_view name, std::string_view value);

// A configuration with bootstrap servers and client id whose log lines are dropped (errors reach
// callers as values, not as librdkafka's stderr lines).
Result<ConfHandle> NewClientConfig(const std::string& brokers, const std::string& client_id);

// Asks for cluster metadata; kUnavailable naming the brokers, the timeout and `reason` (the last
// client error seen, may be empty) when no broker answers within `timeout`.
Status WaitForBroker(rd_kafka_t* rk, const std::string& brokers, std::chrono::milliseconds timeout);

// "5s", "1.5s", "250ms".
std::string FormatDuration(std::chrono::milliseconds duration);

}  // namespace clickstream::kafka
