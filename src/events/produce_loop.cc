#include "events/produce_loop.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <thread>

namespace clickstream::events {

Status NdjsonSink::Send(const Record& record) {
  if (std::fwrite(record.payload.data(), 1, record.payload.size(), out_) != record.payload.size() ||
      std::fputc('\n', out_) == EOF) {
    return IoError(std::string("writing events: ") + std::strerror(errno));
  }
  ++written_;
  return Ok();
}

Status NdjsonSink::Finish() {
  if (std::fflush(out_) != 0)
    return IoError(std::string("writing events: ") + std::strerror(errno));
  return Ok();
}

Result<ProduceProgress> RunProduce(RecordSource& source, RecordSink& sink,
                                   const ProduceLoopOptions& options,
                                   const std::function<void(const ProduceProgress&)>& on_progress,
                                   const std::function<bool()>& stop_requested) {
  using Clock = std::chrono::steady_clock;
  // Records sent between two looks at the clock, stop flag and delivery reports.
  constexpr int64_t kChunk = 1024;
  const RateSchedule schedule(options.rate);
  const int64_t limit = options.events.value_or(std::numeric_limits<int64_t>::max());
  const auto start = Clock::now();
  const auto end = options.duration ? start + *options.duration : Clock::time_point::max();
  auto next_progress = start + options.progress_interval;

  ProduceProgress progress;
  Record record;
  auto snapshot = [&](Clock::time_point now) {
    progress.delivered = sink.delivered();
    progress.failed = sink.failed();
    progress.elapsed = now - start;
    return progress;
  };
  while (progress.sent < limit) {
    auto now = Clock::now();
    if (now >= end || stop_requested()) break;
    const int64_t due = std::min({schedule.DueBy(now - start), limit, progress.sent + kChunk});
    if (progress.sent < due) {
      const int64_t now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
      for (; progress.sent < due; ++progress.sent) {
        source.Next(now_us, record);
        CS_RETURN_IF_ERROR(sink.Send(record));
        if (record.bad) ++progress.bad;
      }
      sink.Serve();
    } else {
      sink.Serve();
      const auto wake = std::min({start + schedule.DueOffset(progress.sent), next_progress, end});
      std::this_thread::sleep_until(wake);
    }
    now = Clock::now();
    if (now >= next_progress) {
      on_progress(snapshot(now));
      while (next_progress <= now) next_progress += options.progress_interval;
    }
  }
  return snapshot(Clock::now());
}

}  // namespace clickstream::events
