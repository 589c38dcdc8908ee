#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "metrics/health.h"
#include "metrics/registry.h"

namespace clickstream::metrics {

// HOST:PORT of --metrics-addr: "127.0.0.1:9464", "[::1]:9464", "0.0.0.0:0" (port 0: any free one).
struct ListenAddress {
  std::string host;
  int port = 0;
};
// kInvalidArgument naming the flag's expected form when `text` is not HOST:PORT.
Result<ListenAddress> ParseListenAddress(std::string_view text);

// The HTTP endpoint of a long-running command (`process`, `maintain`): GET /metrics answers the
// registry in the Prometheus text format 0.0.4; GET /healthz answers 200 "ok" or 503 with
// Health's one-line problem. Owns the registry (with the standard process metrics registered) and
// the health, serves on two background threads, stops when destroyed.
//
//   CS_ASSIGN_OR_RETURN(auto server, metrics::MetricsServer::Start(flags.metrics_addr));
//   CS_ASSIGN_OR_RETURN(auto maintenance,
//   metrics::MaintenanceMetrics::Register(server->registry()));
class MetricsServer {
 public:
  // Binds `address` (HOST:PORT) and starts serving. kInvalidArgument for a malformed address,
  // kUnavailable when it cannot be bound (in use, not local).
  static Result<std::unique_ptr<MetricsServer>> Start(std::string_view address);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  Registry& registry() { return registry_; }
  Health& health() { return health_; }
  // The bound port (the chosen one when the address asked for port 0).
  int port() const { return port_; }
  const std::string& host() const { return host_; }

 private:
  struct Http;
  MetricsServer();

  Registry registry_;
  Health health_;
  std::unique_ptr<Http> http_;
  std::string host_;
  int port_ = 0;
};

}  // namespace clickstream::metrics
