#include "analysis/report_svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>

namespace clickstream::analysis {

namespace {

constexpr double kWidth = 720;
constexpr double kFontSize = 12;
// Average advance of a character of the page's sans-serif font at kFontSize, a little generous.
constexpr double kCharWidth = 7.2;
constexpr std::string_view kAxisColor = "#6b6f76";
constexpr std::string_view kGridColor = "#e6e8eb";

size_t CharCount(std::string_view text) {
  size_t count = 0;
  for (unsigned char c : text) count += (c & 0xC0) != 0x80;
  return count;
}

double TextWidth(std::string_view text) {
  return static_cast<double>(CharCount(text)) * kCharWidth;
}

std::string Num(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", value);
  std::string out = text;
  if (out.ends_with(".0")) out.resize(out.size() - 2);
  return out;
}

std::string Text(double x, double y, std::string_view anchor, std::string_view text,
                 std::string_view extra = "") {
  return "<text x=\"" + Num(x) + "\" y=\"" + Num(y) + "\" text-anchor=\"" + std::string(anchor) +
         "\"" + std::string(extra) + ">" + XmlEscape(text) + "</text>";
}

std::string Line(double x1, double y1, double x2, double y2, std::string_view color) {
  return "<line x1=\"" + Num(x1) + "\" y1=\"" + Num(y1) + "\" x2=\"" + Num(x2) + "\" y2=\"" +
         Num(y2) + "\" stroke=\"" + std::string(color) + "\"/>";
}

std::string SvgOpen(double height, std::string_view title) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + Num(kWidth) + " " +
         Num(height) + "\" role=\"img\" font-size=\"" + Num(kFontSize) +
         "\" font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\"><title>" +
         XmlEscape(title) + "</title>";
}

std::string Color(const std::string& color, size_t index) {
  return color.empty() ? std::string(kPalette[index % std::size(kPalette)]) : color;
}

// A linear map from [from, to] to [out_from, out_to].
struct Scale {
  double from, to, out_from, out_to;
  double operator()(double v) const {
    if (to == from) return (out_from + out_to) / 2;
    return out_from + (v - from) / (to - from) * (out_to - out_from);
  }
};

std::string FormatUtc(int64_t t_ms, const char* format) {
  const std::time_t seconds = static_cast<std::time_t>(std::floor(t_ms / 1000.0));
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, format, &tm);
  return text;
}

// Value axis: grid lines and labels at NiceTicks; returns the scale and the left margin used.
std::string ValueAxis(const std::vector<double>& ticks, const Scale& y, double left, double right) {
  std::string out;
  for (double tick : ticks) {
    out += Line(left, y(tick), right, y(tick), kGridColor);
    out += Text(left - 6, y(tick) + 4, "end", CompactNumber(tick), " fill=\"#44474d\"");
  }
  return out;
}

std::string TimeAxis(int64_t from, int64_t to, const Scale& x, double baseline) {
  std::string out = Line(x.out_from, baseline, x.out_to, baseline, kAxisColor);
  const double label_room = TextWidth("00-00 00:00") + 18;
  const int max_ticks = std::max(2, static_cast<int>((x.out_to - x.out_from) / label_room));
  for (const TimeTick& tick : TimeTicks(from, to, max_ticks)) {
    const double px = x(static_cast<double>(tick.t_ms));
    out += Line(px, baseline, px, baseline + 4, kAxisColor);
    out += Text(px, baseline + 18, "middle", tick.label, " fill=\"#44474d\"");
  }
  return out;
}

}  // namespace

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        // Control characters are not allowed in XML 1.0 text.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string FitLabel(std::string_view text, size_t max_chars) {
  if (CharCount(text) <= max_chars) return std::string(text);
  std::string out;
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if ((c & 0xC0) != 0x80 && ++chars > max_chars - 1) break;
    out += text[i];
  }
  return out + "\u2026";
}

