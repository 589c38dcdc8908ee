#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "catalog/catalog.h"
#include "maintenance/maintainer.h"
#include "metrics/processor_metrics.h"

namespace clickstream::cli {

// `process`'s table maintenance (DESIGN.md "Table maintenance"), beside the stream: the processor
// asks for a cycle after each commit and a thread of its own runs it, so neither an expiry nor a
// compaction pauses reading and freshness holds. It works on a catalog connection of its own that
// never waits long for a lock: a busy catalog postpones maintenance, not the stream. The
// connection opens at the first cycle (the processor has created the tables by then) and is
// retried at the next one. With metrics, the runs are counted, /healthz watches a running cycle
// ("maintenance") and one table's health gauges are measured per minute.
class BackgroundMaintenance {
 public:
  // `metrics` may be null; it must outlive this object.
  BackgroundMaintenance(std::string catalog_uri, std::vector<catalog::TableIdentifier> tables,
                        metrics::ProcessorMetrics* metrics);
  // Lets a running cycle finish (its tasks are single commits), then stops the thread.
  ~BackgroundMaintenance();
  BackgroundMaintenance(const BackgroundMaintenance&) = delete;
  BackgroundMaintenance& operator=(const BackgroundMaintenance&) = delete;

  // Asks for one cycle that starts no task after `budget`; returns at once. Asked while a cycle
  // runs, the next cycle starts when it ends (commits that come faster than cycles share one).
  void Request(std::chrono::milliseconds budget);
  // Blocks until no cycle is asked for or running.
  void WaitIdle();
  // Cycles run so far.
  int cycles() const;

 private:
  void Loop();
  void RunCycle(std::chrono::milliseconds budget);
  bool Connect();

  std::string catalog_uri_;
  std::vector<catalog::TableIdentifier> tables_;
  metrics::ProcessorMetrics* metrics_;
  // Used by the maintenance thread only.
  std::unique_ptr<catalog::Catalog> catalog_;
  std::optional<maintenance::Maintainer> maintainer_;
  std::chrono::steady_clock::time_point next_health_;
  size_t health_table_ = 0;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<std::chrono::milliseconds> requested_;
  bool running_ = false;
  bool stopping_ = false;
  int cycles_ = 0;
  std::thread thread_;  // last: starts once everything above exists
};

}  // namespace clickstream::cli
