#include "sim/rest_thermostat.h"

#include <fmt/format.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <cmath>
#include <map>
#include <mutex>
#include <numbers>
#include <random>
#include <thread>

namespace citypulse::sim {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::string_view kPrefix = "/api/thermostats/";
constexpr double kMinSetpoint = 5.0, kMaxSetpoint = 30.0;
constexpr std::size_t kMaxBodyBytes = 64 * 1024;

struct Zone {
  double temperature = 19.0;
  double setpoint = 21.0;
  Clock::time_point updated;
};

using Response = http::response<http::string_body>;

Response json_answer(http::status status, const json::value& body) {
  Response res{status, 11};
  res.set(http::field::content_type, "application/json");
  res.body() = json::serialize(body);
  return res;
}

Response error_answer(http::status status, std::string message) {
  return json_answer(status, json::object{{"error", std::move(message)}});
}

}  // namespace

struct RestThermostat::State {
  explicit State(const RestThermostatOptions& o)
      : options(o), acceptor(io), started(Clock::now()) {}

  const RestThermostatOptions options;
  asio::io_context io;
  tcp::acceptor acceptor;
  std::thread thread;
  const Clock::time_point started;
  std::atomic<std::int64_t> delay_ms{0};
  std::atomic<bool> silent{false};
  std::atomic<std::size_t> padding{0};
  std::atomic<bool> maintenance{false};

  mutable std::mutex mutex;  // guards the zones, the requests and the noise
  std::map<std::string, Zone, std::less<>> zones;
  std::vector<ThermostatRequest> requests;
  mutable std::minstd_rand noise{2601};

  // The temperature sensor's error on one read (0 without noise).
  double sensor_noise() const {
    const double k = options.sensor_noise_k;
    return k > 0 ? std::uniform_real_distribution<double>(-k, k)(noise) : 0.0;
  }

  // Brings the zone's temperature up to now (first order toward the setpoint).
  void advance(Zone& z, Clock::time_point now) const {
    const double dt = std::chrono::duration<double>(now - z.updated).count() * options.time_scale;
    z.temperature += (z.setpoint - z.temperature) * (1.0 - std::exp(-dt / 600.0));
    z.updated = now;
  }

  double humidity(Clock::time_point now) const {
    const double t = std::chrono::duration<double>(now - started).count() * options.time_scale;
    return 45.0 + 5.0 * std::sin(2 * std::numbers::pi * t / 3600.0);
  }

  Response state_of(std::string_view serial, Zone& z) const {
    const auto now = Clock::now();
    advance(z, now);
    const auto round = [](double x, double step) { return std::round(x / step) * step; };
    json::object state{{"serial", serial},
                       {"temperature", round(z.temperature + sensor_noise(), 0.01)},
                       {"setpoint", z.setpoint},
                       {"mode", "heat"},
                       {"heating", z.temperature < z.setpoint - 0.2},
                       {"humidity", fmt::format("{:.1f}", humidity(now))},
                       {"firmware", {{"version", "2.1.0"}}}};
    if (const std::size_t bytes = padding; bytes > 0) state["padding"] = std::string(bytes, 'x');
    return json_answer(http::status::ok, state);
  }

  Response set_setpoint(Zone& z, std::string_view body) const {
    boost::system::error_code ec;
    const json::value v = json::parse(body, ec);
    const json::value* value =
        (!ec && v.is_object()) ? v.get_object().if_contains("value") : nullptr;
    if (value == nullptr || !value->is_number())
      return error_answer(http::status::bad_request, "the body must be {\"value\": number}");
    const double setpoint = value->to_number<double>();
    if (!(setpoint >= kMinSetpoint && setpoint <= kMaxSetpoint))
      return error_answer(http::status::unprocessable_entity,
                          fmt::format("setpoint {} is outside {} to {} degC", setpoint,
                                      kMinSetpoint, kMaxSetpoint));
    advance(z, Clock::now());
    z.setpoint = setpoint;
    return json_answer(http::status::ok, json::object{{"setpoint", setpoint}});
  }

  Response answer(const http::request<http::string_body>& req) {
    const std::string_view target = req.target();
    const std::string_view authorization = req[http::field::authorization];
    std::lock_guard lock(mutex);
    requests.push_back({std::string(req.method_string()), std::string(target),
                        std::string(authorization), std::string(req[http::field::content_type]),
                        req.body()});
    if (!options.token.empty() && authorization != "Bearer " + options.token) {
      auto res = error_answer(http::status::unauthorized, "a valid bearer token is required");
      res.set(http::field::www_authenticate, "Bearer");
      return res;
    }
    if (maintenance) return error_answer(http::status::service_unavailable, "down for maintenance");
    if (!target.starts_with(kPrefix)) return error_answer(http::status::not_found, "no such path");
    std::string_view rest = target.substr(kPrefix.size());
    const auto slash = rest.find('/');
    const std::string_view serial = rest.substr(0, slash);
    const std::string_view tail = slash == std::string_view::npos ? "" : rest.substr(slash);
    auto zone = zones.find(serial);
    if (zone == zones.end())
      return error_answer(http::status::not_found, fmt::format("no thermostat '{}'", serial));
    if (tail.empty()) {
      if (req.method() != http::verb::get)
        return error_answer(http::status::method_not_allowed, "GET only");
      return state_of(serial, zone->second);
    }
    if (tail == "/setpoint") {
      if (req.method() != http::verb::put)
        return error_answer(http::status::method_not_allowed, "PUT only");
      return set_setpoint(zone->second, req.body());
    }
    return error_answer(http::status::not_found, "no such path");
  }
};

