// HTTP requests and responses as the handlers see them: plain values, free of
// the network library, so handlers compile fast and are easy to test.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace citypulse {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;                                      // "GET", "POST"...
  std::string target;                                      // as received: path and query
  std::string path;                                        // percent-decoded path
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  HeaderList headers;
  std::string body;
  std::string remote;  // peer address, for logs

  // Case-insensitive header lookup; the first occurrence wins.
  std::optional<std::string_view> header(std::string_view name) const;
  // The value of a query parameter; nullopt when absent.
  std::optional<std::string_view> query_param(std::string_view name) const;
};

class PendingResponse;

struct HttpResponse {
  int status = 200;
  std::string content_type;  // empty: no body type
  HeaderList headers;
  std::string body;
  // When set, the body is produced piece by piece instead of `body`: each call returns the next
  // piece, an empty string when the body is complete, or an error (the connection is then closed
  // mid-body, since the status line is already sent). Called on the worker pool, one call at a
  // time, never after it returned empty or an error. Sent with chunked transfer encoding
  // (no Content-Length); a HEAD request gets the headers only and the producer is never called.
  std::function<Result<std::string>()> body_stream;
  // When set, the real response comes later through it; status, headers and
  // body of this one are a placeholder whose headers (set by middleware:
  // security, rate limits) the server adds to the real one. Only routes that
  // write no audit entry may answer so (the audit would precede the outcome).
  std::shared_ptr<PendingResponse> pending;
  std::string route;  // set by the router: the route pattern or a fixed label, for metrics and logs
  // Set by a handler tried on an I/O thread that would have to block
  // (Router, RouteRuns::inline_first): nothing was done, and the request
  // must be handled again where blocking is fine. Nothing else is meaningful.
  bool would_block = false;

  static HttpResponse blocked() {
    HttpResponse r;
    r.status = 503;
    r.would_block = true;
    return r;
  }

  void set_header(std::string name, std::string value);
  std::optional<std::string_view> header(std::string_view name) const;
};

// A response that a handler finishes later, from any thread: a durable write
// acknowledges only once the disk has it, and no thread should wait for that.
// complete() is called exactly once; the server registers on_complete() once.
// Whichever comes second runs the callback, on the thread that called it.
class PendingResponse {
 public:
  void complete(HttpResponse response);
  void on_complete(std::move_only_function<void(HttpResponse)> callback);

 private:
  std::mutex mutex_;
  std::unique_ptr<HttpResponse> response_;
  std::move_only_function<void(HttpResponse)> callback_;
};

// Splits a request target into a decoded path and query parameters. Fails on
// targets that are not origin-form or whose escapes are malformed.
bool parse_target(std::string_view target, std::string& path,
                  std::vector<std::pair<std::string, std::string>>& query);

}  // namespace citypulse
