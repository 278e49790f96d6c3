// libcurl for whoever calls out (notify's channels, the HTTP poller driver):
// owned handles, the one process-wide initialisation, and curl's failures
// as our errors.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace citypulse::webclient {

struct CurlEasyFree {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
using CurlEasy = std::unique_ptr<CURL, CurlEasyFree>;

struct CurlListFree {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using CurlList = std::unique_ptr<curl_slist, CurlListFree>;

// A fresh easy handle after curl_global_init has run exactly once in this
// process (a function-local static, so threads that race here wait for the
// first). The handle never raises signals (CURLOPT_NOSIGNAL: timeouts on
// the delivery thread must not use SIGALRM), writes curl's detail into
// `error_buffer` (which must outlive the handle's transfers; CURL_ERROR_SIZE
// bytes) and speaks only `protocols` ("http,https", "smtp,smtps"), so a
// configured URL cannot reach file:// or anything else. internal when curl
// cannot make a handle (out of memory).
Result<CurlEasy> make_curl_easy(char* error_buffer, const char* protocols);

// Sets those options again on a handle that curl_easy_reset emptied (the
// reset keeps its open connections, which is why a handle is kept).
void restrict_curl_easy(CURL* handle, char* error_buffer, const char* protocols);

// Appends `line` to `list` (curl_slist_append returns the new head and
// leaves the list alone on failure). internal when out of memory.
Status append(CurlList& list, const std::string& line);

// A transfer that failed below the protocol (no usable answer from the
// peer), as an Error: timeouts are timed_out; connection, resolution and
// transmission failures are unavailable (retryable); an untrusted
// certificate, a required STARTTLS the server lacks, refused credentials and
// malformed URLs are invalid or forbidden (not retryable). `peer` names
// what was called ("the SMTP server smtp://..."), `detail` is curl's error
// buffer.
Error transfer_error(CURLcode code, std::string_view peer, const char* detail);

}  // namespace citypulse::webclient
