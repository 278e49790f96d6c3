#include "notify/http_exchange.h"

namespace citypulse::notify {
namespace {

// Enough of an answer's body to say why a receiver refused; the rest is
// read and dropped, so a large answer costs no memory.
constexpr std::size_t kKeptAnswerBytes = 200;

}  // namespace

Result<int> send_http(const HttpExchange& exchange) {
  if (Status url = check_http_url(exchange.url); !url) return fail(url.error());
  if (exchange.method != "POST" && exchange.method != "GET")
    return fail(ErrorCode::invalid, "the method must be POST or GET", "method");
  auto answer = webclient::call_http({.method = exchange.method,
                                      .url = exchange.url,
                                      .headers = exchange.headers,
                                      .body = exchange.body,  // a GET sends none
                                      .timeout_ms = exchange.timeout_ms,
                                      .max_answer_bytes = kKeptAnswerBytes,
                                      .overflow = webclient::Overflow::keep_start,
                                      .peer = exchange.peer});
  if (!answer) return fail(answer.error());
  if (answer->status >= 200 && answer->status < 300) return answer->status;
  return fail(webclient::status_error(*answer, exchange.peer));
}

}  // namespace citypulse::notify
