// citypulse: the command-line entry point. Subcommands:
//   serve        run the server
//   demo         run the server with the demo municipality seeded
//   migrate      bring the metadata store to this binary's schema, then exit
//   config show  print the effective configuration as TOML
//   user add     add a user to the store (the server may be stopped)
//   keys rotate  add a fresh key to the access-token signing ring
//   version      print the version
//   bench tsdb   measure the embedded time-series engine (app/bench_tsdb.h)
//   bench baseline  the same workload in SQLite or PostgreSQL (app/bench_baselines.h)
//   bench ingest readings through the HTTP ingest API, end to end (app/bench_ingest.h)
//   bench mqtt   the embedded MQTT broker, end to end and beside Mosquitto (app/bench_mqtt.h)
//   bench ws     the realtime WebSocket API: delivery latency, memory a client (app/bench_ws.h)
//   bench rules  rule evaluation on one core: readings a second (app/bench_rules.h)
//   bench analytics  the baseline model on the Cambridge buildings (app/bench_analytics.h)
//   bench energy consumption from the meters' hourly ledger (app/bench_energy.h)
//   bench drivers  the driver host polling BACnet/IP and Modbus TCP fleets, one device dead each
//                (app/bench_drivers.h)
//   import csv   load a point's readings history from CSV files (app/import_csv.h)
//   bacnet whois|read|write  BACnet/IP commissioning tools (app/bacnet_cli.h)
//   modbus read|write|plant  commission a Modbus TCP device by hand (app/modbus_cli.h)
// Exit codes: 0 success, 1 runtime failure, 2 invalid configuration or usage.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <CLI/CLI.hpp>
#include <cstdio>

#include "app/bacnet_cli.h"
#include "app/bench_analytics.h"
#include "app/bench_baselines.h"
#include "app/bench_drivers.h"
#include "app/bench_energy.h"
#include "app/bench_ingest.h"
#include "app/bench_mqtt.h"
#include "app/bench_rules.h"
#include "app/bench_tsdb.h"
#include "app/bench_ws.h"
#include "app/commands.h"
#include "app/import_csv.h"
#include "app/modbus_cli.h"

namespace {

// Every connection holds a descriptor: the server (mqtt.max_connections is
// 100,000) and the benches' clients may need far more than the usual soft
// limit of 1024, so it goes up to the hard limit the system allows.
void raise_open_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
}

