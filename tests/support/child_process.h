// Other programs a test runs beside the server (mosquitto_pub, mosquitto_sub,
// a Mosquitto broker, node): started with their output captured to a file,
// waited for with a deadline, killed when the test is done with them.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace citypulse::test {

// Forks and runs `program` (a path, or a name looked up in PATH) with `args`,
// stdout and stderr to `log_path`, stdin from /dev/null, `env` added to the
// environment. Returns the child's pid.
pid_t spawn_program(const std::string& program, const std::vector<std::string>& args,
                    const std::map<std::string, std::string>& env, const std::string& log_path);

// A wait status as an exit code, or 128 + the signal that ended it.
int exit_code_of(int wait_status);

// Waits up to `timeout_ms` for the child `pid` to end: its exit code, and
// `pid` set to -1; -1 (and `pid` kept) while it still runs.
int wait_for_exit(pid_t& pid, int timeout_ms);

std::string read_file(const std::string& path);

class ChildProcess {
 public:
  ChildProcess(std::string program, std::vector<std::string> args,
               std::map<std::string, std::string> env = {});
  ~ChildProcess();  // SIGKILL if still running; removes the log
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // The exit code once it ends within `timeout_ms`; -1 when it is still
  // running then (it is left running).
  int wait(int timeout_ms);
  // Sends `signal` and waits for the end (see wait()).
  int stop(int signal = 15, int timeout_ms = 5000);
  // Whether the output contains `needle` within `timeout_ms`.
  bool wait_for_output(std::string_view needle, int timeout_ms) const;
  std::string output() const;
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  std::string log_path_;
};

// Runs a program to its end (killed after `timeout_ms`); its exit code, or -1
// when killed. `output` gets stdout and stderr.
int run_program(const std::string& program, const std::vector<std::string>& args,
                std::string& output, int timeout_ms = 20'000,
                const std::map<std::string, std::string>& env = {});

}  // namespace citypulse::test
