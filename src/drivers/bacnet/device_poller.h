// The BACnet/IP device as the driver host polls and commands it
// (drivers/device_session.h), after its driver document (device_config.h).
//
// - A group's objects are read with ReadPropertyMultiple, 16 properties a
//   request; a device that rejects the service (or whose document says it
//   lacks it) is read one ReadProperty at a time from then on, and a request
//   whose answer would be too long for the device is read one at a time too.
// - Objects with `cov` are subscribed to once (unconfirmed notifications,
//   the document's lifetime) and the subscription is renewed at half its
//   lifetime; their notifications are pushed as readings. Until a
//   subscription holds, or when the device refuses or loses it, they are
//   polled with their group.
// - A write is a WriteProperty of the binding's property at the priority
//   (16 unless given; NaN relinquishes), then a ReadProperty of it: the
//   value read back. Analog objects take a REAL, binary ones active (≠ 0)
//   or inactive, multistate ones a state number.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "drivers/bacnet/client.h"
#include "drivers/bacnet/device_config.h"
#include "drivers/device_session.h"

namespace boost::asio {
class io_context;
}

namespace citypulse::bacnet {

// Hands the client's COV notifications to the session of the device each
// comes from (by its address). One per client; it takes the client's
// on_cov() handler. Used on the client's thread only.
class CovRouter {
 public:
  explicit CovRouter(Client& client);
  using Handler = std::function<void(const CovNotification&)>;
  void add(const DeviceAddress& device, Handler handler);
  void remove(const DeviceAddress& device);

 private:
  std::shared_ptr<std::unordered_map<std::string, Handler>> handlers_;
};

// `client`, `io` and `router` must outlive the session; calls on io's thread.
std::unique_ptr<drivers::DeviceSession> make_device_session(Client& client,
                                                            boost::asio::io_context& io,
                                                            CovRouter& router, DeviceConfig config);

// The value to write to an object of `type`: REAL, Enumerated 0/1, Unsigned
// state; Null for NaN (relinquish). invalid for a state that is not a whole
// number from 1.
Result<PropertyValue> command_value(std::uint16_t type, double value);

}  // namespace citypulse::bacnet
