// BenchMosquitto: a Mosquitto 2 broker that `citypulse bench mqtt` runs to
// compare the embedded broker with, under the same load generator.
//
// Configured in <dir>/mosquitto.conf the way one would set it up for a
// load test: one listener on 127.0.0.1 at a free port, anonymous clients
// allowed, no persistence, TCP_NODELAY on client sockets (as the embedded
// broker sets it), no limit on QoS 1/2 deliveries in flight and 100,000
// queued per client — as the embedded broker treats a 3.1.1 client in the
// bench (up to 65,535 in flight, mqtt.max_queued_per_session 100,000);
// Mosquitto's defaults, 20 and 1,000, would throttle the fan-out
// subscriber (with 1,000 in flight it delivered 11,000 messages/s, with no
// limit 15,300 in one trial). Errors and warnings go to <dir>/mosquitto.log.
// Mosquitto runs one thread.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "app/bench_process.h"
#include "core/result.h"

namespace citypulse {

class BenchMosquitto {
 public:
  // `program`: the mosquitto executable; `dir`: a folder for its files.
  BenchMosquitto(std::string program, std::string dir);

  // Writes the configuration, starts and waits (up to 10 s) for the
  // listener. Fails with unavailable when `program` is not there, with io
  // when it exits or does not listen (the log says why).
  Status start();
  int stop(int signal) { return child_.stop(signal); }

  std::uint16_t port() const { return port_; }
  pid_t pid() const { return child_.pid(); }

 private:
  std::string program_, dir_;
  std::uint16_t port_ = 0;
  BenchChild child_;
};

}  // namespace citypulse
