#include "webclient/curl_handle.h"

#include <fmt/format.h>

namespace citypulse::webclient {
namespace {

// curl_global_init is not thread-safe in libcurl 7.88 (it is from 7.84 only
// when built with CURL_VERSION_THREADSAFE, which we cannot assume), and
// curl_easy_init would run it unguarded on first use. It is never undone:
// curl_global_cleanup would race with any thread still calling out, and the
// process ends soon after the last call anyway.
CURLcode global_init_once() {
  static const CURLcode result = curl_global_init(CURL_GLOBAL_DEFAULT);
  return result;
}

}  // namespace

Result<CurlEasy> make_curl_easy(char* error_buffer, const char* protocols) {
  if (const CURLcode init = global_init_once(); init != CURLE_OK)
    return fail(ErrorCode::internal,
                fmt::format("libcurl could not start: {}", curl_easy_strerror(init)));
  CurlEasy handle(curl_easy_init());
  if (!handle) return fail(ErrorCode::internal, "libcurl could not make a handle");
  restrict_curl_easy(handle.get(), error_buffer, protocols);
  return handle;
}

void restrict_curl_easy(CURL* handle, char* error_buffer, const char* protocols) {
  error_buffer[0] = '\0';
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, protocols);
  curl_easy_setopt(handle, CURLOPT_REDIR_PROTOCOLS_STR, protocols);
}

Status append(CurlList& list, const std::string& line) {
  curl_slist* head = curl_slist_append(list.get(), line.c_str());
  if (head == nullptr) return fail(ErrorCode::internal, "out of memory building a request");
  (void)list.release();  // the old head is now part of the new list
  list.reset(head);
  return {};
}

Error transfer_error(CURLcode code, std::string_view peer, const char* detail) {
  const std::string why = detail != nullptr && detail[0] != '\0'
                              ? std::string(detail)
                              : std::string(curl_easy_strerror(code));
  auto error = [&](ErrorCode ec, std::string_view what) {
    return Error{ec, fmt::format("{} {}: {}", peer, what, why), {}};
  };
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return error(ErrorCode::timed_out, "did not answer in time");
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
      return error(ErrorCode::unavailable, "could not be reached");
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_WEIRD_SERVER_REPLY:
      return error(ErrorCode::unavailable, "broke off the exchange");
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
      return error(ErrorCode::invalid, "has a certificate we do not trust");
    case CURLE_USE_SSL_FAILED:
      return error(ErrorCode::invalid, "does not offer the TLS the settings require");
    case CURLE_LOGIN_DENIED:
      return error(ErrorCode::forbidden, "refused the credentials");
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return error(ErrorCode::invalid, "has a URL we cannot use");
    case CURLE_OUT_OF_MEMORY:
      return error(ErrorCode::internal, "could not be called");
    default:
      // Whatever else curl reports is about the exchange, not about what we
      // sent; a bounded number of retries costs little.
      return error(ErrorCode::unavailable, "failed");
  }
}

}  // namespace citypulse::webclient
