// The read requests that fetch a poll group's points in as few round trips as
// the Modbus limits allow.
//
// Per table, points sorted by address are merged into one request while the
// unused registers (bits) between them are at most `max_gap` and the request
// stays within what one PDU may carry: 125 registers for Read Holding/Input
// Registers, 2000 bits for Read Coils/Discrete Inputs (Modbus Application
// Protocol V1.1b3, 6.1-6.4). A point is never split over two requests;
// points that overlap (bit fields of one register) share one. Tables are
// never mixed: each has its own function code.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "drivers/modbus/register_map.h"

namespace citypulse::modbus {

inline constexpr unsigned kMaxReadRegisters = 125;
inline constexpr unsigned kMaxReadBits = 2000;

struct ReadRequest {
  Table table = Table::holding;
  std::uint16_t start = 0;
  std::uint16_t count = 0;          // registers or bits, 1..125 or 1..2000
  std::vector<std::size_t> points;  // indices into the points planned from
  bool operator==(const ReadRequest&) const = default;
};

// The requests for points[i] for every i in `selected`, ordered by table
// (holding, input, coil, discrete) then address. Indices out of range are
// ignored. `max_gap` is clamped to what keeps a request within its limit.
std::vector<ReadRequest> plan_reads(const std::vector<RegisterPoint>& points,
                                    const std::vector<std::size_t>& selected, unsigned max_gap);

// The indices of the points of `group` in `config` (none for an unknown one).
std::vector<std::size_t> group_points(const DeviceConfig& config, std::string_view group);

// The requests for the points of `group` in `config` (none for an unknown one).
std::vector<ReadRequest> plan_group(const DeviceConfig& config, std::string_view group);

}  // namespace citypulse::modbus
