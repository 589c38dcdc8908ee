#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>

#include "common/result.h"
#include "events/rate_schedule.h"
#include "events/record_source.h"

namespace clickstream::events {

// Where produced records go: a Kafka topic (cli/produce.cc adapts kafka::Producer) or NDJSON.
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  // Queues or writes one record; an error stops the run.
  virtual Status Send(const Record& record) = 0;
  // Serves completions (delivery reports) without blocking.
  virtual void Serve() = 0;
  // Waits for every queued record to be delivered or failed; error when any was not delivered.
  virtual Status Finish() = 0;
  virtual int64_t delivered() const = 0;
  virtual int64_t failed() const = 0;
};

// Writes each record's payload and a newline to a stdio stream (the --stdout mode).
class NdjsonSink : public RecordSink {
 public:
  explicit NdjsonSink(std::FILE* out) : out_(out) {}
  Status Send(const Record& record) override;
  void Serve() override {}
  Status Finish() override;
  int64_t delivered() const override { return written_; }
  int64_t failed() const override { return 0; }

 private:
  std::FILE* out_;
  int64_t written_ = 0;
};

struct ProduceLoopOptions {
  std::optional<int64_t> events;                     // stop after this many records
  std::optional<std::chrono::nanoseconds> duration;  // or after this long (both: whichever first)
  double rate = 0;                                   // records per second, 0 = as fast as possible
  std::chrono::milliseconds progress_interval{1000};
};

struct ProduceProgress {
  int64_t sent = 0;
  int64_t bad = 0;
  int64_t delivered = 0;
  int64_t failed = 0;
  std::chrono::nanoseconds elapsed{0};
};

// Sends records from `source` to `sink` on the RateSchedule of options.rate until the event count
// or duration is reached or `stop_requested` returns true. Calls `on_progress` every
// progress_interval. Event times come from the system clock. Does not call sink.Finish().
// Errors: the first failing sink.Send.
Result<ProduceProgress> RunProduce(RecordSource& source, RecordSink& sink,
                                   const ProduceLoopOptions& options,
                                   const std::function<void(const ProduceProgress&)>& on_progress,
                                   const std::function<bool()>& stop_requested);

}  // namespace clickstream::events
