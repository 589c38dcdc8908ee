#pragma once

// Test-only: the one temporary-directory fixture of the unit tests. Included by *_test.cc only.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace clickstream::testing {

// A fresh directory under /tmp named after the running test, removed at the end.
class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("cs_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

}  // namespace clickstream::testing
