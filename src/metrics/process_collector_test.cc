#include "metrics/process_collector.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <map>

namespace clickstream::metrics {
namespace {

std::map<std::string, double> Values() {
  std::map<std::string, double> values;
  for (const FamilySnapshot& family : CollectProcessMetrics()) {
    EXPECT_EQ(family.samples.size(), 1u) << family.name;
    if (!family.samples.empty()) values[family.name] = family.samples[0].value;
  }
  return values;
}

TEST(ProcessCollectorTest, ReadsThisProcessFromProc) {
  auto before = Values();
  for (const char* name : {"process_cpu_seconds_total", "process_resident_memory_bytes",
                           "process_virtual_memory_bytes", "process_open_fds", "process_max_fds",
                           "process_start_time_seconds"}) {
    EXPECT_TRUE(before.contains(name)) << name;
  }
  EXPECT_GT(before["process_resident_memory_bytes"], 1 << 20);
  EXPECT_GE(before["process_virtual_memory_bytes"], before["process_resident_memory_bytes"]);
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_LE(before["process_start_time_seconds"], now + 1);
  EXPECT_GT(before["process_start_time_seconds"], now - 3600);

  // An opened file shows up as one more descriptor; burnt CPU as more seconds.
  const int fd = open("/proc/self/stat", O_RDONLY);
  ASSERT_GE(fd, 0);
  volatile double sink = 0;
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
  while (std::chrono::steady_clock::now() < until) sink = sink + 1;
  auto after = Values();
  close(fd);
  EXPECT_EQ(after["process_open_fds"], before["process_open_fds"] + 1);
  EXPECT_GT(after["process_cpu_seconds_total"], before["process_cpu_seconds_total"]);
}

TEST(ProcessCollectorTest, MissingProcDirectoryGivesNoFamilies) {
  EXPECT_TRUE(CollectProcessMetrics("/nonexistent/self", "/nonexistent").empty());
}

}  // namespace
}  // namespace clickstream::metrics
