// SMS through an HTTP gateway that the operator describes by a template
// (method, URL, body, headers) with the placeholders {to} and {text}, so
// any provider's API fits without code. docs/notifications.md has the rules.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace citypulse::notify {

struct SmsGateway {
  std::string method = "POST";  // "POST" or "GET"
  std::string url_template;     // http(s); {to} and {text} percent-encoded here
  std::string body_template;    // POST only; encoded as its Content-Type says
  std::vector<std::pair<std::string, std::string>> headers;  // sent as given, no placeholders
  int timeout_ms = 10'000;                                   // the whole exchange
};

// The longest text sent, in characters (code points): three SMS segments of
// 160 GSM characters. Longer texts are cut to 479 and end with "…".
inline constexpr std::size_t kMaxSmsChars = 480;

// invalid, naming the field ("method", "url_template", "body_template",
// "headers/<i>"), when: the method is not POST or GET; the URL is not
// http(s); a GET has a body; a template has a placeholder other than {to}
// and {text} (a placeholder is '{', letters, digits or '_', '}': the braces
// of a JSON body are not placeholders); a header's name is empty or not a
// token, or a name or value holds CR or LF.
Status check_sms_gateway(const SmsGateway& gateway);

// `text` cut to kMaxSmsChars characters as above. A cut never splits a
// UTF-8 sequence.
std::string sms_text(std::string_view text);

// A request as it goes to the gateway: what send_sms sends, and what an
// operator can look at to check a template before it is used.
struct SmsRequest {
  std::string method;
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
};

// The gateway's templates filled with `to` and sms_text(`text`): in the URL
// percent-encoded (RFC 3986 unreserved characters kept, space as %20); in
// the body JSON-escaped (without quotes; the template has them) when a
// Content-Type header names JSON, else form-encoded (space as '+'), and a
// POST without Content-Type gets application/x-www-form-urlencoded.
// Fails as check_sms_gateway, and invalid ("to") when `to` is empty, over
// 64 bytes or holds control characters.
Result<SmsRequest> render_sms(const SmsGateway& gateway, std::string_view to,
                              std::string_view text);

// Renders and sends the request, blocking for up to timeout_ms (a delivery
// thread's call). Success is the 2xx status; failures and their
// retryability as for webhooks (notify/http_exchange.h).
Result<int> send_sms(const SmsGateway& gateway, std::string_view to, std::string_view text);

}  // namespace citypulse::notify
