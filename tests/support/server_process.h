// Runs the real citypulse binary for a test: a free loopback port, a fresh
// temporary data folder (removed afterwards unless kept), output captured to
// files, readiness awaited on /healthz, and a clean stop.
#pragma once

#include <sys/types.h>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "scratch.h"  // free_port, TempDir: most users of a server need them

namespace citypulse::test {

// The superadmin every test server is started with (CITYPULSE_ADMIN_*).
inline constexpr const char* kAdminEmail = "admin@citypulse.test";
inline constexpr const char* kAdminPassword = "test-admin-passphrase";

// `citypulse demo` options for tests: the seven landmark buildings, six days
// of history, no faults (readings tests need complete series), no simulated
// devices (the readings stay as written).
inline const std::vector<std::string> kQuickDemo = {"--buildings", "7", "--history", "6",
                                                    "--faults",    "0", "--no-live"};

class ServerProcess {
 public:
  // `data_dir` is used as --data-dir; extra arguments follow the subcommand.
  // Without --http-port (--mqtt-port) among them, each start takes a free
  // port; with them, every start uses the ports given (a restart keeps them).
  // The environment starts with the test superadmin and rate limits off;
  // `env` adds to it and wins.
  ServerProcess(std::string data_dir, std::vector<std::string> extra_args = {},
                std::map<std::string, std::string> env = {}, std::string subcommand = "serve");
  ~ServerProcess();  // kills the process if still running

  // Starts and waits (up to 90 s) until /healthz answers 200. False if the
  // process exits or never answers; output() then says why.
  bool start();
  // Starts without waiting for readiness (for a listener that does not speak
  // plain HTTP); the caller polls.
  void launch();

  // Sends `signal` and waits up to `timeout_ms` for the exit. Returns the exit
  // status (the code, or 128 + signal number), or -1 on timeout.
  int stop(int signal = 15, int timeout_ms = 20000);

  std::uint16_t port() const { return port_; }
  // The embedded broker's plain MQTT port (0 when the test passed its own --mqtt-port).
  std::uint16_t mqtt_port() const { return mqtt_port_; }
  pid_t pid() const { return pid_; }
  // stdout and stderr since the last start(), launches it retried included.
  std::string output() const;

 private:
  std::string data_dir_;
  std::vector<std::string> args_;
  std::map<std::string, std::string> env_;
  std::string subcommand_;
  std::uint16_t port_ = 0;
  std::uint16_t mqtt_port_ = 0;
  pid_t pid_ = -1;
  std::string log_path_;
  std::string retried_output_;  // of launches start() retried on other ports
};

// Runs the binary to completion with the given arguments; returns the exit
// code and puts stdout+stderr in `output`.
int run_binary(const std::vector<std::string>& args, std::string& output,
               const std::map<std::string, std::string>& env = {});

}  // namespace citypulse::test
