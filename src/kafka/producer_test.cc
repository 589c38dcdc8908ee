// Tests of the producer and the admin client against a real, private Kafka broker.
#include "kafka/producer.h"

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include "kafka/admin.h"
#include "kafka/testing_broker.h"

namespace clickstream::kafka {
namespace {

using std::chrono::milliseconds;

const auto* const kBroker = ::testing::AddGlobalTestEnvironment(new TestingBroker("producer-test"));

// Sum over partitions of the high watermarks, read by a separate librdkafka handle.
int64_t MessagesInTopic(const std::string& topic, int32_t partitions) {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", TestingBroker::Bootstrap().c_str(), errstr,
                    sizeof errstr);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  int64_t total = 0;
  for (int32_t p = 0; p < partitions; ++p) {
    int64_t low = 0, high = 0;
    EXPECT_EQ(rd_kafka_query_watermark_offsets(rk, topic.c_str(), p, &low, &high, 10000),
              RD_KAFKA_RESP_ERR_NO_ERROR);
    total += high - low;
  }
  rd_kafka_destroy(rk);
  return total;
}

std::unique_ptr<Admin> OpenAdmin() {
  auto admin = Admin::Open(TestingBroker::Bootstrap(), milliseconds{10000});
  EXPECT_TRUE(admin.has_value()) << admin.error().message;
  return std::move(*admin);
}

// Also: asking for a missing topic's partitions does not create it (no auto-creation).
TEST(AdminTest, CreatesATopicOnceAndReportsItsPartitions) {
  auto admin = OpenAdmin();
  auto created = admin->EnsureTopic("admin_topic", 3, milliseconds{10000});
  ASSERT_TRUE(created.has_value()) << created.error().message;
  EXPECT_EQ(*created, 3);
  auto again = admin->EnsureTopic("admin_topic", 5, milliseconds{10000});
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_EQ(*again, 3);
  auto duplicate = admin->CreateTopic("admin_topic", 2, milliseconds{10000});
  ASSERT_FALSE(duplicate.has_value());
  EXPECT_EQ(duplicate.error().code, ErrorCode::kAlreadyExists);
  for (int i = 0; i < 2; ++i) {
    auto count = admin->PartitionCount("no_such_topic", milliseconds{10000});
    ASSERT_FALSE(count.has_value());
    EXPECT_EQ(count.error().code, ErrorCode::kNotFound) << count.error().message;
  }
}

TEST(ProducerTest, DeliversEveryMessageAndCountsIt) {
  ASSERT_TRUE(OpenAdmin()->EnsureTopic("delivered", 4, milliseconds{10000}).has_value());
  ProducerOptions options;
  options.brokers = TestingBroker::Bootstrap();
  options.topic = "delivered";
  auto producer = Producer::Open(options);
  ASSERT_TRUE(producer.has_value()) << producer.error().message;
  for (int i = 0; i < 20'000; ++i) {
    const std::string key = "user_" + std::to_string(i % 97);
    ASSERT_TRUE((*producer)
                    ->Send(key, i % 1000 == 0 ? "" : "{\"i\":" + std::to_string(i) + "}")
                    .has_value());
  }
  const auto flushed = (*producer)->Flush(milliseconds{30000});
  ASSERT_TRUE(flushed.has_value()) << flushed.error().message;
  const DeliveryCounts counts = (*producer)->counts();
  EXPECT_EQ(counts.sent, 20'000);
  EXPECT_EQ(counts.delivered, 20'000);
  EXPECT_EQ(counts.failed, 0);
  EXPECT_EQ(MessagesInTopic("delivered", 4), 20'000);
}

TEST(ProducerTest, FlushReportsMessagesThatWereNotDelivered) {
  ProducerOptions options;
  options.brokers = TestingBroker::Bootstrap();
  options.topic = "never_created";  // the producer never auto-creates topics
  options.delivery_timeout = milliseconds{1500};
  auto producer = Producer::Open(options);
  ASSERT_TRUE(producer.has_value()) << producer.error().message;
  for (int i = 0; i < 10; ++i) ASSERT_TRUE((*producer)->Send("k", "v").has_value());
  const auto flushed = (*producer)->Flush(milliseconds{20000});
  ASSERT_FALSE(flushed.has_value());
  EXPECT_EQ(flushed.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(flushed.error().message.find("10 of 10 messages were not delivered"), std::string::npos)
      << flushed.error().message;
  EXPECT_EQ((*producer)->counts().failed, 10);
}

TEST(ProducerTest, OpenFailsWithinItsTimeoutWhenNoBrokerListens) {
  ProducerOptions options;
  options.brokers = "127.0.0.1:" + std::to_string(FreeLoopbackPort());
  options.topic = "anything";
  options.connect_timeout = milliseconds{1000};
  const auto producer = Producer::Open(options);
  ASSERT_FALSE(producer.has_value());
  EXPECT_EQ(producer.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(producer.error().message.find("no Kafka broker answered at " + options.brokers),
            std::string::npos)
      << producer.error().message;
}

}  // namespace
}  // namespace clickstream::kafka
