// Reading a poll group's channels and writing one channel of a Modbus device:
// the planner, the connection and the codec put together.
//
// A poll reads each planned request in turn and decodes every point of each
// answer. One bad range does not lose the others: a request the device
// refuses (an exception) fails only its own channels, and a channel whose
// registers hold no value (NaN) fails alone. Once the device does not answer
// at all (timed_out, unavailable, io), the requests not yet sent are not
// tried — each would wait out the same timeout — and their channels fail with
// the same error code, so that a dead device costs one timeout per poll.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "drivers/modbus/connection.h"
#include "drivers/modbus/register_map.h"

namespace citypulse::modbus {

struct ChannelValue {
  std::string channel;
  double value = 0;
};

struct ChannelFailure {
  std::string channel;
  Error error;
};

// Every point of the group appears exactly once, in `values` or in `failures`.
struct GroupPoll {
  std::vector<ChannelValue> values;
  std::vector<ChannelFailure> failures;
};

GroupPoll poll_group(Connection& connection, const DeviceConfig& config, std::string_view group);

// One point as read_points() found it.
struct PointRead {
  std::size_t point = 0;  // index into the config's points
  // The point's own registers as the device sent them (host order), or its
  // bit as 0 or 1; empty when its request failed.
  std::vector<std::uint16_t> raw;
  Result<double> value;  // the decoded value, or why there is none
};

// Reads points[i] of `config` for every i in `selected` with as few requests
// as poll_group, under the same rules (a refused request fails its own
// points, a silent device stops the rest). One PointRead per planned point,
// in request order; `requests` (when given) counts the requests sent.
std::vector<PointRead> read_points(Connection& connection, const DeviceConfig& config,
                                   const std::vector<std::size_t>& selected,
                                   int* requests = nullptr);

// Writes `value` to a writable holding or coil point: Write Single Register
// for a 16-bit value, Write Multiple Registers for a wider one, Write Single
// Coil for a coil. A bit field is read, changed in its bit and written back
// (the other bits may change on the device in between: Modbus has no atomic
// bit write for registers). invalid for a read-only point or a value the
// codec refuses, before anything is sent.
Status write_point(Connection& connection, const RegisterPoint& point, double value);

}  // namespace citypulse::modbus
