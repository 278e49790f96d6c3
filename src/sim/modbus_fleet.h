// Many simulated Modbus TCP slaves served from one thread: the fleet that
// `citypulse bench drivers` polls. A ModbusPlant a device would cost a thread
// and a 20 ms physics tick each, 200 of them on two cores measuring the
// simulator more than the poller; these slaves have no physics, only values.
//
// Each slave listens on a loopback port of its own, as devices on a LAN have
// addresses of their own, so that the poller opens one connection a device
// as in the field. A slave holds `registers` input registers at 0-based
// addresses 0..registers-1, int16 tenths of a degree: register k of slave s
// reads 20.0 + 0.1 k degC plus a ramp of 0..1.9 K that steps every 10 s
// (stored series are then not constant). Every unit id answers. Anything
// else — other tables, addresses past the end, writes — is answered as
// libmodbus' modbus_reply answers from that map: exception 2 (illegal data
// address).
//
// One thread waits in poll(2) (no FD_SETSIZE limit) on every listener and
// every client; a readable client's request is read with modbus_receive and
// answered with modbus_reply, so libmodbus does the framing as in
// ModbusPlant. A request is read whole once its first bytes are in: a client
// that sends half a frame holds every slave up to libmodbus' byte timeout
// (0.5 s); the driver sends whole frames.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/result.h"

namespace citypulse::sim {

struct ModbusFleetOptions {
  std::string host = "127.0.0.1";  // dotted IPv4 to listen on
  int slaves = 1;                  // 1..10000, each on a free port
  int registers = 50;              // input registers a slave, 1..10000
};

class ModbusFleet {
 public:
  // Every slave listening and served when it returns; io when a port cannot
  // be had (descriptors run out: each slave takes one, and one a client),
  // invalid for bad options.
  static Result<std::unique_ptr<ModbusFleet>> start(const ModbusFleetOptions& options);
  ~ModbusFleet();  // stop()
  ModbusFleet(const ModbusFleet&) = delete;
  ModbusFleet& operator=(const ModbusFleet&) = delete;

  // The port of slave `slave`, 0..slaves-1.
  std::uint16_t port(int slave) const;
  // Requests answered so far by all slaves (exceptions included).
  std::int64_t answered() const;

  // Closes every listener and client and ends the thread; idempotent.
  void stop();

 private:
  struct State;
  explicit ModbusFleet(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace citypulse::sim
