#include "app/load_loop.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <vector>

#include "core/time.h"

namespace citypulse {
namespace {

using Clock = std::chrono::steady_clock;

struct Slot {
  int fd = -1;
  bool in_flight = false;
  std::string out;  // the request being sent
  std::size_t sent = 0;
  bool waiting_to_write = false;  // EPOLLOUT is watched
  std::string in;                 // bytes of the answer so far
  Clock::time_point sent_at;
  Clock::time_point due;  // when the next request may go
};

class Loop {
 public:
  Loop(std::uint16_t port, const LoadTraffic& traffic)
      : port_(port), traffic_(traffic), slots_(static_cast<std::size_t>(traffic.connections)) {}
  ~Loop() {
    for (auto& s : slots_)
      if (s.fd >= 0) ::close(s.fd);
    if (epoll_ >= 0) ::close(epoll_);
  }

  Status run() {
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_ < 0) return fail(ErrorCode::io, fmt::format("epoll: {}", std::strerror(errno)));
    const auto start = Clock::now();
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      if (auto s = open(i); !s) return s;
      slots_[i].due = start;
    }
    const auto deadline = Clock::time_point(std::chrono::milliseconds(traffic_.deadline_steady_ms));
    std::vector<epoll_event> events(slots_.size());
    for (;;) {
      auto now = Clock::now();
      const bool sending = now < deadline;
      std::size_t in_flight = 0;
      auto wake = sending ? deadline : now + std::chrono::milliseconds(traffic_.drain_ms);
      for (std::size_t i = 0; i < slots_.size(); ++i) {
        auto& s = slots_[i];
        if (!s.in_flight && sending && s.due <= now) send_next(i, now);
        if (s.in_flight)
          ++in_flight;
        else if (sending)
          wake = std::min(wake, s.due);
      }
      if (!sending && in_flight == 0) return {};
      if (!sending && now - deadline > std::chrono::milliseconds(traffic_.drain_ms)) {
        // Answers that never came are failures, not acknowledgements.
        for (std::size_t i = 0; i < slots_.size(); ++i)
          if (slots_[i].in_flight) broken(i, "no answer before the drain timed out");
        return {};
      }
      const auto wait_ms = std::max<std::int64_t>(
          0, std::chrono::ceil<std::chrono::milliseconds>(wake - now).count());
      const int n = ::epoll_wait(epoll_, events.data(), static_cast<int>(events.size()),
                                 static_cast<int>(std::min<std::int64_t>(wait_ms, 1000)));
      if (n < 0 && errno != EINTR)
        return fail(ErrorCode::io, fmt::format("epoll_wait: {}", std::strerror(errno)));
      for (int k = 0; k < n; ++k) {
        const auto i = static_cast<std::size_t>(events[static_cast<std::size_t>(k)].data.u32);
        const auto what = events[static_cast<std::size_t>(k)].events;
        if (what & EPOLLOUT) flush(i);
        if (what & (EPOLLIN | EPOLLERR | EPOLLHUP)) receive(i);
      }
    }
  }

 private:
  Status open(std::size_t i) {
    auto fd = connect_loopback(port_);
    if (!fd) return std::unexpected(fd.error());
    ::fcntl(*fd, F_SETFL, ::fcntl(*fd, F_GETFL) | O_NONBLOCK);
    epoll_event e{};
    e.events = EPOLLIN;
    e.data.u32 = static_cast<std::uint32_t>(i);
    if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, *fd, &e) != 0) {
      ::close(*fd);
      return fail(ErrorCode::io, fmt::format("epoll_ctl: {}", std::strerror(errno)));
    }
    slots_[i].fd = *fd;
    return {};
  }

  void send_next(std::size_t i, Clock::time_point now) {
    auto& s = slots_[i];
    s.out = traffic_.next_request(static_cast<int>(i));
    s.sent = 0;
    s.in_flight = true;
    s.sent_at = now;
    if (traffic_.interval_us > 0)
      s.due += std::chrono::microseconds(std::llround(traffic_.interval_us));
    flush(i);
  }

  // Sends what is left of the request; waits for writability when the
  // socket's buffer is full.
  void flush(std::size_t i) {
    auto& s = slots_[i];
    while (s.sent < s.out.size()) {
      const auto n = ::send(s.fd, s.out.data() + s.sent, s.out.size() - s.sent, MSG_NOSIGNAL);
      if (n > 0) {
        s.sent += static_cast<std::size_t>(n);
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        watch(i, true);
        return;
      }
      broken(i, fmt::format("send: {}", std::strerror(errno)));
      return;
    }
    watch(i, false);
  }

  // Writability is watched only while a request is stuck in a full socket
  // buffer: one system call less per request.
  void watch(std::size_t i, bool writable) {
    if (slots_[i].waiting_to_write == writable) return;
    slots_[i].waiting_to_write = writable;
    epoll_event e{};
    e.events = writable ? EPOLLIN | EPOLLOUT : EPOLLIN;
    e.data.u32 = static_cast<std::uint32_t>(i);
    ::epoll_ctl(epoll_, EPOLL_CTL_MOD, slots_[i].fd, &e);
  }

  void receive(std::size_t i) {
    auto& s = slots_[i];
    char chunk[64 * 1024];
    // Reads until the answer is whole, not until the socket is empty: the
    // server sends nothing unasked, so that saves a read per request.
    for (;;) {
      const auto n = ::recv(s.fd, chunk, sizeof chunk, 0);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;  // more to come
      if (n <= 0) {
        broken(i, "the server closed the connection");
        return;
      }
      s.in.append(chunk, static_cast<std::size_t>(n));
      if (!s.in_flight) {
        broken(i, "the server sent an answer nobody asked for");
        return;
      }
      bool closing = false;
      auto reply = take_reply(s.in, closing);
      if (!reply) continue;
      if (!*reply) {
        broken(i, reply->error().message);
        return;
      }
      answered(i, *reply);
      if (closing) reopen(i);
      return;
    }
  }

  void answered(std::size_t i, const Result<LoadReply>& reply) {
    auto& s = slots_[i];
    s.in_flight = false;
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - s.sent_at).count();
    if (traffic_.interval_us <= 0) s.due = Clock::now();
    traffic_.on_answer(static_cast<int>(i), reply, micros);
  }

  // The request in flight (if any) failed; the connection starts again.
  void broken(std::size_t i, const std::string& why) {
    if (slots_[i].in_flight) answered(i, fail(ErrorCode::io, why));
    reopen(i);
  }

  void reopen(std::size_t i) {
    auto& s = slots_[i];
    ::epoll_ctl(epoll_, EPOLL_CTL_DEL, s.fd, nullptr);
    ::close(s.fd);
    s.fd = -1;
    s.in.clear();
    s.waiting_to_write = false;
    // A server that refuses new connections leaves this one idle until the
    // next due time; its next send reports the failure.
    if (!open(i)) s.due = Clock::now() + std::chrono::milliseconds(100);
  }

  std::uint16_t port_;
  const LoadTraffic& traffic_;
  std::vector<Slot> slots_;
  int epoll_ = -1;
};

}  // namespace

Status drive_load(std::uint16_t port, const LoadTraffic& traffic) {
  if (traffic.connections < 1) return fail(ErrorCode::invalid, "no connections to drive");
  Loop loop(port, traffic);
  return loop.run();
}

}  // namespace citypulse
