// DeviceSession: one device as a protocol driver talks to it, as the driver
// host (driver_host.h) schedules it. A BACnet/IP device, a Modbus TCP slave
// and an HTTP meter each have theirs; the host knows none of their
// protocols.
//
// Contract:
// - Every call is made on the host's thread, and every callback runs there,
//   exactly once, never inside the call that started it.
// - poll() reads the channels of one group and reports what it read (with
//   the time of the answer), how many channels failed and whether the device
//   answered at all. A poll never waits longer than the device's configured
//   timeouts and retries.
// - write() commands one channel; the result is the value read back after
//   the write when the protocol can read it (none otherwise), or the
//   device's refusal in words.
// - Values the device pushes by itself (COV) go to the push handler.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"

namespace citypulse::drivers {

struct ChannelReading {
  std::string channel;
  TimeMs t = 0;
  double value = 0;
};

struct PollReport {
  std::vector<ChannelReading> readings;
  std::size_t failed = 0;  // channels not read
  bool unreached = false;  // nothing was answered
  std::string error;       // the first failure, in words
};

struct PollGroupSchedule {
  std::string name;
  std::int64_t interval_ms = 60'000;
};

class DeviceSession {
 public:
  virtual ~DeviceSession() = default;

  virtual std::vector<PollGroupSchedule> groups() const = 0;
  virtual void poll(const std::string& group, std::move_only_function<void(PollReport)> done) = 0;
  virtual void write(const std::string& channel, double value, std::optional<int> priority,
                     std::move_only_function<void(Result<std::optional<double>>)> done) = 0;
  virtual void on_push(std::function<void(std::vector<ChannelReading>)> handler) { (void)handler; }
  // Ends subscriptions and stops timers; callbacks already due still run.
  virtual void close() {}
};

}  // namespace citypulse::drivers
