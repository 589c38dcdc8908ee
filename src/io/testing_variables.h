#pragma once

// Test-only: an environment for S3AccessFromVariables from a map. Included by *_test.cc only.

#include <map>
#include <string>

#include "io/s3_settings.h"

namespace clickstream::io::testing {

inline VariableLookup Variables(std::map<std::string, std::string> values) {
  return [values = std::move(values)](const char* name) {
    auto it = values.find(name);
    return it == values.end() ? std::string() : it->second;
  };
}

}  // namespace clickstream::io::testing
