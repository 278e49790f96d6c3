// A simulated air handling unit with a heat pump, served over Modbus TCP
// (libmodbus) on its own thread: the peer that the Modbus driver's tests, the
// commissioning CLI and the driver's benchmark talk to.
//
// Register map (0-based addresses, as on the wire; every unit id answers):
//
//   table     addr   type              content
//   input     0      int16  x0.1       supply air temperature, degC
//   input     1      int16  x0.1       return air temperature, degC
//   input     2      int16  x0.1       outdoor air temperature, degC
//   input     3      uint16            fan speed, %
//   input     4-5    float32 ABCD      electric power, kW (big word order)
//   input     6-7    uint32 big        energy counter, kWh (whole, grows)
//   input     8-9    float32 CDAB      heat pump COP (little word order)
//   input     10     bit field         bit 0 running, bit 1 fault, bit 2 filter alarm
//   input     11     -                 unused (0): a gap for the read planner
//   input     12-15  float64 big       energy counter, kWh (fractional)
//   input     20-21  float32 DCBA      electric power, kW (little word and byte order)
//   holding   0      int16  x0.1       supply air setpoint, degC, 10.0..35.0, initially 20.0
//   holding   1      uint16            mode: 0 off, 1 auto, 2 heating, 3 cooling; initially 1
//   holding   2      uint16            fan speed setpoint, %, 0..100, initially 60
//   holding   3      bit field         options: bit 0 night setback (-3 K), others free
//   coil      0      bool              enable, initially on
//   discrete  0      bool              fault
//   discrete  1      bool              filter alarm
//
// Anything past the ends of a table is answered with exception 2 (illegal
// data address); a write out of a holding register's range with exception 3
// (illegal data value), leaving the register as it was; Read/Write Multiple
// Registers (function 23) with exception 1.
//
// Physics, in simulated seconds (time_scale of them per real second): when
// enabled and not off, the fan ramps to its setpoint at 10 %/s and the supply
// air moves toward the setpoint (first order, time constant 120 s); otherwise
// the fan stops and the supply air drifts to the return air. The return air
// follows the supply air slowly (600 s) around 21 degC; the outdoor air swings
// +-3 K around 5 degC over a day. COP = 6 - 0.1 K^-1 * (supply - outdoor),
// within 2..6; electric power = 0.1 kW (controls) + running: 3 kW * fan^3 +
// heat (0.5 kW/K * fan * |supply - outdoor|) / COP; energy integrates power.
// So a written setpoint shows in the supply temperature of later reads.
//
// With sensor_noise_k the three temperatures are read as a real sensor reads
// them: each update of the input registers adds its own draw from
// -noise..+noise K (a fixed seed), so that a plant at rest never looks
// frozen to a flatline rule (the demo's). The physics use the true values.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/result.h"

namespace citypulse::sim {

struct ModbusPlantOptions {
  std::string host = "127.0.0.1";  // dotted IPv4 to listen on
  std::uint16_t port = 0;          // 0: a free port, see ModbusPlant::port()
  double time_scale = 1.0;         // simulated seconds per real second, 0.001..100000
  double sensor_noise_k = 0;       // 0..5: the temperatures' read noise; 0 reads them exactly
};

class ModbusPlant {
 public:
  // Listening and serving when it returns; unavailable when the address
  // cannot be bound (a port in use), invalid for bad options.
  static Result<std::unique_ptr<ModbusPlant>> start(const ModbusPlantOptions& options);
  ~ModbusPlant();  // stop()
  ModbusPlant(const ModbusPlant&) = delete;
  ModbusPlant& operator=(const ModbusPlant&) = delete;

  std::uint16_t port() const;

  // Every answer waits this long first, one request at a time, as a slow
  // device or gateway does. 0 (the default) answers at once.
  void set_reply_delay(std::chrono::milliseconds delay);
  // false: connections are accepted and requests read, but none is answered
  // (a device that hangs); true again answers the next requests.
  void set_answering(bool answering);
  // The fault condition: status bit 1, discrete input 0; the plant stops running.
  void set_fault(bool fault);

  // Closes the listener and every client and ends the thread; idempotent.
  void stop();

 private:
  struct State;
  explicit ModbusPlant(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace citypulse::sim
