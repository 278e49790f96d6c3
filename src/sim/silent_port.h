// A loopback TCP port on which a connect never completes: the simulated
// peer of a device that is switched off or cut off behind its switch, whose
// SYNs go unanswered. A client's connect then waits out its whole timeout,
// which is what a dead device costs a poller on a real network. A port where
// nothing listens would not do: the kernel answers RST at once, the connect
// fails in microseconds and the dead device costs nothing.
//
// How: a listening socket with a backlog of 0 that is never accepted from,
// whose one place in the accept queue is taken by a connection of its own
// (the plug). With the accept queue full, Linux drops every further SYN
// without an answer; the client retransmits it until it gives up.
//
// Nothing runs: no thread, two descriptors held until destruction.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"

namespace citypulse::sim {

class SilentPort {
 public:
  // Listening, with the queue plugged, when it returns; io when a socket
  // cannot be made or bound, invalid for a host that is not dotted IPv4.
  static Result<SilentPort> open(const std::string& host = "127.0.0.1");
  ~SilentPort();
  SilentPort(SilentPort&& other) noexcept;
  SilentPort& operator=(SilentPort&& other) noexcept;
  SilentPort(const SilentPort&) = delete;
  SilentPort& operator=(const SilentPort&) = delete;

  std::uint16_t port() const { return port_; }

 private:
  SilentPort() = default;
  void close();

  int listener_ = -1;
  int plug_ = -1;  // the client connection that fills the accept queue
  std::uint16_t port_ = 0;
};

}  // namespace citypulse::sim
