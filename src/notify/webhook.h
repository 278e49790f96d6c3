// Signed webhooks: an alarm's notification POSTed as JSON to a URL the
// tenant configured. docs/notifications.md tells receivers how to verify the
// signature; a unit test checks the worked example there.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/time.h"

namespace citypulse::notify {

struct WebhookTarget {
  std::string url;          // http:// or https://; redirects are not followed
  std::string secret;       // the HMAC key shared with the receiver; never sent
  int timeout_ms = 10'000;  // the whole exchange, connection included
};

// "sha256=" and the lower-case hex HMAC-SHA256 under `secret` of
// "<unix_seconds>.<body>". The time is in the signed text so that a
// captured request cannot be replayed later: receivers refuse timestamps
// far from their clock.
std::string webhook_signature(std::string_view secret, std::int64_t unix_seconds,
                              std::string_view body);

// POSTs `json_body` to the target with Content-Type: application/json,
// X-CityPulse-Timestamp: <now in unix seconds> and X-CityPulse-Signature
// (above). Blocks for up to timeout_ms: call it from a delivery thread,
// never from an I/O thread. Safe to call from several threads at once.
//
// Success is the 2xx status the receiver answered. invalid before anything
// is sent when the URL is not http(s) or the secret is empty. Otherwise the
// answer decides (notify/http_exchange.h): 5xx, 429, timeouts and connection
// failures are retryable (retry.h), other 4xx and 3xx are not.
Result<int> post_webhook(const WebhookTarget& target, std::string_view json_body, TimeMs now);

}  // namespace citypulse::notify
