// The ceiling for `clickstream process` on this machine: plain librdkafka consuming a topic from
// the beginning to its end and discarding every message (no parsing, no Iceberg).
//   bench_processor_consume BROKERS TOPIC  ->  one line: messages, bytes, seconds, messages/s
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdio>
#include <set>
#include <string>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: bench_processor_consume BROKERS TOPIC\n");
    return 2;
  }
  const std::string topic = argv[2];
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  const char* settings[][2] = {{"bootstrap.servers", argv[1]},
                               {"group.id", "bench-consume-and-discard"},
                               {"enable.auto.commit", "false"},
                               {"enable.partition.eof", "true"},
                               {"queued.max.messages.kbytes", "32768"}};
  for (const auto& setting : settings) {
    if (rd_kafka_conf_set(conf, setting[0], setting[1], errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
      std::fprintf(stderr, "%s\n", errstr);
      return 1;
    }
  }
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  if (rk == nullptr) {
    std::fprintf(stderr, "%s\n", errstr);
    return 1;
  }
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* metadata = nullptr;
  if (rd_kafka_metadata(rk, 0, rkt, &metadata, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR ||
      metadata->topic_cnt != 1 || metadata->topics[0].partition_cnt == 0) {
    std::fprintf(stderr, "topic %s not found\n", topic.c_str());
    return 1;
  }
  const int partitions = metadata->topics[0].partition_cnt;
  rd_kafka_metadata_destroy(metadata);
  rd_kafka_topic_destroy(rkt);

  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p) {
    rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  const auto start = std::chrono::steady_clock::now();
  rd_kafka_assign(rk, list);
  rd_kafka_topic_partition_list_destroy(list);

  std::set<int> open;
  for (int p = 0; p < partitions; ++p) open.insert(p);
  long long messages = 0;
  long long bytes = 0;
  while (!open.empty()) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 1000);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      open.erase(m->partition);
    } else if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      ++messages;
      bytes += static_cast<long long>(m->len);
    }
    rd_kafka_message_destroy(m);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("messages=%lld bytes=%lld seconds=%.3f messages_per_s=%.0f\n", messages, bytes,
              seconds, messages / seconds);
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return 0;
}
