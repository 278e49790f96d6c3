// EventBus: how the parts of the server tell each other what happened —
// the ingest pipeline publishes durable readings, the asset API changes,
// later the alarms and commands — and how the realtime API hears of it,
// without publishers knowing their subscribers.
//
// An interface, so the events can be carried between nodes later (a Redis
// adapter publishing to the others what it is given, and publishing here
// what they send) without touching publishers or subscribers.
//
// Order: every subscriber sees the events one at a time, in the order of
// their ids. Ids increase and are unique across restarts of the process
// (the first is the start time in microseconds), so a client that saw id N
// can ask for what came after it.
//
// Replay: the bus keeps the latest events, bounded by age and by bytes, so
// a client reconnecting after a short drop catches up on exactly what it
// missed; when what it missed is no longer all there, replay says so and
// the client must resynchronise — events are never silently skipped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "bus/event.h"

namespace citypulse::bus {

class EventBus;

// Subscribed while it lives; destroying it unsubscribes (and waits for a
// delivery in progress, so the handler is never called after).
class Subscription {
 public:
  Subscription() = default;
  Subscription(EventBus* bus, std::uint64_t id) : bus_(bus), id_(id) {}
  Subscription(Subscription&& other) noexcept;
  Subscription& operator=(Subscription&& other) noexcept;
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;
  ~Subscription();

 private:
  EventBus* bus_ = nullptr;
  std::uint64_t id_ = 0;
};

// What replay found.
struct Replay {
  // False when events after the asked id are no longer held (too old, or
  // the id is not one of this bus's): the caller must resynchronise.
  bool complete = false;
  std::vector<EventPtr> events;  // the held events after the id, oldest first
};

class EventBus {
 public:
  using Handler = std::function<void(const EventPtr&)>;

  virtual ~EventBus() = default;

  // Gives the event its id and time, keeps it for replay and hands it to
  // every subscriber before returning. Handlers run on the publisher's
  // thread, one event at a time across all publishers: they must be quick,
  // must not block, and must neither publish nor unsubscribe.
  virtual EventPtr publish(Event event) = 0;

  virtual Subscription subscribe(Handler handler) = 0;

  // The held events after `after_id`.
  virtual Replay replay_after(std::uint64_t after_id) const = 0;

  // The id of the newest event published; before any, the id just below
  // the first this bus will give.
  virtual std::uint64_t last_id() const = 0;

 protected:
  friend class Subscription;
  virtual void unsubscribe(std::uint64_t subscription) = 0;
};

}  // namespace citypulse::bus
