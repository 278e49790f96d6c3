#include "server_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "child_process.h"
#include "http_client.h"

#ifndef CITYPULSE_BINARY
#error "CITYPULSE_BINARY must name the citypulse executable"
#endif

namespace citypulse::test {

namespace fs = std::filesystem;

namespace {

pid_t spawn(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
            const std::string& log_path) {
  return spawn_program(CITYPULSE_BINARY, args, env, log_path);
}

}  // namespace

ServerProcess::ServerProcess(std::string data_dir, std::vector<std::string> extra_args,
                             std::map<std::string, std::string> env, std::string subcommand)
    : data_dir_(std::move(data_dir)),
      args_(std::move(extra_args)),
      env_{{"CITYPULSE_ADMIN_EMAIL", kAdminEmail},
           {"CITYPULSE_ADMIN_PASSWORD", kAdminPassword},
           {"CITYPULSE_RATE_LIMIT_READ_PER_MINUTE", "0"},
           {"CITYPULSE_RATE_LIMIT_WRITE_PER_MINUTE", "0"},
           {"CITYPULSE_RATE_LIMIT_AUTH_PER_MINUTE", "0"}},
      subcommand_(std::move(subcommand)) {
  for (auto& [k, v] : env) env_[k] = std::move(v);
  log_path_ = (fs::path(data_dir_).parent_path() /
               (fs::path(data_dir_).filename().string() + "-server.log"))
                  .string();
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  std::error_code ec;
  fs::remove(log_path_, ec);
}

void ServerProcess::launch() {
  std::vector<std::string> args = {subcommand_, "--data-dir", data_dir_};
  // A test that restarts a server on the same HTTP port passes its own.
  if (const auto given = std::find(args_.begin(), args_.end(), "--http-port");
      given != args_.end() && given + 1 != args_.end()) {
    port_ = static_cast<std::uint16_t>(std::stoi(*(given + 1)));
  } else {
    port_ = free_port();
    args.insert(args.end(), {"--http-port", std::to_string(port_)});
  }
  // Every test server gets a broker port of its own (tests run in parallel),
  // unless the test chose one.
  if (std::find(args_.begin(), args_.end(), "--mqtt-port") == args_.end()) {
    mqtt_port_ = free_port();
    args.insert(args.end(), {"--mqtt-port", std::to_string(mqtt_port_)});
  }
  args.insert(args.end(), args_.begin(), args_.end());
  pid_ = spawn(args, env_, log_path_);
}

bool ServerProcess::start() {
  retried_output_.clear();
  launch();
  // A port free_port() found can be taken by another test's process before
  // the server binds it (tests run in parallel): then it starts again on
  // other ports, a few times.
  int port_retries = 3;
  // A demo writes its history before it listens: seconds of work, more under
  // the sanitizers on a machine busy with other tests.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      if (port_retries-- > 0 &&
          read_file(log_path_).find("Address already in use") != std::string::npos) {
        // What the launch that lost its port did first (a log moved aside on
        // recovery, say) stays part of this start's output.
        retried_output_ = output();
        launch();
        continue;
      }
      return false;
    }
    try {
      HttpClient client(port_);
      if (client.get("/healthz").status == 200 && listens_on(pid_, port_)) return true;
    } catch (const std::exception&) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

int ServerProcess::stop(int signal, int timeout_ms) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, signal);
  return wait_for_exit(pid_, timeout_ms);
}

std::string ServerProcess::output() const {
  return retried_output_ + read_file(log_path_);
}

int run_binary(const std::vector<std::string>& args, std::string& output,
               const std::map<std::string, std::string>& env) {
  TempDir dir;
  const std::string log = dir.path() + "/out.log";
  const pid_t pid = spawn(args, env, log);
  int status = 0;
  ::waitpid(pid, &status, 0);
  output = read_file(log);
  return exit_code_of(status);
}

}  // namespace citypulse::test
