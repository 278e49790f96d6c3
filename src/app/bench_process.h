// The programs a benchmark runs beside itself — the server it measures,
// Mosquitto to compare with — and what it reads of them and of itself:
// CPU time and resident memory, from /proc.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace citypulse {

class BenchChild {
 public:
  BenchChild() = default;
  ~BenchChild();  // SIGKILL when still running
  BenchChild(const BenchChild&) = delete;
  BenchChild& operator=(const BenchChild&) = delete;

  // Forks and runs `args[0]` (a path) with `args`, the environment `env`
  // ("NAME=value" each) and stdout and stderr appended to the file `log`.
  // Fails with io only when fork fails; a program that cannot run exits 127.
  Status start(std::vector<std::string> args, std::vector<std::string> env, const std::string& log);

  // Whether it still runs (an exit is reaped here; pid() is then -1).
  bool running();
  // Sends `signal`, waits for the end: the exit code, or 128 + the signal
  // that ended it; -1 when it was not running.
  int stop(int signal);
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

// Waits up to `timeout_ms` until 127.0.0.1:`port` accepts a connection.
// Fails with io when `child` ends first (naming `log` for the reason) or the
// time runs out.
Status wait_for_listener(BenchChild& child, std::uint16_t port, int timeout_ms,
                         const std::string& log);

// This process's environment without the CITYPULSE_* variables, so that a
// child server takes its settings from the bench alone.
std::vector<std::string> environment_without_citypulse();

// CPU seconds (user + system) process `pid` has used so far; 0 when unknown.
double process_cpu_seconds(pid_t pid);
// CPU seconds (user + system) this process has used so far.
double own_cpu_seconds();
// Resident memory of process `pid` (VmRSS) in bytes; -1 when unknown.
std::int64_t process_rss_bytes(pid_t pid);

}  // namespace citypulse
