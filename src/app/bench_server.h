// BenchServer: `citypulse serve` (this same binary) as the benchmarks run
// it — on free loopback ports for HTTP and MQTT picked at the first start
// and kept across restarts, in a data folder of the bench's, with a
// superadmin (kBenchAdminEmail, a random password) and the rate limits off.
// The environment is the bench's without its CITYPULSE_* variables, plus
// `settings` ("CITYPULSE_X=value" each, which win). Output goes to
// <data folder>/server.log.
//
// Ready once /healthz answers and the MQTT port accepts connections (the
// broker starts after the HTTP server).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "app/bench_process.h"
#include "core/result.h"

namespace citypulse {

inline constexpr const char* kBenchAdminEmail = "bench@citypulse.local";

class BenchServer {
 public:
  BenchServer(std::string data_dir, std::vector<std::string> settings = {});

  // Starts and waits (up to 20 s) until it is ready; fails with io when it
  // exits or does not get ready (the log then says why).
  Status start();
  // See BenchChild::stop().
  int stop(int signal) { return child_.stop(signal); }

  std::uint16_t http_port() const { return http_port_; }
  std::uint16_t mqtt_port() const { return mqtt_port_; }
  const std::string& password() const { return password_; }
  pid_t pid() const { return child_.pid(); }
  const std::string& log() const { return log_; }

 private:
  std::string data_dir_;
  std::vector<std::string> settings_;
  std::string password_;
  std::string log_;
  std::uint16_t http_port_ = 0, mqtt_port_ = 0;
  BenchChild child_;
};

}  // namespace citypulse
