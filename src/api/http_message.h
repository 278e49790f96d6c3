// HTTP requests and responses as the handlers see them: plain values, free of
// the network library, so handlers compile fast and are easy to test.
#pragma once

#include <functional>
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
  std::string route;  // set by the router: the route pattern or a fixed label, for metrics and logs

  void set_header(std::string name, std::string value);
  std::optional<std::string_view> header(std::string_view name) const;
};

// Splits a request target into a decoded path and query parameters. Fails on
// targets that are not origin-form or whose escapes are malformed.
bool parse_target(std::string_view target, std::string& path,
                  std::vector<std::pair<std::string, std::string>>& query);

}  // namespace citypulse
