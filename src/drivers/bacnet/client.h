// A BACnet/IP client: one UDP socket from which it asks devices (Who-Is,
// ReadProperty, ReadPropertyMultiple, WriteProperty, SubscribeCOV) and hears
// their I-Ams and COV notifications.
//
// Contract:
// - Each device has its own queue: at most `in_flight_per_device` requests
//   are with it at once (many controllers take one), the rest wait their
//   turn. A device that does not answer holds up only its own queue: every
//   attempt waits `timeout_ms`, is repeated `retries` times with the same
//   invoke id, then the request fails with timed_out (both per device when
//   set_timing() said so).
// - A full queue refuses at once with unavailable, so a dead device cannot
//   gather requests without bound.
// - A device's Error, Reject and Abort become errors in words ("property:
//   unknown-property"): unknown object or property not_found; a value out of
//   range, of the wrong type or not writable invalid; a Reject bad_request;
//   an Abort unavailable, or too_large for "segmentation not supported"; a
//   segmented answer (this client takes none) is aborted and too_large.
// - Every callback runs once, on the client's strand, never inside the call
//   that started it. After close() waiting and in-flight requests fail with
//   unavailable; the object must outlive the io_context's last handler only
//   through its own shared state, so it may be destroyed at any time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "drivers/bacnet/link_frame.h"
#include "drivers/bacnet/services.h"

namespace boost::asio {
class io_context;
}

namespace citypulse::bacnet {

// Where a device is: its BACnet/IP node's IPv4 address and UDP port, and for
// a device behind a router (an MS/TP trunk) its network and MAC there.
struct DeviceAddress {
  std::string host;  // dotted IPv4
  std::uint16_t port = 47808;
  std::optional<NetworkAddress> route;
  bool operator==(const DeviceAddress&) const = default;
};

// "192.168.1.20:47808", and "192.168.1.20:47808/2001:0a" for MAC 0a on
// network 2001 behind that node.
std::string to_string(const DeviceAddress& address);
// The same text back; the port defaults to 47808. invalid with what is wrong.
Result<DeviceAddress> parse_device_address(std::string_view text);

struct Discovered {
  IAm i_am;
  DeviceAddress address;
};

struct ClientOptions {
  std::string bind_host = "0.0.0.0";
  std::uint16_t bind_port = 0;  // 0: any free port
  std::int64_t timeout_ms = 3000;
  int retries = 2;
  int in_flight_per_device = 1;
  std::size_t queue_per_device = 256;
};

class Client {
 public:
  template <class T>
  using Done = std::move_only_function<void(Result<T>)>;

  // Binds the socket (io on failure). The client's work runs on `io`.
  static Result<std::unique_ptr<Client>> open(boost::asio::io_context& io, ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  std::uint16_t local_port() const;

  // Sends Who-Is to `target` (a device, or a broadcast address) and gathers
  // the I-Ams heard for `window_ms`, one per device instance.
  void who_is(const DeviceAddress& target, WhoIs range, std::int64_t window_ms,
              Done<std::vector<Discovered>> done);
  void read_property(const DeviceAddress& device, PropertyReference ref,
                     Done<std::vector<PropertyValue>> done);
  void read_property_multiple(const DeviceAddress& device, std::vector<PropertyReference> refs,
                              Done<std::vector<PropertyResult>> done);
  void write_property(const DeviceAddress& device, WriteProperty request, Done<void> done);
  void subscribe_cov(const DeviceAddress& device, SubscribeCov request, Done<void> done);

  // The timeout and retries of one device's requests, in place of the
  // options' (a device's driver document may say its own).
  void set_timing(const DeviceAddress& device, std::int64_t timeout_ms, int retries);

  // Called for each COV notification heard (confirmed ones are acknowledged
  // first), on the strand.
  void on_cov(std::move_only_function<void(const DeviceAddress&, const CovNotification&)> handler);

  void close();

  struct State;

 private:
  explicit Client(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

}  // namespace citypulse::bacnet
