#include "metrics/exposition.h"

#include <gtest/gtest.h>

#include <limits>

namespace clickstream::metrics {
namespace {

TEST(ExpositionTest, ValuesUseTheShortestExactDecimal) {
  EXPECT_EQ(FormatValue(0), "0");
  EXPECT_EQ(FormatValue(42), "42");
  EXPECT_EQ(FormatValue(0.1), "0.1");
  EXPECT_EQ(FormatValue(-2.5), "-2.5");
  EXPECT_EQ(FormatValue(1e21), "1e+21");
  EXPECT_EQ(FormatValue(123456789012345.0), "123456789012345");
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::quiet_NaN()), "NaN");
}

TEST(ExpositionTest, HelpAndLabelValuesAreEscaped) {
  const FamilySnapshot family{
      "clickstream_x_total",
      "Help with a \\ backslash\nand a newline and \"quotes\".",
      MetricType::kCounter,
      {Sample{"", {{"page", "/a\"b\\c\nd"}, {"table", "website.clicks"}}, 3}}};
  EXPECT_EQ(ExpositionText({&family, 1}),
            "# HELP clickstream_x_total Help with a \\\\ backslash\\nand a newline and "
            "\"quotes\".\n"
            "# TYPE clickstream_x_total counter\n"
            "clickstream_x_total{page=\"/a\\\"b\\\\c\\nd\",table=\"website.clicks\"} 3\n");
}

TEST(ExpositionTest, FamilyWithoutSeriesStillDeclaresItsType) {
  const FamilySnapshot family{"clickstream_y", "Y.", MetricType::kGauge, {}};
  EXPECT_EQ(ExpositionText({&family, 1}), "# HELP clickstream_y Y.\n# TYPE clickstream_y gauge\n");
}

}  // namespace
}  // namespace clickstream::metrics
