// A loopback port where connections are refused, for tests of "nothing
// listens there": a TCP socket bound to 127.0.0.1 that never listens. The
// port stays taken while this lives, so no other test can start listening
// on it meanwhile (a port merely closed could be reused at once). Header-only
// so that unit tests can use it without cp_test_support.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>

namespace citypulse::test {

class RefusedPort {
 public:
  RefusedPort() : socket_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    if (::bind(socket_, reinterpret_cast<sockaddr*>(&address), size) == 0 &&
        ::getsockname(socket_, reinterpret_cast<sockaddr*>(&address), &size) == 0)
      port_ = ntohs(address.sin_port);
  }
  ~RefusedPort() { ::close(socket_); }
  RefusedPort(const RefusedPort&) = delete;
  RefusedPort& operator=(const RefusedPort&) = delete;

  // 0 when no port could be bound.
  std::uint16_t port() const { return port_; }

 private:
  int socket_;
  std::uint16_t port_ = 0;
};

}  // namespace citypulse::test
