// One HTTP request of a channel (module-internal): webhooks and SMS
// gateways share the transfer and the rule that turns an answer into
// delivered, retry or give up.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "webclient/http_call.h"

namespace citypulse::notify {

struct HttpExchange {
  std::string_view method;           // "POST" or "GET"
  std::string_view url;              // http:// or https:// (checked by check_http_url)
  std::vector<std::string> headers;  // "Name: value", free of CR and LF
  std::string_view body;             // sent with POST only
  int timeout_ms = 10'000;           // the whole exchange, connection included
  std::string_view peer;             // "the webhook", "the SMS gateway": for messages
};

// invalid (field "url") unless `url` is an http:// or https:// URL.
using webclient::check_http_url;

// Sends the request and waits for the answer (webclient/http_call.h:
// blocking, up to timeout_ms; redirects not followed).
//
// Success is a 2xx status, returned. Failures, by what retryable() makes of
// them: 5xx (unavailable), 429 (too_many_requests), 408 and timeouts
// (timed_out), connection failures (unavailable) are retried; 401 and 403
// (forbidden), other 4xx and 3xx (invalid) are not. The message names the
// peer, the status and the first bytes of the answer's body.
Result<int> send_http(const HttpExchange& exchange);

}  // namespace citypulse::notify
