// LoadConnection: one blocking HTTP/1.1 keep-alive connection to a server on
// the loopback interface, for `citypulse bench ingest`. Deliberately small
// (plain sockets, no Asio): a load generator must cost the machine as little
// as it can, since the server it measures runs beside it.
//
// Reads answers with a Content-Length only (the server's answers to the
// requests the bench sends); anything else fails with io. Not thread-safe:
// one connection per client thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace citypulse {

// The value of header `name` (any case) in the head of an HTTP answer
// (status line first), trimmed; empty when it is not there.
std::string_view header_value(std::string_view head, std::string_view name);

struct LoadReply {
  int status = 0;
  std::string body;
  std::string retry_after;  // the Retry-After header, when sent
};

class LoadConnection {
 public:
  explicit LoadConnection(std::uint16_t port) : port_(port) {}
  ~LoadConnection();
  LoadConnection(const LoadConnection&) = delete;
  LoadConnection& operator=(const LoadConnection&) = delete;

  // Sends one request (connecting, or reconnecting once when the server
  // closed the idle connection) and reads the answer. `headers` are extra
  // header lines, each ending in "\r\n".
  Result<LoadReply> request(std::string_view method, std::string_view target,
                            std::string_view body = {}, std::string_view headers = {});

 private:
  Status connect();
  Result<LoadReply> exchange(const std::string& message);
  void close();

  std::uint16_t port_;
  int fd_ = -1;
  std::string buffer_;  // bytes read past the last answer
};

// One HTTP/1.1 request to 127.0.0.1 with a Content-Length. `headers` are
// extra header lines, each ending in "\r\n".
std::string load_request(std::string_view method, std::string_view target, std::string_view body,
                         std::string_view headers);

// The first whole answer at the front of `buffer`, taken off it; nullopt
// while it is still incomplete. An answer that is not HTTP/1.1 with a
// Content-Length fails with io. `closing`: the server said Connection: close.
std::optional<Result<LoadReply>> take_reply(std::string& buffer, bool& closing);

// Connects to 127.0.0.1:`port` with TCP_NODELAY; the socket, or io.
Result<int> connect_loopback(std::uint16_t port);

// A TCP port on 127.0.0.1 that was free a moment ago.
Result<std::uint16_t> free_loopback_port();

}  // namespace citypulse
