#include "app/load_loop.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

#include "app/poll_connections.h"

namespace citypulse {
namespace {

using Clock = std::chrono::steady_clock;

struct Slot {
  bool in_flight = false;
  std::string in;  // bytes of the answer so far
  Clock::time_point sent_at;
  Clock::time_point due;  // when the next request may go
};

class Loop {
 public:
  Loop(std::uint16_t port, const LoadTraffic& traffic)
      : traffic_(traffic),
        connections_(port, static_cast<std::size_t>(traffic.connections)),
        slots_(static_cast<std::size_t>(traffic.connections)) {}

  Status run() {
    const auto start = Clock::now();
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      if (auto s = connections_.open(i); !s) return s;
      slots_[i].due = start;
    }
    const auto deadline = Clock::time_point(std::chrono::milliseconds(traffic_.deadline_steady_ms));
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
      if (auto s = connections_.wait(static_cast<int>(std::min<std::int64_t>(wait_ms, 1000)),
                                     [this](std::size_t i) { receive(i); });
          !s)
        return s;
    }
  }

 private:
  void send_next(std::size_t i, Clock::time_point now) {
    auto& s = slots_[i];
    connections_.outbox(i) = traffic_.next_request(static_cast<int>(i));
    s.in_flight = true;
    s.sent_at = now;
    if (traffic_.interval_us > 0)
      s.due += std::chrono::microseconds(std::llround(traffic_.interval_us));
    if (auto sent = connections_.flush(i); !sent) broken(i, sent.error().message);
  }

  void receive(std::size_t i) {
    auto& s = slots_[i];
    // Reads until the answer is whole, not until the socket is empty: the
    // server sends nothing unasked, so that saves a read per request.
    for (;;) {
      const auto n = connections_.read(i, s.in);
      if (n == 0) return;  // more to come
      if (n < 0) {
        broken(i, "the server closed the connection");
        return;
      }
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
    slots_[i].in.clear();
    // A server that refuses new connections leaves this one idle until the
    // next due time; its next send reports the failure.
    if (!connections_.open(i)) slots_[i].due = Clock::now() + std::chrono::milliseconds(100);
  }

  const LoadTraffic& traffic_;
  PollConnections connections_;
  std::vector<Slot> slots_;
};

}  // namespace

Status drive_load(std::uint16_t port, const LoadTraffic& traffic) {
  if (traffic.connections < 1) return fail(ErrorCode::invalid, "no connections to drive");
  Loop loop(port, traffic);
  return loop.run();
}

}  // namespace citypulse