// A bench subcommand: 2 for invalid options, 1 when the bench fails.
template <class Options>
int run_bench(const char* name, const Options& options, citypulse::Status (*run)(const Options&)) {
  if (auto s = citypulse::validate(options); !s) {
    std::fprintf(stderr, "citypulse bench %s: %s\n", name, s.error().message.c_str());
    return 2;
  }
  if (auto s = run(options); !s) {
    std::fprintf(stderr, "citypulse bench %s: %s\n", name, s.error().message.c_str());
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace citypulse;
  raise_open_file_limit();
  CLI::App app{"CityPulse: energy and technical operations of many buildings", "citypulse"};
  app.require_subcommand(1);

  CommonOptions common;
  auto add_common = [&](CLI::App* cmd) {
    cmd->add_option("--config", common.config_file, "TOML configuration file");
    cmd->add_option("--data-dir", common.data_dir,
                    "Folder for the embedded stores (storage.data_dir)");
    cmd->add_option("--http-port", common.http_port, "HTTP port (http.port)");
    cmd->add_option("--mqtt-port", common.mqtt_port, "MQTT port (mqtt.port)");
    cmd->add_option("--log-level", common.log_level,
                    "trace, debug, info, warn, error or off (log.level)");
  };
  auto* serve = app.add_subcommand("serve", "Run the server");
  add_common(serve);
  auto* demo = app.add_subcommand("demo", "Run the server with the demo municipality");
  add_common(demo);
  DemoOptions demo_options;
  demo->add_option("--buildings", demo_options.buildings, "Buildings of the town (40)");
  demo->add_option("--history", demo_options.history_days,
                   "Days of history written on the first start (365)");
  demo->add_option("--seed", demo_options.seed, "Seed of the town, its faults and noise (1)");
  demo->add_option("--faults", demo_options.fault_period_days,
                   "Each kind of fault once in so many days (21; 0: none)");
  demo->add_option("--weather", demo_options.weather_dir,
                   "Folder of bedford_<year>.csv weather records (a synthetic year without)");
  bool no_live = false;
  demo->add_flag("--no-live", no_live, "Do not run the simulated devices");
  auto* migrate = app.add_subcommand("migrate", "Apply pending metadata migrations and exit");
  add_common(migrate);
  auto* config = app.add_subcommand("config", "Configuration");
  config->require_subcommand(1);
  auto* show = config->add_subcommand("show", "Print the effective configuration");
  add_common(show);
  app.add_subcommand("version", "Print the version");
  auto* user = app.add_subcommand("user", "Users");
  user->require_subcommand(1);
  auto* user_add = user->add_subcommand("add", "Add a user");
  add_common(user_add);
  NewUser new_user;
  user_add->add_option("--email", new_user.email, "Email, the sign-in name")->required();
  user_add->add_option("--password", new_user.password, "Password (at least 10 characters)")
      ->required();
  user_add
      ->add_option("--role", new_user.role,
                   "superadmin, tenant_admin, energy_manager, operator, technician or viewer")
      ->required();
  user_add->add_option("--tenant", new_user.tenant, "Tenant id or name (not for a superadmin)");
  user_add->add_option("--name", new_user.display_name, "Display name");
  auto* keys = app.add_subcommand("keys", "Signing keys of access tokens");
  keys->require_subcommand(1);
  auto* keys_rotate =
      keys->add_subcommand("rotate", "Add a fresh signing key; it signs from the next start");
  add_common(keys_rotate);
  auto* bench = app.add_subcommand("bench", "Benchmarks");
  bench->require_subcommand(1);
  auto* bench_tsdb = bench->add_subcommand("tsdb", "Measure the embedded time-series engine");
  BenchTsdbOptions bench_tsdb_options;
  bench_tsdb->add_option("--series", bench_tsdb_options.series, "Number of synthetic series");
  bench_tsdb->add_option("--points", bench_tsdb_options.points, "Samples per series, one a minute");
  bench_tsdb->add_flag("--durable", bench_tsdb_options.durable, "Every batch waits for a sync");
  bench_tsdb->add_option("--batch", bench_tsdb_options.batch, "Samples per append (1000)");
  bench_tsdb->add_option("--data-dir", bench_tsdb_options.data_dir,
                         "Engine folder, kept (default: a temporary one, removed)");
  bench_tsdb->add_option("--cambridge", bench_tsdb_options.cambridge,
                         "Load every *.csv of this folder, one series per file");
  auto* bench_baseline = bench->add_subcommand(
      "baseline", "Measure SQLite or PostgreSQL on the workload of bench tsdb");
  BenchBaselineOptions bench_baseline_options;
  bench_baseline->add_option("--store", bench_baseline_options.store, "sqlite or postgres")
      ->required();
  bench_baseline->add_option("--series", bench_baseline_options.series,
                             "Number of synthetic series");
  bench_baseline->add_option("--points", bench_baseline_options.points,
                             "Samples per series, one a minute");
  bench_baseline->add_flag("--durable", bench_baseline_options.durable,
                           "Every commit is durable (SQLite synchronous=FULL, PostgreSQL "
                           "synchronous_commit=on)");
  bench_baseline->add_option("--batch", bench_baseline_options.batch,
                             "Samples per transaction (1000)");
  bench_baseline->add_option("--data-dir", bench_baseline_options.data_dir,
                             "SQLite: folder of baseline.db, kept (default: a temporary one)");
  bench_baseline->add_option("--cambridge", bench_baseline_options.cambridge,
                             "Load every *.csv of this folder, one series per file");
  bench_baseline->add_option("--pg-url", bench_baseline_options.pg_url,
                             "PostgreSQL connection URL (default: $CITYPULSE_BENCH_PG_URL)");
  auto* bench_ingest =
      bench->add_subcommand("ingest", "Measure readings ingest through a server of its own");
  BenchIngestOptions bench_ingest_options;
  bench_ingest->add_flag("--http", bench_ingest_options.http, "Over the HTTP ingest API");
  bench_ingest->add_option("--devices", bench_ingest_options.devices,
                           "Devices, one keep-alive connection each (50)");
  bench_ingest->add_option("--points-per-device", bench_ingest_options.points_per_device,
                           "Values a telemetry request carries, named as the simulated device "
                           "models' (1)");
  bench_ingest->add_option("--rate", bench_ingest_options.rate,
                           "Requests per second in all (0: as fast as possible)");
  bench_ingest->add_option("--duration", bench_ingest_options.duration_s, "Seconds of load (10)");
  bench_ingest->add_option("--mode", bench_ingest_options.mode,
                           "telemetry (one reading a request) or batch (POST /readings)");
  bench_ingest->add_option("--batch", bench_ingest_options.batch,
                           "Readings per request in batch mode (500)");
  bench_ingest->add_option("--client-threads", bench_ingest_options.client_threads,
                           "Load generator threads, each driving its share of devices (1)");
  bench_ingest->add_option("--data-dir", bench_ingest_options.data_dir,
                           "Keep the server's data here (default: a temporary folder)");
  auto* bench_mqtt = bench->add_subcommand(
      "mqtt", "Measure the MQTT broker (and Mosquitto) with brokers of its own");
  BenchMqttOptions bench_mqtt_options;
  bench_mqtt->add_option("--mode", bench_mqtt_options.mode,
                         "telemetry (devices into the store), publish, fanout or idle");
  bench_mqtt->add_option("--broker", bench_mqtt_options.broker,
                         "citypulse, mosquitto or both (publish, fanout, idle)");
  bench_mqtt->add_option("--connections,--devices", bench_mqtt_options.connections,
                         "Publishing (idle: idle) connections, a device each (100)");
  bench_mqtt->add_option("--rate", bench_mqtt_options.rate,
                         "Messages per second in all (0: as fast as acknowledgements allow)");
  bench_mqtt->add_option("--qos", bench_mqtt_options.qos, "QoS of PUBLISH and SUBSCRIBE (1)");
  bench_mqtt->add_option("--duration", bench_mqtt_options.duration_s,
                         "Seconds of load, or of holding idle connections (10)");
  bench_mqtt->add_option("--inflight", bench_mqtt_options.inflight,
                         "Unacknowledged QoS 1/2 PUBLISHes per connection (32)");
  bench_mqtt->add_option("--points-per-device,--values", bench_mqtt_options.values,
                         "Readings per telemetry message, named as the simulated device models' "
                         "(1)");
  bench_mqtt->add_option("--client-threads", bench_mqtt_options.client_threads,
                         "Load generator threads for the publishers (1)");
  bench_mqtt->add_option("--mosquitto", bench_mqtt_options.mosquitto,
                         "The Mosquitto executable (/usr/sbin/mosquitto)");
  bench_mqtt->add_option("--data-dir", bench_mqtt_options.data_dir,
                         "Keep the brokers' files here (default: a temporary folder)");
  auto* bench_analytics = bench->add_subcommand(
      "analytics", "Validate the baseline model on the Cambridge buildings (fit 2018, score 2019)");
  BenchAnalyticsOptions bench_analytics_options;
  bench_analytics
      ->add_option("--cambridge", bench_analytics_options.cambridge,
                   "Folder with electricity/<building>_<year>.csv and weather/bedford_<year>.csv")
      ->required();
  auto* bench_energy = bench->add_subcommand(
      "energy", "Measure consumption queries over the meters' hourly ledger against the readings");
  BenchEnergyOptions bench_energy_options;
  bench_energy->add_option("--buildings", bench_energy_options.buildings,
                           "Buildings, three meters each (40)");
  bench_energy->add_option("--year", bench_energy_options.year, "The year of readings (2025)");
  bench_energy->add_option("--runs", bench_energy_options.runs, "Timed runs of each query (20)");
  bench_energy->add_option("--data-dir", bench_energy_options.data_dir,
                           "Keep the stores here (default: a temporary folder)");
  auto* bench_rules = bench->add_subcommand(
      "rules", "Measure rule evaluation on one core (readings a second through the rule set)");
  BenchRulesOptions bench_rules_options;
  bench_rules->add_option("--rules", bench_rules_options.rules,
                          "Rules, a quarter of each kind (10000)");
  bench_rules->add_option("--points-per-rule", bench_rules_options.points_per_rule,
                          "Points each rule watches (1)");
  bench_rules->add_option("--readings", bench_rules_options.readings,
                          "Readings evaluated (2000000)");
  bench_rules->add_flag("--engine", bench_rules_options.engine,
                        "Through the rule engine as the ingest pipeline feeds it: stored rules, "
                        "its queue and thread, alarms kept in the store");
  bench_rules->add_option("--batch", bench_rules_options.batch,
                          "--engine: readings handed over together, as one request's (1000)");
  auto* bench_ws = bench->add_subcommand(
      "ws",
      "Measure the realtime WebSocket API (latency, memory a client) with a server of its own");
  BenchWsOptions bench_ws_options;
  bench_ws->add_option("--clients", bench_ws_options.clients, "WebSocket clients (100)");
  bench_ws->add_option("--points", bench_ws_options.points, "Points in each building (10)");
  bench_ws->add_option("--device-points", bench_ws_options.device_points,
                       "Points of a building whose readings are sent together, as a device's; "
                       "1: every reading of a building in a request of its own (10)");
  bench_ws->add_option("--buildings", bench_ws_options.buildings,
                       "Buildings; client i subscribes to building i % buildings "
                       "(default: rate / points, at least 1)");
  bench_ws->add_option("--rate", bench_ws_options.rate, "Readings per second in all (1000)");
  bench_ws->add_option("--duration", bench_ws_options.duration_s,
                       "Seconds of writing, or of holding idle clients (10)");
  bench_ws->add_flag("--idle", bench_ws_options.idle,
                     "Clients only sign in and stay connected: the memory a connection");
  bench_ws->add_option("--client-threads", bench_ws_options.client_threads,
                       "Client threads, each driving its share of the clients (1)");
  bench_ws->add_option("--data-dir", bench_ws_options.data_dir,
                       "Keep the server's data here (default: a temporary folder)");

  auto* bench_drivers = bench->add_subcommand("drivers",
                                              "Measure the driver host polling simulated BACnet/IP "
                                              "and Modbus TCP fleets with dead devices");
  BenchDriversOptions bench_drivers_options;
  bench_drivers->add_option("--protocol", bench_drivers_options.protocol,
                            "The fleets: bacnet, modbus, or both at once (both)");
  bench_drivers->add_option("--devices", bench_drivers_options.devices,
                            "Healthy devices a fleet (200)");
  bench_drivers->add_option("--points,--objects", bench_drivers_options.points,
                            "Points a device: BACnet objects, Modbus registers (50)");
  bench_drivers->add_option("--dead", bench_drivers_options.dead,
                            "Devices that never answer, a fleet (1)");
  bench_drivers->add_option("--interval-ms", bench_drivers_options.interval_ms,
                            "Poll interval of every device (10000)");
  bench_drivers->add_option("--duration", bench_drivers_options.duration_s,
                            "Seconds of polling measured (60)");
  bench_drivers->add_option("--data-dir", bench_drivers_options.data_dir,
                            "Keep the server's data here (default: a temporary folder)");

  auto* import_cmd = app.add_subcommand("import", "Load readings history");
  import_cmd->require_subcommand(1);
  auto* import_csv = import_cmd->add_subcommand(
      "csv", "Load a point's readings from CSV files of timestamp,value rows (server stopped)");
  add_common(import_csv);
  ImportCsvOptions import_csv_options;
  import_csv->add_option("--point", import_csv_options.point, "The point's id (any tenant)")
      ->required();
  import_csv->add_option("--batch", import_csv_options.batch, "Readings per append (10000)");
  import_csv->add_flag("--zero-is-missing", import_csv_options.zero_is_missing,
                       "An exact 0 is a missing reading and is skipped (Cambridge data)");
  import_csv->add_option("files", import_csv_options.files, "CSV files, imported in this order")
      ->required()
      ->check(CLI::ExistingFile);

  BacnetCommands bacnet(app);
  add_modbus_commands(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  if (app.got_subcommand("version")) {
    std::printf("citypulse %s\n", CITYPULSE_VERSION);
    return 0;
  }
  if (bacnet.parsed()) return bacnet.run();
  if (bench_tsdb->parsed()) return run_bench("tsdb", bench_tsdb_options, run_bench_tsdb);
  if (bench_ingest->parsed()) return run_bench("ingest", bench_ingest_options, run_bench_ingest);
  if (bench_mqtt->parsed()) return run_bench("mqtt", bench_mqtt_options, run_bench_mqtt);
  if (bench_ws->parsed()) return run_bench("ws", bench_ws_options, run_bench_ws);
  if (bench_rules->parsed()) return run_bench("rules", bench_rules_options, run_bench_rules);
  if (bench_analytics->parsed())
    return run_bench("analytics", bench_analytics_options, run_bench_analytics);
  if (bench_energy->parsed()) return run_bench("energy", bench_energy_options, run_bench_energy);
  if (bench_drivers->parsed())
    return run_bench("drivers", bench_drivers_options, run_bench_drivers);
  if (bench_baseline->parsed())
    return run_bench("baseline", bench_baseline_options, run_bench_baseline);
  auto cfg = effective_config(common);
  if (!cfg) {
    std::fprintf(stderr, "citypulse: %s\n", cfg.error().message.c_str());
    return 2;
  }
  if (show->parsed()) {
    std::fputs(render_config(*cfg).c_str(), stdout);
    return 0;
  }
  if (migrate->parsed()) return run_migrate(*cfg);
  if (user_add->parsed()) return run_user_add(*cfg, new_user);
  if (keys_rotate->parsed()) return run_keys_rotate(*cfg);
  if (import_csv->parsed()) return run_import_csv(*cfg, import_csv_options);
  demo_options.live = !no_live;
  if (demo->parsed()) {
    if (auto s = validate(demo_options); !s) {
      std::fprintf(stderr, "citypulse demo: %s\n", s.error().message.c_str());
      return 2;
    }
  }
  return run_server(*cfg, demo->parsed() ? &demo_options : nullptr);
}
