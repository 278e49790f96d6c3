// The HTTP-polled device as the driver host polls and commands it
// (drivers/device_session.h), after its driver document (device_config.h).
//
// libcurl's calls block here (device_io.h), so they run on a worker pool
// the host owns (`http_workers`), one job at a time per device, and their
// results come back to the host's thread (drivers/worker_strand.h). A
// device that does not answer holds one worker for at most timeout_ms ×
// (retries + 1) per poll; the host's circuit breaker then probes it rarely.
// The pool is sized for the devices that may be dead or slow at once, not
// for all of them (as for Modbus: docs/drivers.md).
//
// - A poll reports its values with the wall time its requests ended; it is
//   unreached when no request of the group got any answer.
// - A write is DeviceIo::write: the value read back, or none without
//   read_back. A channel with no write is not_found and a value that is not
//   finite invalid, both answered without asking the device. The priority
//   (a BACnet notion) is ignored.
// - close() makes the jobs still queued answer unavailable without asking
//   the device; one already running ends within its timeout.
#pragma once

#include <memory>
#include <string>

#include "drivers/device_session.h"
#include "drivers/httppoll/device_config.h"

namespace boost::asio {
class io_context;
class thread_pool;
}  // namespace boost::asio

namespace citypulse::httppoll {

// `io` (the host's, whose thread makes every call) and `workers` must
// outlive the session and every job it queued. `serial` fills {serial}.
std::unique_ptr<drivers::DeviceSession> make_device_session(boost::asio::io_context& io,
                                                            boost::asio::thread_pool& workers,
                                                            DeviceConfig config,
                                                            std::string serial);

}  // namespace citypulse::httppoll
