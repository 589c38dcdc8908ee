#include "metrics/health.h"

namespace clickstream::metrics {

namespace {

std::string OneLine(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

}  // namespace

void Health::Fail(const std::string& component, std::string reason) {
  std::lock_guard lock(mutex_);
  problems_[component] = OneLine(std::move(reason));
}

void Health::Clear(const std::string& component) {
  std::lock_guard lock(mutex_);
  problems_.erase(component);
}

void Health::Beat(const std::string& component, std::chrono::milliseconds max_silence,
                  std::string doing) {
  const Clock::time_point now = Clock::now();
  std::lock_guard lock(mutex_);
  Watch& watch = watches_[component];
  watch.last = now;
  watch.max_silence = max_silence;
  if (watch.doing != doing) watch.doing = OneLine(std::move(doing));
}

void Health::StopWatching(const std::string& component) {
  std::lock_guard lock(mutex_);
  watches_.erase(component);
}

std::optional<std::string> Health::Problem(Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  if (!problems_.empty()) {
    const auto& [component, reason] = *problems_.begin();
    return component + ": " + reason;
  }
  for (const auto& [component, watch] : watches_) {
    const auto silence = std::chrono::duration_cast<std::chrono::seconds>(now - watch.last);
    if (now - watch.last > watch.max_silence) {
      return component + ": no progress for " + std::to_string(silence.count()) + " s" +
             (watch.doing.empty() ? "" : " (" + watch.doing + ")");
    }
  }
  return std::nullopt;
}

}  // namespace clickstream::metrics
