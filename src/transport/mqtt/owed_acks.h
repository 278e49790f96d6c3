// OwedAcks: the acknowledgements (PUBACK, PUBREC) a receiver of QoS 1 and 2
// PUBLISHes owes, kept in the order the PUBLISHes came: they must go out in
// that order [MQTT-4.6.0-2], while the Intake may answer in any order.
//
// Each is owed when its PUBLISH arrives — settled at once when the answer is
// known then — or settled later by the sequence number it was owed under
// (next_seq() before owe()); the settled ones at the front are ready to go.
// Used by the server's side of a connection (Connection) and the bridge's
// client side (BridgeSession) alike; single-threaded, like them.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>

#include "core/fifo.h"
#include "transport/mqtt/intake.h"

namespace citypulse::mqtt {

class OwedAcks {
 public:
  struct Owed {
    std::uint16_t packet_id = 0;
    std::uint8_t qos = 0;
    bool settled = false;
    IntakeResult result;
  };

  // The sequence number the next owe() uses.
  std::uint64_t next_seq() const { return base_ + owed_.size(); }

  void owe(std::uint16_t packet_id, std::uint8_t qos, std::optional<IntakeResult> result) {
    Owed o;
    o.packet_id = packet_id;
    o.qos = qos;
    if (result) {
      o.settled = true;
      o.result = std::move(*result);
    }
    owed_.push_back(std::move(o));
  }

  // An answer for one already sent (or from before a reset) is ignored.
  void settle(std::uint64_t seq, IntakeResult result) {
    if (seq < base_ || seq - base_ >= owed_.size()) return;
    auto& o = owed_[seq - base_];
    o.settled = true;
    o.result = std::move(result);
  }

  // The front when it is settled, else nullptr; pop() once it has gone out.
  Owed* ready() { return !owed_.empty() && owed_.front().settled ? &owed_.front() : nullptr; }
  void pop() {
    owed_.pop_front();
    ++base_;
  }

  // QoS 1 PUBLISHes still waiting for the Intake (they count against the
  // Receive Maximum until acknowledged).
  std::size_t unsettled_qos1() const {
    return static_cast<std::size_t>(std::count_if(
        owed_.begin(), owed_.end(), [](const Owed& o) { return o.qos == 1 && !o.settled; }));
  }
  // Whether a QoS 2 PUBLISH with this id still waits for its PUBREC to go out.
  bool owes_pubrec(std::uint16_t packet_id) const {
    return std::any_of(owed_.begin(), owed_.end(),
                       [&](const Owed& o) { return o.qos == 2 && o.packet_id == packet_id; });
  }

 private:
  Fifo<Owed> owed_;
  std::uint64_t base_ = 0;  // seq of owed_.front()
};

}  // namespace citypulse::mqtt
