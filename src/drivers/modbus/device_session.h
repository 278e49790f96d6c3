// The Modbus TCP device as the driver host polls and commands it
// (drivers/device_session.h), after its register map (register_map.h).
//
// libmodbus blocks, and the host's thread must not, so every request of the
// device runs on a worker thread of a pool the host owns:
//
// - One job at a time per device: the device's jobs queue on a strand of the
//   pool, because its connection is not thread-safe and because a slave
//   answers one request at a time anyway. The host polls a group only when
//   its previous poll has ended, so a device's queue holds at most one poll
//   per group and the writes asked meanwhile.
// - A job's result is posted back to the host's io_context, so callbacks run
//   on the host's thread, exactly once, never inside the call that started
//   them. While a job is queued or running it holds work on the io_context:
//   the host's thread does not end before every callback has run.
// - Sizing the pool: a device occupies at most one worker at a time, and a
//   dead one for at most timeout_ms × (retries + 1) per poll (plus the
//   connect; poll_group gives up on the rest of the group once the device
//   stops answering, and the host's circuit breaker then probes it rarely).
//   Another device waits for a worker only while every worker is held by
//   a device in a blocking call, so the pool is sized for the devices that
//   may be dead or slow at once, not for all of them: 8 by default
//   ([drivers] modbus_workers), and a live device on loopback or a LAN holds
//   a worker for a few milliseconds per poll.
//
// - A poll reads the group's points with the fewest requests (read_plan.h)
//   and reports its values with the wall time the poll ended; the poll is
//   unreached when no point was read and every failure says the device did
//   not answer (timed_out, unavailable, io).
// - A write is write_point() (device_io.h; the priority, a BACnet notion,
//   is ignored), then a read of that point's own registers: the value read
//   back, decoded. not_found for an unknown channel and invalid for a
//   read-only one, answered without asking the device.
// - close() makes the jobs still queued answer unavailable without asking
//   the device; one already running ends within its timeout.
#pragma once

#include <memory>

#include "drivers/device_session.h"
#include "drivers/modbus/register_map.h"

namespace boost::asio {
class io_context;
class thread_pool;
}  // namespace boost::asio

namespace citypulse::modbus {

// `io` (the host's, whose thread makes every call) and `workers` must
// outlive the session and every job it queued: stop io's thread (it waits
// for the jobs) before joining the pool.
std::unique_ptr<drivers::DeviceSession> make_device_session(boost::asio::io_context& io,
                                                            boost::asio::thread_pool& workers,
                                                            DeviceConfig config);

}  // namespace citypulse::modbus
