#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace clickstream {

// What went wrong, coarse enough for callers to branch on (retry, usage error, give up).
enum class ErrorCode {
  kInvalidArgument,  // the caller asked for something that cannot be done (a run-time state)
  kUsage,            // the command line itself is wrong: a bad flag or argument (exit code 2)
  kNotFound,
  kAlreadyExists,
  kConflict,            // a compare-and-swap lost a race; re-read and retry
  kCommitStateUnknown,  // a commit got no answer: it may or may not have landed; re-read to know
  kUnavailable,         // a service (broker, catalog) did not answer; retrying may help
  kIoError,
  kCorrupt,  // data or metadata that does not follow its format
  kInternal,
};

std::string_view ErrorCodeName(ErrorCode code);

// An error carries a code and one sentence a user can act on.
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;

  // Prefixes the message with context ("loading website.clicks: ...").
  Error WithContext(std::string_view context) const;
};

template <typename T>
using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

inline std::unexpected<Error> MakeError(ErrorCode code, std::string message) {
  return std::unexpected(Error{code, std::move(message)});
}
inline std::unexpected<Error> InvalidArgument(std::string m) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(m));
}
inline std::unexpected<Error> Usage(std::string m) {
  return MakeError(ErrorCode::kUsage, std::move(m));
}
inline std::unexpected<Error> NotFound(std::string m) {
  return MakeError(ErrorCode::kNotFound, std::move(m));
}
inline std::unexpected<Error> AlreadyExists(std::string m) {
  return MakeError(ErrorCode::kAlreadyExists, std::move(m));
}
inline std::unexpected<Error> Conflict(std::string m) {
  return MakeError(ErrorCode::kConflict, std::move(m));
}
inline std::unexpected<Error> Unavailable(std::string m) {
  return MakeError(ErrorCode::kUnavailable, std::move(m));
}
inline std::unexpected<Error> IoError(std::string m) {
  return MakeError(ErrorCode::kIoError, std::move(m));
}
inline std::unexpected<Error> Corrupt(std::string m) {
  return MakeError(ErrorCode::kCorrupt, std::move(m));
}
inline std::unexpected<Error> Internal(std::string m) {
  return MakeError(ErrorCode::kInternal, std::move(m));
}

inline Status Ok() { return {}; }

}  // namespace clickstream

#define CS_CONCAT_INNER(a, b) a##b
#define CS_CONCAT(a, b) CS_CONCAT_INNER(a, b)

// Returns the error of a Status/Result expression from the enclosing function.
#define CS_RETURN_IF_ERROR(expr)                             \
  do {                                                       \
    if (auto cs_status_ = (expr); !cs_status_.has_value())   \
      return std::unexpected(std::move(cs_status_).error()); \
  } while (false)

#define CS_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr)                        \
  auto tmp = (expr);                                                    \
  if (!tmp.has_value()) return std::unexpected(std::move(tmp).error()); \
  lhs = std::move(tmp).value()

// Evaluates a Result expression; on error returns it, otherwise assigns the value to `lhs`.
#define CS_ASSIGN_OR_RETURN(lhs, expr) \
  CS_ASSIGN_OR_RETURN_IMPL(CS_CONCAT(cs_result_, __LINE__), lhs, expr)
