#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "iceberg/schema.h"

namespace clickstream::iceberg {

// Iceberg's default metrics mode, truncate(16): string bounds keep 16 code points, binary 16 bytes.
inline constexpr size_t kDefaultBoundTruncateLength = 16;

// Encodes one value in Iceberg's single-value binary serialization (spec, Appendix D): booleans as
// one byte, int/date/float as 4 little-endian bytes, long/timestamp/double as 8, strings as UTF-8
// bytes and binaries as is, both without a length. Fails when the literal does not fit the type.
Result<std::string> SerializeValue(TypeId type, const Literal& value);

// The inverse of SerializeValue: the literal a manifest's bound bytes stand for.
Result<Literal> DeserializeValue(TypeId type, std::string_view bytes);

// A lower bound no greater than `value` and at most `length` code points (string) or bytes
// (binary): a prefix. Other types are returned unchanged.
std::string TruncateLowerBound(TypeId type, std::string_view value,
                               size_t length = kDefaultBoundTruncateLength);

// An upper bound no smaller than any value starting with `value`, at most `length` code points or
// bytes: the prefix with its last unit incremented (string: the next valid code point, skipping
// surrogates; binary: the next byte, carrying past 0xFF). Empty when no such bound exists (e.g.
// all bytes 0xFF), in which case the file records no upper bound for the column. Values that are
// already short enough, and other types, are returned unchanged.
std::optional<std::string> TruncateUpperBound(TypeId type, std::string_view value,
                                              size_t length = kDefaultBoundTruncateLength);

}  // namespace clickstream::iceberg
