#include "common/result.h"

namespace clickstream {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid argument";
    case ErrorCode::kUsage:
      return "usage error";
    case ErrorCode::kNotFound:
      return "not found";
    case ErrorCode::kAlreadyExists:
      return "already exists";
    case ErrorCode::kConflict:
      return "conflict";
    case ErrorCode::kCommitStateUnknown:
      return "commit state unknown";
    case ErrorCode::kUnavailable:
      return "unavailable";
    case ErrorCode::kIoError:
      return "I/O error";
    case ErrorCode::kCorrupt:
      return "corrupt";
    case ErrorCode::kInternal:
      return "internal error";
  }
  return "unknown";
}

Error Error::WithContext(std::string_view context) const {
  return Error{code, std::string(context) + ": " + message};
}

}  // namespace clickstream
