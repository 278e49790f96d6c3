#include "app/bench_mqtt.h"

#include <fmt/format.h>
#include <signal.h>

#include <algorithm>
#include <boost/json.hpp>
#include <memory>
#include <vector>

#include "api/json_io.h"
#include "app/bench_fixture.h"
#include "app/bench_folder.h"
#include "app/bench_mosquitto.h"
#include "app/bench_mqtt_load.h"
#include "app/bench_options.h"
#include "app/bench_server.h"
#include "core/time.h"

namespace citypulse {
namespace json = boost::json;
namespace {

constexpr int kCityPulseThreads = 2;  // mqtt.threads, the default

// One broker under the load: where it listens and which process it is.
struct Target {
  std::string name;  // citypulse | mosquitto
  std::uint16_t port = 0;
  pid_t pid = -1;
  int threads = 1;
};

// What every connection publishes next: a message of the telemetry shape
// each time. Devices send their own increasing times (a day back, a
// millisecond apart) and their simulated model's channels and values;
// anonymous publishers the steady clock in µs, which the fan-out
// subscriber reads back as the publishing time.
struct MessageMaker {
  const sim::LoadFleet* fleet = nullptr;  // set: devices' telemetry, one model each
  struct Sender {
    TimeMs t = 0;
    std::int64_t seq = 0;
  };
  std::vector<Sender> senders;