std::string CompactNumber(double value) {
  const double magnitude = std::fabs(value);
  char text[32];
  if (magnitude < 1000) {
    if (value == std::floor(value)) {
      std::snprintf(text, sizeof text, "%.0f", value);
    } else {
      std::snprintf(text, sizeof text, "%.3g", value);
    }
    return text;
  }
  static constexpr std::pair<double, const char*> kUnits[] = {{1e9, "G"}, {1e6, "M"}, {1e3, "k"}};
  for (const auto& [scale, suffix] : kUnits) {
    if (magnitude >= scale * 0.9995) {
      std::snprintf(text, sizeof text, "%.3g%s", value / scale, suffix);
      return text;
    }
  }
  return "0";
}

std::vector<double> NiceTicks(double max, int target) {
  if (!(max > 0)) return {0, 1};
  const double rough = max / std::max(1, target);
  const double power = std::pow(10, std::floor(std::log10(rough)));
  double step = power * 10;
  for (double factor : {1.0, 2.0, 5.0, 10.0}) {
    if (power * factor >= rough) {
      step = power * factor;
      break;
    }
  }
  std::vector<double> ticks;
  for (double tick = 0; ticks.empty() || ticks.back() < max; tick += step) {
    ticks.push_back(std::round(tick / step) * step);
  }
  return ticks;
}

std::vector<TimeTick> TimeTicks(int64_t from_ms, int64_t to_ms, int max_ticks) {
  static constexpr int64_t kSecond = 1000, kMinute = 60 * kSecond, kHour = 60 * kMinute,
                           kDay = 24 * kHour;
  static constexpr int64_t kSteps[] = {
      kSecond,  2 * kSecond, 5 * kSecond, 10 * kSecond, 15 * kSecond, 30 * kSecond,
      kMinute,  2 * kMinute, 5 * kMinute, 10 * kMinute, 15 * kMinute, 30 * kMinute,
      kHour,    2 * kHour,   3 * kHour,   6 * kHour,    12 * kHour,   kDay,
      2 * kDay, 7 * kDay,    30 * kDay,   90 * kDay,    365 * kDay};
  if (to_ms < from_ms) std::swap(from_ms, to_ms);
  int64_t step = kSteps[std::size(kSteps) - 1];
  for (int64_t candidate : kSteps) {
    if ((to_ms - from_ms) / candidate + 1 <= max_ticks) {
      step = candidate;
      break;
    }
  }
  const bool days = to_ms - from_ms >= kDay;
  const char* format = step >= kDay     ? "%m-%d"
                       : days           ? "%m-%d %H:%M"
                       : step < kMinute ? "%H:%M:%S"
                                        : "%H:%M";
  std::vector<TimeTick> ticks;
  const int64_t first = (from_ms / step + (from_ms % step > 0 ? 1 : 0)) * step;
  for (int64_t t = first; t <= to_ms && static_cast<int>(ticks.size()) < max_ticks; t += step) {
    ticks.push_back({t, FormatUtc(t, format)});
  }
  return ticks;
}

