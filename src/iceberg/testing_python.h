#pragma once

// Test-only helpers: run a Python snippet with the project venv, where the independent Iceberg
// and Avro implementations (pyiceberg, fastavro) are pinned. Included by *_test.cc only.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "common/testing_temp_dir.h"

namespace clickstream::iceberg::testing {

using clickstream::testing::TempDirTest;

// Runs `script` with .venv/bin/python (found through CLICKSTREAM_SOURCE_DIR, set by ctest) with
// argv[1] = `dir`; returns stdout and fails the test if Python exits non-zero.
inline std::string RunPython(const std::string& script, const std::filesystem::path& dir) {
  const char* source = std::getenv("CLICKSTREAM_SOURCE_DIR");
  std::filesystem::path python =
      std::filesystem::path(source ? source : ".") / ".venv" / "bin" / "python";
  std::filesystem::path script_path = dir / "check.py";
  std::ofstream(script_path) << script;
  std::string command = python.string() + " " + script_path.string() + " " + dir.string();
  FILE* pipe = popen(command.c_str(), "r");
  EXPECT_NE(pipe, nullptr) << command;
  if (pipe == nullptr) return {};
  std::string out;
  char buffer[4096];
  while (fgets(buffer, sizeof(buffer), pipe) != nullptr) out += buffer;
  int rc = pclose(pipe);
  EXPECT_EQ(rc, 0) << "python failed: " << command << "\n" << out;
  return out;
}

}  // namespace clickstream::iceberg::testing
