#include "sim/silent_port.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace citypulse::sim {
namespace {

std::unexpected<Error> socket_error(const char* what, const std::string& host) {
  return fail(ErrorCode::io,
              fmt::format("silent port on {}: cannot {}: {}", host, what, std::strerror(errno)));
}

}  // namespace

Result<SilentPort> SilentPort::open(const std::string& host) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  if (::inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1)
    return fail(ErrorCode::invalid,
                fmt::format("a silent port listens on a dotted IPv4 address, not '{}'", host),
                "host");
  SilentPort port;
  port.listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (port.listener_ < 0) return socket_error("make a socket", host);
  auto* as_sockaddr = reinterpret_cast<sockaddr*>(&address);
  socklen_t size = sizeof address;
  // Backlog 0: the queue is full once one connection waits in it (Linux
  // counts it full when more than the backlog wait).
  if (::bind(port.listener_, as_sockaddr, size) != 0 || ::listen(port.listener_, 0) != 0 ||
      ::getsockname(port.listener_, as_sockaddr, &size) != 0)
    return socket_error("listen", host);
  port.port_ = ntohs(address.sin_port);
  port.plug_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  // A blocking connect: the queue has its place free yet, so it completes.
  if (port.plug_ < 0 || ::connect(port.plug_, as_sockaddr, size) != 0)
    return socket_error("plug the accept queue", host);
  return port;
}

SilentPort::~SilentPort() {
  close();
}

SilentPort::SilentPort(SilentPort&& other) noexcept
    : listener_(std::exchange(other.listener_, -1)),
      plug_(std::exchange(other.plug_, -1)),
      port_(std::exchange(other.port_, 0)) {}

SilentPort& SilentPort::operator=(SilentPort&& other) noexcept {
  if (this != &other) {
    close();
    listener_ = std::exchange(other.listener_, -1);
    plug_ = std::exchange(other.plug_, -1);
    port_ = std::exchange(other.port_, 0);
  }
  return *this;
}

void SilentPort::close() {
  if (plug_ >= 0) ::close(plug_);
  if (listener_ >= 0) ::close(listener_);
  plug_ = listener_ = -1;
}

}  // namespace citypulse::sim
