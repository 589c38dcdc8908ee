#pragma once

// Table and file locations: see io/location.h (local paths, file: URIs, s3:// URIs).
#include "io/location.h"

namespace clickstream::iceberg {

using io::JoinLocation;
using io::LocalPath;

}  // namespace clickstream::iceberg
