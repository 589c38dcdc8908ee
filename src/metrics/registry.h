#pragma once

// A Prometheus metric registry: counters, gauges and histograms with labels, read by the /metrics
// endpoint in the text exposition format 0.0.4 (metrics/exposition.h). Updating a metric is
// lock-free (counters, gauges) or one short lock (histograms) and safe from any thread.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace clickstream::metrics {

enum class MetricType { kCounter, kGauge, kHistogram };

// One line of the exposition: `<family name><suffix>{labels} value`.
struct Sample {
  std::string suffix;  // "", "_bucket", "_sum", "_count"
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;
};

// Everything a scrape shows of one metric family, in exposition order.
struct FamilySnapshot {
  std::string name;
  std::string help;
  MetricType type = MetricType::kGauge;
  std::vector<Sample> samples;
};

// A value that only goes up (Prometheus counter).
class Counter {
 public:
  // Adds `amount`; negative amounts are ignored (a counter never goes down).
  void Increment(double amount = 1.0) {
    if (amount > 0) value_.fetch_add(amount, std::memory_order_relaxed);
  }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// A value that goes up and down.
class Gauge {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Add(double amount) { value_.fetch_add(amount, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Observations counted in buckets with fixed upper bounds (the +Inf bucket is implicit).
class Histogram {
 public:
  // `bounds` strictly increasing and finite.
  explicit Histogram(std::vector<double> bounds);

  // Counts `count` observations of `value` (a batch of equal observations in one call).
  void Observe(double value, uint64_t count = 1);
  // Counts one observation of each value, under one lock.
  void ObserveEach(std::span<const double> values);

  struct Counts {
    std::vector<uint64_t> cumulative;  // one per bound, then +Inf (== count)
    double sum = 0;
    uint64_t count = 0;
  };
  // A consistent view: the +Inf bucket always equals the count.
  Counts Read() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  size_t BucketOf(double value) const;

  std::vector<double> bounds_;
  mutable std::mutex mutex_;
  std::vector<uint64_t> buckets_;  // not cumulative; bounds_.size() + 1 entries
  double sum_ = 0;
  uint64_t count_ = 0;
};

// Bucket bounds for durations from 5 ms to 1 h (seconds).
std::vector<double> DurationBuckets();

// All series of one metric name, one per combination of label values.
template <typename Metric>
class Family {
 public:
  Family(std::vector<std::string> label_names, std::function<std::unique_ptr<Metric>()> make)
      : label_names_(std::move(label_names)), make_(std::move(make)) {}

  // The series with these label values (in label-name order), created on first use. The
  // reference stays valid until Remove of the same values. Extra or missing values are an
  // error of the caller: missing ones read as "", extra ones are dropped.
  Metric& WithLabels(std::vector<std::string> values) {
    values.resize(label_names_.size());
    std::lock_guard lock(mutex_);
    auto& slot = series_[std::move(values)];
    if (!slot) slot = make_();
    return *slot;
  }
  // Stops exposing a series (a partition this process no longer owns).
  void Remove(std::vector<std::string> values) {
    values.resize(label_names_.size());
    std::lock_guard lock(mutex_);
    series_.erase(values);
  }
  const std::vector<std::string>& label_names() const { return label_names_; }

  // Calls `visit(label values, metric)` for each series in label order, under the family's lock.
  template <typename Visit>
  void ForEach(Visit visit) const {
    std::lock_guard lock(mutex_);
    for (const auto& [values, metric] : series_) visit(values, *metric);
  }

 private:
  std::vector<std::string> label_names_;
  std::function<std::unique_ptr<Metric>()> make_;
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, std::unique_ptr<Metric>> series_;
};

// Produces families computed at scrape time (process metrics from /proc, table health).
using Collector = std::function<std::vector<FamilySnapshot>()>;

// The metric families of one process. Families live as long as the registry; registering is
// expected at start-up, scraping from the HTTP thread while other threads update values.
class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // kInvalidArgument for a name or label name Prometheus does not accept, a name registered
  // before, or (histograms) a label named "le" or bounds that are not strictly increasing.
  Result<Family<Counter>*> AddCounter(std::string name, std::string help,
                                      std::vector<std::string> label_names = {});
  Result<Family<Gauge>*> AddGauge(std::string name, std::string help,
                                  std::vector<std::string> label_names = {});
  Result<Family<Histogram>*> AddHistogram(std::string name, std::string help,
                                          std::vector<std::string> label_names,
                                          std::vector<double> bounds);
  void AddCollector(Collector collector);

  // Every family, registered ones in name order, then those of the collectors.
  std::vector<FamilySnapshot> Collect() const;

 private:
  struct Entry;
  Status CheckNew(const std::string& name, const std::vector<std::string>& label_names);

  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Entry>> entries_;
  std::vector<Collector> collectors_;
};

}  // namespace clickstream::metrics
