#include "io/arrow_error.h"

#include <arrow/status.h>

#include <array>
#include <string_view>

namespace clickstream::io {

namespace {

// How the AWS SDK inside Arrow reports a server it could not reach (its curl error codes 7 and 28
// are "could not connect" and "timed out").
constexpr std::array<std::string_view, 4> kUnreachableMarkers = {
    "NETWORK_CONNECTION", "curlCode: 7,", "curlCode: 28,", "Couldn't connect"};

bool Contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

Error FromArrow(const arrow::Status& status, const std::string& what) {
  std::string text = status.ToString();
  ErrorCode code = ErrorCode::kIoError;
  for (std::string_view marker : kUnreachableMarkers) {
    if (Contains(text, marker)) code = ErrorCode::kUnavailable;
  }
  return Error{code, what + ": " + text};
}

}  // namespace clickstream::io
