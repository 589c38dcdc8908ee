#include "events/click_codec.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

namespace clickstream::events {
namespace {

// 2026-11-23T22:55:00.123456Z in microseconds since the epoch.
constexpr int64_t kReferenceMicros = 1'795'474'500'123'456;

TEST(ClickCodecTest, EncodesTheContractFieldsAsOneJsonObject) {
  const ClickEvent event{"user_42", "/products", kReferenceMicros};
  EXPECT_EQ(EncodeClickEvent(event),
            R"({"user_id":"user_42","page":"/products","event_ts":"2026-11-23T22:55:00.123456Z"})");
}

TEST(ClickCodecTest, EncodeThenParseRoundTripsEvenWithCharactersThatNeedEscaping) {
  const ClickEvent event{"user \"q\" \\ 1", "/search?q=a\tb\n\x01", -1'000'001};
  const auto parsed = ParseClickEvent(EncodeClickEvent(event));
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_EQ(*parsed, event);
}

TEST(ClickCodecTest, FormatsTimestampsInUtcWithSixFractionalDigits) {
  EXPECT_EQ(FormatTimestampMicros(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatTimestampMicros(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(FormatTimestampMicros(951'782'400'000'000), "2000-02-29T00:00:00.000000Z");
}

struct AcceptedForm {
  const char* text;
  int64_t micros;
};

class AcceptedTimestampTest : public ::testing::TestWithParam<AcceptedForm> {};

TEST_P(AcceptedTimestampTest, ConvertsToUtcMicroseconds) {
  const auto parsed = ParseTimestampMicros(GetParam().text);
  ASSERT_TRUE(parsed.has_value()) << GetParam().text << ": " << parsed.error().message;
  EXPECT_EQ(*parsed, GetParam().micros) << GetParam().text;
}

constexpr int64_t kWholeSecond = 1'795'474'500'000'000;  // 2026-11-23T22:55:00Z

INSTANTIATE_TEST_SUITE_P(
    DesignForms, AcceptedTimestampTest,
    ::testing::Values(AcceptedForm{"2026-11-23T22:55:00Z", kWholeSecond},
                      AcceptedForm{"2026-11-23 22:55:00Z", kWholeSecond},
                      AcceptedForm{"2026-11-23T22:55:00.1Z", kWholeSecond + 100'000},
                      AcceptedForm{"2026-11-23T22:55:00.12Z", kWholeSecond + 120'000},
                      AcceptedForm{"2026-11-23T22:55:00.123Z", kWholeSecond + 123'000},
                      AcceptedForm{"2026-11-23T22:55:00.1234Z", kWholeSecond + 123'400},
                      AcceptedForm{"2026-11-23T22:55:00.12345Z", kWholeSecond + 123'450},
                      AcceptedForm{"2026-11-23T22:55:00.123456Z", kReferenceMicros},
                      AcceptedForm{"2026-11-23T22:55:00.1234567Z", kReferenceMicros},
                      AcceptedForm{"2026-11-23T22:55:00.12345678Z", kReferenceMicros},
                      AcceptedForm{"2026-11-23T22:55:00.123456789Z", kReferenceMicros},
                      AcceptedForm{"2026-11-24T00:55:00+02:00", kWholeSecond},
                      AcceptedForm{"2026-11-23T17:25:00.123456-05:30", kReferenceMicros},
                      AcceptedForm{"2026-11-23 22:55:00.000000+00:00", kWholeSecond},
                      AcceptedForm{"2026-11-23T22:55:00-00:00", kWholeSecond},
                      AcceptedForm{"1969-12-31T23:59:59.999999Z", -1},
                      AcceptedForm{"2024-02-29T12:00:00Z", 1'709'208'000'000'000}));

class RejectedTimestampTest : public ::testing::TestWithParam<const char*> {};

TEST_P(RejectedTimestampTest, IsABadTimestampWithAReason) {
  const auto parsed = ParseTimestampMicros(GetParam());
  ASSERT_FALSE(parsed.has_value()) << GetParam();
  EXPECT_EQ(parsed.error().code, ErrorCode::kCorrupt);
  EXPECT_TRUE(parsed.error().message.starts_with("bad event_ts: ")) << parsed.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    NotInTheContract, RejectedTimestampTest,
    ::testing::Values("", "yesterday", "1795474500", "2026-11-23T22:55", "2026-11-23",
                      "2026-11-23T22:55:00.Z", "2026-11-23T22:55:00.1234567890Z",
                      "2026-11-23t22:55:00Z", "2026-11-23T22:55:00z", "2026-11-23T22:55Z",
                      "2026-11-23T22:55:00+010", "2026-11-23T22:55:00+1", "2026-11-23_22:55:00Z",
                      "2026/11/23T22:55:00Z", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",
                      "2026-04-31T00:00:00Z", "2026-11-23T24:00:00Z", "2026-11-23T22:60:00Z",
                      "2026-11-23T22:55:60Z", "2026-11-23T22:55:00+24:00", "2026-11-23T22:55:00Z ",
                      " 2026-11-23T22:55:00Z", "2026-11-23T22:55:00 Z", "+2026-11-23T22:55:00Z",
                      "2026-11-23T22:55:00.12a4Z", "2026-11-23T22:55:00+01:00:00"));

TEST(ClickEventParserTest, IgnoresExtraFieldsAndFieldOrder) {
  const auto parsed = ParseClickEvent(
      R"({"event_ts":"2026-11-23 22:55:00Z","extra":{"a":[1,2]},"page":"/cart","user_id":"u"})");
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_EQ(*parsed, (ClickEvent{"u", "/cart", kWholeSecond}));
}

struct BadMessage {
  std::string bytes;
  std::string reason_prefix;
};

class BadMessageTest : public ::testing::TestWithParam<BadMessage> {};

TEST_P(BadMessageTest, IsRejectedWithItsOneLineReason) {
  ClickEventParser parser;
  const auto parsed = parser.Parse(GetParam().bytes);
  ASSERT_FALSE(parsed.has_value()) << GetParam().bytes;
  EXPECT_EQ(parsed.error().code, ErrorCode::kCorrupt);
  EXPECT_TRUE(parsed.error().message.starts_with(GetParam().reason_prefix))
      << parsed.error().message;
  EXPECT_EQ(parsed.error().message.find('\n'), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    EveryKind, BadMessageTest,
    ::testing::Values(
        BadMessage{"", "empty message"},
        BadMessage{"{\"user_id\":\"u\xff\",\"page\":\"/\",\"event_ts\":\"2026-11-23T22:55:00Z\"}",
                   "invalid UTF-8"},
        BadMessage{
            "{\"user_id\":\"u\",\"page\":\"/\xed\xa0\x80\",\"event_ts\":\"2026-11-23T22:55:00Z\"}",
            "invalid UTF-8"},
        BadMessage{R"({"user_id":"u","page":"/")", "invalid JSON: "},
        BadMessage{R"({"user_id":"u","page":"/","event_ts":"2026-11-23T22:55:00Z"}})",
                   "invalid JSON: "},
        BadMessage{R"({'user_id':'u'})", "invalid JSON: "},
        BadMessage{R"(not json)", "invalid JSON: "},
        BadMessage{R"(["u","/","2026-11-23T22:55:00Z"])", "not a JSON object"},
        BadMessage{R"("just a string")", "not a JSON object"},
        BadMessage{R"({"page":"/","event_ts":"2026-11-23T22:55:00Z"})", "missing field user_id"},
        BadMessage{R"({"user_id":"u","event_ts":"2026-11-23T22:55:00Z"})", "missing field page"},
        BadMessage{R"({"user_id":"u","page":"/"})", "missing field event_ts"},
        BadMessage{R"({"user_id":42,"page":"/","event_ts":"2026-11-23T22:55:00Z"})",
                   "field user_id is not a string"},
        BadMessage{R"({"user_id":"u","page":null,"event_ts":"2026-11-23T22:55:00Z"})",
                   "field page is not a string"},
        BadMessage{R"({"user_id":"u","page":"/","event_ts":true})",
                   "field event_ts is not a string or a number"},
        BadMessage{R"({"user_id":"","page":"/","event_ts":"2026-11-23T22:55:00Z"})",
                   "field user_id is empty"},
        BadMessage{R"({"user_id":"u","page":"","event_ts":"2026-11-23T22:55:00Z"})",
                   "field page is empty"},
        BadMessage{R"({"user_id":"u","page":"/","event_ts":"2026-11-23T22:55"})",
                   "bad event_ts: "}));

TEST(ClickEventParserTest, OneParserServesAStreamOfGoodAndBadMessages) {
  ClickEventParser parser;
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(parser.Parse(EncodeClickEvent({"user_1", "/home", i})).has_value());
    EXPECT_FALSE(parser.Parse("{").has_value());
  }
}

}  // namespace
}  // namespace clickstream::events
