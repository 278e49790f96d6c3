// PollConnections: TCP connections to one loopback port, non-blocking and
// watched by one epoll set, for the load generators (load_loop.h for HTTP,
// mqtt_load.h for MQTT): one thread drives them all, so the client costs
// the shared machine about a system call per message, not a thread wake-up.
//
// Writes never block: what a socket does not take waits in the
// connection's outbox and goes out when it is writable again. Writability
// is watched only while something waits — one system call less a message.
// Not thread-safe: one PollConnections per client thread.
#pragma once

#include <sys/epoll.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/result.h"

namespace citypulse {

class PollConnections {
 public:
  // Room for `count` connections, numbered 0..count-1, none open yet.
  PollConnections(std::uint16_t port, std::size_t count);
  ~PollConnections();  // closes them all
  PollConnections(const PollConnections&) = delete;
  PollConnections& operator=(const PollConnections&) = delete;

  // Connects `i` (closing its old socket first) with TCP_NODELAY; its
  // outbox starts empty. Fails with io when the server does not accept.
  Status open(std::size_t i);
  void close(std::size_t i);
  bool is_open(std::size_t i) const { return slots_[i].fd >= 0; }

  // Bytes to send on `i`: append here, then flush().
  std::string& outbox(std::size_t i) { return slots_[i].out; }
  // Writes what the socket takes now. Fails with io (the errno text) when
  // the connection broke; the caller closes or reopens it.
  Status flush(std::size_t i);
  // Whether bytes wait for the socket to take them.
  bool backed_up(std::size_t i) const { return slots_[i].sent < slots_[i].out.size(); }

  // Appends at most 64 KiB that can be read now to `in`: the bytes read,
  // 0 when none are there, -1 when the peer closed or the socket failed.
  long read(std::size_t i, std::string& in);

  // Waits up to `timeout_ms` (0: only looks) for sockets to become ready,
  // writes waiting outboxes of writable ones, and calls `ready(i)` for each
  // with bytes to read, a close or an error (a failed write counts too: the
  // read then reports it). Fails only when epoll fails.
  Status wait(int timeout_ms, const std::function<void(std::size_t)>& ready);

 private:
  struct Slot {
    int fd = -1;
    std::string out;
    std::size_t sent = 0;  // bytes of `out` written
    bool watching_out = false;
  };
  void watch(std::size_t i, bool writable);

  std::uint16_t port_;
  int epoll_ = -1;
  std::vector<Slot> slots_;
  std::vector<epoll_event> events_;
  std::vector<char> chunk_ = std::vector<char>(64 * 1024);  // read() reads into this
};

}  // namespace citypulse
