#pragma once

#include <fcntl.h>
#include <sys/types.h>
#include <unistd.h>

namespace clickstream::io {

// The system calls that write a new metadata or manifest file (WriteNewFile), as a value:
// production uses the real ones; a test swaps one for a fault a healthy disk cannot produce (a
// failing fsync) and checks that the descriptor is closed and the right errno reported.
struct FileCalls {
  int (*open)(const char* path, int flags, mode_t mode) =
      [](const char* path, int flags, mode_t mode) { return ::open(path, flags, mode); };
  ssize_t (*write)(int fd, const void* data, size_t size) = ::write;
  int (*fsync)(int fd) = ::fsync;
  int (*close)(int fd) = ::close;
  int (*link)(const char* from, const char* to) = ::link;
  int (*unlink)(const char* path) = ::unlink;
};

}  // namespace clickstream::io
