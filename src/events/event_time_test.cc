#include "events/event_time.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdlib>
#include <string>

#include "events/click_codec.h"

namespace clickstream::events {
namespace {

// The cases shared with the Spark and Flink parser tests (tests/cases/event_ts_cases.json).
simdjson::dom::element LoadSharedCases(simdjson::dom::parser& parser) {
  const char* root = std::getenv("CLICKSTREAM_SOURCE_DIR");
  const std::string path =
      std::string(root != nullptr ? root : ".") + "/tests/cases/event_ts_cases.json";
  simdjson::dom::element doc;
  const auto error = parser.load(path).get(doc);
  EXPECT_EQ(error, simdjson::SUCCESS) << "cannot read " << path;
  return doc;
}

// Checks one parse against a case's "utc" or "error" (a prefix of the reason).
void ExpectOutcome(const Result<ClickEvent>& parsed, simdjson::dom::object expected,
                   const std::string& label) {
  std::string_view utc, error;
  if (expected["utc"].get(utc) == simdjson::SUCCESS) {
    ASSERT_TRUE(parsed.has_value()) << label << ": " << parsed.error().message;
    EXPECT_EQ(FormatTimestampMicros(parsed->event_ts_us), utc) << label;
  } else {
    ASSERT_EQ(expected["error"].get(error), simdjson::SUCCESS) << label;
    ASSERT_FALSE(parsed.has_value()) << label << " gave " << parsed->event_ts_us;
    EXPECT_EQ(parsed.error().code, ErrorCode::kCorrupt) << label;
    EXPECT_TRUE(parsed.error().message.starts_with(error))
        << label << ": " << parsed.error().message;
  }
}

TEST(EventTimeTest, EverySharedCaseGivesItsInstantOrItsReason) {
  simdjson::dom::parser table_parser;
  const simdjson::dom::element doc = LoadSharedCases(table_parser);
  simdjson::dom::array cases;
  ASSERT_EQ(doc["cases"].get(cases), simdjson::SUCCESS);
  ASSERT_GT(cases.size(), 50u);
  for (const simdjson::dom::element item : cases) {
    const simdjson::dom::object entry = item.get_object().value();
    const std::string value = simdjson::to_string(entry["event_ts"].value());
    const std::string zone_name(entry["zone"].get_string().value());
    const auto zone = EventTimeZone::Load(zone_name);
    ASSERT_TRUE(zone.has_value()) << zone.error().message;
    ClickEventParser parser(*zone);
    const std::string message = R"({"user_id":"u","page":"/p","event_ts":)" + value + "}";
    ExpectOutcome(parser.Parse(message), entry, value + " in " + zone_name);
  }
}

TEST(EventTimeTest, ARepeatedKeyCountsWithItsLastValueAsInEverySharedMessage) {
  simdjson::dom::parser table_parser;
  const simdjson::dom::element doc = LoadSharedCases(table_parser);
  simdjson::dom::array messages;
  ASSERT_EQ(doc["messages"].get(messages), simdjson::SUCCESS);
  ASSERT_GE(messages.size(), 3u);
  ClickEventParser parser;
  for (const simdjson::dom::element item : messages) {
    const simdjson::dom::object entry = item.get_object().value();
    const std::string raw(entry["raw"].get_string().value());
    const auto parsed = parser.Parse(raw);
    ExpectOutcome(parsed, entry, raw);
    std::string_view user_id;
    if (parsed.has_value() && entry["user_id"].get(user_id) == simdjson::SUCCESS) {
      EXPECT_EQ(parsed->user_id, user_id) << raw;
      EXPECT_EQ(parsed->page, std::string(entry["page"].get_string().value())) << raw;
    }
  }
}

TEST(EventTimeTest, UnknownOrPathLikeZoneNamesAreRefused) {
  for (const char* name :
       {"Mars/Olympus_Mons", "", "/etc/passwd", "../zoneinfo/UTC", "EST5EDT x"}) {
    const auto zone = EventTimeZone::Load(name);
    ASSERT_FALSE(zone.has_value()) << name;
    EXPECT_EQ(zone.error().code, ErrorCode::kInvalidArgument);
  }
  EXPECT_EQ(EventTimeZone::Load("Asia/Kolkata").value().name(), "Asia/Kolkata");
}

TEST(EventTimeTest, ZoneLessTimesFollowTheZonesRulesAcrossYears) {
  const EventTimeZone berlin = EventTimeZone::Load("Europe/Berlin").value();
  // CET (+1) in winter, CEST (+2) in summer.
  EXPECT_EQ(ParseTimestampMicros("2026-01-15 13:00:00", berlin).value(),
            ParseTimestampMicros("2026-01-15T12:00:00Z").value());
  EXPECT_EQ(ParseTimestampMicros("2026-07-15 14:00:00", berlin).value(),
            ParseTimestampMicros("2026-07-15T12:00:00Z").value());
  // An explicit offset is never re-read in the zone.
  EXPECT_EQ(ParseTimestampMicros("2026-07-15 14:00:00+02:00", berlin).value(),
            ParseTimestampMicros("2026-07-15T12:00:00Z").value());
}

TEST(EventTimeTest, EpochNumbersAreReadByMagnitude) {
  EXPECT_EQ(EpochIntegerMicros(1'795'474'500).value(), 1'795'474'500'000'000);
  EXPECT_EQ(EpochIntegerMicros(1'795'474'500'123).value(), 1'795'474'500'123'000);
  EXPECT_EQ(EpochIntegerMicros(1'795'474'500'123'456).value(), 1'795'474'500'123'456);
  EXPECT_EQ(EpochNumberMicros(1'795'474'500.25).value(), 1'795'474'500'250'000);
  EXPECT_EQ(EpochNumberMicros(-0.0000005).value(), 0);  // halves round up
  EXPECT_FALSE(EpochIntegerMicros(INT64_MIN).has_value());
  EXPECT_FALSE(EpochNumberMicros(std::numeric_limits<double>::quiet_NaN()).has_value());
}

}  // namespace
}  // namespace clickstream::events
