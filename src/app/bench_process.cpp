#include "app/bench_process.h"

#include <fmt/format.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string_view>
#include <thread>

#include "app/http_load.h"
#include "core/time.h"

extern char** environ;

namespace citypulse {

BenchChild::~BenchChild() {
  if (pid_ > 0) stop(SIGKILL);
}

Status BenchChild::start(std::vector<std::string> args, std::vector<std::string> env,
                         const std::string& log) {
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ < 0) return fail(ErrorCode::io, "fork failed");
  if (pid_ == 0) {
    if (FILE* out = std::fopen(log.c_str(), "a")) {
      ::dup2(fileno(out), 1);
      ::dup2(fileno(out), 2);
    }
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  return {};
}

bool BenchChild::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) != pid_) return true;
  pid_ = -1;
  return false;
}

int BenchChild::stop(int signal) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, signal);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

Status wait_for_listener(BenchChild& child, std::uint16_t port, int timeout_ms,
                         const std::string& log) {
  const auto deadline = steady_ms() + timeout_ms;
  while (steady_ms() < deadline) {
    if (auto fd = connect_loopback(port)) {
      ::close(*fd);
      return {};
    }
    if (!child.running())
      return fail(ErrorCode::io, fmt::format("the server exited at start (see {})", log));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return fail(ErrorCode::io, fmt::format("nothing listened on port {} within {} ms (see {})", port,
                                         timeout_ms, log));
}

std::vector<std::string> environment_without_citypulse() {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e)
    if (!std::string_view(*e).starts_with("CITYPULSE_")) env.emplace_back(*e);
  return env;
}

double process_cpu_seconds(pid_t pid) {
  std::FILE* f = std::fopen(fmt::format("/proc/{}/stat", pid).c_str(), "r");
  if (!f) return 0;
  char text[1024] = {};
  const auto n = std::fread(text, 1, sizeof text - 1, f);
  std::fclose(f);
  // Fields after the command name, which may hold spaces: "(name) S ...".
  const std::string_view all(text, n);
  const auto close = all.rfind(')');
  if (close == std::string_view::npos) return 0;
  unsigned long utime = 0, stime = 0;
  if (std::sscanf(text + close + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime,
                  &stime) != 2)
    return 0;
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

double own_cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(u.ru_utime) + seconds(u.ru_stime);
}

std::int64_t process_rss_bytes(pid_t pid) {
  std::FILE* f = std::fopen(fmt::format("/proc/{}/status", pid).c_str(), "r");
  if (!f) return -1;
  char line[256];
  long kib = -1;
  while (std::fgets(line, sizeof line, f))
    if (std::sscanf(line, "VmRSS: %ld kB", &kib) == 1) break;
  std::fclose(f);
  return kib < 0 ? -1 : std::int64_t{kib} * 1024;
}

}  // namespace citypulse
