#include "metrics/registry.h"

#include <gtest/gtest.h>

#include <thread>

#include "metrics/exposition.h"

namespace clickstream::metrics {
namespace {

std::string Text(const Registry& registry) {
  const auto families = registry.Collect();
  return ExpositionText(families);
}

TEST(RegistryTest, CountersAndGaugesPerLabelValues) {
  Registry registry;
  auto rows = registry.AddCounter("clickstream_rows_total", "Rows.", {"table"});
  ASSERT_TRUE(rows.has_value());
  (*rows)->WithLabels({"website.clicks"}).Increment(5);
  (*rows)->WithLabels({"website.clicks"}).Increment(2);
  (*rows)->WithLabels({"website.clicks_dlq"}).Increment();
  (*rows)->WithLabels({"website.clicks"}).Increment(-4);  // ignored: counters never go down
  auto lag = registry.AddGauge("clickstream_lag", "Lag.");
  ASSERT_TRUE(lag.has_value());
  (*lag)->WithLabels({}).Set(10);
  (*lag)->WithLabels({}).Add(-3);
  EXPECT_EQ(Text(registry),
            "# HELP clickstream_lag Lag.\n# TYPE clickstream_lag gauge\nclickstream_lag 7\n"
            "# HELP clickstream_rows_total Rows.\n# TYPE clickstream_rows_total counter\n"
            "clickstream_rows_total{table=\"website.clicks\"} 7\n"
            "clickstream_rows_total{table=\"website.clicks_dlq\"} 1\n");
}

TEST(RegistryTest, HistogramBucketsAreCumulativeAndInclusive) {
  Registry registry;
  auto latency = registry.AddHistogram("clickstream_seconds", "S.", {"table"}, {0.1, 1, 10});
  ASSERT_TRUE(latency.has_value());
  Histogram& h = (*latency)->WithLabels({"t"});
  h.Observe(0.1);     // on the bound: counted in le="0.1"
  h.Observe(0.5, 3);  // three equal observations
  const double each[] = {20, -1};
  h.ObserveEach(each);  // beyond the last bound, and below the first
  EXPECT_EQ(Text(registry),
            "# HELP clickstream_seconds S.\n# TYPE clickstream_seconds histogram\n"
            "clickstream_seconds_bucket{table=\"t\",le=\"0.1\"} 2\n"
            "clickstream_seconds_bucket{table=\"t\",le=\"1\"} 5\n"
            "clickstream_seconds_bucket{table=\"t\",le=\"10\"} 5\n"
            "clickstream_seconds_bucket{table=\"t\",le=\"+Inf\"} 6\n"
            "clickstream_seconds_sum{table=\"t\"} 20.6\n"
            "clickstream_seconds_count{table=\"t\"} 6\n");
}

TEST(RegistryTest, RemovedSeriesDisappear) {
  Registry registry;
  auto lag = registry.AddGauge("lag", "L.", {"partition"});
  ASSERT_TRUE(lag.has_value());
  (*lag)->WithLabels({"0"}).Set(1);
  (*lag)->WithLabels({"1"}).Set(2);
  (*lag)->Remove({"0"});
  EXPECT_EQ(Text(registry), "# HELP lag L.\n# TYPE lag gauge\nlag{partition=\"1\"} 2\n");
}

TEST(RegistryTest, RefusesNamesPrometheusRejectsAndDuplicates) {
  Registry registry;
  EXPECT_FALSE(registry.AddCounter("1starts_with_digit", "x").has_value());
  EXPECT_FALSE(registry.AddCounter("has-dash", "x").has_value());
  EXPECT_FALSE(registry.AddCounter("ok", "x", {"__reserved"}).has_value());
  EXPECT_FALSE(registry.AddCounter("ok2", "x", {"a:b"}).has_value());
  EXPECT_TRUE(registry.AddCounter("ns:ok_total", "x", {"_fine"}).has_value());
  EXPECT_FALSE(registry.AddGauge("ns:ok_total", "again").has_value());
  EXPECT_FALSE(registry.AddHistogram("h", "x", {"le"}, {1}).has_value());
  EXPECT_FALSE(registry.AddHistogram("h", "x", {}, {1, 1}).has_value());
  EXPECT_TRUE(registry.AddHistogram("h", "x", {}, {1, 2}).has_value());
}

TEST(RegistryTest, CollectorsAddFamiliesAfterRegisteredOnes) {
  Registry registry;
  ASSERT_TRUE(registry.AddGauge("a", "A.").has_value());
  registry.AddCollector([] {
    return std::vector<FamilySnapshot>{{"z_total", "Z.", MetricType::kCounter, {{"", {}, 9}}}};
  });
  EXPECT_EQ(Text(registry),
            "# HELP a A.\n# TYPE a gauge\n# HELP z_total Z.\n# TYPE z_total counter\nz_total 9\n");
}

// Updates from several threads while another thread scrapes: nothing is lost, the histogram's
// +Inf bucket always equals its count.
TEST(RegistryTest, ConcurrentUpdatesAreAllCounted) {
  Registry registry;
  auto counter = registry.AddCounter("c_total", "C.");
  auto histogram = registry.AddHistogram("h", "H.", {}, {1});
  ASSERT_TRUE(counter.has_value() && histogram.has_value());
  Counter& c = (*counter)->WithLabels({});
  Histogram& h = (*histogram)->WithLabels({});
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&] {
      for (int i = 0; i < 10'000; ++i) {
        c.Increment();
        h.Observe(i % 3);
      }
    });
  }
  for (int i = 0; i < 200; ++i) {
    const Histogram::Counts counts = h.Read();
    ASSERT_EQ(counts.cumulative.back(), counts.count);
  }
  for (auto& writer : writers) writer.join();
  EXPECT_EQ(c.value(), 40'000);
  EXPECT_EQ(h.Read().count, 40'000u);
}

}  // namespace
}  // namespace clickstream::metrics
