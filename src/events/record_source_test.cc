#include "events/record_source.h"

#include <gtest/gtest.h>

#include <map>

#include "events/click_codec.h"

namespace clickstream::events {
namespace {

constexpr int64_t kNow = 1'795'474'500'000'000;

TEST(RecordSourceTest, InjectsExactlyTheBadShareAndEveryKind) {
  RecordSourceOptions options;
  options.bad_ratio = 0.1;
  auto source = RecordSource::Make(options);
  ASSERT_TRUE(source.has_value());
  Record record;
  int bad = 0;
  std::map<BadRecordKind, int> kinds;
  for (int i = 1; i <= 100'000; ++i) {
    source->Next(kNow, record);
    if (record.bad) {
      ++bad;
      ++kinds[*record.bad];
    }
    if (i == 7 || i == 1000 || i == 99'999) {
      EXPECT_EQ(bad, source->BadCount(i)) << i;
    }
  }
  EXPECT_EQ(bad, 10'000);
  ASSERT_EQ(kinds.size(), kAllBadRecordKinds.size());
  for (const auto& [kind, count] : kinds)
    EXPECT_NEAR(count, 10'000 / 6.0, 1) << BadRecordKindName(kind);
}

TEST(RecordSourceTest, GoodRecordsParseAndTheKeyIsTheUserId) {
  RecordSourceOptions options;
  options.bad_ratio = 0.25;
  auto source = RecordSource::Make(options);
  ASSERT_TRUE(source.has_value());
  ClickEventParser parser;
  Record record;
  for (int i = 0; i < 20'000; ++i) {
    source->Next(kNow, record);
    const auto parsed = parser.Parse(record.payload);
    if (record.bad) {
      EXPECT_FALSE(parsed.has_value()) << BadRecordKindName(*record.bad) << ": " << record.payload;
    } else {
      ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
      EXPECT_EQ(parsed->user_id, record.key);
    }
  }
}

// Every kind, and every variant of it (many draws), is rejected for the reason of its kind.
TEST(RecordSourceTest, EveryInjectedKindIsReallyBadForItsOwnReason) {
  const std::map<BadRecordKind, std::string> reason = {
      {BadRecordKind::kBrokenJson, "invalid JSON: "},
      {BadRecordKind::kMissingField, "missing field "},
      {BadRecordKind::kWrongType, "is not a string"},
      {BadRecordKind::kBadTimestamp, "bad event_ts: "},
      {BadRecordKind::kEmpty, "empty message"},
      {BadRecordKind::kInvalidUtf8, "invalid UTF-8"},
  };
  DeterministicRandom random(3);
  ClickEventParser parser;
  std::string out;
  for (const BadRecordKind kind : kAllBadRecordKinds) {
    for (int i = 0; i < 2000; ++i) {
      const ClickEvent event{"user_" + std::to_string(i + 1), i % 2 ? "/home" : "/products/12",
                             kNow + i * 7919};
      MakeBadRecord(kind, event, random, out);
      const auto parsed = parser.Parse(out);
      ASSERT_FALSE(parsed.has_value()) << BadRecordKindName(kind) << ": " << out;
      EXPECT_NE(parsed.error().message.find(reason.at(kind)), std::string::npos)
          << BadRecordKindName(kind) << ": " << out << " -> " << parsed.error().message;
      EXPECT_EQ(out.find('\n'), std::string::npos);
    }
  }
}

TEST(RecordSourceTest, SameSeedSameRecords) {
  RecordSourceOptions options;
  options.bad_ratio = 0.3;
  options.generator.seed = 99;
  auto a = RecordSource::Make(options);
  auto b = RecordSource::Make(options);
  ASSERT_TRUE(a.has_value() && b.has_value());
  Record ra, rb;
  for (int i = 0; i < 5000; ++i) {
    a->Next(kNow + i, ra);
    b->Next(kNow + i, rb);
    ASSERT_EQ(ra.key, rb.key);
    ASSERT_EQ(ra.payload, rb.payload);
    ASSERT_EQ(ra.bad, rb.bad);
  }
}

TEST(RecordSourceTest, RejectsARatioOutsideZeroToOne) {
  for (const double ratio : {-0.1, 1.5}) {
    RecordSourceOptions options;
    options.bad_ratio = ratio;
    const auto source = RecordSource::Make(options);
    ASSERT_FALSE(source.has_value());
    EXPECT_EQ(source.error().code, ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace clickstream::events
