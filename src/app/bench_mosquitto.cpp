#include "app/bench_mosquitto.h"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "app/http_load.h"

namespace citypulse {

BenchMosquitto::BenchMosquitto(std::string program, std::string dir)
    : program_(std::move(program)), dir_(std::move(dir)) {}

Status BenchMosquitto::start() {
  if (::access(program_.c_str(), X_OK) != 0)
    return fail(ErrorCode::unavailable, fmt::format("no Mosquitto at {}", program_));
  auto port = free_loopback_port();
  if (!port) return std::unexpected(port.error());
  port_ = *port;
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  const std::string conf = dir_ + "/mosquitto.conf";
  const std::string log = dir_ + "/mosquitto.log";
  std::ofstream out(conf);
  out << fmt::format(
      "listener {} 127.0.0.1\n"
      "allow_anonymous true\n"
      "persistence false\n"
      "set_tcp_nodelay true\n"
      "max_inflight_messages 0\n"
      "max_queued_messages 100000\n"
      "log_dest stderr\n"
      "log_type error\n"
      "log_type warning\n",
      port_);
  out.close();
  if (!out) return fail(ErrorCode::io, fmt::format("cannot write {}", conf));
  if (auto s = child_.start({program_, "-c", conf}, environment_without_citypulse(), log); !s)
    return s;
  return wait_for_listener(child_, port_, 10'000, log);
}

}  // namespace citypulse
