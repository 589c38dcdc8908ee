#include "metrics/metrics_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

namespace clickstream::metrics {
namespace {

TEST(ListenAddressTest, ParsesHostAndPort) {
  auto v4 = ParseListenAddress("127.0.0.1:9464");
  ASSERT_TRUE(v4.has_value());
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 9464);
  auto v6 = ParseListenAddress("[::1]:0");
  ASSERT_TRUE(v6.has_value());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 0);
  for (const char* bad : {"9464", ":9464", "host:", "host:65536", "host:-1", "::1:80", "h:80x"}) {
    auto parsed = ParseListenAddress(bad);
    ASSERT_FALSE(parsed.has_value()) << bad;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(MetricsServerTest, ServesMetricsAndHealth) {
  auto server = MetricsServer::Start("127.0.0.1:0");
  ASSERT_TRUE(server.has_value()) << server.error().message;
  auto rows =
      (*server)->registry().AddCounter("clickstream_rows_committed_total", "Rows.", {"table"});
  ASSERT_TRUE(rows.has_value());
  (*rows)->WithLabels({"website.clicks"}).Increment(12);

  httplib::Client client("127.0.0.1", (*server)->port());
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_EQ(metrics->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(metrics->body.find("clickstream_rows_committed_total{table=\"website.clicks\"} 12\n"),
            std::string::npos);
  EXPECT_NE(metrics->body.find("\nprocess_resident_memory_bytes "), std::string::npos);

  auto healthy = client.Get("/healthz");
  ASSERT_TRUE(healthy);
  EXPECT_EQ(healthy->status, 200);
  EXPECT_EQ(healthy->body, "ok\n");
  (*server)->health().Fail("kafka", "broker 127.0.0.1:1 unreachable");
  auto sick = client.Get("/healthz");
  ASSERT_TRUE(sick);
  EXPECT_EQ(sick->status, 503);
  EXPECT_EQ(sick->body, "kafka: broker 127.0.0.1:1 unreachable\n");
  (*server)->health().Clear("kafka");
  EXPECT_EQ(client.Get("/healthz")->status, 200);

  auto missing = client.Get("/other");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST(MetricsServerTest, PortInUseIsUnavailable) {
  auto first = MetricsServer::Start("127.0.0.1:0");
  ASSERT_TRUE(first.has_value());
  auto second = MetricsServer::Start("127.0.0.1:" + std::to_string((*first)->port()));
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace clickstream::metrics
