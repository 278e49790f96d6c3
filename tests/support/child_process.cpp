#include "child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace citypulse::test {

namespace fs = std::filesystem;

pid_t spawn_program(const std::string& program, const std::vector<std::string>& args,
                    const std::map<std::string, std::string>& env, const std::string& log_path) {
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ::dup2(fd, 1);
  ::dup2(fd, 2);
  const int null = ::open("/dev/null", O_RDONLY);
  ::dup2(null, 0);
  for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
  std::vector<std::string> copy = args;
  std::string name = program;
  std::vector<char*> argv{name.data()};
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::execvp(name.c_str(), argv.data());
  std::_Exit(127);
}

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

int wait_for_exit(pid_t& pid, int timeout_ms) {
  if (pid <= 0) return -1;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      pid = -1;
      return exit_code_of(status);
    }
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

namespace {

std::string new_log_path() {
  static std::atomic<int> n{0};
  return (fs::temp_directory_path() /
          ("citypulse-child-" + std::to_string(::getpid()) + "-" + std::to_string(n++) + ".log"))
      .string();
}

}  // namespace

ChildProcess::ChildProcess(std::string program, std::vector<std::string> args,
                           std::map<std::string, std::string> env)
    : log_path_(new_log_path()) {
  pid_ = spawn_program(program, args, env, log_path_);
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  std::error_code ec;
  fs::remove(log_path_, ec);
}

int ChildProcess::wait(int timeout_ms) {
  return wait_for_exit(pid_, timeout_ms);
}

int ChildProcess::stop(int signal, int timeout_ms) {
  if (pid_ > 0) ::kill(pid_, signal);
  return wait(timeout_ms);
}

bool ChildProcess::wait_for_output(std::string_view needle, int timeout_ms) const {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    if (output().find(needle) != std::string::npos) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string ChildProcess::output() const {
  return read_file(log_path_);
}

int run_program(const std::string& program, const std::vector<std::string>& args,
                std::string& output, int timeout_ms,
                const std::map<std::string, std::string>& env) {
  ChildProcess child(program, args, env);
  int code = child.wait(timeout_ms);
  if (code == -1) child.stop(SIGKILL, 5000);
  output = child.output();
  return code;
}

}  // namespace citypulse::test