std::string HorizontalBarChart(std::string_view title, std::span<const BarItem> items,
                               std::string_view value_unit) {
  constexpr size_t kMaxLabel = 28;
  constexpr double kRow = 26;
  size_t longest = 4;
  double max_value = 0;
  for (const BarItem& item : items) {
    longest = std::max(longest, std::min(kMaxLabel, CharCount(item.label)));
    max_value = std::max(max_value, item.value);
  }
  const double left = static_cast<double>(longest) * kCharWidth + 16;
  // Room for the longest value text after the longest bar.
  const double right = TextWidth(CompactNumber(max_value) + " " + std::string(value_unit)) + 16;
  const double height = std::max<double>(1, static_cast<double>(items.size())) * kRow + 12;
  const Scale x{0, max_value > 0 ? max_value : 1, left, kWidth - right};
  std::string out = SvgOpen(height, title);
  for (size_t i = 0; i < items.size(); ++i) {
    const BarItem& item = items[i];
    const double top = 6 + static_cast<double>(i) * kRow;
    const double middle = top + kRow / 2 + 4;
    out += "<g><title>" + XmlEscape(item.label) + ": " + CompactNumber(item.value) + " " +
           XmlEscape(value_unit) + "</title>";
    out += Text(left - 8, middle, "end", FitLabel(item.label, kMaxLabel), " fill=\"#1f2328\"");
    const double end = x(item.value);
    out += "<rect x=\"" + Num(left) + "\" y=\"" + Num(top + 4) + "\" width=\"" +
           Num(std::max(1.0, end - left)) + "\" height=\"" + Num(kRow - 8) + "\" rx=\"3\" fill=\"" +
           Color(item.color, 0) + "\"/>";
    out += Text(std::max(end, left + 1) + 6, middle, "start",
                CompactNumber(item.value) + " " + std::string(value_unit), " fill=\"#44474d\"");
    out += "</g>";
  }
  if (items.empty()) out += Text(kWidth / 2, 22, "middle", "no data", " fill=\"#6b6f76\"");
  return out + "</svg>";
}

std::string TimeSeriesChart(std::string_view title, std::string_view y_title,
                            std::span<const TimeSeries> series, SeriesStyle style,
                            int64_t column_ms, double plot_height) {
  int64_t from = INT64_MAX, to = INT64_MIN;
  double max_value = 0;
  for (const TimeSeries& s : series) {
    for (const TimePoint& p : s.points) {
      from = std::min(from, p.t_ms);
      to = std::max(to, p.t_ms + (style == SeriesStyle::kColumns ? column_ms : 0));
      max_value = std::max(max_value, p.value);
    }
  }
  if (from > to) from = to = 0;
  if (from == to) from -= 30'000, to += 30'000;
  const std::vector<double> ticks = NiceTicks(max_value, plot_height < 160 ? 3 : 5);
  double widest = 0;
  for (double tick : ticks) widest = std::max(widest, TextWidth(CompactNumber(tick)));
  const bool legend = series.size() > 1;
  const double left = widest + 14, top = 30, plot = plot_height, right = 20;
  const double height = top + plot + 30 + (legend ? 24 : 0);
  const Scale x{static_cast<double>(from), static_cast<double>(to), left, kWidth - right};
  const Scale y{0, ticks.back(), top + plot, top};
  std::string out = SvgOpen(height, title);
  out += Text(4, 16, "start", y_title, " fill=\"#44474d\" font-weight=\"600\"");
  out += Text(kWidth - right, 16, "end", "time (UTC)", " fill=\"#6b6f76\"");
  out += ValueAxis(ticks, y, left, kWidth - right);
  for (size_t i = 0; i < series.size(); ++i) {
    const TimeSeries& s = series[i];
    const std::string color = Color(s.color, i);
    if (style == SeriesStyle::kColumns) {
      for (const TimePoint& p : s.points) {
        const double x0 = x(static_cast<double>(p.t_ms));
        const double w = std::max(1.0, x(static_cast<double>(p.t_ms + column_ms)) - x0 - 1);
        out += "<rect x=\"" + Num(x0) + "\" y=\"" + Num(y(p.value)) + "\" width=\"" + Num(w) +
               "\" height=\"" + Num(y(0) - y(p.value)) + "\" fill=\"" + color + "\"><title>" +
               FormatUtc(p.t_ms, "%Y-%m-%d %H:%M") + ": " + CompactNumber(p.value) +
               "</title></rect>";
      }
      continue;
    }
    std::string points;
    for (const TimePoint& p : s.points) {
      points += Num(x(static_cast<double>(p.t_ms))) + "," + Num(y(p.value)) + " ";
    }
    out += "<polyline fill=\"none\" stroke-width=\"2\" stroke-linejoin=\"round\" stroke=\"" +
           color + "\" points=\"" + points + "\"/>";
    if (s.points.size() <= 60) {
      for (const TimePoint& p : s.points) {
        out += "<circle cx=\"" + Num(x(static_cast<double>(p.t_ms))) + "\" cy=\"" +
               Num(y(p.value)) + "\" r=\"3\" fill=\"" + color + "\"><title>" +
               FormatUtc(p.t_ms, "%Y-%m-%d %H:%M:%S") + ": " + CompactNumber(p.value) +
               "</title></circle>";
      }
    }
  }
  out += TimeAxis(from, to, x, top + plot);
  if (legend) {
    double lx = left;
    for (size_t i = 0; i < series.size(); ++i) {
      out += "<rect x=\"" + Num(lx) + "\" y=\"" + Num(height - 16) +
             "\" width=\"10\" height=\"10\" fill=\"" + Color(series[i].color, i) + "\"/>";
      out += Text(lx + 14, height - 7, "start", series[i].name, " fill=\"#1f2328\"");
      lx += 14 + TextWidth(series[i].name) + 18;
    }
  }
  return out + "</svg>";
}

