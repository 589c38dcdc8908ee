#include "metrics/process_collector.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

namespace clickstream::metrics {

namespace {

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

FamilySnapshot Single(std::string name, std::string help, MetricType type, double value) {
  return {std::move(name), std::move(help), type, {Sample{"", {}, value}}};
}

// Seconds since the epoch at which the machine booted (/proc/stat "btime").
std::optional<double> BootTime(const std::string& proc_root) {
  std::ifstream in(proc_root + "/stat");
  std::string key;
  while (in >> key) {
    if (key == "btime") {
      double value = 0;
      if (in >> value) return value;
      return std::nullopt;
    }
    in.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  return std::nullopt;
}

// /proc/<pid>/stat (proc(5)): the fields after the parenthesised command name, which may itself
// hold spaces and parentheses.
void AddStatFamilies(const std::string& proc_dir, const std::string& proc_root,
                     std::vector<FamilySnapshot>& out) {
  const std::optional<std::string> stat = ReadFile(proc_dir + "/stat");
  if (!stat) return;
  const size_t close = stat->rfind(')');
  if (close == std::string::npos) return;
  std::istringstream fields(stat->substr(close + 2));
  std::vector<std::string> values;
  for (std::string field; fields >> field;) values.push_back(field);
  // values[0] is field 3 (state): field N is values[N - 3].
  if (values.size() < 22) return;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  const double cpu = (std::stod(values[14 - 3]) + std::stod(values[15 - 3])) / ticks;
  out.push_back(Single("process_cpu_seconds_total",
                       "Total user and system CPU time spent in seconds.", MetricType::kCounter,
                       cpu));
  out.push_back(Single("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                       MetricType::kGauge, std::stod(values[23 - 3])));
  out.push_back(Single("process_resident_memory_bytes", "Resident memory size in bytes.",
                       MetricType::kGauge, std::stod(values[24 - 3]) * page));
  if (std::optional<double> boot = BootTime(proc_root)) {
    out.push_back(Single("process_start_time_seconds",
                         "Start time of the process since unix epoch in seconds.",
                         MetricType::kGauge, *boot + std::stod(values[22 - 3]) / ticks));
  }
}

void AddFdFamilies(const std::string& proc_dir, std::vector<FamilySnapshot>& out) {
  std::error_code error;
  std::filesystem::directory_iterator fds(proc_dir + "/fd", error);
  if (!error) {
    double open = 0;
    for (auto it = fds; it != std::filesystem::directory_iterator(); it.increment(error)) {
      if (error) break;
      ++open;
    }
    out.push_back(
        Single("process_open_fds", "Number of open file descriptors.", MetricType::kGauge, open));
  }
  std::ifstream limits(proc_dir + "/limits");
  for (std::string line; std::getline(limits, line);) {
    if (!line.starts_with("Max open files")) continue;
    std::istringstream words(line.substr(std::string_view("Max open files").size()));
    std::string soft;
    if (words >> soft && soft != "unlimited") {
      out.push_back(Single("process_max_fds", "Maximum number of open file descriptors.",
                           MetricType::kGauge, std::stod(soft)));
    }
  }
}

}  // namespace

std::vector<FamilySnapshot> CollectProcessMetrics(const std::string& proc_dir,
                                                  const std::string& proc_root) {
  std::vector<FamilySnapshot> families;
  try {
    AddStatFamilies(proc_dir, proc_root, families);
  } catch (const std::exception&) {
    // A malformed number in /proc: leave the families out rather than fail the scrape.
  }
  AddFdFamilies(proc_dir, families);
  return families;
}

void AddProcessCollector(Registry& registry) {
  registry.AddCollector([] { return CollectProcessMetrics(); });
}

}  // namespace clickstream::metrics
