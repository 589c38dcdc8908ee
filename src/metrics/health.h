#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace clickstream::metrics {

// What /healthz answers: healthy unless a component reported a problem or stopped beating.
// Thread-safe: components report from their threads, the HTTP thread asks.
class Health {
 public:
  using Clock = std::chrono::steady_clock;

  // `component` ("kafka", "commits", ...) cannot work: `reason` is one line a person can act on.
  void Fail(const std::string& component, std::string reason);
  // `component` works again.
  void Clear(const std::string& component);
  // `component` made progress now; it counts as stuck ("no progress for N s: <doing>") when the
  // next beat is more than `max_silence` away. The first beat starts the watch.
  void Beat(const std::string& component, std::chrono::milliseconds max_silence,
            std::string doing = "");
  // Ends the watch Beat started.
  void StopWatching(const std::string& component);

  // "component: reason" of the first failing component in name order (reported problems before
  // stuck ones); nullopt when healthy.
  std::optional<std::string> Problem(Clock::time_point now = Clock::now()) const;

 private:
  struct Watch {
    Clock::time_point last;
    std::chrono::milliseconds max_silence;
    std::string doing;
  };
  mutable std::mutex mutex_;
  std::map<std::string, std::string> problems_;
  std::map<std::string, Watch> watches_;
};

}  // namespace clickstream::metrics
