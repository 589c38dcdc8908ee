#pragma once

// Test-only: a file system that fills up, without root or a mount. Included by *_test.cc only.

#include <signal.h>
#include <sys/resource.h>

namespace clickstream::iceberg::testing {

// While alive, a write that would grow any file of this process past `bytes` fails with EFBIG,
// as a full disk fails it with ENOSPC (RLIMIT_FSIZE; SIGXFSZ is ignored so the write returns).
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    previous_handler_ = signal(SIGXFSZ, SIG_IGN);
    getrlimit(RLIMIT_FSIZE, &previous_);
    rlimit limit = previous_;
    limit.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &previous_);
    signal(SIGXFSZ, previous_handler_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit previous_{};
  sighandler_t previous_handler_ = SIG_DFL;
};

}  // namespace clickstream::iceberg::testing
