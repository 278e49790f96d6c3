#include "app/commands.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <filesystem>

#include "alarms/rule_engine.h"
#include "api/api.h"
#include "api/http_server.h"
#include "api/realtime_hub.h"
#include "app/embedded_broker.h"
#include "app/identity_setup.h"
#include "app/mqtt_websocket.h"
#include "app/plant_commands.h"
#include "app/plant_drivers.h"
#include "auth/authenticator.h"
#include "auth/rate_limiter.h"
#include "auth/sessions.h"
#include "bus/local_bus.h"
#include "control/scheduler.h"
#include "core/log.h"
#include "drivers/driver_host.h"
#include "energy/budget_alarms.h"
#include "ingest/dedup_window.h"
#include "ingest/directory.h"
#include "ingest/pipeline.h"
#include "ingest/readings_publisher.h"
#include "notify/alarm_notifier.h"
#include "store/embedded_series_store.h"
#include "store/sqlite/sqlite_meta_store.h"

namespace citypulse {
namespace {

std::string meta_store_path(const Config& config) {
  return (std::filesystem::path(config.storage.data_dir) / "citypulse.db").string();
}

}  // namespace

Result<Config> effective_config(const CommonOptions& options) {
  auto config = load_config(options.config_file ? &*options.config_file : nullptr, process_env());
  if (!config) return config;
  const std::pair<const std::optional<std::string>*, std::string_view> overrides[] = {
      {&options.data_dir, "storage.data_dir"},
      {&options.http_port, "http.port"},
      {&options.mqtt_port, "mqtt.port"},
      {&options.log_level, "log.level"},
  };
  for (const auto& [value, key] : overrides)
    if (*value)
      if (auto s = set_config_key(*config, key, **value); !s) {
        auto e = s.error();
        e.message += " (from the command line)";
        return std::unexpected(e);
      }
  return config;
}

int run_migrate(const Config& config) {
  if (auto s = init_logging(config.log.level); !s) return 2;
  auto store = open_sqlite_meta_store({.path = meta_store_path(config), .migrate = true});
  if (!store) {
    spdlog::error("{}", store.error().message);
    return 1;
  }
  fmt::print("metadata store {} is at schema version {}\n", meta_store_path(config),
             (*store)->schema_version());
  return 0;
}

namespace {

// What the notifier sends through, from the [notify] keys; invalid (naming
// the key) for an SMS gateway template that cannot work.
Result<notify::NotifierSettings> notifier_settings_of(const NotifyConfig& c) {
  notify::NotifierSettings s;
  s.smtp.url = c.smtp_url;
  s.smtp.from = c.smtp_from;
  s.smtp.username = c.smtp_username;
  s.smtp.password = c.smtp_password;
  s.smtp.tls = c.smtp_tls == "none" ? notify::SmtpSettings::Tls::none
               : c.smtp_tls == "starttls_if_offered"
                   ? notify::SmtpSettings::Tls::starttls_if_offered
                   : notify::SmtpSettings::Tls::starttls_required;
  s.smtp.ca_file = c.smtp_ca_file;
  if (!c.sms_url.empty()) {
    s.sms.method = c.sms_method;
    s.sms.url_template = c.sms_url;
    s.sms.body_template = c.sms_body;
    if (c.sms_method == "POST") s.sms.headers.emplace_back("Content-Type", c.sms_content_type);
    if (!c.sms_authorization.empty())
      s.sms.headers.emplace_back("Authorization", c.sms_authorization);
    if (auto ok = notify::check_sms_gateway(s.sms); !ok)
      return fail(ErrorCode::invalid,
                  fmt::format("config key notify.sms_{}: {}", ok.error().field, ok.error().message),
                  "notify.sms_url");
  }
  s.flood_alarms = c.flood_alarms;
  s.flood_window_ms = std::int64_t{c.flood_window_s} * 1000;
  s.digest_interval_ms = std::int64_t{c.digest_interval_s} * 1000;
  s.public_url = c.public_url;
  while (s.public_url.ends_with('/')) s.public_url.pop_back();
  return s;
}

}  // namespace

int run_server(const Config& config, const DemoOptions* demo_options) {
  const bool demo = demo_options != nullptr;
  if (auto s = init_logging(config.log.level); !s) {
    fmt::print(stderr, "citypulse: {}\n", s.error().message);
    return 2;
  }
  auto opened = open_sqlite_meta_store({.path = meta_store_path(config), .migrate = true});
  if (!opened) {
    spdlog::error("cannot open the metadata store: {}", opened.error().message);
    return 1;
  }
  auto& store = **opened;
  std::unique_ptr<Demo> town;
  if (demo) {
    auto seeded = Demo::seed(store, config, *demo_options);
    if (!seeded) {
      spdlog::error("cannot seed the demo town: {}", seeded.error().message);
      return seeded.error().code == ErrorCode::invalid ? 2 : 1;
    }
    town = std::move(*seeded);
  }
  auto opened_series = open_embedded_series_store(
      {.dir = std::filesystem::path(config.storage.data_dir) / "tsdb",
       .wal_sync_ms = config.tsdb.wal_sync_ms,
       .late_window_ms = std::int64_t{config.tsdb.late_window_h} * 3'600'000,
       .raw_retention_ms = std::int64_t{config.tsdb.raw_retention_days} * 86'400'000,
       .hourly_retention_ms = std::int64_t{config.tsdb.hourly_retention_days} * 86'400'000,
       .daily_retention_ms = std::int64_t{config.tsdb.daily_retention_days} * 86'400'000,
       .warn = [](const std::string& m) { spdlog::warn("readings store: {}", m); }});
  if (!opened_series) {
    spdlog::error("cannot open the readings store: {}", opened_series.error().message);
    return 1;
  }
  auto& series = **opened_series;
  if (town)
    if (auto s = town->fill_history(series); !s) {
      spdlog::error("cannot write the demo town's history: {}", s.error().message);
      return 1;
    }
  std::vector<DemoLogin> demo_logins;
  if (town) {
    auto logins = seed_demo_users(store, town->tenant_id());
    if (!logins) {
      spdlog::error("cannot create the demo users: {}", logins.error().message);
      return 1;
    }
    demo_logins = std::move(*logins);
  }
  if (town)
    if (auto s = ensure_named_admin(store); !s) {
      spdlog::error("{}", s.error().message);
      return s.error().code == ErrorCode::invalid ? 2 : 1;
    }
  if (auto s = ensure_first_admin(store); !s) {
    spdlog::error("{}", s.error().message);
    return s.error().code == ErrorCode::invalid ? 2 : 1;
  }
  auto keys = open_signing_keys(config);
  if (!keys) {
    spdlog::error("signing keys: {}", keys.error().message);
    return keys.error().code == ErrorCode::invalid ? 2 : 1;
  }
  auth::Authenticator authenticator(store.identity(), std::move(*keys), config.auth);
  if (auto s = authenticator.load(); !s) {
    spdlog::error("cannot read the users: {}", s.error().message);
    return 1;
  }
  auth::Sessions sessions(store.identity(), authenticator, config.auth);
  auth::RateLimiter limiter;
  ingest::Directory directory(store);
  ingest::Pipeline pipeline(store, series, directory,
                            {.max_pending_bytes = config.ingest.max_pending_bytes,
                             .reject_out_of_bounds = config.ingest.out_of_bounds == "reject",
                             .max_future_ms = std::int64_t{config.ingest.max_future_s} * 1000});
  // Durable readings become events; the realtime API shows them.
  bus::LocalBus bus({.max_age_ms = std::int64_t{config.realtime.replay_age_s} * 1000,
                     .max_bytes = static_cast<std::size_t>(config.realtime.replay_max_mb) << 20});
  ingest::ReadingsPublisher readings_publisher(directory, bus);
  pipeline.add_sink(readings_publisher);
  // Stored readings go through the rules; alarms are kept and published (docs/alarms.md).
  alarms::AlarmService alarm_service(store.alarms(), &bus);
  if (auto s = alarm_service.load(); !s) {
    spdlog::error("cannot read the open alarms: {}", s.error().message);
    return 1;
  }
  alarms::RuleEngineOptions rule_options;
  rule_options.series = &series;  // anomaly rules fit their profiles on its hourly rollups
  alarms::RuleEngine rule_engine(store, alarm_service, rule_options);
  if (auto s = rule_engine.start(); !s) {
    spdlog::error("cannot read the rules: {}", s.error().message);
    return 1;
  }
  pipeline.add_sink(rule_engine);
  // A budget's projection to year end is a reading of a point of its own,
  // and its rule raises the alarm (energy/budget_alarms.h). Made before the
  // energy service, whose worker calls it until it stops.
  energy::BudgetAlarms budget_alarms(
      store, [&pipeline](Id tenant, Id point, TimeMs t, double percent) {
        ingest::IngestRequest request;
        request.source = ingest::Source::derived;
        request.tenant_id = tenant;
        request.scope = Scope::tenant(tenant);
        ingest::IncomingReading reading;
        reading.point = point;
        reading.t = t;
        reading.value = percent;
        request.readings.push_back(std::move(reading));
        pipeline.submit(std::move(request), [point](Result<ingest::IngestOutcome> outcome) {
          if (!outcome || outcome->accepted != 1)
            spdlog::warn("energy budget projection {} not stored: {}", point,
                         outcome ? outcome->problems.empty() ? std::string("refused")
                                                             : outcome->problems[0].message
                                 : outcome.error().message);
        });
      });
  // Meters' hourly energy, kept up to date beside the readings (docs/analytics.md).
  energy::EnergyService energy_service(store, series);
  energy_service.on_budgets_due([&budget_alarms, &energy_service](TimeMs now) {
    if (auto s = budget_alarms.check(energy_service, now); !s)
      spdlog::warn("energy budgets: {}", s.error().message);
  });
  energy_service.start();
  pipeline.add_sink(energy_service);
  auto notifier_settings = notifier_settings_of(config.notify);
  if (!notifier_settings) {
    spdlog::error("{}", notifier_settings.error().message);
    return 2;
  }
  notify::DeliveryOptions delivery;
  delivery.retry = {.base_delay_ms = config.notify.retry_base_ms,
                    .max_delay_ms = config.notify.retry_max_ms,
                    .max_attempts = config.notify.retry_max_attempts,
                    .jitter = 0.2};
  notify::AlarmNotifier notifier(store, bus, std::move(*notifier_settings), std::move(delivery));
  notifier.start();
  ingest::DedupWindow dedup(std::int64_t{config.ingest.dedup_window_s} * 1000,
                            static_cast<std::size_t>(config.ingest.dedup_max_entries));
  EmbeddedBroker broker(config, store, directory, pipeline, authenticator, limiter, &bus);
  // The plant drivers (docs/drivers.md): the devices CityPulse polls itself.
  drivers::DriverHost driver_host(
      store, pipeline, bus,
      {.bacnet_bind = config.drivers.bacnet_bind,
       .bacnet_port = static_cast<std::uint16_t>(config.drivers.bacnet_port),
       .reload_check_ms = 1000,
       .health = {},
       .modbus_workers = config.drivers.modbus_workers});
  HostedDrivers hosted_drivers(driver_host);
  if (config.drivers.enabled) {
    if (auto s = driver_host.start(); !s) {
      spdlog::error("plant drivers: {}", s.error().message);
      return 1;
    }
  }
  // Commands to the plant go through the drivers or the MQTT RPC (docs/control.md).
  PlantCommands plant_commands(config.drivers.enabled ? &driver_host : nullptr,
                               broker.enabled() ? &broker.rpc() : nullptr);
  control::CommandService command_service(store, &series, plant_commands, &bus);
  // The schedules write through it, and tell it what a point returns to when
  // an override ends.
  control::Scheduler scheduler(store, &series, command_service);
  command_service.set_schedule_lookup(
      [&scheduler](Id point, TimeMs at) { return scheduler.value_at(point, at); });
  if (auto s = command_service.start(); !s) {
    spdlog::error("cannot read the unfinished commands: {}", s.error().message);
    return 1;
  }
  if (auto s = scheduler.start(); !s) {
    spdlog::error("scheduler: {}", s.error().message);
    return 1;
  }
  auto router =
      build_router(ApiServices{store,
                               series,
                               authenticator,
                               sessions,
                               limiter,
                               directory,
                               pipeline,
                               dedup,
                               broker.enabled() ? &broker.rpc() : nullptr,
                               {[&broker](std::string& out) { broker.append_metrics(out); },
                                [&driver_host, on = config.drivers.enabled](std::string& out) {
                                  if (on) driver_host.append_metrics(out);
                                }},
                               &bus,
                               &alarm_service,
                               &energy_service,
                               config.drivers.enabled ? &hosted_drivers : nullptr,
                               &command_service},
                   config);
  // The broker first: once /healthz answers, every listener is up.
  auto mqtt_ports = broker.start();
  if (!mqtt_ports) {
    spdlog::error("{}", mqtt_ports.error().message);
    return mqtt_ports.error().code == ErrorCode::invalid ? 2 : 1;
  }
  HttpServer server(config.http, *router, config.workers.threads);
  MqttWebSocketEndpoint mqtt_websocket(broker.context());  // ws(s)://<http>/mqtt
  if (broker.enabled() && config.mqtt.websocket) server.add_websocket("/mqtt", mqtt_websocket);
  RealtimeHub realtime(  // docs/realtime.md
      {bus, authenticator, directory, store, series},
      {.max_subscriptions = static_cast<std::size_t>(config.realtime.max_subscriptions),
       .max_pending_events = static_cast<std::size_t>(config.realtime.max_pending_events),
       .max_unsent_bytes = static_cast<std::size_t>(config.realtime.max_unsent_kb) << 10});
  server.add_websocket("/api/v1/ws", realtime);
  auto port = server.start();
  if (!port) {
    spdlog::error("{}", port.error().message);
    return port.error().code == ErrorCode::invalid ? 2 : 1;
  }
  const std::string host = config.http.bind == "0.0.0.0" || config.http.bind == "127.0.0.1"
                               ? "localhost"
                               : config.http.bind;
  const char* scheme = config.http.tls_cert.empty() ? "http" : "https";
  spdlog::info("CityPulse {} listening on {}://{}:{} (data in {})", CITYPULSE_VERSION, scheme,
               config.http.bind, *port, config.storage.data_dir);
  if (demo) {
    std::string logins;
    for (const auto& l : demo_logins) logins += fmt::format("    {:<28} {}\n", l.email, l.role);
    if (logins.empty())
      fmt::print(stderr, "\n  CityPulse demo: {}://{}:{}/ (sign in with this store's users)\n\n",
                 scheme, host, *port);
    else
      fmt::print(stderr,
                 "\n  CityPulse demo: {}://{}:{}/\n"
                 "  Sign in with one of these (password: {}):\n{}\n",
                 scheme, host, *port, kDemoPassword, logins);
  }
  if (town) {
    // The simulated devices are plain-text clients of 127.0.0.1.
    auto loopback = [](const std::string& bind) {
      return bind == "0.0.0.0" || bind == "127.0.0.1" || bind == "::" || bind == "::1" ||
             bind == "localhost";
    };
    const bool http_ok = config.http.tls_cert.empty() && loopback(config.http.bind);
    const bool mqtt_ok = loopback(config.mqtt.bind);
    if (!http_ok)
      spdlog::warn(
          "demo: HTTP is not plain text on the loopback interface; the simulated "
          "HTTP and LoRaWAN devices stay silent");
    if (auto s = town->start_live(http_ok ? *port : 0, mqtt_ok ? mqtt_ports->plain : 0,
                                  config.drivers.enabled ? &driver_host : nullptr);
        !s)
      spdlog::warn("the demo town does not go live: {}", s.error().message);
  }
  server.run();
  if (town) town->stop();  // its clients go before the listeners they talk to
  scheduler.stop();
  command_service.stop();
  driver_host.stop();
  broker.stop();
  if (auto s = series.flush(); !s)
    spdlog::warn("flushing the readings store failed: {}", s.error().message);
  if (auto s = store.flush(); !s)
    spdlog::warn("flushing the metadata store failed: {}", s.error().message);
  spdlog::info("stopped");
  return 0;
}

}  // namespace citypulse

