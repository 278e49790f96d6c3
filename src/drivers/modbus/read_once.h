// "Read now" for a Modbus TCP device: the points of a register map, perhaps
// one not saved yet, read once on a connection of its own.
//
// Why a connection of its own rather than the running session's: the map
// being edited may name another host, port or unit id than the one that
// runs, and the running session's schedule stays exactly as it was (its
// queue and its connection are not touched). The cost is a second TCP
// connection to the device for the moment of the read; a device that takes
// only one connection at a time refuses it, and the read says so.
//
// Like a poll, the read runs on a worker of the host's pool (libmodbus
// blocks) and its result is posted to the host's io_context, so the host's
// thread never blocks: `done` runs there, exactly once, never inside the
// call. A dead device answers within timeout_ms × (retries + 1) (plus the
// connect, which the same timeout bounds): after the first request nobody
// answered, the rest are not sent (device_io.h).
//
// Result: the report (read_now.h) when the device answered at least one
// request or refused one; otherwise the error of the first request —
// timed_out when nothing answered in time, unavailable when the connection
// was refused or broke — naming the device.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "drivers/modbus/register_map.h"
#include "drivers/read_now.h"

namespace boost::asio {
class io_context;
class thread_pool;
}  // namespace boost::asio

namespace citypulse::modbus {

// Reads config.points[i] for every i in `selected` (indices in range). `io`
// and `workers` must outlive the read: stop io's thread (it waits for the
// read, which holds work on it) before joining the pool.
void read_once(boost::asio::io_context& io, boost::asio::thread_pool& workers, DeviceConfig config,
               std::vector<std::size_t> selected,
               std::move_only_function<void(Result<drivers::ReadReport>)> done);

// The registers (host order) as "0x41AC 0x0000"; a coil's or discrete's bit
// as "1" or "0".
std::string raw_text(const RegisterPoint& point, const std::vector<std::uint16_t>& raw);

}  // namespace citypulse::modbus
