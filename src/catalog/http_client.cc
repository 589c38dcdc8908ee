#include "catalog/http_client.h"

#include <curl/curl.h>

#include <mutex>

namespace clickstream::catalog {
namespace {

// libcurl's process-wide init is not thread-safe; run it once before the first handle.
void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t AppendBody(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

struct SlistFree {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

}  // namespace

struct HttpClient::Handle {
  CURL* curl = nullptr;
  Options options;
  ~Handle() {
    if (curl != nullptr) curl_easy_cleanup(curl);
  }
};

HttpClient::HttpClient(std::unique_ptr<Handle> handle) : handle_(std::move(handle)) {}
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;
HttpClient::~HttpClient() = default;

Result<HttpClient> HttpClient::Open(const Options& options) {
  InitCurlOnce();
  auto handle = std::make_unique<Handle>();
  handle->curl = curl_easy_init();
  if (handle->curl == nullptr) return Internal("libcurl could not create an HTTP handle");
  handle->options = options;
  return HttpClient(std::move(handle));
}

std::expected<HttpResponse, HttpTransportError> HttpClient::Send(
    std::string_view method, const std::string& url, const std::vector<std::string>& headers,
    std::string_view body, bool idempotent) {
  CURL* curl = handle_->curl;
  curl_easy_reset(curl);
  std::unique_ptr<curl_slist, SlistFree> list;
  for (const auto& header : headers) {
    curl_slist* next = curl_slist_append(list.get(), header.c_str());
    (void)list.release();
    list.reset(next);
  }
  HttpResponse response;
  std::string method_text(method);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method_text.c_str());
  if (method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  if (!body.empty() || method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list.get());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(handle_->options.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(handle_->options.request_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  if (!idempotent) {
    // libcurl silently re-sends a request whose reused connection died before any answer; for a
    // commit that can apply it twice. A fresh connection is never retried.
    curl_easy_setopt(curl, CURLOPT_FRESH_CONNECT, 1L);
  }
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");  // gzip when the server offers it
  CURLcode rc = curl_easy_perform(curl);
  if (rc != CURLE_OK) {
    bool not_sent = rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
                    rc == CURLE_COULDNT_RESOLVE_PROXY || rc == CURLE_UNSUPPORTED_PROTOCOL ||
                    rc == CURLE_URL_MALFORMAT;
    return std::unexpected(
        HttpTransportError{not_sent ? TransportFailure::kNotSent : TransportFailure::kNoAnswer,
                           curl_easy_strerror(rc)});
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

}  // namespace clickstream::catalog
