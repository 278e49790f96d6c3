// Simulated REST thermostats served over HTTP/1.1 (Boost.Beast) on a thread
// of their own, on loopback: the peer that the HTTP poller driver's tests
// and the demo talk to. One server answers for several thermostats, each
// known by its serial.
//
//   GET /api/thermostats/{serial}
//     200 {"serial": "T-1", "temperature": 20.4, "setpoint": 21.0,
//          "mode": "heat", "heating": true, "humidity": "45.2",
//          "firmware": {"version": "2.1.0"}}
//     (humidity as text and heating as a bool, as some devices' APIs do)
//   PUT /api/thermostats/{serial}/setpoint   body {"value": 22.5}
//     200 {"setpoint": 22.5}; 422 {"error": ...} outside 5..30 °C;
//     400 {"error": ...} for a body that is not {"value": number}
//   Anything else: 404 (unknown serial or path), 405 (another method).
//   With a token: 401 {"error": ...} unless "Authorization: Bearer TOKEN".
//
// Physics, in simulated seconds (time_scale of them per real second): the
// room temperature approaches the setpoint with a time constant of 600 s
// (starting at 19 °C); heating is on while it is more than 0.2 K below;
// humidity swings by ±5 % around 45 % over an hour. With sensor_noise_k the
// temperature answered carries a read error of its own each time (uniform in
// -noise..+noise K, a fixed seed), as a real sensor's does, so that a room at
// its setpoint never looks frozen to a flatline rule (the demo's).
//
// Faults for tests: silent (requests are read, never answered, connections
// held open: a hung device), a reply delay (every answer waits first,
// without holding up other connections), padding (the state answer
// carries a "padding" text of that many bytes: an answer too large), and
// maintenance (every request answered 503).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace citypulse::sim {

struct RestThermostatOptions {
  std::string host = "127.0.0.1";              // dotted IPv4 to listen on
  std::uint16_t port = 0;                      // 0: a free port, see RestThermostat::port()
  std::vector<std::string> serials = {"T-1"};  // the thermostats it answers for
  std::string token;                           // non-empty: a bearer token is required
  double time_scale = 1.0;                     // simulated seconds per real second
  double sensor_noise_k = 0;                   // 0..5: the temperature's read noise; 0: exact
};

// A request as the thermostat received it.
struct ThermostatRequest {
  std::string method;
  std::string target;
  std::string authorization;  // the header's value, "" when absent
  std::string content_type;
  std::string body;
};

class RestThermostat {
 public:
  // Listening and serving when it returns; unavailable when the address
  // cannot be bound, invalid for bad options.
  static Result<std::unique_ptr<RestThermostat>> start(const RestThermostatOptions& options);
  ~RestThermostat();  // stop()
  RestThermostat(const RestThermostat&) = delete;
  RestThermostat& operator=(const RestThermostat&) = delete;

  std::uint16_t port() const;
  std::string base_url() const;  // "http://127.0.0.1:PORT"

  void set_reply_delay(std::chrono::milliseconds delay);
  void set_silent(bool silent);
  void set_padding(std::size_t bytes);
  void set_maintenance(bool maintenance);

  // The thermostat's setpoint now (nullopt for an unknown serial).
  std::optional<double> setpoint(std::string_view serial) const;
  // Every request received so far, oldest first.
  std::vector<ThermostatRequest> requests() const;

  // Closes the listener and every connection and ends the thread; idempotent.
  void stop();

  struct State;  // public for the serving coroutines, defined in the .cpp only

 private:
  explicit RestThermostat(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace citypulse::sim
