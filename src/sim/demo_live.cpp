#include "sim/demo_live.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <string>

#include "sim/device_link.h"

namespace citypulse::sim {
namespace {

constexpr TimeMs kMaxStepMs = 60'000;

struct SetValue {
  std::string channel;
  double value = 0;
};

// setValue's params, {"channel": "r1_setpoint", "value": 21.5}.
std::optional<SetValue> parse_set_value(const std::string& params) {
  boost::system::error_code ec;
  const auto body = boost::json::parse(params, ec);
  const auto* o = ec ? nullptr : body.if_object();
  const auto* channel = o ? o->if_contains("channel") : nullptr;
  const auto* value = o ? o->if_contains("value") : nullptr;
  if (!channel || !channel->is_string() || !value || !value->is_number()) return std::nullopt;
  return SetValue{std::string(channel->as_string()), value->to_number<double>()};
}

// One device's way to the server, made on its first report.
struct Sender {
  std::optional<MqttDeviceLink> mqtt;
  std::optional<MqttGatewayLink> gateway;
  TimeMs next_due = 0;
  std::uint64_t failures = 0;
};

}  // namespace

LiveTown::LiveTown(TownSimulator& simulator, const TownLayout& town, const DemoTown& stored,
                   LiveOptions options)
    : sim_(simulator), town_(town), stored_(stored), options_(options) {}

LiveTown::~LiveTown() {
  stop();
}

void LiveTown::start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  {
    std::lock_guard lock(mutex_);
    gateways_listen_.reset();
  }
  thread_ = std::thread([this] { run(); });
}

void LiveTown::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool LiveTown::wait_for_gateways(int timeout_ms) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                 [&] { return gateways_listen_.has_value() || stopping_.load(); });
  return gateways_listen_.value_or(false);
}

LiveCounts LiveTown::counts() const {
  return {mqtt_.load(), gateway_.load(), http_.load(), lorawan_.load(), failed_.load()};
}

