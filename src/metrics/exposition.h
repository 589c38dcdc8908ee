#pragma once

// The Prometheus text exposition format, version 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format).

#include <span>
#include <string>
#include <string_view>

#include "metrics/registry.h"

namespace clickstream::metrics {

// The Content-Type of a /metrics answer in this format.
inline constexpr std::string_view kExpositionContentType =
    "text/plain; version=0.0.4; charset=utf-8";

// `# HELP`, `# TYPE` and one line per sample for each family, families in the given order. Help
// text and label values are escaped as the format requires (backslash, double quote, newline).
std::string ExpositionText(std::span<const FamilySnapshot> families);

// A sample value as the format writes it: the shortest decimal that reads back as the same
// double ("0.1", "42", "1e+21"), or "+Inf", "-Inf", "NaN".
std::string FormatValue(double value);

}  // namespace clickstream::metrics
