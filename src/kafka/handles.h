#pragma once

// Owners of librdkafka's C handles (private to src/kafka: includes librdkafka's header), so every
// return path releases what it created, as the style anchors' guard classes do.

#include <librdkafka/rdkafka.h>

#include <memory>

namespace clickstream::kafka {

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};
struct TopicDeleter {
  void operator()(rd_kafka_topic_t* topic) const { rd_kafka_topic_destroy(topic); }
};
struct MetadataDeleter {
  void operator()(const rd_kafka_metadata_t* metadata) const {
    rd_kafka_metadata_destroy(metadata);
  }
};

// A configuration until rd_kafka_new takes it: release() only after rd_kafka_new succeeded (on
// failure the configuration is still the caller's).
using ConfHandle = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;
using TopicHandle = std::unique_ptr<rd_kafka_topic_t, TopicDeleter>;
using MetadataHandle = std::unique_ptr<const rd_kafka_metadata_t, MetadataDeleter>;

}  // namespace clickstream::kafka
