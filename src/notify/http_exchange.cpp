#include "notify/http_exchange.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/text.h"
#include "notify/curl_handle.h"

namespace citypulse::notify {
namespace {

// Enough of an answer's body to say why a receiver refused; the rest is
// read and dropped, so a large answer costs no memory.
constexpr std::size_t kKeptAnswerBytes = 200;

std::size_t keep_answer_start(char* data, std::size_t size, std::size_t count, void* user) {
  auto* kept = static_cast<std::string*>(user);
  const std::size_t bytes = size * count;
  if (kept->size() < kKeptAnswerBytes)
    kept->append(data, std::min(bytes, kKeptAnswerBytes - kept->size()));
  return bytes;
}

// The answer's text is the receiver's: printable ASCII only, so it cannot
// forge lines in logs or records.
std::string printable(std::string_view text) {
  std::string out;
  for (char c : text) out += (c >= 0x20 && c < 0x7f) ? c : ' ';
  return std::string(trim(out));
}

Error status_error(int status, std::string_view peer, std::string_view answer) {
  const std::string text = answer.empty()
                               ? fmt::format("{} answered {}", peer, status)
                               : fmt::format("{} answered {}: {}", peer, status, printable(answer));
  ErrorCode code = ErrorCode::invalid;
  if (status >= 500)
    code = ErrorCode::unavailable;
  else if (status == 429)
    code = ErrorCode::too_many_requests;
  else if (status == 408)
    code = ErrorCode::timed_out;
  else if (status == 401 || status == 403)
    code = ErrorCode::forbidden;
  return Error{code, text, {}};
}

}  // namespace

Status check_http_url(std::string_view url) {
  const std::string lowered = lower_ascii(url.substr(0, 8));
  if (!lowered.starts_with("http://") && !lowered.starts_with("https://"))
    return fail(ErrorCode::invalid, "only http:// and https:// URLs are supported", "url");
  if (std::ranges::any_of(
          url, [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; }))
    return fail(ErrorCode::invalid, "a URL holds no spaces or control characters", "url");
  return {};
}

Result<int> send_http(const HttpExchange& exchange) {
  if (Status url = check_http_url(exchange.url); !url) return fail(url.error());
  char detail[CURL_ERROR_SIZE];
  Result<CurlEasy> made = make_curl_easy(detail, "http,https");
  if (!made) return fail(made.error());
  CURL* curl = made->get();
  const std::string url(exchange.url);
  const std::string body(exchange.body);
  CurlList headers;
  for (const std::string& line : exchange.headers)
    if (Status added = append(headers, line); !added) return fail(added.error());
  // curl would otherwise wait up to a second for "100 Continue" on larger
  // bodies, which many small receivers never send.
  if (Status added = append(headers, "Expect:"); !added) return fail(added.error());
  std::string answer;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max(1, exchange.timeout_ms)));
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "CityPulse");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, keep_answer_start);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
  if (exchange.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  } else if (exchange.method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else {
    return fail(ErrorCode::invalid, "the method must be POST or GET", "method");
  }
  const CURLcode code = curl_easy_perform(curl);
  if (code != CURLE_OK) return fail(transfer_error(code, exchange.peer, detail));
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  if (status >= 200 && status < 300) return static_cast<int>(status);
  return fail(status_error(static_cast<int>(status), exchange.peer, answer));
}

}  // namespace citypulse::notify
