// Throughput of the event path that every produced and processed message takes: generating a
// record, encoding it as JSON, and the processor's strict parse.
#include <benchmark/benchmark.h>

#include <vector>

#include "events/click_codec.h"
#include "events/record_source.h"

namespace clickstream::events {
namespace {

constexpr int64_t kNow = 1'795'474'500'000'000;

std::vector<std::string> SamplePayloads(double bad_ratio) {
  RecordSourceOptions options;
  options.bad_ratio = bad_ratio;
  auto source = RecordSource::Make(options);
  std::vector<std::string> payloads;
  Record record;
  for (int i = 0; i < 10'000; ++i) {
    source->Next(kNow + i, record);
    payloads.push_back(record.payload);
  }
  return payloads;
}

void BM_GenerateRecord(benchmark::State& state) {
  auto source = RecordSource::Make({});
  Record record;
  int64_t now = kNow;
  for (auto _ : state) {
    source->Next(now++, record);
    benchmark::DoNotOptimize(record.payload.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GenerateRecord);

void BM_EncodeClickEvent(benchmark::State& state) {
  const ClickEvent event{"user_4242", "/products/17", kNow};
  std::string out;
  for (auto _ : state) {
    out.clear();
    AppendClickEventJson(event, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodeClickEvent);

// Arg: percent of bad records in the parsed stream.
void BM_ParseClickEvent(benchmark::State& state) {
  const auto payloads = SamplePayloads(static_cast<double>(state.range(0)) / 100);
  ClickEventParser parser;
  size_t i = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    const std::string& payload = payloads[i++ % payloads.size()];
    auto parsed = parser.Parse(payload);
    benchmark::DoNotOptimize(parsed);
    bytes += static_cast<int64_t>(payload.size());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_ParseClickEvent)->Arg(0)->Arg(10);

}  // namespace
}  // namespace clickstream::events

BENCHMARK_MAIN();
