#include "metrics/metrics_server.h"

#include <httplib.h>
#include <signal.h>

#include <charconv>
#include <chrono>
#include <thread>

#include "metrics/exposition.h"
#include "metrics/process_collector.h"

namespace clickstream::metrics {

Result<ListenAddress> ParseListenAddress(std::string_view text) {
  auto bad = [&] {
    return InvalidArgument("--metrics-addr must be HOST:PORT (e.g. 127.0.0.1:9464), not \"" +
                           std::string(text) + "\"");
  };
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return bad();
  std::string_view host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return bad();
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return bad();  // an IPv6 address needs brackets
  }
  const std::string_view port_text = text.substr(colon + 1);
  int port = -1;
  auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (error != std::errc() || end != port_text.data() + port_text.size() || port < 0 ||
      port > 65535) {
    return bad();
  }
  return ListenAddress{std::string(host), port};
}

struct MetricsServer::Http {
  httplib::Server server;
  std::thread thread;
};

MetricsServer::MetricsServer() : http_(std::make_unique<Http>()) {}

MetricsServer::~MetricsServer() {
  http_->server.stop();
  if (http_->thread.joinable()) http_->thread.join();
}

Result<std::unique_ptr<MetricsServer>> MetricsServer::Start(std::string_view address) {
  CS_ASSIGN_OR_RETURN(ListenAddress listen, ParseListenAddress(address));
  std::unique_ptr<MetricsServer> self(new MetricsServer());
  AddProcessCollector(self->registry_);
  httplib::Server& server = self->http_->server;
  // Scrapes are rare and small: two threads, not httplib's default of one per core (at least 8).
  server.new_task_queue = [] { return new httplib::ThreadPool(2); };
  // SO_REUSEADDR only: httplib's default SO_REUSEPORT would let a second process share the port
  // and answer half of the scrapes.
  server.set_socket_options([](int socket) {
    int yes = 1;
    setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  Registry& registry = self->registry_;
  Health& health = self->health_;
  server.Get("/metrics", [&registry](const httplib::Request&, httplib::Response& response) {
    const std::vector<FamilySnapshot> families = registry.Collect();
    response.set_content(ExpositionText(families), std::string(kExpositionContentType));
  });
  server.Get("/healthz", [&health](const httplib::Request&, httplib::Response& response) {
    if (std::optional<std::string> problem = health.Problem()) {
      response.status = 503;
      response.set_content(*problem + "\n", "text/plain; charset=utf-8");
    } else {
      response.set_content("ok\n", "text/plain; charset=utf-8");
    }
  });
  if (listen.port == 0) {
    self->port_ = server.bind_to_any_port(listen.host);
    if (self->port_ < 0) self->port_ = 0;
  } else if (server.bind_to_port(listen.host, listen.port)) {
    self->port_ = listen.port;
  }
  if (self->port_ == 0) {
    return Unavailable("cannot listen on " + std::string(address) +
                       " for --metrics-addr (port in use, or not an address of this machine)");
  }
  self->host_ = listen.host;
  self->http_->thread = std::thread([&server] {
    // Signals are the command's business (SIGTERM ends `process` cleanly): never delivered here
    // or to the pool threads started from here.
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, nullptr);
    server.listen_after_bind();
  });
  // stop() before the loop runs would be lost (and the destructor would wait forever).
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return self;
}

}  // namespace clickstream::metrics
