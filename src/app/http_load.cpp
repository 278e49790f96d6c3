#include "app/http_load.h"

#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "core/text.h"

namespace citypulse {
namespace {}  // namespace

std::string_view header_value(std::string_view head, std::string_view name) {
  std::size_t at = head.find("\r\n");
  while (at != std::string_view::npos && at + 2 < head.size()) {
    const std::size_t start = at + 2;
    const std::size_t end = head.find("\r\n", start);
    const auto line = head.substr(start, end == std::string_view::npos ? end : end - start);
    const auto colon = line.find(':');
    if (colon != std::string_view::npos && iequals_ascii(trim(line.substr(0, colon)), name))
      return trim(line.substr(colon + 1));
    at = end;
  }
  return {};
}

LoadConnection::~LoadConnection() {
  close();
}

void LoadConnection::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buffer_.clear();
}

Result<int> connect_loopback(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return fail(ErrorCode::io, fmt::format("socket: {}", std::strerror(errno)));
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const int e = errno;
    ::close(fd);
    return fail(ErrorCode::io, fmt::format("connect to port {}: {}", port, std::strerror(e)));
  }
  return fd;
}

std::string load_request(std::string_view method, std::string_view target, std::string_view body,
                         std::string_view headers) {
  std::string message =
      fmt::format("{} {} HTTP/1.1\r\nHost: 127.0.0.1\r\n{}Content-Length: {}\r\n\r\n", method,
                  target, headers, body.size());
  message += body;
  return message;
}

std::optional<Result<LoadReply>> take_reply(std::string& buffer, bool& closing) {
  const std::size_t head_end = buffer.find("\r\n\r\n");
  if (head_end == std::string::npos) return std::nullopt;
  const std::string_view head(buffer.data(), head_end);
  LoadReply reply;
  if (head.size() < 12 || !head.starts_with("HTTP/1.1 "))
    return fail(ErrorCode::io, "not an HTTP/1.1 answer");
  std::from_chars(head.data() + 9, head.data() + 12, reply.status);
  const auto length_text = header_value(head, "Content-Length");
  std::size_t length = 0;
  if (std::from_chars(length_text.data(), length_text.data() + length_text.size(), length).ec !=
      std::errc{})
    return fail(ErrorCode::io, "an answer without Content-Length");
  const std::size_t body_start = head_end + 4;
  if (buffer.size() < body_start + length) return std::nullopt;
  reply.retry_after = std::string(header_value(head, "Retry-After"));
  closing = iequals_ascii(header_value(head, "Connection"), "close");
  reply.body = buffer.substr(body_start, length);
  buffer.erase(0, body_start + length);
  return reply;
}

Status LoadConnection::connect() {
  auto fd = connect_loopback(port_);
  if (!fd) return std::unexpected(fd.error());
  fd_ = *fd;
  return {};
}

Result<LoadReply> LoadConnection::request(std::string_view method, std::string_view target,
                                          std::string_view body, std::string_view headers) {
  const std::string message = load_request(method, target, body, headers);
  // A keep-alive connection the server closed while idle fails on first use:
  // one fresh connection is worth a try, a second failure is real.
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (fd_ < 0)
      if (auto s = connect(); !s) return std::unexpected(s.error());
    auto reply = exchange(message);
    if (reply || attempt == 1) return reply;
    close();
  }
  return fail(ErrorCode::internal, "unreachable");
}

Result<LoadReply> LoadConnection::exchange(const std::string& message) {
  for (std::size_t sent = 0; sent < message.size();) {
    const auto n = ::send(fd_, message.data() + sent, message.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return fail(ErrorCode::io, fmt::format("send: {}", std::strerror(errno)));
    sent += static_cast<std::size_t>(n);
  }
  char chunk[64 * 1024];
  for (;;) {
    bool closing = false;
    if (auto reply = take_reply(buffer_, closing)) {
      if (closing || !*reply) close();
      return std::move(*reply);
    }
    const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return fail(ErrorCode::io, "the server closed the connection");
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

Result<std::uint16_t> free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return fail(ErrorCode::io, fmt::format("socket: {}", std::strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  ::close(fd);
  if (!ok) return fail(ErrorCode::io, "no free loopback port");
  return ntohs(addr.sin_port);
}

}  // namespace citypulse
