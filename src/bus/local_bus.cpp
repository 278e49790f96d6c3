#include "bus/local_bus.h"

#include <algorithm>
#include <utility>

namespace citypulse::bus {

Subscription::Subscription(Subscription&& other) noexcept
    : bus_(std::exchange(other.bus_, nullptr)), id_(other.id_) {}

Subscription& Subscription::operator=(Subscription&& other) noexcept {
  if (this != &other) {
    if (bus_) bus_->unsubscribe(id_);
    bus_ = std::exchange(other.bus_, nullptr);
    id_ = other.id_;
  }
  return *this;
}

Subscription::~Subscription() {
  if (bus_) bus_->unsubscribe(id_);
}

LocalBus::LocalBus(ReplayLimits limits)
    : limits_(limits),
      // Microseconds since 1970 at start: a later run starts above every id
      // an earlier one gave, unless it gave over a million a second.
      next_id_(static_cast<std::uint64_t>(now_ms()) * 1000),
      dropped_through_(next_id_ - 1) {}

EventPtr LocalBus::publish(Event event) {
  std::lock_guard lock(mutex_);
  event.id = next_id_++;
  event.at = now_ms();
  auto shared = std::make_shared<const Event>(std::move(event));
  held_.push_back(shared);
  held_bytes_ += event_bytes(*shared);
  trim(shared->at);
  for (const auto& [id, handler] : handlers_) handler(shared);
  return shared;
}

void LocalBus::trim(TimeMs now) {
  while (!held_.empty() && (held_.front()->at < now - limits_.max_age_ms ||
                            (held_bytes_ > limits_.max_bytes && held_.size() > 1))) {
    held_bytes_ -= event_bytes(*held_.front());
    dropped_through_ = held_.front()->id;
    held_.pop_front();
  }
}

Subscription LocalBus::subscribe(Handler handler) {
  std::lock_guard lock(mutex_);
  const auto id = next_subscription_++;
  handlers_.emplace(id, std::move(handler));
  return Subscription(this, id);
}

void LocalBus::unsubscribe(std::uint64_t subscription) {
  std::lock_guard lock(mutex_);
  handlers_.erase(subscription);
}

Replay LocalBus::replay_after(std::uint64_t after_id) const {
  std::lock_guard lock(mutex_);
  Replay out;
  // Something after `after_id` was dropped, or the id is none of ours.
  if (after_id < dropped_through_ || after_id >= next_id_) return out;
  out.complete = true;
  auto first = std::upper_bound(held_.begin(), held_.end(), after_id,
                                [](std::uint64_t id, const EventPtr& e) { return id < e->id; });
  out.events.assign(first, held_.end());
  return out;
}

std::uint64_t LocalBus::last_id() const {
  std::lock_guard lock(mutex_);
  return next_id_ - 1;
}

std::size_t LocalBus::held_events() const {
  std::lock_guard lock(mutex_);
  return held_.size();
}

std::size_t LocalBus::held_bytes() const {
  std::lock_guard lock(mutex_);
  return held_bytes_;
}

}  // namespace citypulse::bus
