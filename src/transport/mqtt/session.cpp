#include "transport/mqtt/session.h"

namespace citypulse::mqtt {

bool Session::offer(Delivery delivery, std::size_t max_queued) {
  std::shared_ptr<SessionOwner> to_wake;
  {
    std::lock_guard lock(mutex);
    // QoS 0 is at most once: nothing keeps it for a client that is not there
    // (spec 3.1.2.4 lets a server keep it; we do not, to bound memory).
    if (!owner && delivery.qos == 0) return false;
    if (queue.size() >= max_queued) {
      ++dropped;
      return false;
    }
    queue.push_back(std::move(delivery));
    if (owner && !wake_pending) {
      wake_pending = true;
      to_wake = owner;
    }
  }
  // Woken outside the lock: wake() posts to the owner's thread, which takes
  // the lock itself to drain.
  if (to_wake) to_wake->wake();
  return true;
}

std::uint16_t Session::next_packet_id() {
  // [MQTT-2.2.1-4]: a non-zero id not in use by an unacknowledged delivery.
  for (int tries = 0; tries < 65'535; ++tries) {
    last_packet_id = static_cast<std::uint16_t>(last_packet_id == 65'535 ? 1 : last_packet_id + 1);
    bool used = false;
    for (const auto& f : inflight)
      if (f.packet_id == last_packet_id) {
        used = true;
        break;
      }
    if (!used) return last_packet_id;
  }
  return 0;
}

}  // namespace citypulse::mqtt
