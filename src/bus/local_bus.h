// LocalBus: the event bus of one process (event_bus.h). Publishing is
// serialised by one lock: an event's id, its place in the replay buffer and
// its delivery to every subscriber happen together, so ids reach each
// subscriber in order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>

#include "bus/event_bus.h"

namespace citypulse::bus {

struct ReplayLimits {
  std::int64_t max_age_ms = 5 * 60 * 1000;        // events older are dropped
  std::size_t max_bytes = std::size_t{64} << 20;  // and the oldest past this
};

class LocalBus final : public EventBus {
 public:
  explicit LocalBus(ReplayLimits limits = {});

  EventPtr publish(Event event) override;
  Subscription subscribe(Handler handler) override;
  Replay replay_after(std::uint64_t after_id) const override;
  std::uint64_t last_id() const override;

  // Events held for replay, and their bytes (for metrics and tests).
  std::size_t held_events() const;
  std::size_t held_bytes() const;

 protected:
  void unsubscribe(std::uint64_t subscription) override;

 private:
  void trim(TimeMs now);  // under mutex_

  const ReplayLimits limits_;
  mutable std::mutex mutex_;
  std::uint64_t next_id_;
  // Every event up to this id is no longer held (or never was: the ids
  // before this bus's first).
  std::uint64_t dropped_through_;
  std::deque<EventPtr> held_;
  std::size_t held_bytes_ = 0;
  std::map<std::uint64_t, Handler> handlers_;
  std::uint64_t next_subscription_ = 1;
};

}  // namespace citypulse::bus
