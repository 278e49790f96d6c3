#include "notify/webhook.h"

#include <fmt/format.h>

#include "core/digest.h"
#include "notify/http_exchange.h"

namespace citypulse::notify {

std::string webhook_signature(std::string_view secret, std::int64_t unix_seconds,
                              std::string_view body) {
  const std::string signed_text = fmt::format("{}.{}", unix_seconds, body);
  return "sha256=" + hex_lower(hmac_sha256(secret, signed_text));
}

Result<int> post_webhook(const WebhookTarget& target, std::string_view json_body, TimeMs now) {
  if (Status url = check_http_url(target.url); !url) return fail(url.error());
  if (target.secret.empty())
    return fail(ErrorCode::invalid, "a webhook needs a secret to sign its requests with", "secret");
  // Floor division: a time before 1970 still gets the second it falls in.
  const std::int64_t seconds = now >= 0 ? now / 1000 : -((-now + 999) / 1000);
  HttpExchange exchange{
      .method = "POST",
      .url = target.url,
      .headers = {"Content-Type: application/json",
                  fmt::format("X-CityPulse-Timestamp: {}", seconds),
                  "X-CityPulse-Signature: " + webhook_signature(target.secret, seconds, json_body)},
      .body = json_body,
      .timeout_ms = target.timeout_ms,
      .peer = "the webhook",
  };
  return send_http(exchange);
}

}  // namespace citypulse::notify
