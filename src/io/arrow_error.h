#pragma once

#include <string>

#include "common/result.h"

namespace arrow {
class Status;
}  // namespace arrow

namespace clickstream::io {

// An Arrow status as an Error about `what` ("writing s3://b/t/data/x.parquet"): kUnavailable when
// the storage could not be reached (a connection refused or timed out: retrying may help),
// kIoError otherwise (a missing file included, as the local readers report it).
Error FromArrow(const arrow::Status& status, const std::string& what);

}  // namespace clickstream::io
