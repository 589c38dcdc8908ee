#include "metrics/registry.h"

#include <algorithm>
#include <cmath>
#include <variant>

#include "metrics/exposition.h"

namespace clickstream::metrics {

namespace {

bool IsNameChar(char c, bool first, bool colon_ok) {
  const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  if (alpha || (colon_ok && c == ':')) return true;
  return !first && c >= '0' && c <= '9';
}

// Prometheus data model: metric names [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]*
// and no label name starting with "__" (reserved).
bool ValidName(std::string_view name, bool is_label) {
  if (name.empty()) return false;
  if (is_label && name.starts_with("__")) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (!IsNameChar(name[i], i == 0, !is_label)) return false;
  }
  return true;
}

std::vector<std::pair<std::string, std::string>> Pairs(const std::vector<std::string>& names,
                                                       const std::vector<std::string>& values) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (size_t i = 0; i < names.size(); ++i) pairs.emplace_back(names[i], values[i]);
  return pairs;
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(bounds_.size() + 1, 0) {}

size_t Histogram::BucketOf(double value) const {
  // The first bound >= value: Prometheus buckets are "less than or equal".
  return static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) -
                             bounds_.begin());
}

void Histogram::Observe(double value, uint64_t count) {
  if (count == 0 || std::isnan(value)) return;
  const size_t bucket = BucketOf(value);
  std::lock_guard lock(mutex_);
  buckets_[bucket] += count;
  sum_ += value * static_cast<double>(count);
  count_ += count;
}

void Histogram::ObserveEach(std::span<const double> values) {
  std::vector<uint64_t> local(buckets_.size(), 0);
  double sum = 0;
  uint64_t count = 0;
  for (double value : values) {
    if (std::isnan(value)) continue;
    ++local[BucketOf(value)];
    sum += value;
    ++count;
  }
  std::lock_guard lock(mutex_);
  for (size_t i = 0; i < local.size(); ++i) buckets_[i] += local[i];
  sum_ += sum;
  count_ += count;
}

Histogram::Counts Histogram::Read() const {
  Counts counts;
  std::lock_guard lock(mutex_);
  uint64_t running = 0;
  for (uint64_t bucket : buckets_) {
    running += bucket;
    counts.cumulative.push_back(running);
  }
  counts.sum = sum_;
  counts.count = count_;
  return counts;
}

std::vector<double> DurationBuckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600};
}

struct Registry::Entry {
  std::string help;
  std::variant<std::unique_ptr<Family<Counter>>, std::unique_ptr<Family<Gauge>>,
               std::unique_ptr<Family<Histogram>>>
      family;
};

Registry::Registry() = default;
Registry::~Registry() = default;

Status Registry::CheckNew(const std::string& name, const std::vector<std::string>& label_names) {
  if (!ValidName(name, false)) return InvalidArgument("invalid metric name \"" + name + "\"");
  for (const std::string& label : label_names) {
    if (!ValidName(label, true)) {
      return InvalidArgument("invalid label name \"" + label + "\" of metric " + name);
    }
  }
  if (entries_.contains(name)) return InvalidArgument("metric " + name + " is registered twice");
  return Ok();
}

Result<Family<Counter>*> Registry::AddCounter(std::string name, std::string help,
                                              std::vector<std::string> label_names) {
  std::lock_guard lock(mutex_);
  CS_RETURN_IF_ERROR(CheckNew(name, label_names));
  auto family = std::make_unique<Family<Counter>>(std::move(label_names),
                                                  [] { return std::make_unique<Counter>(); });
  Family<Counter>* raw = family.get();
  entries_[name] = std::make_unique<Entry>(Entry{std::move(help), std::move(family)});
  return raw;
}

Result<Family<Gauge>*> Registry::AddGauge(std::string name, std::string help,
                                          std::vector<std::string> label_names) {
  std::lock_guard lock(mutex_);
  CS_RETURN_IF_ERROR(CheckNew(name, label_names));
  auto family = std::make_unique<Family<Gauge>>(std::move(label_names),
                                                [] { return std::make_unique<Gauge>(); });
  Family<Gauge>* raw = family.get();
  entries_[name] = std::make_unique<Entry>(Entry{std::move(help), std::move(family)});
  return raw;
}

Result<Family<Histogram>*> Registry::AddHistogram(std::string name, std::string help,
                                                  std::vector<std::string> label_names,
                                                  std::vector<double> bounds) {
  std::lock_guard lock(mutex_);
  CS_RETURN_IF_ERROR(CheckNew(name, label_names));
  if (std::ranges::find(label_names, "le") != label_names.end()) {
    return InvalidArgument("histogram " + name + " cannot have a label named le");
  }
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
      return InvalidArgument("the buckets of histogram " + name +
                             " must be finite and strictly increasing");
    }
  }
  auto family = std::make_unique<Family<Histogram>>(
      std::move(label_names), [bounds] { return std::make_unique<Histogram>(bounds); });
  Family<Histogram>* raw = family.get();
  entries_[name] = std::make_unique<Entry>(Entry{std::move(help), std::move(family)});
  return raw;
}

void Registry::AddCollector(Collector collector) {
  std::lock_guard lock(mutex_);
  collectors_.push_back(std::move(collector));
}

namespace {

void AddSimple(const Family<Counter>& family, FamilySnapshot& out) {
  out.type = MetricType::kCounter;
  family.ForEach([&](const std::vector<std::string>& values, const Counter& counter) {
    out.samples.push_back({"", Pairs(family.label_names(), values), counter.value()});
  });
}

void AddSimple(const Family<Gauge>& family, FamilySnapshot& out) {
  out.type = MetricType::kGauge;
  family.ForEach([&](const std::vector<std::string>& values, const Gauge& gauge) {
    out.samples.push_back({"", Pairs(family.label_names(), values), gauge.value()});
  });
}

void AddSimple(const Family<Histogram>& family, FamilySnapshot& out) {
  out.type = MetricType::kHistogram;
  family.ForEach([&](const std::vector<std::string>& values, const Histogram& histogram) {
    const auto labels = Pairs(family.label_names(), values);
    const Histogram::Counts counts = histogram.Read();
    for (size_t i = 0; i < counts.cumulative.size(); ++i) {
      auto with_le = labels;
      with_le.emplace_back(
          "le", i < histogram.bounds().size() ? FormatValue(histogram.bounds()[i]) : "+Inf");
      out.samples.push_back(
          {"_bucket", std::move(with_le), static_cast<double>(counts.cumulative[i])});
    }
    out.samples.push_back({"_sum", labels, counts.sum});
    out.samples.push_back({"_count", labels, static_cast<double>(counts.count)});
  });
}

}  // namespace

std::vector<FamilySnapshot> Registry::Collect() const {
  std::vector<FamilySnapshot> families;
  std::vector<Collector> collectors;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [name, entry] : entries_) {
      FamilySnapshot snapshot{name, entry->help, MetricType::kGauge, {}};
      std::visit([&](const auto& family) { AddSimple(*family, snapshot); }, entry->family);
      families.push_back(std::move(snapshot));
    }
    collectors = collectors_;
  }
  for (const Collector& collector : collectors) {
    for (FamilySnapshot& family : collector()) families.push_back(std::move(family));
  }
  return families;
}

}  // namespace clickstream::metrics
