#include "cli/background_maintenance.h"

#include <cstdio>
#include <utility>

#include "catalog/open_catalog.h"
#include "cli/maintenance_actions.h"

namespace clickstream::cli {
namespace {

constexpr std::chrono::milliseconds kLockWait{2000};
// How long one cycle may run before /healthz calls maintenance stuck.
constexpr std::chrono::minutes kMaxSilence{15};
// How often each table's health gauges are measured while the stream runs.
constexpr std::chrono::seconds kHealthInterval{60};
constexpr char kComponent[] = "maintenance";

}  // namespace

BackgroundMaintenance::BackgroundMaintenance(std::string catalog_uri,
                                             std::vector<catalog::TableIdentifier> tables,
                                             metrics::ProcessorMetrics* metrics)
    : catalog_uri_(std::move(catalog_uri)),
      tables_(std::move(tables)),
      metrics_(metrics),
      thread_([this] { Loop(); }) {}

BackgroundMaintenance::~BackgroundMaintenance() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void BackgroundMaintenance::Request(std::chrono::milliseconds budget) {
  {
    std::lock_guard lock(mutex_);
    if (requested_) return;
    requested_ = budget;
  }
  changed_.notify_all();
}

void BackgroundMaintenance::WaitIdle() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return !running_ && !requested_; });
}

int BackgroundMaintenance::cycles() const {
  std::lock_guard lock(mutex_);
  return cycles_;
}

void BackgroundMaintenance::Loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    changed_.wait(lock, [this] { return stopping_ || requested_; });
    if (stopping_) return;
    const std::chrono::milliseconds budget = *std::exchange(requested_, std::nullopt);
    running_ = true;
    lock.unlock();
    RunCycle(budget);
    lock.lock();
    running_ = false;
    ++cycles_;
    changed_.notify_all();
  }
}

bool BackgroundMaintenance::Connect() {
  if (maintainer_) return true;
  catalog::CatalogOptions options = catalog::CatalogOptionsFromEnvironment();
  options.sqlite.busy_timeout = kLockWait;
  options.sqlite.create_if_missing = false;
  Result<std::unique_ptr<catalog::Catalog>> opened = catalog::OpenCatalog(catalog_uri_, options);
  if (!opened.has_value()) return false;  // busy or unreachable now; the next cycle tries again
  catalog_ = std::move(*opened);
  maintainer_.emplace(*catalog_);
  return true;
}

void BackgroundMaintenance::RunCycle(std::chrono::milliseconds budget) {
  if (!Connect()) return;
  if (metrics_) metrics_->health().Beat(kComponent, kMaxSilence, "maintaining the tables");
  const std::vector<maintenance::MaintenanceAction> actions =
      maintainer_->RunCycle(tables_, budget);
  for (const auto& action : actions) {
    if (action.changed || !action.ok) {
      std::fprintf(stderr, "process: maintain %s\n", maintenance::ActionText(action).c_str());
    }
  }
  if (!metrics_) return;
  metrics_->health().StopWatching(kComponent);
  RecordMaintenance(actions, metrics_->maintenance());
  // Measuring reads the current manifests: once a minute, one table per cycle.
  const auto now = std::chrono::steady_clock::now();
  if (now >= next_health_) {
    RecordHealth(*catalog_, tables_[health_table_++ % tables_.size()], metrics_->maintenance());
    next_health_ = now + kHealthInterval / tables_.size();
  }
}

}  // namespace clickstream::cli