  void next(int index, std::string& topic, std::string& payload) {
    auto& s = senders[static_cast<std::size_t>(index)];
    const auto seq = s.seq++;
    if (fleet) {
      topic = "v1/devices/me/telemetry";
      payload = fmt::format("{{\"ts\":{},\"values\":{{", s.t++);
      const auto& channels = fleet->channels(index);
      for (std::size_t k = 0; k < channels.size(); ++k)
        fmt::format_to(std::back_inserter(payload), "{}\"{}\":{}", k ? "," : "", channels[k].name,
                       fleet->value(index, static_cast<int>(k), seq));
      payload += "}}";
    } else {
      const auto value = seq % 1000;
      topic = fmt::format("bench/{}", index);
      payload = fmt::format("{{\"ts\":{},\"values\":{{\"t\":{}}}}}", steady_us(), value);
    }
  }
};

MqttRunSpec spec_of(const BenchMqttOptions& o, const Target& target,
                    std::shared_ptr<MessageMaker> maker) {
  MqttRunSpec spec;
  spec.load.port = target.port;
  spec.load.qos = static_cast<std::uint8_t>(o.qos);
  spec.load.window = o.inflight;
  const int publishers = o.mode == "idle" ? 0 : o.connections;
  spec.load.interval_us = o.rate > 0 ? 1e6 * publishers / o.rate : 0;
  spec.threads = o.client_threads;
  spec.duration_s = o.duration_s;
  spec.hold = o.mode == "idle";
  spec.broker_pid = target.pid;
  maker->senders.assign(static_cast<std::size_t>(o.connections + 1),
                        MessageMaker::Sender{now_ms() - 24 * 3'600'000, 0});
  spec.next_message = [maker](int index, std::string& topic, std::string& payload) {
    maker->next(index, topic, payload);
  };
  for (int i = 0; i < o.connections; ++i) {
    MqttLoadClient client;
    client.client_id = fmt::format("bench-{}", i);
    client.keep_alive_s = spec.hold ? 600 : 60;
    spec.clients.push_back(std::move(client));
  }
  if (o.mode == "fanout") {
    MqttLoadClient subscriber;
    subscriber.client_id = "bench-subscriber";
    subscriber.subscription = "bench/#";
    spec.clients.push_back(std::move(subscriber));
  }
  return spec;
}

json::object line_of(const BenchMqttOptions& o, const Target& target, const MqttRun& run) {
  json::object line{{"bench", "mqtt"},
                    {"mode", o.mode},
                    {"broker", target.name},
                    {"broker_threads", target.threads},
                    {"connections", o.connections},
                    {"client_threads", std::min(o.client_threads, o.connections)},
                    {"qos", o.qos},
                    {"inflight", o.inflight},
                    {"target_rate", o.rate}};
  const auto& t = run.tally;
  if (o.mode == "idle") {
    line["connect_s"] = run.connect_seconds;
    line["held_s"] = run.seconds;
    line["rss_before_bytes"] = run.broker_rss_before;
    line["rss_after_bytes"] = run.broker_rss_after;
    line["bytes_per_connection"] =
        static_cast<double>(run.broker_rss_after - run.broker_rss_before) / o.connections;
  } else {
    // QoS 0: nothing is acknowledged; what the broker read (a PINGRESP
    // after it came) is what it took.
    const auto taken = o.qos == 0 ? t.counts.read_by_broker : t.acknowledged;
    line["duration_s"] = run.seconds;
    line["messages"] = t.counts.published;
    line["messages_per_s"] = static_cast<double>(taken) / run.seconds;
    if (o.qos > 0) {
      line["p50_ms"] = t.acknowledgement.quantile(0.50);
      line["p99_ms"] = t.acknowledgement.quantile(0.99);
      line["max_ms"] = t.acknowledgement.max_ms();
    }
    if (o.mode == "fanout") {
      line["delivered"] = t.delivered;
      line["delivered_per_s"] =
          static_cast<double>(t.delivered) / std::max(run.delivery_seconds, 1e-9);
      line["not_delivered"] = t.counts.published - t.delivered;
      line["delivery_p50_ms"] = t.delivery.quantile(0.50);
      line["delivery_p99_ms"] = t.delivery.quantile(0.99);
      line["delivery_max_ms"] = t.delivery.max_ms();
    }
    const double messages = std::max<double>(1, static_cast<double>(t.counts.published));
    line["broker_cpu_us_per_message"] = 1e6 * run.broker_cpu_seconds / messages;
    line["client_cpu_us_per_message"] = 1e6 * run.client_cpu_seconds / messages;
    line["unacknowledged"] = t.counts.unacknowledged;
  }
  line["errors"] = t.counts.errors + t.refused;
  if (!t.counts.first_error.empty()) line["first_error"] = t.counts.first_error;
  return line;
}

// Telemetry into CityPulse, then the kill and the count.
Status run_telemetry(const BenchMqttOptions& o, const std::string& dir) {
  const std::string mqtt_inflight = fmt::format("{}", std::max(64, o.inflight));
  BenchServer server(
      dir + "/citypulse",
      {"CITYPULSE_MQTT_CONNECT_PER_MINUTE=0", "CITYPULSE_MQTT_MAX_INFLIGHT=" + mqtt_inflight,
       fmt::format("CITYPULSE_MQTT_THREADS={}", kCityPulseThreads)});
  if (auto s = server.start(); !s) return s;
  const sim::LoadFleet fleet(o.connections, o.values);
  auto devices = create_bench_devices(server.http_port(), server.password(), fleet, "mqtt");
  if (!devices) return std::unexpected(devices.error());
  const Target target{"citypulse", server.mqtt_port(), server.pid(), kCityPulseThreads};
  auto maker = std::make_shared<MessageMaker>();
  maker->fleet = &fleet;
  auto spec = spec_of(o, target, maker);
  for (int i = 0; i < o.connections; ++i)
    spec.clients[static_cast<std::size_t>(i)].username =
        devices->tokens[static_cast<std::size_t>(i)];
  auto run = run_mqtt_load(spec);
  if (!run) return std::unexpected(run.error());

  // Acknowledged means durable: kill without warning, start again, count.
  server.stop(SIGKILL);
  if (auto s = server.start(); !s) return s;
  auto stored = count_stored_readings(server.http_port(), server.password(), devices->points);
  if (!stored) return std::unexpected(stored.error());
  server.stop(SIGTERM);

  auto line = line_of(o, target, *run);
  const auto& t = run->tally;
  const auto acknowledged = t.acknowledged * o.values;
  line["values"] = o.values;
  line["readings_per_s"] = line["messages_per_s"].as_double() * o.values;
  line["acknowledged"] = acknowledged;
  if (o.qos == 0) line["sent_readings"] = t.counts.published * o.values;
  line["stored_after_kill"] = *stored;
  if (o.qos > 0)
    line["durable"] = *stored == acknowledged;
  else
    line["durable"] = nullptr;  // QoS 0 promises nothing
  fmt::print("{}\n", to_json_text(line));
  std::fflush(stdout);
  if (o.qos > 0 && *stored != acknowledged)
    return fail(
        ErrorCode::internal,
        fmt::format("{} readings acknowledged but {} stored after a kill", acknowledged, *stored));
  return {};
}

// publish, fanout or idle against one broker.
Status run_against(const BenchMqttOptions& o, const std::string& broker, const std::string& dir) {
  std::unique_ptr<BenchServer> server;
  std::unique_ptr<BenchMosquitto> mosquitto;
  Target target;
  target.name = broker;
  if (broker == "citypulse") {
    // Queues as deep as Mosquitto's here (bench_mosquitto.h).
    server = std::make_unique<BenchServer>(
        dir + "/citypulse",
        std::vector<std::string>{
            "CITYPULSE_MQTT_ALLOW_ANONYMOUS=true", "CITYPULSE_MQTT_CONNECT_PER_MINUTE=0",
            "CITYPULSE_MQTT_MAX_QUEUED_PER_SESSION=100000",
            fmt::format("CITYPULSE_MQTT_MAX_INFLIGHT={}", std::max(64, o.inflight)),
            fmt::format("CITYPULSE_MQTT_THREADS={}", kCityPulseThreads)});
    if (auto s = server->start(); !s) return s;
    target.port = server->mqtt_port();
    target.pid = server->pid();
    target.threads = kCityPulseThreads;
  } else {
    mosquitto = std::make_unique<BenchMosquitto>(o.mosquitto, dir + "/mosquitto");
    if (auto s = mosquitto->start(); !s) return s;
    target.port = mosquitto->port();
    target.pid = mosquitto->pid();
  }
  auto run = run_mqtt_load(spec_of(o, target, std::make_shared<MessageMaker>()));
  if (!run) return std::unexpected(run.error());
  if (server) server->stop(SIGTERM);
  if (mosquitto) mosquitto->stop(SIGTERM);
  fmt::print("{}\n", to_json_text(line_of(o, target, *run)));
  std::fflush(stdout);
  return {};
}

}  // namespace

Status validate(const BenchMqttOptions& o) {
  const bool idle = o.mode == "idle";
  if (o.mode != "telemetry" && o.mode != "publish" && o.mode != "fanout" && !idle)
    return fail(ErrorCode::invalid, "--mode must be telemetry, publish, fanout or idle");
  if (o.broker != "citypulse" && o.broker != "mosquitto" && o.broker != "both")
    return fail(ErrorCode::invalid, "--broker must be citypulse, mosquitto or both");
  if (o.mode == "telemetry" && o.broker != "citypulse")
    return fail(ErrorCode::invalid,
                "--mode telemetry measures CityPulse only (--broker citypulse)");
  const int most = idle ? 100'000 : 10'000;
  if (o.connections < 1 || o.connections > most)
    return fail(ErrorCode::invalid, fmt::format("--connections must be 1..{}", most));
  if (o.qos < 0 || o.qos > 2) return fail(ErrorCode::invalid, "--qos must be 0, 1 or 2");
  if (o.inflight < 1 || o.inflight > 65'535)
    return fail(ErrorCode::invalid, "--inflight must be 1..65535");
  if (o.values < 1 || o.values > 100) return fail(ErrorCode::invalid, "--points-per-device must be 1..100");
  return validate_load_options(o.rate, o.duration_s, o.client_threads);
}

Status run_bench_mqtt(const BenchMqttOptions& o) {
  BenchFolder folder(o.data_dir);
  if (auto s = folder.create(); !s) return s;
  const auto& dir = folder.path();
  if (o.mode == "telemetry") return run_telemetry(o, dir);
  for (const char* broker : {"citypulse", "mosquitto"})
    if (o.broker == broker || o.broker == "both")
      if (auto s = run_against(o, broker, dir); !s) return s;
  return {};
}

}  // namespace citypulse
