#include "app/poll_connections.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "app/http_load.h"

namespace citypulse {

PollConnections::PollConnections(std::uint16_t port, std::size_t count)
    : port_(port), epoll_(::epoll_create1(EPOLL_CLOEXEC)), slots_(count) {}

PollConnections::~PollConnections() {
  for (auto& s : slots_)
    if (s.fd >= 0) ::close(s.fd);
  if (epoll_ >= 0) ::close(epoll_);
}

Status PollConnections::open(std::size_t i) {
  close(i);
  if (epoll_ < 0) return fail(ErrorCode::io, "epoll_create1 failed");
  auto fd = connect_loopback(port_);
  if (!fd) return std::unexpected(fd.error());
  ::fcntl(*fd, F_SETFL, ::fcntl(*fd, F_GETFL) | O_NONBLOCK);
  epoll_event e{};
  e.events = EPOLLIN;
  e.data.u64 = i;
  if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, *fd, &e) != 0) {
    const int error = errno;
    ::close(*fd);
    return fail(ErrorCode::io, fmt::format("epoll_ctl: {}", std::strerror(error)));
  }
  slots_[i].fd = *fd;
  return {};
}

void PollConnections::close(std::size_t i) {
  auto& s = slots_[i];
  if (s.fd >= 0) {
    ::epoll_ctl(epoll_, EPOLL_CTL_DEL, s.fd, nullptr);
    ::close(s.fd);
  }
  s.fd = -1;
  s.out.clear();
  s.sent = 0;
  s.watching_out = false;
}

Status PollConnections::flush(std::size_t i) {
  auto& s = slots_[i];
  while (s.sent < s.out.size()) {
    const auto n = ::send(s.fd, s.out.data() + s.sent, s.out.size() - s.sent, MSG_NOSIGNAL);
    if (n > 0) {
      s.sent += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      watch(i, true);
      return {};
    }
    return fail(ErrorCode::io, fmt::format("send: {}", std::strerror(errno)));
  }
  s.out.clear();
  s.sent = 0;
  watch(i, false);
  return {};
}

void PollConnections::watch(std::size_t i, bool writable) {
  auto& s = slots_[i];
  if (s.watching_out == writable) return;
  s.watching_out = writable;
  epoll_event e{};
  e.events = writable ? EPOLLIN | EPOLLOUT : EPOLLIN;
  e.data.u64 = i;
  ::epoll_ctl(epoll_, EPOLL_CTL_MOD, s.fd, &e);
}

long PollConnections::read(std::size_t i, std::string& in) {
  // Into a buffer of its own, then appended: growing `in` by the whole
  // chunk would clear 64 KiB for every few bytes that come.
  const auto n = ::recv(slots_[i].fd, chunk_.data(), chunk_.size(), 0);
  if (n > 0) {
    in.append(chunk_.data(), static_cast<std::size_t>(n));
    return static_cast<long>(n);
  }
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
  return -1;
}

Status PollConnections::wait(int timeout_ms, const std::function<void(std::size_t)>& ready) {
  events_.resize(std::max<std::size_t>(1, std::min<std::size_t>(slots_.size(), 4096)));
  const int n = ::epoll_wait(epoll_, events_.data(), static_cast<int>(events_.size()), timeout_ms);
  if (n < 0 && errno != EINTR)
    return fail(ErrorCode::io, fmt::format("epoll_wait: {}", std::strerror(errno)));
  for (int k = 0; k < n; ++k) {
    const auto& e = events_[static_cast<std::size_t>(k)];
    const auto i = static_cast<std::size_t>(e.data.u64);
    if (slots_[i].fd < 0) continue;  // closed by an earlier event's handler
    bool readable = (e.events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0;
    if ((e.events & EPOLLOUT) && !flush(i)) readable = true;
    if (readable) ready(i);
  }
  return {};
}

}  // namespace citypulse
