#pragma once

// Charts of the HTML report as inline SVG, drawn by the project (no script, no network): each
// function returns one <svg> element whose viewBox scales to the page width. Texts are placed so
// that they cannot overlap: labels longer than their room are shortened with an ellipsis (the full
// text stays in a <title> tooltip) and axis ticks are spaced by their label widths.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace clickstream::analysis {

// A categorical palette readable on white and by most colour-blind readers (Observable 10).
inline constexpr std::string_view kPalette[] = {"#4269d0", "#efb118", "#ff725c", "#6cc5b0",
                                                "#3ca951", "#ff8ab7", "#a463f2", "#97bbf5",
                                                "#9c6b4e", "#9498a0"};

struct BarItem {
  std::string label;
  double value = 0;
  std::string color;  // empty: the first palette colour
};

// One horizontal bar per item, in the given order, labelled on the left with the value at the
// bar's end; `value_unit` follows each value ("clicks").
std::string HorizontalBarChart(std::string_view title, std::span<const BarItem> items,
                               std::string_view value_unit);

struct TimePoint {
  int64_t t_ms = 0;  // Unix milliseconds (UTC)
  double value = 0;
};
struct TimeSeries {
  std::string name;
  std::string color;
  std::vector<TimePoint> points;  // ascending t_ms
};
enum class SeriesStyle { kLine, kColumns };

// Series over a UTC time axis with a value axis from 0 titled `y_title` ("clicks / minute").
// kColumns draws one column per point, `column_ms` wide (one interval); kLine a line with a dot per
// point when there are few. A legend names the series when there are several. The plot area is
// `plot_height` units high (the page scales the whole chart to its width).
std::string TimeSeriesChart(std::string_view title, std::string_view y_title,
                            std::span<const TimeSeries> series, SeriesStyle style,
                            int64_t column_ms = 0, double plot_height = 220);

struct JourneyStep {
  int64_t t_ms = 0;
  std::string page;
};
// One user's clicks over time: one lane per page (in order of first visit), a dot per click and a
// line through them in time order.
std::string JourneyChart(std::string_view title, std::span<const JourneyStep> steps);

// Round tick values from 0 to at least `max` (about `target` of them): steps of 1, 2 or 5 x 10^k.
std::vector<double> NiceTicks(double max, int target);

struct TimeTick {
  int64_t t_ms = 0;
  std::string label;  // "14:05", or "11-23 14:00" when the range spans days
};
// Ticks at round instants (1 s to 7 days apart) within [from_ms, to_ms], at most `max_ticks`.
std::vector<TimeTick> TimeTicks(int64_t from_ms, int64_t to_ms, int max_ticks);

// "1,234", "12.5k", "3.2M" for axis labels and values.
std::string CompactNumber(double value);
// `text` escaped for XML/HTML text and attribute values.
std::string XmlEscape(std::string_view text);
// `text` cut to at most `max_chars` characters (UTF-8 aware), with "…" when cut.
std::string FitLabel(std::string_view text, size_t max_chars);

}  // namespace clickstream::analysis
