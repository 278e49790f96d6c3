// One HTTP exchange with another system, blocking, over libcurl: what
// notify's webhooks and SMS gateways send and what the HTTP poller driver
// asks REST devices. It judges no status: a 404 is an answer like a 200,
// and the caller decides what it means.
//
// - Only http:// and https:// URLs (check_http_url). Redirects are never
//   followed: a peer is configured with its final URL, and a redirect must
//   not move a signed body or a device's credentials elsewhere.
// - timeout_ms bounds the whole exchange, connection included; the call
//   holds its thread no longer than that.
// - The answer's body is bounded by max_answer_bytes, so that a peer cannot
//   make memory grow: past it, keep_start keeps the first bytes and reads
//   the rest away (the start says why a receiver refused); refuse ends the
//   transfer with too_large (a poll must not act on half a document).
// - Failures below HTTP are transfer_error()'s (webclient/curl_handle.h):
//   timed_out, unavailable (unreachable, broke off), invalid (a URL or a
//   certificate we cannot use), internal (out of memory).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace citypulse::webclient {

enum class Overflow { keep_start, refuse };

struct HttpRequest {
  std::string_view method;           // GET, POST, PUT, PATCH or DELETE
  std::string_view url;              // checked by check_http_url
  std::vector<std::string> headers;  // "Name: value", free of CR and LF
  std::string_view body;             // sent with every method but GET
  int timeout_ms = 10'000;           // the whole exchange, connection included
  std::size_t max_answer_bytes = std::size_t{1} << 20;
  Overflow overflow = Overflow::refuse;
  std::string_view peer;  // who is called, for messages: "the webhook"
};

struct HttpAnswer {
  int status = 0;
  std::string body;        // at most max_answer_bytes
  bool truncated = false;  // keep_start dropped the rest of the body
};

// invalid (field "url") unless `url` starts with http:// or https:// (any
// case) and holds no control characters or spaces.
Status check_http_url(std::string_view url);

// A non-2xx answer as an Error: 5xx unavailable, 429 too_many_requests, 408
// timed_out, 401 and 403 forbidden, any other invalid. The message names
// the peer, the status and the first 200 bytes of the body, printable ASCII
// only (the peer's text must not forge lines in logs or records).
Error status_error(const HttpAnswer& answer, std::string_view peer);

// The methods a request may use (see HttpRequest::method).
bool is_http_method(std::string_view method);

// Makes calls on one curl handle, so that a connection the peer keeps open
// serves the next call too (no new TCP and TLS handshake per poll). One
// call at a time; successive calls may come from different threads.
class HttpCaller {
 public:
  HttpCaller();
  ~HttpCaller();
  HttpCaller(const HttpCaller&) = delete;
  HttpCaller& operator=(const HttpCaller&) = delete;

  // The peer's answer, whatever its status, or why there was none.
  Result<HttpAnswer> call(const HttpRequest& request);

 private:
  struct Handle;
  std::unique_ptr<Handle> handle_;
};

// One call on a handle of its own, closed afterwards.
Result<HttpAnswer> call_http(const HttpRequest& request);

}  // namespace citypulse::webclient
