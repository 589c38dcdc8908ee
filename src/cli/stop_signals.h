#pragma once

#include <signal.h>

#include <ctime>

namespace clickstream::cli {

// Blocks SIGINT and SIGTERM for its lifetime (threads started meanwhile, such as librdkafka's,
// inherit the mask) and lets the command poll for them between units of work, so Ctrl-C ends a
// run cleanly without a signal handler or global state.
class StopSignals {
 public:
  StopSignals() {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals_, &previous_);
  }
  ~StopSignals() {
    const timespec zero{};
    while (sigtimedwait(&signals_, nullptr, &zero) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // True once SIGINT or SIGTERM arrived.
  bool Requested() const {
    sigset_t pending;
    sigpending(&pending);
    return sigismember(&pending, SIGINT) == 1 || sigismember(&pending, SIGTERM) == 1;
  }

 private:
  sigset_t signals_{};
  sigset_t previous_{};
};

}  // namespace clickstream::cli
