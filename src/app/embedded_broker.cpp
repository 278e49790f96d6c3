#include "app/embedded_broker.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <optional>

#include "app/device_status_events.h"
#include "core/metrics.h"
#include "core/text.h"
#include "core/time.h"
#include "transport/mqtt/blocking_work.h"
#include "transport/mqtt/bridge.h"
#include "transport/mqtt/broker.h"
#include "transport/mqtt/broker_state.h"
#include "transport/mqtt/device_intake.h"
#include "transport/mqtt/device_rpc.h"
#include "transport/mqtt/sys_topics.h"
#include "transport/mqtt/tenant_admission.h"

namespace citypulse {
namespace {

std::vector<std::string> deny_list(std::string_view text) {
  std::vector<std::string> out;
  for (auto filter : split_list(text)) out.emplace_back(filter);
  return out;
}

// The API's view of device RPC, carried by the broker.
// A device behind a gateway is asked through its gateway.
class MqttRpcChannel final : public RpcChannel {
 public:
  MqttRpcChannel(mqtt::DeviceRpc& rpc, ingest::Directory& directory)
      : rpc_(rpc), directory_(directory) {}
  void call(Id tenant_id, Id device_id, std::string request, std::int64_t timeout_ms,
            std::move_only_function<void(Result<std::string>)> done) override {
    auto snapshot = directory_.current();
    if (!snapshot) {
      done(std::unexpected(snapshot.error()));
      return;
    }
    const auto* device = (*snapshot)->device(device_id);
    if (device && device->gateway_id) {
      rpc_.call(tenant_id, device_id, {*device->gateway_id, device->name}, std::move(request),
                timeout_ms, std::move(done));
      return;
    }
    rpc_.call(tenant_id, device_id, std::move(request), timeout_ms, std::move(done));
  }

 private:
  mqtt::DeviceRpc& rpc_;
  ingest::Directory& directory_;
};

}  // namespace

struct EmbeddedBroker::Parts {
  Parts(const Config& config, MetaStore& store, ingest::Directory& directory,
        ingest::Pipeline& pipeline, auth::Authenticator& authenticator, auth::RateLimiter& limiter,
        bus::EventBus* bus)
      : state_path((std::filesystem::path(config.storage.data_dir) / "mqtt.db").string()),
        mc(config.mqtt),
        status_events(bus ? std::make_unique<DeviceStatusEvents>(*bus) : nullptr),
        presence(status_events.get()),
        broker({.max_queued_per_session = static_cast<std::size_t>(mc.max_queued_per_session),
                .max_session_expiry_s = static_cast<std::uint32_t>(mc.max_session_expiry_s)}),
        work(config.workers.threads),
        admission_work(config.workers.threads),
        admission(directory, authenticator, limiter, admission_work,
                  {.allow_anonymous = mc.allow_anonymous,
                   .connect_per_minute = mc.connect_per_minute,
                   .failures_per_minute = config.rate_limit.device_failures_per_minute}),
        device_rpc(broker),
        rpc_channel(device_rpc, directory),
        intake(pipeline, directory, store, broker, device_rpc, work,
               {.max_readings_per_message =
                    static_cast<std::size_t>(config.ingest.max_readings_per_request),
                .ack_after_durable = mc.ack_after_durable},
               &presence),
        context{broker,
                admission,
                intake,
                {.max_packet_size = static_cast<std::uint32_t>(mc.max_packet_size),
                 .receive_maximum = static_cast<std::uint16_t>(mc.max_inflight),
                 .max_topic_levels = static_cast<std::size_t>(mc.max_topic_depth),
                 .max_keep_alive_s = static_cast<std::uint16_t>(mc.max_keep_alive_s),
                 .deny = deny_list(mc.deny)},
                &presence},
        server({.bind = mc.bind,
                .port = mc.port,
                .tls_port = mc.tls_port,
                .tls_cert = mc.tls_cert,
                .tls_key = mc.tls_key,
                .tls_client_ca = mc.tls_client_ca,
                .threads = mc.threads,
                .max_connections = mc.max_connections,
                .every_second = [this] { every_second(); }},
               context) {}

