#include "server_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "http_client.h"

#ifndef CITYPULSE_BINARY
#error "CITYPULSE_BINARY must name the citypulse executable"
#endif

namespace citypulse::test {

namespace fs = std::filesystem;

std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw std::runtime_error("bind failed");
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

TempDir::TempDir() {
  std::string pattern = (fs::temp_directory_path() / "citypulse-test-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

namespace {

pid_t spawn(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
            const std::string& log_path) {
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ::dup2(fd, 1);
  ::dup2(fd, 2);
  const int null = ::open("/dev/null", O_RDONLY);
  ::dup2(null, 0);
  for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
  std::vector<char*> argv;
  std::string binary = CITYPULSE_BINARY;
  argv.push_back(binary.data());
  std::vector<std::string> copy = args;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::execv(binary.c_str(), argv.data());
  std::_Exit(127);
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
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
  port_ = free_port();
  std::vector<std::string> args = {subcommand_, "--data-dir", data_dir_, "--http-port",
                                   std::to_string(port_)};
  args.insert(args.end(), args_.begin(), args_.end());
  pid_ = spawn(args, env_, log_path_);
}

bool ServerProcess::start() {
  launch();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    try {
      HttpClient client(port_);
      if (client.get("/healthz").status == 200) return true;
    } catch (const std::exception&) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

int ServerProcess::stop(int signal, int timeout_ms) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, signal);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return decode_status(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

std::string ServerProcess::output() const {
  return read_all(log_path_);
}

int run_binary(const std::vector<std::string>& args, std::string& output,
               const std::map<std::string, std::string>& env) {
  TempDir dir;
  const std::string log = dir.path() + "/out.log";
  const pid_t pid = spawn(args, env, log);
  int status = 0;
  ::waitpid(pid, &status, 0);
  output = read_all(log);
  return decode_status(status);
}

}  // namespace citypulse::test