void LiveTown::run() {
  const std::size_t n = town_.devices.size();
  std::vector<Sender> senders(n);
  std::map<int, std::vector<int>> behind;  // gateway → its devices
  for (std::size_t d = 0; d < n; ++d)
    if (town_.devices[d].gateway) behind[*town_.devices[d].gateway].push_back(static_cast<int>(d));
  HttpDeviceLink http({.port = options_.http_port, .timeout_ms = options_.timeout_ms});
  ChirpstackLink chirpstack({.port = options_.http_port,
                             .secret = stored_.chirpstack_secret,
                             .timeout_ms = options_.timeout_ms});
  const bool mqtt = options_.mqtt_port != 0;
  if (!mqtt)
    spdlog::warn(
        "demo: no MQTT listener; devices with tokens post over HTTP, automation stations are "
        "silent");
  // The first reports spread over the first quarter minute (a town that
  // comes alive at once), the later ones follow each device's interval.
  const TimeMs start = now_ms();
  for (std::size_t d = 0; d < n; ++d) {
    const auto spread = static_cast<std::size_t>(std::min(town_.devices[d].interval_s, 15)) * 1000;
    senders[d].next_due = start + static_cast<TimeMs>((d * 7919) % spread);
  }

  auto telemetry_of = [&](int d, TimeMs now) {
    Telemetry t{.ts = now, .values = {}};
    for (int p : town_.devices[static_cast<std::size_t>(d)].points)
      if (auto v = sim_.value(p))
        t.values.emplace_back(town_.points[static_cast<std::size_t>(p)].channel, *v);
    return t;
  };
  // A device's own connection: its serial as the client id, a keep-alive its reports keep up.
  auto mqtt_options = [&](const SimDevice& device, const std::string& token) {
    return MqttLinkOptions{
        .port = options_.mqtt_port,
        .token = token,
        .client_id = device.serial,
        .keep_alive_s = static_cast<std::uint16_t>(std::min(3 * device.interval_s, 3600)),
        .timeout_ms = options_.timeout_ms};
  };
  auto report = [&](std::size_t d, const Status& s, std::atomic<std::uint64_t>& ok) {
    if (s) {
      ++ok;
      if (senders[d].failures > 0)
        spdlog::info("demo: {} reports again after {} failed reports", town_.devices[d].name,
                     senders[d].failures);
      senders[d].failures = 0;
      return;
    }
    ++failed_;
    if (senders[d].failures++ % 100 == 0)
      spdlog::warn("demo: {} could not report: {}", town_.devices[d].name, s.error().message);
  };

  // The automation stations obey the server's setValue on their room
  // controllers' setpoints (commands and schedules): the room is heated to
  // the value, which the answer reads back.
  std::map<std::string, int, std::less<>> device_by_name;
  for (std::size_t d = 0; d < n; ++d)
    device_by_name.emplace(town_.devices[d].name, static_cast<int>(d));
  auto answer = [&](const MqttGatewayLink::RpcRequest& request) -> std::string {
    const auto device = device_by_name.find(request.device);
    if (device == device_by_name.end()) return R"({"error":"no such device behind this gateway"})";
    if (request.method != "setValue") return R"({"error":"unknown method"})";
    const auto set = parse_set_value(request.params);
    if (!set) return R"({"error":"setValue takes {\"channel\": text, \"value\": number}"})";
    for (int p : town_.devices[static_cast<std::size_t>(device->second)].points) {
      const SimPoint& point = town_.points[static_cast<std::size_t>(p)];
      if (point.channel != set->channel) continue;
      if (point.signal != Signal::room_setpoint || !point.room)
        return R"({"error":"this channel cannot be written"})";
      sim_.set_room_setpoint(point.building, *point.room, set->value);
      spdlog::debug("demo: {} of {} set to {} °C", point.channel, request.device, set->value);
      return fmt::format(R"({{"value":{}}})", sim_.value(p).value_or(set->value));
    }
    return R"({"error":"no such channel"})";
  };
  auto serve_rpc = [&] {
    for (std::size_t d = 0; d < n; ++d) {
      auto& gateway = senders[d].gateway;
      if (!gateway) continue;
      for (const auto& request : gateway->rpc_requests())
        if (auto s = gateway->reply(request.device, request.id, answer(request)); !s)
          spdlog::warn("demo: {} could not answer RPC {}: {}", town_.devices[d].name, request.id,
                       s.error().message);
    }
  };

  // The automation stations listen first, so that the server's first
  // commands (a schedule's mode in force) find them.
  bool listening = mqtt;
  for (std::size_t d = 0; d < n && mqtt && !stopping_; ++d) {
    if (town_.devices[d].link != Link::mqtt_gateway) continue;
    senders[d].gateway.emplace(mqtt_options(town_.devices[d], stored_.tokens[d]));
    if (auto s = senders[d].gateway->accept_rpc(); !s) {
      listening = false;
      spdlog::warn("demo: {} does not take commands yet: {}", town_.devices[d].name,
                   s.error().message);
    }
  }
  {
    std::lock_guard guard(mutex_);
    gateways_listen_ = listening;
  }
  wake_.notify_all();

  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    const TimeMs now = now_ms();
    sim_.advance_to(now, static_cast<double>(kMaxStepMs) / 1000);
    serve_rpc();
    TimeMs next = now + 1000;
    for (std::size_t d = 0; d < n && !stopping_; ++d) {
      const SimDevice& device = town_.devices[d];
      Sender& s = senders[d];
      if (device.link == Link::via_gateway) continue;  // sent with its gateway
      if (s.next_due > now) {
        next = std::min(next, s.next_due);
        continue;
      }
      const TimeMs interval = std::int64_t{device.interval_s} * 1000;
      s.next_due = std::max(s.next_due + interval, now + interval / 2);
      next = std::min(next, s.next_due);
      const std::string& token = stored_.tokens[d];
      switch (device.link) {
        case Link::mqtt_gateway: {
          if (!mqtt) break;
          std::vector<std::pair<std::string, Telemetry>> batch;
          for (int child : behind[static_cast<int>(d)]) {
            auto t = telemetry_of(child, now);
            if (!t.values.empty())
              batch.emplace_back(town_.devices[static_cast<std::size_t>(child)].name, std::move(t));
          }
          if (batch.empty()) break;
          if (!s.gateway) s.gateway.emplace(mqtt_options(device, token));
          report(d, s.gateway->publish(batch), gateway_);
          break;
        }
        case Link::mqtt:
        case Link::http: {
          auto t = telemetry_of(static_cast<int>(d), now);
          if (t.values.empty()) break;
          if (device.link == Link::http || !mqtt) {
            if (options_.http_port == 0) break;
            report(d, http.post(token, t), http_);
            break;
          }
          if (!s.mqtt) s.mqtt.emplace(mqtt_options(device, token));
          report(d, s.mqtt->publish(t), mqtt_);
          break;
        }
        case Link::lorawan: {
          if (options_.http_port == 0) break;
          auto t = telemetry_of(static_cast<int>(d), now);
          if (t.values.empty()) break;
          // A radio link of its own: weaker the further the sensor (by its number).
          const double rssi = -62.0 - static_cast<double>((d * 37) % 55);
          const double snr = 9.5 - static_cast<double>((d * 13) % 17);
          report(d, chirpstack.uplink(device.serial, device.name, t, rssi, snr), lorawan_);
          break;
        }
        case Link::via_gateway:
          break;
      }
    }
    lock.lock();
    wake_.wait_for(lock, std::chrono::milliseconds(std::max<TimeMs>(50, next - now_ms())),
                   [&] { return stopping_.load(); });
  }
  lock.unlock();
  for (auto& s : senders) {  // offline as "disconnected", not as lost
    if (s.mqtt) s.mqtt->close();
    if (s.gateway) s.gateway->close();
  }
}

}  // namespace citypulse::sim