namespace {

// GCC 12 takes Asio's coroutine frame allocation and its operator delete for
// a mismatch (GCC bug 109224, a false positive): both are Asio's own.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

// The state outlives every coroutine: they end when stop() stops the
// io_context, whose destruction (in the state's) drops their frames.
asio::awaitable<void> serve(RestThermostat::State* s, tcp::socket socket) {
  boost::beast::flat_buffer buffer;
  boost::system::error_code ec;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(kMaxBodyBytes);
    co_await http::async_read(socket, buffer, parser,
                              asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    auto req = parser.release();
    if (s->silent) {
      s->answer(req);  // recorded, never sent: hold the connection until the client goes
      char byte = 0;
      while (!ec)
        co_await socket.async_read_some(asio::buffer(&byte, 1),
                                        asio::redirect_error(asio::use_awaitable, ec));
      co_return;
    }
    if (const auto delay = s->delay_ms.load(); delay > 0) {
      asio::steady_timer timer(socket.get_executor(), std::chrono::milliseconds(delay));
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    Response res = s->answer(req);
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    co_await http::async_write(socket, res, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || !res.keep_alive()) co_return;
  }
}

asio::awaitable<void> accept(RestThermostat::State* s) {
  for (;;) {
    boost::system::error_code ec;
    tcp::socket socket =
        co_await s->acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;  // closed by stop()
    asio::co_spawn(s->io, serve(s, std::move(socket)), asio::detached);
  }
}

#pragma GCC diagnostic pop

}  // namespace

Result<std::unique_ptr<RestThermostat>> RestThermostat::start(
    const RestThermostatOptions& options) {
  if (options.serials.empty() || !(options.time_scale >= 0.001 && options.time_scale <= 100'000))
    return fail(ErrorCode::invalid,
                "a simulated thermostat needs serials and a time scale of 0.001..100000");
  if (!(options.sensor_noise_k >= 0 && options.sensor_noise_k <= 5))
    return fail(ErrorCode::invalid, "the sensor noise must be from 0 to 5 K", "sensor_noise_k");
  auto state = std::make_unique<State>(options);
  for (const auto& serial : options.serials) state->zones[serial].updated = state->started;
  boost::system::error_code ec;
  const auto address = asio::ip::make_address_v4(options.host, ec);
  if (ec) return fail(ErrorCode::invalid, fmt::format("'{}' is not an IPv4 address", options.host));
  const tcp::endpoint endpoint(address, options.port);
  state->acceptor.open(endpoint.protocol(), ec);
  if (!ec) state->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) state->acceptor.bind(endpoint, ec);
  if (!ec) state->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return fail(ErrorCode::unavailable, fmt::format("the thermostat cannot listen on {}:{}: {}",
                                                    options.host, options.port, ec.message()));
  asio::co_spawn(state->io, accept(state.get()), asio::detached);
  state->thread = std::thread([s = state.get()] { s->io.run(); });
  return std::unique_ptr<RestThermostat>(new RestThermostat(std::move(state)));
}

RestThermostat::RestThermostat(std::unique_ptr<State> state) : state_(std::move(state)) {}

RestThermostat::~RestThermostat() {
  stop();
}

std::uint16_t RestThermostat::port() const {
  boost::system::error_code ec;
  const auto endpoint = state_->acceptor.local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

std::string RestThermostat::base_url() const {
  return fmt::format("http://{}:{}", state_->options.host, port());
}

void RestThermostat::set_reply_delay(std::chrono::milliseconds delay) {
  state_->delay_ms = delay.count();
}

void RestThermostat::set_silent(bool silent) {
  state_->silent = silent;
}

void RestThermostat::set_padding(std::size_t bytes) {
  state_->padding = bytes;
}

void RestThermostat::set_maintenance(bool maintenance) {
  state_->maintenance = maintenance;
}

std::optional<double> RestThermostat::setpoint(std::string_view serial) const {
  std::lock_guard lock(state_->mutex);
  auto it = state_->zones.find(serial);
  if (it == state_->zones.end()) return std::nullopt;
  return it->second.setpoint;
}

std::vector<ThermostatRequest> RestThermostat::requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->requests;
}

void RestThermostat::stop() {
  if (!state_->thread.joinable()) return;
  // Stopping the io_context drops every coroutine with its socket: held
  // (silent) connections close too.
  state_->io.stop();
  state_->thread.join();
  boost::system::error_code ignored;
  state_->acceptor.close(ignored);
}

}  // namespace citypulse::sim
