#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/result.h"
#include "events/bad_record.h"
#include "events/click_generator.h"

namespace clickstream::events {

// One message for the topic: key = user_id, payload = the JSON event or an injected bad record.
struct Record {
  std::string key;
  std::string payload;
  std::optional<BadRecordKind> bad;  // set when payload is an injected malformed record
};

struct RecordSourceOptions {
  GeneratorOptions generator;
  double bad_ratio = 0;  // share of malformed records, in [0, 1], resolution 1e-6
};

// The producer's stream of records. Exactly floor(n * bad_ratio) of the first n records are bad
// (spread evenly, cycling through every BadRecordKind), so a consumer can check the share exactly.
// Deterministic for a given seed and sequence of clock readings.
class RecordSource {
 public:
  // kInvalidArgument for bad generator options or a bad_ratio outside [0, 1].
  static Result<RecordSource> Make(const RecordSourceOptions& options);

  // Fills `record` (reusing its buffers) with the next record, its event time near `now_us`.
  void Next(int64_t now_us, Record& record);

  // How many of the first `n` records are bad.
  int64_t BadCount(int64_t n) const;

 private:
  RecordSource(ClickGenerator generator, int64_t bad_per_million);

  ClickGenerator generator_;
  int64_t bad_per_million_;
  int64_t index_ = 0;
  int64_t bad_index_ = 0;
  ClickEvent event_;
};

}  // namespace clickstream::events