std::string JourneyChart(std::string_view title, std::span<const JourneyStep> steps) {
  constexpr size_t kMaxLabel = 24;
  constexpr double kLane = 24;
  std::map<std::string, size_t> lanes;
  std::vector<std::string> order;
  int64_t from = INT64_MAX, to = INT64_MIN;
  for (const JourneyStep& step : steps) {
    if (lanes.emplace(step.page, order.size()).second) order.push_back(step.page);
    from = std::min(from, step.t_ms);
    to = std::max(to, step.t_ms);
  }
  if (steps.empty()) from = to = 0;
  if (from == to) from -= 30'000, to += 30'000;
  double widest = 40;
  for (const std::string& page : order)
    widest = std::max(widest, TextWidth(FitLabel(page, kMaxLabel)));
  const double left = widest + 16, top = 8, right = 20;
  const double lanes_height = std::max<double>(1, static_cast<double>(order.size())) * kLane;
  const double height = top + lanes_height + 30;
  const Scale x{static_cast<double>(from), static_cast<double>(to), left + 6, kWidth - right};
  auto lane_y = [&](const std::string& page) {
    return top + (static_cast<double>(lanes.at(page)) + 0.5) * kLane;
  };
  std::string out = SvgOpen(height, title);
  for (const std::string& page : order) {
    out += Line(left, lane_y(page), kWidth - right, lane_y(page), kGridColor);
    out += "<g><title>" + XmlEscape(page) + "</title>" +
           Text(left - 8, lane_y(page) + 4, "end", FitLabel(page, kMaxLabel), " fill=\"#1f2328\"") +
           "</g>";
  }
  std::string path;
  for (const JourneyStep& step : steps) {
    path += Num(x(static_cast<double>(step.t_ms))) + "," + Num(lane_y(step.page)) + " ";
  }
  out +=
      "<polyline fill=\"none\" stroke=\"#9498a0\" stroke-width=\"1.5\" points=\"" + path + "\"/>";
  for (const JourneyStep& step : steps) {
    out += "<circle cx=\"" + Num(x(static_cast<double>(step.t_ms))) + "\" cy=\"" +
           Num(lane_y(step.page)) + "\" r=\"4.5\" fill=\"" + Color("", lanes.at(step.page)) +
           "\"><title>" + FormatUtc(step.t_ms, "%Y-%m-%d %H:%M:%S") + " " + XmlEscape(step.page) +
           "</title></circle>";
  }
  if (steps.empty()) out += Text(kWidth / 2, top + 16, "middle", "no clicks", " fill=\"#6b6f76\"");
  out += TimeAxis(from, to, x, top + lanes_height);
  return out + "</svg>";
}

}  // namespace clickstream::analysis
