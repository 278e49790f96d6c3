#include "app/bench_server.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "app/http_load.h"
#include "auth/secret.h"

namespace citypulse {

BenchServer::BenchServer(std::string data_dir, std::vector<std::string> settings)
    : data_dir_(std::move(data_dir)),
      settings_(std::move(settings)),
      password_(auth::random_token(24)),
      log_(data_dir_ + "/server.log") {}

Status BenchServer::start() {
  std::error_code ec;
  std::filesystem::create_directories(data_dir_, ec);
  if (http_port_ == 0) {
    auto http = free_loopback_port();
    auto mqtt = free_loopback_port();
    if (!http || !mqtt) return fail(ErrorCode::io, "no free loopback port");
    // Two probes in a row may hand out the same port.
    if (*http == *mqtt) return fail(ErrorCode::io, "no two free loopback ports");
    http_port_ = *http;
    mqtt_port_ = *mqtt;
  }
  std::vector<std::string> env = environment_without_citypulse();
  // getenv() takes the first of a name: the settings go before the defaults.
  env.insert(env.end(), settings_.begin(), settings_.end());
  for (auto kv :
       {"CITYPULSE_ADMIN_EMAIL=" + std::string(kBenchAdminEmail),
        "CITYPULSE_ADMIN_PASSWORD=" + password_, std::string("CITYPULSE_HTTP_ACCESS_LOG=false"),
        std::string("CITYPULSE_RATE_LIMIT_READ_PER_MINUTE=0"),
        std::string("CITYPULSE_RATE_LIMIT_WRITE_PER_MINUTE=0"),
        std::string("CITYPULSE_RATE_LIMIT_AUTH_PER_MINUTE=0")})
    env.push_back(std::move(kv));
  if (auto s = child_.start({"/proc/self/exe", "serve", "--data-dir", data_dir_, "--http-port",
                             std::to_string(http_port_), "--mqtt-port", std::to_string(mqtt_port_),
                             "--log-level", "warn"},
                            std::move(env), log_);
      !s)
    return s;
  LoadConnection probe(http_port_);
  for (int i = 0; i < 400; ++i) {
    if (auto r = probe.request("GET", "/healthz"); r && r->status == 200)
      return wait_for_listener(child_, mqtt_port_, 10'000, log_);
    if (!child_.running())
      return fail(ErrorCode::io, fmt::format("the server exited at start (see {})", log_));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return fail(ErrorCode::io, fmt::format("the server did not answer in 20 s (see {})", log_));
}

}  // namespace citypulse
