// One Modbus TCP client connection to one device (one unit id behind one
// address), over libmodbus. libmodbus stays out of this header.
//
// The connection opens on first use and reopens after it broke: any call
// that finds it closed connects first. A request that fails on the way (no
// answer in time, connection reset, a malformed or mismatched answer) closes
// the connection, so that a late answer can never be taken for the next
// request's, and is tried again up to `retries` more times on a fresh one.
// An answer that is a Modbus exception is final: the device heard the
// request and refused it, so it is not retried.
//
// Errors (each message names the request and the device):
//   timed_out    no answer (or no connection) within timeout_ms; a gateway's
//                "target device failed to respond" (exception 11)
//   unavailable  connection refused, host or network unreachable, reset;
//                exceptions 4-8 and 10 (device failure, busy, gateway path)
//   invalid      exceptions 1-3 ("device answered: illegal data address
//                (exception 2)"), or a request past the Modbus limits
//   io           an answer that breaks the protocol
//
// Not thread-safe: one thread (a device's poller) uses a connection at a time.
// A moved-from connection may only be destroyed or assigned to.
// A request blocks for up to (retries + 1) * timeout_ms, plus the connects.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "core/result.h"
#include "drivers/modbus/read_plan.h"
#include "drivers/modbus/register_codec.h"
#include "drivers/modbus/register_map.h"

namespace citypulse::modbus {

struct Endpoint {
  std::string host;  // IPv4 address or host name
  std::uint16_t port = 502;
  std::uint8_t unit_id = 1;
  int timeout_ms = 1000;  // per answer, and per connect
  int retries = 1;
};

Endpoint endpoint_of(const DeviceConfig& config);

class Connection {
 public:
  explicit Connection(Endpoint endpoint);  // does not connect yet
  ~Connection();
  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) noexcept;

  const Endpoint& endpoint() const;
  // Connects unless connected (no retry); see the header for the errors.
  Status open();
  void close();
  bool is_open() const;

  // `count` registers (holding, input: 1..125) or bits (coil, discrete:
  // 1..2000) from `start`; the block holds exactly `count` items.
  Result<RegisterBlock> read(Table table, std::uint16_t start, std::uint16_t count);
  Result<RegisterBlock> read(const ReadRequest& request);

  // Write Single Register (function 6), Write Multiple Registers (16, at
  // most 123), Write Single Coil (5). Success means the device acknowledged.
  Status write_register(std::uint16_t address, std::uint16_t value);
  Status write_registers(std::uint16_t address, std::span<const std::uint16_t> values);
  Status write_coil(std::uint16_t address, bool on);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace citypulse::modbus
