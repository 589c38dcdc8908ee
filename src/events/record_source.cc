#include "events/record_source.h"

#include <cmath>

#include "events/click_codec.h"

namespace clickstream::events {

Result<RecordSource> RecordSource::Make(const RecordSourceOptions& options) {
  if (!(options.bad_ratio >= 0 && options.bad_ratio <= 1)) {
    return InvalidArgument("--bad-ratio must be between 0 and 1");
  }
  CS_ASSIGN_OR_RETURN(auto generator, ClickGenerator::Make(options.generator));
  return RecordSource(std::move(generator), std::llround(options.bad_ratio * 1e6));
}

RecordSource::RecordSource(ClickGenerator generator, int64_t bad_per_million)
    : generator_(std::move(generator)), bad_per_million_(bad_per_million) {}

int64_t RecordSource::BadCount(int64_t n) const {
  return static_cast<int64_t>(static_cast<Int128>(n) * bad_per_million_ / 1'000'000);
}

void RecordSource::Next(int64_t now_us, Record& record) {
  generator_.Next(now_us, event_);
  record.key.assign(event_.user_id);
  const bool bad = BadCount(index_ + 1) > BadCount(index_);
  ++index_;
  if (!bad) {
    record.bad.reset();
    record.payload.clear();
    AppendClickEventJson(event_, record.payload);
    return;
  }
  const BadRecordKind kind = kAllBadRecordKinds[bad_index_++ % kAllBadRecordKinds.size()];
  record.bad = kind;
  MakeBadRecord(kind, event_, generator_.random(), record.payload);
}

}  // namespace clickstream::events
