#include "analysis/report_svg.h"

#include <gtest/gtest.h>

namespace clickstream::analysis {
namespace {

TEST(ReportSvgTest, NiceTicksCoverTheMaximumWithRoundSteps) {
  EXPECT_EQ(NiceTicks(87, 5), (std::vector<double>{0, 20, 40, 60, 80, 100}));
  EXPECT_EQ(NiceTicks(1000, 5), (std::vector<double>{0, 200, 400, 600, 800, 1000}));
  EXPECT_EQ(NiceTicks(0.013, 3), (std::vector<double>{0, 0.005, 0.01, 0.015}));
  EXPECT_EQ(NiceTicks(0, 5), (std::vector<double>{0, 1}));
}

TEST(ReportSvgTest, TimeTicksAreRoundInstantsWithinTheRange) {
  // 2026-12-03 04:00:00 UTC to 07:00:00 UTC.
  const int64_t from = 1'796'270'400'000, to = from + 3 * 3'600'000;
  const auto ticks = TimeTicks(from, to, 7);
  ASSERT_EQ(ticks.size(), 7u);
  EXPECT_EQ(ticks.front().label, "04:00");
  EXPECT_EQ(ticks[1].label, "04:30");
  EXPECT_EQ(ticks.back().label, "07:00");
  const auto seconds = TimeTicks(from + 1'500, from + 40'000, 5);
  ASSERT_FALSE(seconds.empty());
  EXPECT_EQ(seconds.front().label, "04:00:10");
  const auto days = TimeTicks(from, from + 3 * 86'400'000LL, 8);
  EXPECT_EQ(days.front().label, "12-03 12:00");  // 12 h steps, the first after 04:00
  for (const auto& tick : days)
    EXPECT_TRUE(tick.t_ms >= from && tick.t_ms <= from + 3 * 86'400'000LL);
}

TEST(ReportSvgTest, LabelsAreShortenedAndEscaped) {
  EXPECT_EQ(FitLabel("/home", 10), "/home");
  EXPECT_EQ(FitLabel("/blog/a-very-long-title", 10), "/blog/a-v\u2026");
  EXPECT_EQ(FitLabel("/caf\u00e9/\u00e9\u00e9\u00e9\u00e9", 6),
            "/caf\u00e9\u2026");  // counts characters, not bytes
  EXPECT_EQ(XmlEscape("<a href=\"x\">&'</a>"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(CompactNumber(950), "950");
  EXPECT_EQ(CompactNumber(12'500), "12.5k");
  EXPECT_EQ(CompactNumber(3'200'000), "3.2M");
  EXPECT_EQ(CompactNumber(0.25), "0.25");
}

TEST(ReportSvgTest, BarChartShowsEveryItemWithItsFullLabelInATooltip) {
  const std::vector<BarItem> items{{"/home", 120, ""}, {"/<script>alert(1)</script>", 7, ""}};
  const std::string svg = HorizontalBarChart("Top pages", items, "clicks");
  EXPECT_TRUE(svg.starts_with("<svg "));
  EXPECT_TRUE(svg.ends_with("</svg>"));
  EXPECT_EQ(svg.find("<script>"), std::string::npos);
  EXPECT_NE(svg.find("&lt;script&gt;alert(1)&lt;/script&gt;: 7 clicks"), std::string::npos);
  EXPECT_NE(svg.find(">120 clicks</text>"), std::string::npos);
  size_t bars = 0;
  for (size_t at = svg.find("<rect"); at != std::string::npos; at = svg.find("<rect", at + 1))
    ++bars;
  EXPECT_EQ(bars, 2u);
}

TEST(ReportSvgTest, TimeSeriesAndJourneyDrawTheirPoints) {
  const TimeSeries series{"clicks", "", {{0, 1}, {60'000, 3}, {120'000, 2}}};
  const std::string line =
      TimeSeriesChart("t", "clicks / minute", {&series, 1}, SeriesStyle::kLine);
  EXPECT_NE(line.find("<polyline"), std::string::npos);
  EXPECT_NE(line.find(">clicks / minute</text>"), std::string::npos);
  const std::string columns =
      TimeSeriesChart("t", "users", {&series, 1}, SeriesStyle::kColumns, 60'000);
  EXPECT_NE(columns.find("1970-01-01 00:01: 3</title>"), std::string::npos);
  const std::vector<JourneyStep> steps{{0, "/home"}, {5'000, "/cart"}, {9'000, "/home"}};
  const std::string journey = JourneyChart("j", steps);
  size_t dots = 0;
  for (size_t at = journey.find("<circle"); at != std::string::npos;
       at = journey.find("<circle", at + 1))
    ++dots;
  EXPECT_EQ(dots, 3u);
  EXPECT_NE(journey.find(">/cart</text>"), std::string::npos);
}

}  // namespace
}  // namespace clickstream::analysis
