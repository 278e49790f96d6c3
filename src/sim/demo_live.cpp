#include "sim/demo_live.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <optional>

#include "sim/device_link.h"

namespace citypulse::sim {
namespace {

constexpr TimeMs kMaxStepMs = 60'000;

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

  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    const TimeMs now = now_ms();
    sim_.advance_to(now, static_cast<double>(kMaxStepMs) / 1000);
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
