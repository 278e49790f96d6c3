// JSON POSTs to the server's HTTP port on 127.0.0.1 for the HTTP links
// (module-internal), with blocking libcurl.
//
// One easy handle a poster, made on the first post and kept: curl keeps the
// connection open between requests (HTTP keep-alive) and opens a new one
// when the server has closed it, so a server that restarted is reached
// again at the next post without anything to do here. Redirects are not
// followed (the server sends none to these routes).
//
// Success is a 2xx answer. Failures: no answer at all — nothing listens,
// the connection broke (unavailable), timeout_ms passed (timed_out); an
// answer of another status — 401 unauthenticated, 403 forbidden, 404
// not_found, 408 timed_out, 413 too_large, 429 too_many_requests, 5xx
// unavailable, any other invalid — with a message naming `what` was sent,
// the status and the problem's detail (RFC 7807) or the answer's first bytes.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"

namespace citypulse::sim {

struct HttpAnswer {
  int status = 0;
  std::string body;  // at most kMaxAnswerBytes
};

// The ingest routes answer 200 with {"accepted": n, "rejected": m,
// "problems": [...]} when they stored what they could: an answer that
// stored nothing because every reading was refused (unknown keys, values
// out of range) is an invalid error naming the first problem, as an MQTT
// PUBACK 0x83 is. Any other answer (some accepted, a body of another shape)
// is success.
Status check_ingest_answer(const HttpAnswer& answer, std::string_view peer, std::string_view what);

class HttpPoster {
 public:
  static constexpr std::size_t kMaxAnswerBytes = 64 * 1024;

  HttpPoster(std::uint16_t port, int timeout_ms);
  ~HttpPoster();
  HttpPoster(const HttpPoster&) = delete;
  HttpPoster& operator=(const HttpPoster&) = delete;

  // POSTs `body` with Content-Type application/json to `target` (a path
  // with its query; it may hold a secret: it never appears in messages),
  // adding `headers` ("Name: value", free of CR and LF). `what` names the
  // request in messages ("the telemetry of a device").
  Result<HttpAnswer> post_json(const std::string& target, std::span<const std::string> headers,
                               std::string_view body, std::string_view what);
  // "the server at 127.0.0.1:<port>", for messages.
  std::string peer() const;

 private:
  struct Curl;
  std::uint16_t port_;
  int timeout_ms_;
  std::unique_ptr<Curl> curl_;  // made on the first post
};

}  // namespace citypulse::sim
