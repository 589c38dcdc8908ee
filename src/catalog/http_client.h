#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace clickstream::catalog {

struct HttpResponse {
  long status = 0;
  std::string body;
};

// What went wrong when no HTTP answer came back.
enum class TransportFailure {
  kNotSent,   // could not resolve or connect: the server never saw the request
  kNoAnswer,  // sent (maybe partly) but no complete answer: timeout, reset
};

struct HttpTransportError {
  TransportFailure failure = TransportFailure::kNoAnswer;
  std::string message;  // libcurl's sentence
};

// One libcurl easy handle (keeps its connection alive between requests). Not thread-safe.
class HttpClient {
 public:
  struct Options {
    std::chrono::milliseconds connect_timeout{5000};
    std::chrono::milliseconds request_timeout{60000};
  };

  static Result<HttpClient> Open(const Options& options);
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;
  ~HttpClient();

  // Sends `method` to `url` with `headers` ("Name: value") and `body` (empty: none). A complete
  // answer of any status is a value; a transport failure is the error. A request that is not
  // `idempotent` goes on a fresh connection, so it is sent at most once.
  std::expected<HttpResponse, HttpTransportError> Send(std::string_view method,
                                                       const std::string& url,
                                                       const std::vector<std::string>& headers,
                                                       std::string_view body,
                                                       bool idempotent = true);

 private:
  struct Handle;
  explicit HttpClient(std::unique_ptr<Handle> handle);
  std::unique_ptr<Handle> handle_;
};

}  // namespace clickstream::catalog
