// A simulated BACnet/IP site for tests, benchmarks and the demo: one UDP
// port on which a BACnet/IP node answers for itself and, as a router, for
// devices on a network behind it (as an MS/TP trunk behind a BACnet/IP
// router is reached: the datagram names the device's network and MAC).
//
// Each device answers Who-Is (I-Am), ReadProperty, ReadPropertyMultiple
// (unless told not to: a device that lacks it Rejects it as an unrecognised
// service), WriteProperty with a 16-level priority array on its commandable
// objects, and SubscribeCOV with unconfirmed COV notifications (an initial one,
// then on every change by at least the object's COV increment, until the
// lifetime ends). A whole object list that does not fit the smaller of the
// two sides' APDU sizes is refused with Abort "segmentation not supported";
// element by element it is read. A device may be silent (dead) or slow.
//
// The AHU plant (ahu_objects()) moves: the supply temperature approaches its
// setpoint while the fan runs, the fan's power follows its command and the
// energy counter adds it up, so that a command shows in later readings.
//
// Objects of the AHU, by instance:
//   analog-input 1   supply air temperature °C   (units 62)
//   analog-input 2   return air temperature °C
//   analog-input 3   outdoor air temperature °C
//   analog-input 4   fan electric power kW       (units 48)
//   analog-input 5   electric energy kWh         (units 19)
//   analog-value 1   supply temperature setpoint °C, commandable, 12–30
//   binary-output 1  fan command, commandable
//   binary-input 1   fan status
//   multi-state-value 1  mode: 1 off, 2 comfort, 3 economy; commandable
//
// Everything runs on the site's own thread; the accessors are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "drivers/bacnet/application_tags.h"

namespace citypulse::sim {

struct BacnetObject {
  bacnet::ObjectId id = {};
  std::string name = {};
  std::uint32_t units = 95;  // BACnet engineering units; 95 no-units
  double value = 0;          // analog: the REAL; binary: 0/1; multistate: 1..states
  bool commandable = false;  // a priority array; value is then the relinquish default
  bool writable = false;     // a value object written directly (not commandable)
  std::optional<double> min_value = {}, max_value = {};  // writes outside are value-out-of-range
  double cov_increment = 0.1;
  std::uint32_t states = 0;  // multistate
};

struct BacnetDeviceOptions {
  std::uint32_t instance = 0;
  std::string name = {};
  std::vector<BacnetObject> objects = {};  // the device object is implied
  // Behind the site's router with this MAC; none: the site's node itself
  // (at most one device).
  std::optional<std::uint8_t> mac = {};
  bool read_property_multiple = true;
  bool cov = true;
  std::uint16_t max_apdu = 1476;
  bool silent = false;
  std::int64_t delay_ms = 0;
  bool plant = false;  // the AHU's physics (ahu_objects())
};

// The AHU's objects as listed above, at a mild start: supply 18 °C, setpoint
// 20 °C, fan on, comfort mode, outdoor `outdoor_c`.
std::vector<BacnetObject> ahu_objects(double outdoor_c = 5.0);

struct BacnetSiteOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port
  std::uint16_t network = 2001;
  std::int64_t step_ms = 200;  // how often the plant moves
  double speed = 1.0;          // simulated seconds per real second
  bool record = false;         // keep every datagram (frames())
};

// A datagram the site received or sent, as on the wire.
struct BacnetFrame {
  bool inbound = false;
  std::string peer_host;
  std::uint16_t peer_port = 0;
  std::vector<std::uint8_t> octets;
};

class BacnetSite {
 public:
  // invalid: two devices on the node itself, a MAC or instance twice.
  static Result<std::unique_ptr<BacnetSite>> start(BacnetSiteOptions options,
                                                   std::vector<BacnetDeviceOptions> devices);
  ~BacnetSite();  // stops the thread
  BacnetSite(const BacnetSite&) = delete;
  BacnetSite& operator=(const BacnetSite&) = delete;

  std::uint16_t port() const;
  std::uint16_t network() const;

  // The present value (after the priority array) of a device's object.
  std::optional<double> present_value(std::uint32_t device, bacnet::ObjectId object) const;
  // The field changing a value (a sensor's reading): COV subscribers hear of it.
  Status set_value(std::uint32_t device, bacnet::ObjectId object, double value);
  // The priority that commands an object now (1–16), none at the default.
  std::optional<int> active_priority(std::uint32_t device, bacnet::ObjectId object) const;
  void set_silent(std::uint32_t device, bool silent);
  // The datagrams so far, in order, when the options said to record them.
  std::vector<BacnetFrame> frames() const;
  // Confirmed requests the device has answered.
  std::int64_t requests_answered(std::uint32_t device) const;

  struct State;

 private:
  explicit BacnetSite(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

}  // namespace citypulse::sim
