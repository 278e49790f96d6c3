#include "sim/http_poster.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>

#include "sim/link_text.h"

namespace citypulse::sim {
namespace {

struct EasyFree {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct ListFree {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using CurlList = std::unique_ptr<curl_slist, ListFree>;

// curl_global_init once, before the first handle (curl_easy_init would run
// it unguarded). notify/ has its own: the calls are counted by libcurl and
// Debian's libcurl 7.88 is built thread-safe (curl -V: "threadsafe"), so
// the two may meet. Never undone: other threads may still be posting.
CURLcode global_init_once() {
  static const CURLcode result = curl_global_init(CURL_GLOBAL_DEFAULT);
  return result;
}

std::size_t keep_answer(char* data, std::size_t size, std::size_t count, void* user) {
  auto* kept = static_cast<std::string*>(user);
  const std::size_t bytes = size * count;
  if (kept->size() < HttpPoster::kMaxAnswerBytes)
    kept->append(data, std::min(bytes, HttpPoster::kMaxAnswerBytes - kept->size()));
  return bytes;  // the rest is read and dropped
}

// The server's words: a problem's detail (else its title), else the first
// bytes of whatever it sent.
std::string answer_text(std::string_view body) {
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(body, ec);
  if (!ec && parsed.is_object()) {
    for (const char* member : {"detail", "title"}) {
      const boost::json::value* text = parsed.as_object().if_contains(member);
      if (text != nullptr && text->is_string()) return printable(text->as_string());
    }
  }
  return printable(body);
}

ErrorCode code_of_status(long status) {
  if (status >= 500) return ErrorCode::unavailable;
  switch (status) {
    case 401:
      return ErrorCode::unauthenticated;
    case 403:
      return ErrorCode::forbidden;
    case 404:
      return ErrorCode::not_found;
    case 408:
      return ErrorCode::timed_out;
    case 413:
      return ErrorCode::too_large;
    case 429:
      return ErrorCode::too_many_requests;
    default:
      return ErrorCode::invalid;
  }
}

}  // namespace

Status check_ingest_answer(const HttpAnswer& answer, std::string_view peer, std::string_view what) {
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(answer.body, ec);
  const boost::json::object* o = ec ? nullptr : parsed.if_object();
  if (o == nullptr) return {};
  const boost::json::value* accepted = o->if_contains("accepted");
  const boost::json::value* rejected = o->if_contains("rejected");
  if (accepted == nullptr || rejected == nullptr || !accepted->is_int64() ||
      !rejected->is_int64() || accepted->as_int64() != 0 || rejected->as_int64() == 0)
    return {};
  std::string first;
  if (const boost::json::value* problems = o->if_contains("problems");
      problems != nullptr && problems->is_array() && !problems->as_array().empty())
    first = answer_text(boost::json::serialize(problems->as_array().front()));
  return fail(ErrorCode::invalid,
              fmt::format("{} refused every reading of {} ({} rejected){}{}", peer, what,
                          rejected->as_int64(), first.empty() ? "" : "; first: ", first));
}

std::string HttpPoster::peer() const {
  return fmt::format("the server at 127.0.0.1:{}", port_);
}

struct HttpPoster::Curl {
  std::unique_ptr<CURL, EasyFree> handle;
  char detail[CURL_ERROR_SIZE] = {};  // curl's words for a failed transfer
};

HttpPoster::HttpPoster(std::uint16_t port, int timeout_ms)
    : port_(port), timeout_ms_(std::max(1, timeout_ms)) {}

HttpPoster::~HttpPoster() = default;

Result<HttpAnswer> HttpPoster::post_json(const std::string& target,
                                         std::span<const std::string> headers,
                                         std::string_view body, std::string_view what) {
  const std::string peer = this->peer();
  if (!curl_) {
    if (const CURLcode init = global_init_once(); init != CURLE_OK)
      return fail(ErrorCode::internal,
                  fmt::format("libcurl could not start: {}", curl_easy_strerror(init)));
    auto made = std::make_unique<Curl>();
    made->handle.reset(curl_easy_init());
    if (!made->handle) return fail(ErrorCode::internal, "libcurl could not make a handle");
    CURL* h = made->handle.get();
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, made->detail);
    // Timeouts must not use SIGALRM: the simulator runs inside the server.
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http");
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms_));
    curl_easy_setopt(h, CURLOPT_USERAGENT, "CityPulse-simulator");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, keep_answer);
    curl_ = std::move(made);
  }
  CURL* h = curl_->handle.get();
  CurlList list;
  auto add = [&list](const std::string& line) {
    curl_slist* head = curl_slist_append(list.get(), line.c_str());
    if (head == nullptr) return false;
    (void)list.release();  // the old head is part of the new list
    list.reset(head);
    return true;
  };
  // "Expect:" off: curl would wait up to a second for "100 Continue" on
  // larger bodies.
  bool added = add("Content-Type: application/json") && add("Expect:");
  for (const std::string& line : headers) added = added && add(line);
  if (!added) return fail(ErrorCode::internal, "out of memory building a request");

  const std::string url = fmt::format("http://127.0.0.1:{}{}", port_, target);
  HttpAnswer answer;
  curl_->detail[0] = '\0';
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, list.get());
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &answer.body);
  const CURLcode code = curl_easy_perform(h);
  // The list and the answer die with this call: the handle must not point at them.
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, nullptr);
  if (code != CURLE_OK) {
    const std::string why =
        curl_->detail[0] != '\0' ? printable(curl_->detail) : std::string(curl_easy_strerror(code));
    switch (code) {
      case CURLE_OPERATION_TIMEDOUT:
        return fail(ErrorCode::timed_out, fmt::format("{} did not answer {} within {} ms: {}", peer,
                                                      what, timeout_ms_, why));
      case CURLE_COULDNT_CONNECT:
        return fail(ErrorCode::unavailable,
                    fmt::format("{} could not be reached for {}: {}", peer, what, why));
      case CURLE_OUT_OF_MEMORY:
        return fail(ErrorCode::internal, fmt::format("{} could not be sent: {}", what, why));
      default:
        return fail(ErrorCode::unavailable,
                    fmt::format("{} broke off the exchange of {}: {}", peer, what, why));
    }
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  answer.status = static_cast<int>(status);
  if (status >= 200 && status < 300) return answer;
  const std::string text = answer_text(answer.body);
  return fail(code_of_status(status),
              text.empty() ? fmt::format("{} answered {} to {}", peer, status, what)
                           : fmt::format("{} answered {} to {}: {}", peer, status, what, text));
}

}  // namespace citypulse::sim
