#pragma once

// The standard process metrics every Prometheus client library exports, read from Linux's /proc at
// scrape time: process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_open_fds, process_max_fds, process_start_time_seconds.

#include <string>
#include <vector>

#include "metrics/registry.h"

namespace clickstream::metrics {

// Reads the metrics of the process whose /proc directory is `proc_dir` ("/proc/self"); `proc_root`
// is where /proc/stat (boot time) is. Families whose source cannot be read are left out.
std::vector<FamilySnapshot> CollectProcessMetrics(const std::string& proc_dir = "/proc/self",
                                                  const std::string& proc_root = "/proc");

// Registers CollectProcessMetrics for the calling process.
void AddProcessCollector(Registry& registry);

}  // namespace clickstream::metrics