namespace citypulse {

int run_user_add(const Config& config, const NewUser& user) {
  if (auto s = init_logging(config.log.level); !s) return 2;
  auto store = open_sqlite_meta_store({.path = meta_store_path(config), .migrate = true});
  if (!store) {
    spdlog::error("{}", store.error().message);
    return 1;
  }
  auto made = add_user(**store, user);
  if (!made) {
    fmt::print(stderr, "citypulse: {}\n", made.error().message);
    return made.error().code == ErrorCode::invalid || made.error().code == ErrorCode::conflict ? 2
                                                                                               : 1;
  }
  fmt::print("created user {} ({}, {})\n", made->id, made->email, made->role);
  return 0;
}

int run_keys_rotate(const Config& config) {
  if (!config.auth.jwt_secret.empty()) {
    fmt::print(stderr,
               "citypulse: access tokens are signed with auth.jwt_secret; change that value to "
               "rotate\n");
    return 2;
  }
  auto keys =
      auth::SigningKeys::rotate(std::filesystem::path(config.storage.data_dir) / "signing-keys");
  if (!keys) {
    fmt::print(stderr, "citypulse: {}\n", keys.error().message);
    return keys.error().code == ErrorCode::invalid ? 2 : 1;
  }
  fmt::print("new signing key {}; it signs from the next start\n", keys->current_kid());
  return 0;
}

}  // namespace citypulse
