#include "app/demo.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>

#include "core/time.h"
#include "core/timezone.h"
#include "drivers/driver_host.h"
#include "sim/demo_control.h"
#include "sim/demo_energy.h"
#include "sim/demo_history.h"
#include "sim/demo_live.h"
#include "sim/demo_plant.h"
#include "sim/demo_rules.h"
#include "sim/demo_town.h"

namespace citypulse {
namespace {

constexpr TimeMs kDayMs = 86'400'000;
constexpr TimeMs kWarmUpMs = 2 * kDayMs;  // rooms and plant settle before anything is written

}  // namespace

Status validate(const DemoOptions& o) {
  if (o.buildings < 1 || o.buildings > 500)
    return fail(ErrorCode::invalid, "--buildings must be 1 to 500", "buildings");
  if (o.history_days < 0 || o.history_days > 3650)
    return fail(ErrorCode::invalid, "--history must be 0 to 3650 days", "history");
  if (o.fault_period_days < 0 || o.fault_period_days > 3650)
    return fail(ErrorCode::invalid, "--faults must be 0 (none) to 3650 days", "faults");
  return {};
}

struct Demo::State {
  MetaStore* store = nullptr;
  DemoOptions options;
  sim::TownLayout town;
  sim::DemoTown stored;
  sim::Weather weather = sim::Weather::synthetic();
  Timezone zone;
  std::unique_ptr<sim::TownSimulator> simulator;
  std::unique_ptr<sim::LiveTown> live;
  std::unique_ptr<sim::DemoPlant> plant;  // while live, with a driver host
};

Demo::Demo(std::unique_ptr<State> state) : state_(std::move(state)) {}
Demo::~Demo() {
  stop();
}

Id Demo::tenant_id() const {
  return state_->stored.tenant_id;
}

Result<std::unique_ptr<Demo>> Demo::seed(MetaStore& store, const Config& config,
                                         const DemoOptions& options) {
  if (auto s = validate(options); !s) return std::unexpected(s.error());
  auto state = std::make_unique<State>();
  state->store = &store;
  state->options = options;
  state->town = sim::town_layout(sim::town_plan(options.buildings, options.seed));
  // The seed draws the generated buildings' rooms and devices: a town made with
  // one seed cannot be driven with another.
  const auto seed_file = std::filesystem::path(config.storage.data_dir) / "demo-seed";
  if (std::ifstream in(seed_file); in) {
    std::uint64_t made_with = 0;
    if (!(in >> made_with))
      return fail(ErrorCode::invalid, fmt::format("{} does not hold a seed", seed_file.string()));
    if (made_with != options.seed)
      return fail(ErrorCode::invalid,
                  fmt::format("this data folder's demo town was made with --seed {}; start it "
                              "with that seed or on a fresh data folder",
                              made_with),
                  "seed");
  }
  auto secret = sim::demo_secret(config.storage.data_dir);
  if (!secret) return std::unexpected(secret.error());
  auto stored = sim::seed_demo_town(store, state->town, *secret);
  if (!stored) return std::unexpected(stored.error());
  state->stored = std::move(*stored);
  if (std::ofstream out(seed_file, std::ios::trunc); !(out << options.seed << '\n'))
    return fail(ErrorCode::io, fmt::format("cannot write {}", seed_file.string()));
  const auto& s = state->stored;
  if (s.buildings > 0)
    spdlog::info(
        "demo town: {} buildings, {} floors, {} spaces, {} equipment, {} points, {} devices added",
        s.buildings, s.floors, s.spaces, s.equipment, s.created_points, s.created_devices);
  auto rules = sim::seed_demo_rules(store, state->town, state->stored);
  if (!rules) return std::unexpected(rules.error());
  if (rules->rules + rules->recipients > 0)
    spdlog::info("demo town: {} rules and {} alarm recipients added", rules->rules,
                 rules->recipients);
  auto energy = sim::seed_demo_energy(store, state->town, state->stored, now_ms());
  if (!energy) return std::unexpected(energy.error());
  if (energy->meters + energy->buildings > 0)
    spdlog::info("demo town: {} meters and the energy settings of {} buildings added",
                 energy->meters, energy->buildings);
  auto zone = Timezone::load("Europe/Berlin");
  if (!zone) return std::unexpected(zone.error());
  state->zone = *zone;
  state->weather = sim::Weather::records_or_synthetic(options.weather_dir);
  spdlog::info("demo weather: {}", state->weather.recorded()
                                       ? fmt::format("the records under {}", options.weather_dir)
                                       : std::string("a synthetic year (no records found)"));
  return std::unique_ptr<Demo>(new Demo(std::move(state)));
}

Status Demo::fill_history(SeriesStore& series) {
  auto& st = *state_;
  if (st.live)  // its thread steps the simulator this would replace
    return fail(ErrorCode::conflict, "the demo's history is written before it goes live");
  const TimeMs now = now_ms();
  const TimeMs earliest = now - std::int64_t{st.options.history_days} * kDayMs;
  // Where the town's readings stop, and what its registers last showed.
  auto latest = series.latest(st.stored.points);
  if (!latest) return std::unexpected(latest.error());
  TimeMs from = earliest;
  std::map<Id, double> last_value;
  for (const auto& [id, tv] : *latest) {
    from = std::max(from, tv.t);
    last_value[id] = tv.value;
  }
  from = std::min(from, now);
  st.simulator = std::make_unique<sim::TownSimulator>(
      st.town, st.weather, st.zone,
      sim::SimulatorOptions{.seed = st.options.seed,
                            .fault_period_days = st.options.fault_period_days},
      from - kWarmUpMs);
  st.simulator->advance_to(from, 900);
  // Registers count on from what they last showed, or start where the
  // simulator put them (the warm-up's consumption aside).
  for (std::size_t p = 0; p < st.town.points.size(); ++p) {
    if (!sim::register_signal(st.town.points[p].signal)) continue;
    const int pi = static_cast<int>(p);
    const auto v = last_value.find(st.stored.points[p]);
    st.simulator->continue_register(
        pi, v != last_value.end() ? v->second : st.simulator->initial_register(pi));
  }
  if (now - from >= 15 * 60'000) {
    const auto started = steady_ms();
    auto written = sim::write_history(*st.simulator, st.town, st.stored.points, series, now);
    if (!written) return std::unexpected(written.error());
    spdlog::info("demo history: {} readings of {:.1f} days for {} buildings in {:.1f} s",
                 written->readings, static_cast<double>(written->to - from) / kDayMs,
                 st.town.buildings.size(), static_cast<double>(steady_ms() - started) / 1000);
  }
  // The year's budgets go by the history's pace (sim/demo_energy.h).
  auto budgets = sim::seed_demo_budgets(*st.store, series, st.town, st.stored, now);
  if (!budgets) return std::unexpected(budgets.error());
  if (*budgets > 0) spdlog::info("demo town: {} energy budgets of this year added", *budgets);
  return {};
}

namespace {

// The directly polled plant's peers, and its devices and driver documents
// stored as PUT /api/v1/devices/{id}/driver stores them.
Result<std::unique_ptr<sim::DemoPlant>> start_plant(MetaStore& store, const sim::TownLayout& town,
                                                    const sim::DemoTown& stored,
                                                    drivers::DriverHost& host) {
  auto plant = sim::DemoPlant::start();
  if (!plant) return std::unexpected(plant.error());
  const auto ports = (*plant)->ports();
  auto seeded =
      sim::seed_demo_plant(store, town, stored, ports,
                           {.check =
                                [](std::string_view protocol, const boost::json::value& document) {
                                  return drivers::DriverHost::check_document(protocol, document);
                                },
                            .changed = [&host] { host.reload_soon(); }},
                           now_ms());
  if (!seeded) return std::unexpected(seeded.error());
  if (seeded->points + seeded->created_devices > 0)
    spdlog::info("demo plant: {} equipment, {} points and {} driven devices added",
                 seeded->equipment, seeded->points, seeded->created_devices);
  spdlog::info(
      "demo plant: the driver host polls the Rathaus's BACnet/IP AHU on 127.0.0.1:{}, its "
      "Modbus TCP AHU on 127.0.0.1:{} and its REST thermostat on 127.0.0.1:{} ({} driver "
      "documents written)",
      ports.bacnet, ports.modbus, ports.rest, seeded->documents);
  return std::move(*plant);
}

}  // namespace

Status Demo::start_live(std::uint16_t http_port, std::uint16_t mqtt_port,
                        drivers::DriverHost* drivers) {
  auto& st = *state_;
  if (!st.options.live || st.live) return {};
  if (!st.simulator)
    return fail(ErrorCode::unavailable, "the demo's history must be written before it goes live");
  st.live = std::make_unique<sim::LiveTown>(
      *st.simulator, st.town, st.stored,
      sim::LiveOptions{.http_port = http_port, .mqtt_port = mqtt_port});
  st.live->start();
  spdlog::info("demo: {} simulated devices report live", st.town.devices.size());
  if (!drivers) {
    spdlog::info("demo: the plant drivers are off; no directly polled plant");
  } else if (auto plant = start_plant(*st.store, st.town, st.stored, *drivers); !plant) {
    spdlog::warn("demo: no directly polled plant: {}", plant.error().message);
  } else {
    st.plant = std::move(*plant);
  }
  // The heating schedules come once the automation stations listen, so that
  // their first writes (the mode in force) reach the rooms.
  if (!st.live->wait_for_gateways(15'000)) {
    spdlog::warn("demo: the automation stations do not take commands; no heating schedules");
    return {};
  }
  auto schedules = sim::seed_demo_schedules(*st.store, st.town, st.stored, now_ms());
  if (!schedules) return std::unexpected(schedules.error());
  if (*schedules > 0) spdlog::info("demo town: {} heating schedules added", *schedules);
  return {};
}

void Demo::stop() {
  if (!state_ || !state_->live) return;
  state_->plant.reset();  // the peers stop; the driver host finds them gone
  state_->live->stop();
  const auto c = state_->live->counts();
  spdlog::info("demo: sent {} MQTT, {} gateway, {} HTTP and {} LoRaWAN messages ({} failed)",
               c.mqtt, c.gateway, c.http, c.lorawan, c.failed);
  state_->live.reset();
}

}  // namespace citypulse