  void every_second() {
    intake.end_disabled_devices();
    device_rpc.expire(now_ms());
    ++seconds;
    if (seconds % kSysPeriodS == 1)  // the first a second after the start
      mqtt::publish_sys_topics(broker, CITYPULSE_VERSION, (steady_ms() - started_ms) / 1000,
                               server.connections());
    if (seconds % kSavePeriodS == 0 && state_file && !saving.exchange(true))
      work.run([this] {
        save_state();
        saving = false;
      });
  }

  // Writes the broker's state when it changed since the last save.
  void save_state() {
    std::lock_guard lock(save_mutex);
    const auto changes = broker.changes();
    if (changes == saved_changes) return;
    if (auto s = state_file->save(broker.snapshot()); !s) {
      spdlog::warn("saving the MQTT sessions failed: {}", s.error().message);
      return;
    }
    saved_changes = changes;
  }

  static constexpr int kSysPeriodS = 10;  // how often $SYS/ is refreshed
  static constexpr int kSavePeriodS = 5;  // how often a changed state is saved
  std::optional<mqtt::BrokerStateFile> state_file;
  std::mutex save_mutex;  // one save at a time; guards saved_changes
  std::uint64_t saved_changes = 0;
  std::atomic<bool> saving{false};
  const std::string state_path;
  const std::int64_t started_ms = steady_ms();
  std::int64_t seconds = 0;
  const MqttConfig mc;
  // Before everything that tells the presence (connections, the intake's
  // workers), so it outlives them.
  std::unique_ptr<DeviceStatusEvents> status_events;  // a bus was given
  mqtt::DevicePresence presence;
  mqtt::Broker broker;
  mqtt::BlockingWork work;
  // Sign-ins (password checks, store lookups) have threads of their own:
  // ingest waiting for room on `work` never holds up a CONNECT.
  mqtt::BlockingWork admission_work;
  mqtt::TenantAdmission admission;
  mqtt::DeviceRpc device_rpc;
  MqttRpcChannel rpc_channel;
  mqtt::DeviceIntake intake;
  mqtt::ConnectionContext context;
  mqtt::MqttServer server;
  std::unique_ptr<mqtt::MqttBridge> bridge;  // mqtt.bridge.url set
};

EmbeddedBroker::EmbeddedBroker(const Config& config, MetaStore& store, ingest::Directory& directory,
                               ingest::Pipeline& pipeline, auth::Authenticator& authenticator,
                               auth::RateLimiter& limiter, bus::EventBus* bus)
    : parts_(std::make_unique<Parts>(config, store, directory, pipeline, authenticator, limiter,
                                     bus)) {}

EmbeddedBroker::~EmbeddedBroker() {
  stop();
}

bool EmbeddedBroker::enabled() const {
  return parts_->mc.port >= 0 || parts_->mc.tls_port >= 0;
}

Result<mqtt::MqttPorts> EmbeddedBroker::start() {
  auto ports = start_listeners();
  if (!ports) return ports;
  auto& p = *parts_;
  const auto& bc = p.mc.bridge;
  if (bc.url.empty() || p.bridge) return ports;
  // load_config checked these already; a Config made otherwise is checked here.
  Config checked;
  checked.mqtt = p.mc;
  if (auto s = check_config(checked); !s) return std::unexpected(s.error());
  auto options = mqtt::bridge_options(bc, static_cast<std::uint32_t>(p.mc.max_packet_size),
                                      static_cast<std::uint16_t>(p.mc.max_inflight),
                                      static_cast<std::size_t>(p.mc.max_topic_depth));
  if (!options) return std::unexpected(options.error());
  p.bridge = std::make_unique<mqtt::MqttBridge>(std::move(*options), p.broker, p.intake);
  if (auto s = p.bridge->start(); !s) {
    p.bridge.reset();
    return std::unexpected(s.error());
  }
  return ports;
}

Result<mqtt::MqttPorts> EmbeddedBroker::start_listeners() {
  if (!enabled()) return mqtt::MqttPorts{};
  auto& p = *parts_;
  auto file = mqtt::BrokerStateFile::open(p.state_path);
  if (!file)
    return fail(ErrorCode::io, fmt::format("cannot open the MQTT state file {}: {}", p.state_path,
                                           file.error().message));
  auto state = file->load();
  if (!state)
    return fail(ErrorCode::io, fmt::format("cannot read the MQTT state file {}: {}", p.state_path,
                                           state.error().message));
  if (!state->sessions.empty() || !state->retained.empty())
    spdlog::info("MQTT state restored: {} sessions, {} retained messages", state->sessions.size(),
                 state->retained.size());
  p.broker.restore(std::move(*state));
  p.saved_changes = p.broker.changes();
  p.state_file = std::move(*file);
  auto ports = p.server.start();
  if (!ports) return ports;
  const auto& bind = parts_->mc.bind;
  if (ports->plain) spdlog::info("MQTT broker listening on {}:{}", bind, ports->plain);
  if (ports->tls) spdlog::info("MQTT broker (TLS) listening on {}:{}", bind, ports->tls);
  return ports;
}

void EmbeddedBroker::stop() {
  auto& p = *parts_;
  // The bridge first: it routes into the broker and takes in through the intake.
  if (p.bridge) p.bridge->stop();
  p.server.stop();
  // What changed since the last periodic save; the sessions are all offline now.
  if (p.state_file) p.save_state();
}

RpcChannel& EmbeddedBroker::rpc() {
  return parts_->rpc_channel;
}

mqtt::ConnectionContext& EmbeddedBroker::context() {
  return parts_->context;
}

void EmbeddedBroker::append_metrics(std::string& out) const {
  const auto s = parts_->broker.stats();
  render_gauge(out, "citypulse_mqtt_connections", "Open MQTT connections (TCP and TLS)",
               static_cast<double>(parts_->server.connections()));
  render_gauge(out, "citypulse_mqtt_sessions", "MQTT sessions, online and offline",
               static_cast<double>(s.sessions));
  render_gauge(out, "citypulse_mqtt_sessions_online", "MQTT sessions with a connection",
               static_cast<double>(s.online));
  render_gauge(out, "citypulse_mqtt_subscriptions", "MQTT subscriptions",
               static_cast<double>(s.subscriptions));
  render_gauge(out, "citypulse_mqtt_retained_messages", "Retained MQTT messages",
               static_cast<double>(s.retained));
  render_gauge(out, "citypulse_mqtt_messages_routed", "MQTT messages routed to subscribers",
               static_cast<double>(s.messages_routed));
  render_gauge(out, "citypulse_mqtt_deliveries", "MQTT deliveries offered to sessions",
               static_cast<double>(s.deliveries));
  render_gauge(out, "citypulse_mqtt_deliveries_dropped",
               "MQTT deliveries dropped (a full session queue, QoS 0 to an offline session)",
               static_cast<double>(s.deliveries_dropped));
  if (!parts_->bridge) return;
  const auto b = parts_->bridge->stats();
  render_gauge(out, "citypulse_mqtt_bridge_connected",
               "1 while the bridge is connected and subscribed to the external broker",
               b.connected ? 1 : 0);
  render_gauge(out, "citypulse_mqtt_bridge_messages_received",
               "Messages taken in from the external broker", static_cast<double>(b.received));
  render_gauge(out, "citypulse_mqtt_bridge_messages_refused",
               "Messages from the external broker on topics the tenant may not publish to",
               static_cast<double>(b.refused));
  render_gauge(out, "citypulse_mqtt_bridge_reconnects",
               "Connection attempts to the external broker after the first",
               static_cast<double>(b.reconnects));
}

}  // namespace citypulse
