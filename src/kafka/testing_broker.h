#pragma once

// Test-only (header, so it stays out of cs_kafka): a private Kafka broker for a GoogleTest
// binary, started through scripts/kafka on free ports in a temp data dir the first time a test
// asks for TestingBroker::Bootstrap() (tests that need no broker start none), stopped when the
// binary's tests end. ctest runs such a binary as one process (ONE_PROCESS_TESTS in
// src/kafka/CMakeLists.txt), so its TESTs share the one broker. Register with
//   ::testing::AddGlobalTestEnvironment(new clickstream::kafka::TestingBroker("name"));

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace clickstream::kafka {

// A TCP port on 127.0.0.1 that nothing listens on right now.
inline int FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

class TestingBroker : public ::testing::Environment {
 public:
  explicit TestingBroker(std::string name) : name_(std::move(name)) {}

  void SetUp() override { instance_ = this; }

  void TearDown() override {
    if (!env_.empty()) (void)std::system((env_ + " " + script_ + " stop >/dev/null").c_str());
    if (!data_dir_.empty()) std::filesystem::remove_all(data_dir_);
    instance_ = nullptr;
  }

  // "127.0.0.1:<port>" of the broker, starting it on first use (a fatal test failure if it
  // cannot start).
  static std::string Bootstrap() {
    if (instance_ != nullptr && instance_->port_ == 0) instance_->Start();
    return "127.0.0.1:" + std::to_string(instance_ == nullptr ? 0 : instance_->port_);
  }

 private:
  void Start() {
    const char* source = std::getenv("CLICKSTREAM_SOURCE_DIR");
    ASSERT_NE(source, nullptr) << "run through ctest (CLICKSTREAM_SOURCE_DIR names the repo)";
    script_ = std::string(source) + "/scripts/kafka";
    data_dir_ = std::filesystem::temp_directory_path() /
                ("clickstream-" + name_ + "-" + std::to_string(getpid()));
    port_ = FreeLoopbackPort();
    int controller = FreeLoopbackPort();
    while (controller == port_) controller = FreeLoopbackPort();
    env_ = "KAFKA_PORT=" + std::to_string(port_) +
           " KAFKA_CONTROLLER_PORT=" + std::to_string(controller) +
           " KAFKA_DATA_DIR=" + data_dir_.string();
    ASSERT_EQ(std::system((env_ + " " + script_ + " start >/dev/null").c_str()), 0);
  }

  static inline TestingBroker* instance_ = nullptr;
  int port_ = 0;
  std::string name_;
  std::string script_;
  std::string env_;
  std::filesystem::path data_dir_;
};

}  // namespace clickstream::kafka
