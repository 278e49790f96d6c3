#include "webclient/http_call.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "core/text.h"
#include "webclient/curl_handle.h"

namespace citypulse::webclient {
namespace {

constexpr const char* kProtocols = "http,https";
constexpr std::array<std::string_view, 5> kMethods = {"GET", "POST", "PUT", "PATCH", "DELETE"};

struct AnswerSink {
  std::string body;
  std::size_t limit = 0;
  Overflow overflow = Overflow::refuse;
  bool truncated = false;
};

std::size_t take_answer(char* data, std::size_t size, std::size_t count, void* user) {
  auto* sink = static_cast<AnswerSink*>(user);
  const std::size_t bytes = size * count;
  const std::size_t room = sink->limit - sink->body.size();
  if (bytes <= room) {
    sink->body.append(data, bytes);
    return bytes;
  }
  sink->truncated = true;
  // Returning less than was handed over makes curl end the transfer with
  // CURLE_WRITE_ERROR.
  if (sink->overflow == Overflow::refuse) return 0;
  sink->body.append(data, room);
  return bytes;
}

// The answer's text is the peer's: printable ASCII only.
std::string printable(std::string_view text) {
  std::string out;
  for (char c : text) out += (c >= 0x20 && c < 0x7f) ? c : ' ';
  return std::string(trim(out));
}

}  // namespace

struct HttpCaller::Handle {
  CurlEasy easy;
  char detail[CURL_ERROR_SIZE] = {};
};

Status check_http_url(std::string_view url) {
  const std::string lowered = lower_ascii(url.substr(0, 8));
  if (!lowered.starts_with("http://") && !lowered.starts_with("https://"))
    return fail(ErrorCode::invalid, "only http:// and https:// URLs are supported", "url");
  if (std::ranges::any_of(
          url, [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; }))
    return fail(ErrorCode::invalid, "a URL holds no spaces or control characters", "url");
  return {};
}

Error status_error(const HttpAnswer& answer, std::string_view peer) {
  constexpr std::size_t kShownBytes = 200;
  const std::string shown = printable(std::string_view(answer.body).substr(0, kShownBytes));
  const std::string text = shown.empty()
                               ? fmt::format("{} answered {}", peer, answer.status)
                               : fmt::format("{} answered {}: {}", peer, answer.status, shown);
  ErrorCode code = ErrorCode::invalid;
  if (answer.status >= 500)
    code = ErrorCode::unavailable;
  else if (answer.status == 429)
    code = ErrorCode::too_many_requests;
  else if (answer.status == 408)
    code = ErrorCode::timed_out;
  else if (answer.status == 401 || answer.status == 403)
    code = ErrorCode::forbidden;
  return Error{code, text, {}};
}

bool is_http_method(std::string_view method) {
  return std::ranges::find(kMethods, method) != kMethods.end();
}

HttpCaller::HttpCaller() : handle_(std::make_unique<Handle>()) {}
HttpCaller::~HttpCaller() = default;

Result<HttpAnswer> HttpCaller::call(const HttpRequest& request) {
  if (Status url = check_http_url(request.url); !url) return fail(url.error());
  if (!is_http_method(request.method))
    return fail(ErrorCode::invalid, "the method must be GET, POST, PUT, PATCH or DELETE", "method");
  if (!handle_->easy) {
    Result<CurlEasy> made = make_curl_easy(handle_->detail, kProtocols);
    if (!made) return fail(made.error());
    handle_->easy = std::move(*made);
  } else {
    // Back to the defaults, but with the connections it holds still open.
    curl_easy_reset(handle_->easy.get());
    restrict_curl_easy(handle_->easy.get(), handle_->detail, kProtocols);
  }
  CURL* curl = handle_->easy.get();
  CurlList headers;
  for (const std::string& line : request.headers)
    if (Status added = append(headers, line); !added) return fail(added.error());
  // curl would otherwise wait up to a second for "100 Continue" on larger
  // bodies, which many small peers never send.
  if (Status added = append(headers, "Expect:"); !added) return fail(added.error());
  const std::string url(request.url);
  const std::string method(request.method);
  AnswerSink sink{.body = {}, .limit = request.max_answer_bytes, .overflow = request.overflow};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max(1, request.timeout_ms)));
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "CityPulse");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, take_answer);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  if (request.overflow == Overflow::refuse)  // refused before any byte when it says its length
    curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE,
                     static_cast<curl_off_t>(request.max_answer_bytes));
  if (method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else {
    // POSTFIELDS makes curl send the body with whatever method is named;
    // a null pointer would make it read the body from stdin instead.
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.empty() ? "" : request.body.data());
    if (method != "POST") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  const CURLcode code = curl_easy_perform(curl);
  if ((code == CURLE_WRITE_ERROR && sink.truncated) || code == CURLE_FILESIZE_EXCEEDED)
    return fail(ErrorCode::too_large, fmt::format("{} answered more than {} bytes", request.peer,
                                                  request.max_answer_bytes));
  if (code != CURLE_OK) return fail(transfer_error(code, request.peer, handle_->detail));
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  return HttpAnswer{.status = static_cast<int>(status),
                    .body = std::move(sink.body),
                    .truncated = sink.truncated};
}

Result<HttpAnswer> call_http(const HttpRequest& request) {
  HttpCaller caller;
  return caller.call(request);
}

}  // namespace citypulse::webclient
