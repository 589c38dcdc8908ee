#include "events/click_generator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <regex>
#include <set>

#include "events/click_codec.h"

namespace clickstream::events {
namespace {

constexpr int64_t kNow = 1'795'474'500'000'000;

std::vector<ClickEvent> Generate(const GeneratorOptions& options, int n) {
  auto generator = ClickGenerator::Make(options);
  EXPECT_TRUE(generator.has_value());
  std::vector<ClickEvent> events;
  for (int i = 0; i < n; ++i) events.push_back(generator->Next(kNow + i * 1000));
  return events;
}

TEST(ClickGeneratorTest, SameSeedSameEventsOtherSeedOtherEvents) {
  GeneratorOptions options;
  options.seed = 7;
  const auto a = Generate(options, 2000);
  const auto b = Generate(options, 2000);
  EXPECT_EQ(a, b);
  options.seed = 8;
  const auto c = Generate(options, 2000);
  EXPECT_NE(a, c);
}

TEST(ClickGeneratorTest, FieldsFollowTheContract) {
  GeneratorOptions options;
  options.users = 500;
  const std::vector<std::string> pages = SiteMap();
  const std::set<std::string> site(pages.begin(), pages.end());
  const std::regex user_re("user_([0-9]+)");
  const std::regex ts_re(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)");
  int64_t now = kNow;
  auto generator = ClickGenerator::Make(options);
  ASSERT_TRUE(generator.has_value());
  for (int i = 0; i < 5000; ++i, now += 100) {
    const ClickEvent event = generator->Next(now);
    std::smatch m;
    ASSERT_TRUE(std::regex_match(event.user_id, m, user_re)) << event.user_id;
    const int user = std::stoi(m[1]);
    EXPECT_GE(user, 1);
    EXPECT_LE(user, 500);
    EXPECT_TRUE(site.contains(event.page)) << event.page;
    EXPECT_LE(event.event_ts_us, now);
    EXPECT_GT(event.event_ts_us, now - options.max_lateness_us);

    const std::string json = EncodeClickEvent(event);
    const std::regex json_re(
        R"re(\{"user_id":"user_\d+","page":"/[a-z0-9/-]*","event_ts":"([^"]+)"\})re");
    std::smatch jm;
    ASSERT_TRUE(std::regex_match(json, jm, json_re)) << json;
    const std::string ts = jm[1];
    EXPECT_TRUE(std::regex_match(ts, ts_re)) << ts;
    const auto parsed = ParseClickEvent(json);
    ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
    EXPECT_EQ(*parsed, event);
  }
}

TEST(ClickGeneratorTest, SiteMapIsRealistic) {
  const auto pages = SiteMap();
  const std::set<std::string> unique(pages.begin(), pages.end());
  EXPECT_EQ(unique.size(), pages.size());
  for (const char* page : {"/home", "/products", "/products/1", "/cart", "/checkout", "/search"}) {
    EXPECT_TRUE(unique.contains(page)) << page;
  }
  EXPECT_EQ(pages.front(), "/home");
}

TEST(ClickGeneratorTest, PagePopularityFollowsZipf) {
  GeneratorOptions options;
  options.seed = 11;
  auto generator = ClickGenerator::Make(options);
  ASSERT_TRUE(generator.has_value());
  constexpr int kDraws = 200'000;
  std::map<std::string, int> counts;
  for (int i = 0; i < kDraws; ++i) ++counts[generator->Next(kNow).page];
  const auto& pages = generator->pages();
  // Observed shares match the Zipf probabilities within 5 standard deviations.
  for (size_t rank = 0; rank < pages.size(); ++rank) {
    const double p = generator->PageProbability(rank);
    const double expected = p * kDraws;
    const double sigma = std::sqrt(kDraws * p * (1 - p));
    EXPECT_NEAR(counts[pages[rank]], expected, 5 * sigma + 1) << pages[rank];
  }
  // The skew itself: the top page is seen about as often as ranks 2 and 3 together (1 vs 1/2 +
  // 1/3), far more than the tail, and the 10 most popular pages take most clicks.
  EXPECT_GT(counts["/home"], 10 * counts[pages.back()]);
  int top10 = 0;
  for (size_t rank = 0; rank < 10; ++rank) top10 += counts[pages[rank]];
  EXPECT_GT(top10, kDraws / 2);
}

TEST(ClickGeneratorTest, EveryUserAppearsAndLowIdsAreMoreActive) {
  GeneratorOptions options;
  options.users = 100;
  auto generator = ClickGenerator::Make(options);
  ASSERT_TRUE(generator.has_value());
  std::map<std::string, int> counts;
  for (int i = 0; i < 100'000; ++i) ++counts[generator->Next(kNow).user_id];
  EXPECT_EQ(counts.size(), 100u);
  EXPECT_GT(counts["user_1"], 3 * counts["user_100"]);
}

TEST(ClickGeneratorTest, RejectsAnEmptyUserPopulation) {
  GeneratorOptions options;
  options.users = 0;
  const auto generator = ClickGenerator::Make(options);
  ASSERT_FALSE(generator.has_value());
  EXPECT_EQ(generator.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace clickstream::events
