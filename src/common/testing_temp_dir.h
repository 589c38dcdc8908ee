#pragma once

// Test-only: the one temporary-directory helper of the unit tests. Included by *_test.cc only.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>

namespace clickstream::testing {

// A fresh directory under /tmp named after the process and the running test, removed when it goes
// out of scope.
class TempDir {
 public:
  TempDir()
      : path_(std::filesystem::temp_directory_path() /
              ("cs_test_" + std::to_string(getpid()) + "_" + FlatTestName())) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  // The running test's name as one path component: a parameterized test's name ("Name/0") would
  // otherwise make a nested directory whose parent outlives the test.
  static std::string FlatTestName() {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(name.begin(), name.end(), '/', '_');
    return name;
  }

  std::filesystem::path path_;
};

// The fixture form: dir_ is a TempDir's path for the test's duration.
class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    temp_.emplace();
    dir_ = temp_->path();
  }
  void TearDown() override { temp_.reset(); }
  std::filesystem::path dir_;

 private:
  std::optional<TempDir> temp_;
};

}  // namespace clickstream::testing
