// DeviceStatusEvents: the embedded broker's news of devices coming online
// and going offline (mqtt::DevicePresence) as device_status events on the
// event bus, each in the device's tenant and building (so building grants
// apply), for the realtime API (docs/mqtt.md "Device status").
//
// Lives in the app so the broker knows nothing of the bus: the presence
// calls it on an I/O thread or an intake worker, with the presence's lock
// held, and it publishes at once (EventBus::publish hands the event to its
// subscribers quickly and never waits for a client).
#pragma once

#include "bus/event_bus.h"
#include "transport/mqtt/device_presence.h"

namespace citypulse {

class DeviceStatusEvents final : public mqtt::PresenceListener {
 public:
  // `bus` must outlive this.
  explicit DeviceStatusEvents(bus::EventBus& bus) : bus_(bus) {}

  void on_presence(const mqtt::PresenceChange& change) override;

 private:
  bus::EventBus& bus_;
};

}  // namespace citypulse
