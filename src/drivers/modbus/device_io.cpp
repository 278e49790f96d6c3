#include "drivers/modbus/device_io.h"

#include <fmt/format.h>

#include "drivers/modbus/read_plan.h"
#include "drivers/modbus/register_codec.h"

namespace citypulse::modbus {
namespace {

// Whether the device itself is out of reach, rather than refusing one request.
bool device_unreachable(const Error& e) {
  return e.code == ErrorCode::timed_out || e.code == ErrorCode::unavailable ||
         e.code == ErrorCode::io;
}

}  // namespace

std::vector<PointRead> read_points(Connection& connection, const DeviceConfig& config,
                                   const std::vector<std::size_t>& selected, int* requests) {
  std::vector<PointRead> out;
  std::optional<Error> unreachable;
  for (const ReadRequest& request :
       plan_reads(config.points, selected, static_cast<unsigned>(config.max_gap))) {
    if (!unreachable && requests) ++*requests;
    Result<RegisterBlock> block =
        unreachable ? Result<RegisterBlock>(std::unexpect, *unreachable) : connection.read(request);
    if (!block && device_unreachable(block.error()) && !unreachable) {
      unreachable = block.error();
      unreachable->message =
          "not asked: the device did not answer an earlier request: " + unreachable->message;
    }
    for (std::size_t i : request.points) {
      if (!block) {
        out.push_back({i, {}, std::unexpected(block.error())});
        continue;
      }
      const RegisterPoint& point = config.points[i];
      // The point lies inside its request's block (read_plan.h), so the
      // offset and count below stay within it.
      const std::size_t at = point.address - block->start;
      std::vector<std::uint16_t> raw;
      if (has_registers(point.table))
        raw.assign(block->registers.begin() + static_cast<std::ptrdiff_t>(at),
                   block->registers.begin() + static_cast<std::ptrdiff_t>(at + item_count(point)));
      else
        raw.push_back(block->bits[at] ? 1 : 0);
      out.push_back({i, std::move(raw), decode_point(point, *block)});
    }
  }
  return out;
}

GroupPoll poll_group(Connection& connection, const DeviceConfig& config, std::string_view group) {
  GroupPoll poll;
  for (auto& read : read_points(connection, config, group_points(config, group))) {
    const std::string& channel = config.points[read.point].channel;
    if (read.value)
      poll.values.push_back({channel, *read.value});
    else
      poll.failures.push_back({channel, std::move(read.value.error())});
  }
  return poll;
}

Status write_point(Connection& connection, const RegisterPoint& point, double value) {
  if (!point.writable || (point.table != Table::holding && point.table != Table::coil))
    return fail(ErrorCode::invalid, fmt::format("channel '{}' is not writable", point.channel),
                "/value");
  if (point.table == Table::coil) {
    auto on = encode_bool(value);
    if (!on) return std::unexpected(on.error());
    return connection.write_coil(point.address, *on);
  }
  if (point.format.type == ValueType::boolean) {
    auto current = connection.read(Table::holding, point.address, 1);
    if (!current) return std::unexpected(current.error());
    auto changed = encode_bit_field(point.format, current->registers[0], value);
    if (!changed) return std::unexpected(changed.error());
    return connection.write_register(point.address, *changed);
  }
  auto words = encode_registers(point.format, value);
  if (!words) return std::unexpected(words.error());
  if (words->size() == 1) return connection.write_register(point.address, words->front());
  return connection.write_registers(point.address, *words);
}

}  // namespace citypulse::modbus
