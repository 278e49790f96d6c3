#include "notify/sms.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "core/text.h"
#include "notify/http_exchange.h"

namespace citypulse::notify {
namespace {

constexpr std::size_t kMaxRecipientBytes = 64;
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // U+2026

bool placeholder_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool token_char(char c) {
  return placeholder_char(c) ||
         std::string_view("!#$%&'*+-.^`|~").find(c) != std::string_view::npos;
}

bool has_line_break(std::string_view text) {
  return text.find_first_of("\r\n") != std::string_view::npos;
}

// Calls `literal` for the text between placeholders and `placeholder` for
// each placeholder's name, in order.
template <class Literal, class Placeholder>
void walk_template(std::string_view text, Literal literal, Placeholder placeholder) {
  std::size_t done = 0;
  for (std::size_t open = text.find('{'); open != std::string_view::npos;
       open = text.find('{', open + 1)) {
    std::size_t close = open + 1;
    while (close < text.size() && placeholder_char(text[close])) ++close;
    if (close == open + 1 || close == text.size() || text[close] != '}') continue;
    literal(text.substr(done, open - done));
    placeholder(text.substr(open + 1, close - open - 1));
    done = close + 1;
    open = close;
  }
  literal(text.substr(done));
}

Status check_placeholders(std::string_view text, const char* field) {
  std::string unknown;
  walk_template(
      text, [](std::string_view) {},
      [&](std::string_view name) {
        if (unknown.empty() && name != "to" && name != "text") unknown = name;
      });
  if (!unknown.empty())
    return fail(
        ErrorCode::invalid,
        fmt::format("unknown placeholder {{{}}}; only {{to}} and {{text}} are filled in", unknown),
        field);
  return {};
}

enum class Encoding { url, form, json };

std::string encode(std::string_view value, Encoding encoding) {
  namespace urls = boost::urls;
  switch (encoding) {
    case Encoding::url:
      return urls::encode(value, urls::unreserved_chars);
    case Encoding::form: {
      urls::encoding_opts opts;
      opts.space_as_plus = true;
      return urls::encode(value, urls::unreserved_chars, opts);
    }
    case Encoding::json: {
      const std::string quoted = boost::json::serialize(boost::json::string(value));
      return quoted.substr(1, quoted.size() - 2);
    }
  }
  return {};
}

std::string fill(std::string_view text, std::string_view to, std::string_view message,
                 Encoding encoding) {
  std::string out;
  walk_template(
      text, [&](std::string_view literal) { out += literal; },
      [&](std::string_view name) { out += encode(name == "to" ? to : message, encoding); });
  return out;
}

const std::string* content_type(const SmsGateway& gateway) {
  for (const auto& [name, value] : gateway.headers)
    if (iequals_ascii(name, "Content-Type")) return &value;
  return nullptr;
}

}  // namespace

Status check_sms_gateway(const SmsGateway& gateway) {
  if (gateway.method != "POST" && gateway.method != "GET")
    return fail(ErrorCode::invalid, "the method must be POST or GET", "method");
  if (Status url = check_http_url(gateway.url_template); !url)
    return fail(ErrorCode::invalid, url.error().message, "url_template");
  if (gateway.method == "GET" && !gateway.body_template.empty())
    return fail(ErrorCode::invalid, "a GET request has no body", "body_template");
  if (Status s = check_placeholders(gateway.url_template, "url_template"); !s) return s;
  if (Status s = check_placeholders(gateway.body_template, "body_template"); !s) return s;
  for (std::size_t i = 0; i < gateway.headers.size(); ++i) {
    const auto& [name, value] = gateway.headers[i];
    if (name.empty() || !std::ranges::all_of(name, token_char) || has_line_break(value))
      return fail(ErrorCode::invalid, "a header is a name (an HTTP token) and a value on one line",
                  fmt::format("headers/{}", i));
  }
  return {};
}

std::string sms_text(std::string_view text) {
  std::size_t chars = 0;
  std::size_t cut = text.size();  // where character kMaxSmsChars starts
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;  // continuation byte
    if (chars == kMaxSmsChars - 1) cut = i;
    if (++chars > kMaxSmsChars) return std::string(text.substr(0, cut)) + std::string(kEllipsis);
  }
  return std::string(text);
}

Result<SmsRequest> render_sms(const SmsGateway& gateway, std::string_view to,
                              std::string_view text) {
  if (Status checked = check_sms_gateway(gateway); !checked) return fail(checked.error());
  if (to.empty() || to.size() > kMaxRecipientBytes || std::ranges::any_of(to, [](char c) {
        return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
      }))
    return fail(ErrorCode::invalid, "a recipient is a phone number of up to 64 characters", "to");
  const std::string message = sms_text(text);
  const std::string* type = content_type(gateway);
  const bool json = type != nullptr && lower_ascii(*type).find("json") != std::string::npos;
  SmsRequest request;
  request.method = gateway.method;
  request.url = fill(gateway.url_template, to, message, Encoding::url);
  request.body = fill(gateway.body_template, to, message, json ? Encoding::json : Encoding::form);
  for (const auto& [name, value] : gateway.headers) request.headers.push_back(name + ": " + value);
  if (gateway.method == "POST" && type == nullptr)
    request.headers.emplace_back("Content-Type: application/x-www-form-urlencoded");
  return request;
}

Result<int> send_sms(const SmsGateway& gateway, std::string_view to, std::string_view text) {
  Result<SmsRequest> request = render_sms(gateway, to, text);
  if (!request) return fail(request.error());
  HttpExchange exchange{
      .method = request->method,
      .url = request->url,
      .headers = std::move(request->headers),
      .body = request->body,
      .timeout_ms = gateway.timeout_ms,
      .peer = "the SMS gateway",
  };
  return send_http(exchange);
}

}  // namespace citypulse::notify
