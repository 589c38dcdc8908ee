#include "events/produce_loop.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "events/click_codec.h"

namespace clickstream::events {
namespace {

// NDJSON written to an anonymous temporary file, read back whole.
class NdjsonCapture {
 public:
  NdjsonCapture() : file_(std::tmpfile()), sink_(file_) {}
  ~NdjsonCapture() { std::fclose(file_); }
  NdjsonSink& sink() { return sink_; }
  std::vector<std::string> Lines() {
    std::fflush(file_);
    std::rewind(file_);
    std::vector<std::string> lines;
    std::string line;
    for (int c = std::fgetc(file_); c != EOF; c = std::fgetc(file_)) {
      if (c == '\n') {
        lines.push_back(line);
        line.clear();
      } else {
        line.push_back(static_cast<char>(c));
      }
    }
    return lines;
  }

 private:
  std::FILE* file_;
  NdjsonSink sink_;
};

RecordSource Source(double bad_ratio) {
  RecordSourceOptions options;
  options.bad_ratio = bad_ratio;
  return *RecordSource::Make(options);
}

TEST(ProduceLoopTest, SendsExactlyTheRequestedEventsWithTheExactBadShare) {
  NdjsonCapture capture;
  auto source = Source(0.2);
  ProduceLoopOptions options;
  options.events = 12'345;
  const auto done = RunProduce(
      source, capture.sink(), options, [](const auto&) {}, [] { return false; });
  ASSERT_TRUE(done.has_value());
  ASSERT_TRUE(capture.sink().Finish().has_value());
  EXPECT_EQ(done->sent, 12'345);
  EXPECT_EQ(done->bad, 2469);
  EXPECT_EQ(done->delivered, 12'345);
  const auto lines = capture.Lines();
  ASSERT_EQ(lines.size(), 12'345u);
  ClickEventParser parser;
  int bad = 0;
  for (const auto& line : lines) bad += parser.Parse(line).has_value() ? 0 : 1;
  EXPECT_EQ(bad, 2469);
}

TEST(ProduceLoopTest, StopsWhenAStopIsRequested) {
  NdjsonCapture capture;
  auto source = Source(0);
  ProduceLoopOptions options;  // no event limit, no duration: only the stop ends it
  int calls = 0;
  const auto done = RunProduce(
      source, capture.sink(), options, [](const auto&) {}, [&calls] { return ++calls > 3; });
  ASSERT_TRUE(done.has_value());
  EXPECT_GT(done->sent, 0);
  EXPECT_EQ(static_cast<int64_t>(capture.Lines().size()), done->sent);
}

TEST(ProduceLoopTest, ZeroEventsSendsNothing) {
  NdjsonCapture capture;
  auto source = Source(0);
  ProduceLoopOptions options;
  options.events = 0;
  const auto done = RunProduce(
      source, capture.sink(), options, [](const auto&) {}, [] { return false; });
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->sent, 0);
  EXPECT_TRUE(capture.Lines().empty());
}

}  // namespace
}  // namespace clickstream::events
