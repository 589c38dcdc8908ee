#include "events/dead_letter_reason.h"

#include <gtest/gtest.h>

#include <string>

#include "events/bad_record.h"
#include "events/click_codec.h"

namespace clickstream::events {
namespace {

// Every variant the producer injects lands in the category named after its own kind.
TEST(DeadLetterReasonTest, EveryInjectedKindIsCategorizedAsItself) {
  DeterministicRandom random(5);
  ClickEventParser parser;
  std::string out;
  for (const BadRecordKind kind : kAllBadRecordKinds) {
    for (int i = 0; i < 500; ++i) {
      const ClickEvent event{"user_" + std::to_string(i + 1), "/home",
                             1'795'474'500'000'000 + i * 7919};
      MakeBadRecord(kind, event, random, out);
      const auto parsed = parser.Parse(out);
      ASSERT_FALSE(parsed.has_value()) << out;
      EXPECT_EQ(DeadLetterReason(parsed.error().message), BadRecordKindName(kind))
          << out << " -> " << parsed.error().message;
    }
  }
}

TEST(DeadLetterReasonTest, EmptyFieldsOversizeAndUnknownMessages) {
  ClickEventParser parser;
  auto empty_page = parser.Parse(R"({"user_id":"u","page":"","event_ts":"2026-11-23T22:55:00Z"})");
  ASSERT_FALSE(empty_page.has_value());
  EXPECT_EQ(DeadLetterReason(empty_page.error().message), "missing_field");
  auto array = parser.Parse("[1,2]");
  ASSERT_FALSE(array.has_value());
  EXPECT_EQ(DeadLetterReason(array.error().message), "broken_json");
  EXPECT_EQ(DeadLetterReason("oversized message: 70000 bytes, the limit is 65536"), "oversized");
  EXPECT_EQ(DeadLetterReason("something new"), "other");
}

}  // namespace
}  // namespace clickstream::events
