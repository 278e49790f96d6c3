#include "sim/town_simulator.h"

#include <algorithm>
#include <cmath>
#include <string_view>

#include "core/calendar.h"
#include "core/splitmix.h"
#include "sim/occupancy.h"
#include "sim/school_calendar.h"

namespace citypulse::sim {
namespace {

constexpr TimeMs kHourMs = 3'600'000;
constexpr TimeMs kDayMs = 24 * kHourMs;
constexpr double kGasKwhPerM3 = 10.4;  // natural gas H, upper heating value

double round_to(double v, double step) {
  return std::round(v / step) * step;
}

// Fabric and air losses per m² of floor, by age (W/K·m²).
double ua_per_m2(int year) {
  if (year < 1978) return 2.6;
  if (year < 1995) return 1.9;
  if (year < 2010) return 1.3;
  return 0.8;
}

struct Loads {
  double base_w_m2, plugs_w_m2, water_l_per_person_h;
};

Loads loads_of(std::string_view type) {
  if (type == "town_hall" || type == "office") return {3, 10, 2};
  if (type == "primary_school" || type == "secondary_school") return {2, 6, 1};
  if (type == "kindergarten") return {2.5, 6, 3};
  if (type == "sports_hall") return {2, 3, 8};
  if (type == "swimming_pool") return {6, 5, 25};
  if (type == "library") return {3, 8, 1};
  if (type == "museum") return {4, 6, 1};
  if (type == "fire_station") return {3, 5, 4};
  if (type == "depot") return {2.5, 6, 4};
  return {1.5, 5, 2};  // community centres and the rest
}

// Magnus: saturation vapour pressure (hPa) over water.
double saturation_hpa(double celsius) {
  return 6.112 * std::exp(17.62 * celsius / (243.12 + celsius));
}

// A heat pump's coefficient of performance at an outdoor temperature.
double cop_at(double outdoor_c) {
  return std::clamp(2.8 + 0.09 * outdoor_c, 2.0, 5.0);
}

DayKind kind_of(TimeMs local) {
  return day_kind_bw(civil_from_days(local >= 0 ? local / kDayMs : (local - kDayMs + 1) / kDayMs));
}

int hour_of(TimeMs local) {
  return static_cast<int>(((local % kDayMs) + kDayMs) % kDayMs / kHourMs);
}

}  // namespace

template <class B>
auto* TownSimulator::meter_of(B& b, Signal s) {
  using M = decltype(&b.electricity);  // const when b is
  M none = nullptr;
  switch (s) {
    case Signal::electricity_energy:
      return static_cast<M>(&b.electricity);
    case Signal::heat_energy:
      return &b.heat;
    case Signal::gas_volume:
      return &b.gas;
    case Signal::water_volume:
      return &b.water;
    case Signal::pv_energy:
      return &b.pv;
    default:
      return none;
  }
}

TownSimulator::TownSimulator(const TownLayout& town, const Weather& weather, Timezone zone,
                             SimulatorOptions options, TimeMs start)
    : town_(town),
      weather_(weather),
      zone_(std::move(zone)),
      options_(options),
      start_(start),
      now_(start) {
  const auto w = weather_.at(zone_.to_local(start));
  for (std::size_t bi = 0; bi < town_.buildings.size(); ++bi) {
    const BuildingPlan& plan = town_.buildings[bi];
    const std::uint64_t h = splitmix64(options_.seed ^ (bi + 1) * 0x51ED27ull);
    // Registers start where years of use left them; one town meter starts
    // close to its capacity, so a rollover is in the data.
    auto start_at = [&](int salt, double lo, double hi) {
      return lo + (hi - lo) * static_cast<double>(splitmix64(h + salt) % 10'000) / 10'000.0;
    };
    const double area = plan.area_m2;
    Building b{.plan = &plan,
               .rooms = {},
               .factor = plan.area_factor(),
               .outdoor_c = w.outdoor_c,
               .outdoor_daily_c = w.outdoor_c,
               .lighting_kw = std::vector<double>(plan.floors.size(), 0.0),
               .pool_c = {28.0, 31.0},
               .electricity = Meter({0.1, 1e6}, bi == 1 ? 1e6 - 500 : start_at(1, 2e4, 40 * area)),
               .heat = Meter({1, 1e7}, start_at(2, 1e4, 500 * area)),
               .gas = Meter({0.01, 1e6}, start_at(3, 1e3, 40 * area)),
               .water = Meter({0.001, 1e5}, start_at(4, 100, area)),
               .pv = Meter({0.1, 1e6}, start_at(5, 0, 1e3 * plan.pv_kwp)),
               .register_start = {},
               .room_slot = {},
               .floor_area = {},
               .floor_people = {}};
    for (Signal reg : {Signal::electricity_energy, Signal::heat_energy, Signal::gas_volume,
                       Signal::water_volume, Signal::pv_energy})
      b.register_start.emplace_back(reg, meter_of(b, reg)->reading());
    double ua_total = 0;
    for (std::size_t r = 0; r < town_.rooms[bi].size(); ++r) {
      const RoomPlan& rp = *town_.rooms[bi][r].plan;
      if (rp.usage == "plant_room") continue;
      double ua = ua_per_m2(plan.year_built) * rp.area_m2;
      if (rp.usage == "pool_hall") ua *= 1.5;
      if (rp.usage == "garage") ua *= 1.4;
      ua_total += ua;
      const double heating_max = std::max(1500.0, ua * 38 * 1.3);
      ZoneParameters p{.area_m2 = rp.area_m2,
                       .ua_w_per_k = ua,
                       .capacity_j_per_k = std::max(6e4, 150e3 * rp.area_m2),
                       .solar_aperture_m2 = 0.04 * rp.area_m2,
                       .heating_max_w = heating_max,
                       .cooling_max_w = 0,
                       .gain_w_per_k = heating_max / 1.5};
      const double comfort = comfort_setpoint(rp.usage);
      Room room(static_cast<int>(r), &rp, ZoneModel(p, comfort - 1));
      room.comfort_c = comfort;
      room.setback_c = setback_setpoint(rp.usage);
      b.rooms.push_back(std::move(room));
    }
    b.floor_area.assign(plan.floors.size(), 0.0);
    for (const auto& room : b.rooms)
      b.floor_area[static_cast<std::size_t>(
          town_.rooms[bi][static_cast<std::size_t>(room.index)].floor)] += room.plan->area_m2;
    b.room_slot.assign(town_.rooms[bi].size(), -1);
    for (std::size_t r = 0; r < b.rooms.size(); ++r)
      b.room_slot[static_cast<std::size_t>(b.rooms[r].index)] = static_cast<int>(r);
    b.design_heat_kw = std::max(15.0, ua_total * b.factor * 32 * 1.2 / 1000 +
                                          (plan.pool ? 80.0 : 0.0) + 0.02 * area * plan.ahus);
    buildings_.push_back(std::move(b));
  }
  extend_faults(start + kDayMs);
}

void TownSimulator::extend_faults(TimeMs until) {
  if (options_.fault_period_days <= 0 || (until <= faults_until_ && faults_until_ != 0)) return;
  const TimeMs from = faults_until_ == 0 ? start_ - 5 * kDayMs : faults_until_;
  const TimeMs to = std::max(until, from + 30 * kDayMs);
  auto more = fault_schedule({.seed = options_.seed,
                              .buildings = static_cast<int>(buildings_.size()),
                              .period_days = options_.fault_period_days},
                             from, to);
  faults_.insert(faults_.end(), more.begin(), more.end());
  faults_until_ = to;
}

std::span<const Fault> TownSimulator::faults_from(TimeMs from, TimeMs to) const {
  // faults_ is ordered by start (callers use kLongestFaultMs to find those under way).
  auto by_start = [](const Fault& f, TimeMs v) { return f.from < v; };
  const auto first = std::lower_bound(faults_.begin(), faults_.end(), from, by_start);
  const auto last = std::lower_bound(first, faults_.end(), to, by_start);
  return {first, last};
}

const Fault* TownSimulator::active_fault(FaultKind kind, int building, TimeMs t) const {
  for (const auto& f : faults_from(t - kLongestFaultMs, t + 1))
    if (f.kind == kind && f.building == building && f.from <= t && t < f.to) return &f;
  return nullptr;
}

bool TownSimulator::active(FaultKind kind, int building, TimeMs t) const {
  return active_fault(kind, building, t) != nullptr;
}

std::optional<int> TownSimulator::fault_room(const Fault& f) const {
  if (f.kind != FaultKind::stuck_sensor && f.kind != FaultKind::window_open &&
      f.kind != FaultKind::valve_leak)
    return std::nullopt;
  const auto& rooms = buildings_[static_cast<std::size_t>(f.building)].rooms;
  std::vector<int> candidates;
  for (const auto& r : rooms)
    if (f.kind != FaultKind::window_open || r.plan->occupants > 0) candidates.push_back(r.index);
  if (candidates.empty()) return std::nullopt;
  const auto pick =
      splitmix64(static_cast<std::uint64_t>(f.from) ^ options_.seed) % candidates.size();
  return candidates[pick];
}

std::optional<int> TownSimulator::fault_meter_point(const Fault& f) const {
  if (f.kind != FaultKind::meter_exchange) return std::nullopt;
  std::vector<int> registers;
  for (std::size_t p = 0; p < town_.points.size(); ++p) {
    const auto& pt = town_.points[p];
    if (pt.building == f.building && register_signal(pt.signal) && pt.signal != Signal::pv_energy)
      registers.push_back(static_cast<int>(p));
  }
  if (registers.empty()) return std::nullopt;
  return registers[splitmix64(static_cast<std::uint64_t>(f.from) + 7) % registers.size()];
}

double TownSimulator::noise(std::uint64_t a, std::uint64_t b) const {
  const auto x = splitmix64(options_.seed ^ splitmix64(a * 0x100000001B3ull + b));
  return static_cast<double>(x >> 11) / 4503599627370496.0 - 1.0;
}

void TownSimulator::advance_to(TimeMs t, double max_step_s) {
  const TimeMs max_step = std::max<TimeMs>(1000, static_cast<TimeMs>(max_step_s * 1000));
  extend_faults(t + kDayMs);
  while (now_ < t) {
    const TimeMs next = std::min(t, now_ + max_step);
    const double seconds = static_cast<double>(next - now_) / 1000.0;
    for (std::size_t bi = 0; bi < buildings_.size(); ++bi)
      step(buildings_[bi], static_cast<int>(bi), now_, seconds);
    now_ = next;
  }
}

void TownSimulator::step(Building& b, int bi, TimeMs t, double seconds) {
  const BuildingPlan& plan = *b.plan;
  const TimeMs local = zone_.to_local(t);
  const auto w = weather_.at(local);
  b.outdoor_c = w.outdoor_c;
  b.outdoor_rh = w.humidity_pct;
  b.solar_w_m2 = w.solar_w_m2;
  b.outdoor_daily_c += (w.outdoor_c - b.outdoor_daily_c) * (1 - std::exp(-seconds / 86'400.0));
  if (b.heating_season && b.outdoor_daily_c > 16) b.heating_season = false;
  if (!b.heating_season && b.outdoor_daily_c < 14) b.heating_season = true;

  const DayKind kind = kind_of(local);
  const int hour = hour_of(local);
  b.share = occupancy_share(plan.type, kind, hour);
  double ahead = 0;  // two hours of warm-up before the building fills
  for (int h = hour; h <= std::min(23, hour + 2); ++h)
    ahead = std::max(ahead, occupancy_share(plan.type, kind, h));
  const bool night_fault = active(FaultKind::hvac_at_night, bi, t);
  b.comfort = ahead > 0 || night_fault;
  b.ahu_on = plan.ahus > 0 && (b.share > 0 || night_fault || plan.pool);
  b.ahu_speed_pct = !b.ahu_on ? 0 : (b.share > 0 || night_fault ? 80 : 35);

  const Fault* stuck = active_fault(FaultKind::stuck_sensor, bi, t);
  const Fault* window = active_fault(FaultKind::window_open, bi, t);
  const Fault* leak = active_fault(FaultKind::valve_leak, bi, t);
  const std::optional<int> stuck_room = stuck ? fault_room(*stuck) : std::nullopt;
  const std::optional<int> window_room = window ? fault_room(*window) : std::nullopt;
  const std::optional<int> leak_room = leak ? fault_room(*leak) : std::nullopt;

  const Loads loads = loads_of(plan.type);
  const std::uint64_t hour_no = static_cast<std::uint64_t>(t / kHourMs);
  double zones_heat_w = 0, people_total = 0, temp_sum = 0, area_sum = 0;
  // People per floor this step, in a buffer kept between steps (no allocation in the loop).
  auto& floor_people = b.floor_people;
  floor_people.assign(plan.floors.size(), 0.0);
  for (auto& room : b.rooms) {
    const RoomPlan& rp = *room.plan;
    const int floor =
        town_.rooms[static_cast<std::size_t>(bi)][static_cast<std::size_t>(room.index)].floor;
    // People vary room by room and hour by hour around the building's share.
    const double jitter =
        1 + 0.3 * noise(static_cast<std::uint64_t>(bi) << 16 | room.index, hour_no);
    room.people = std::round(std::max(0.0, rp.occupants * b.share * jitter));
    const double comfort = room.comfort_c;
    const double timetable_c = b.comfort ? comfort : room.setback_c;
    room.setpoint_c = night_fault ? comfort : room.written_c.value_or(timetable_c);
    room.window_open = window_room == room.index;
    // Without an AHU, people air their rooms (about 30 m³/h each, 0.34 W/K per m³/h), and
    // open the windows wide when the room is too warm.
    double aired_w_per_k = plan.ahus > 0 ? 0 : room.people * 30 * 0.34;
    if (room.people > 0 && room.zone.temperature_c() > comfort + 3) aired_w_per_k += 5 * rp.area_m2;
    ZoneInputs in{.outdoor_c = w.outdoor_c,
                  .solar_w_m2 = w.solar_w_m2,
                  .people = room.people,
                  .equipment_w = rp.area_m2 * loads.plugs_w_m2 * b.share,
                  .heating_setpoint_c = b.heating_season || rp.usage == "pool_hall"
                                            ? std::optional<double>(room.setpoint_c)
                                            : std::nullopt,
                  .cooling_setpoint_c = std::nullopt,
                  .extra_ua_w_per_k = aired_w_per_k + (room.window_open ? 150 + rp.area_m2 : 0),
                  .leak_heating_w = leak_room == room.index && b.heating_season
                                        ? 0.35 * room.zone.parameters().heating_max_w
                                        : 0};
    const ZoneStep s = room.zone.step(in, seconds);
    room.heating_w = s.heating_w;
    zones_heat_w += s.heating_w;
    people_total += room.people;
    temp_sum += s.temperature_c * rp.area_m2;
    area_sum += rp.area_m2;
    floor_people[static_cast<std::size_t>(floor)] += room.people;
    if (stuck_room == room.index) {
      if (!room.stuck_c) room.stuck_c = round_to(s.temperature_c, 0.1);
    } else {
      room.stuck_c.reset();
    }
    // Air: CO2 and moisture from people, diluted by the air change.
    const double volume = rp.area_m2 * 3;
    const double ach = (room.window_open ? 5.0 : 0.3) + aired_w_per_k / 0.34 / volume +
                       (b.ahu_on ? 2.5 * b.ahu_speed_pct / 100 : 0);
    const double decay = std::exp(-ach * seconds / 3600);
    const double co2_target = 420 + room.people * 0.018 / volume * 1e6 / ach;
    room.co2_ppm = co2_target + (room.co2_ppm - co2_target) * decay;
    const double rh_target =
        std::clamp(w.humidity_pct * saturation_hpa(w.outdoor_c) / saturation_hpa(s.temperature_c) +
                       60 * room.people / (volume * ach) + (rp.usage == "pool_hall" ? 35 : 0),
                   15.0, 90.0);
    room.humidity_pct = rh_target + (room.humidity_pct - rh_target) * decay;
  }
  const double indoor_c = area_sum > 0 ? temp_sum / area_sum : 20;
  const double area = plan.area_m2;

  // Air-handling units: heat recovery, then the coil up to the supply setpoint.
  double ahu_heat_kw = 0, fans_kw = 0;
  const double ahu_setpoint = plan.pool ? 30 : 20;
  if (b.ahu_on) {
    const double flow_m3h = area * (plan.pool ? 3.0 : 2.0) * b.ahu_speed_pct / 100;
    const double recovered = w.outdoor_c + 0.7 * (indoor_c - w.outdoor_c);
    const double coil_kw = std::max(0.0, ahu_setpoint - recovered) * flow_m3h * 1.2 / 3600 * 1.005;
    ahu_heat_kw = coil_kw;
    const double coil_max = std::max(
        1.0, (ahu_setpoint + 12) * area * (plan.pool ? 3.0 : 2.0) * 0.8 * 1.2 / 3600 * 1.005 * 0.3);
    b.ahu_coil_pct = std::clamp(100 * coil_kw / coil_max, 0.0, 100.0);
    b.ahu_supply_c = std::max(ahu_setpoint, recovered);
    const double speed = b.ahu_speed_pct / 100;
    fans_kw = flow_m3h / 3600 * 1.8 * speed * speed + 0.2;
    b.chiller_kw = plan.chiller && w.outdoor_c > 22
                       ? (w.outdoor_c - 18) * flow_m3h * 1.2 / 3600 * 1.005 / 3.5
                       : 0;
    if (b.chiller_kw > 0) b.ahu_supply_c = 18;
  } else {
    b.ahu_coil_pct = 0;
    b.chiller_kw = 0;
    b.ahu_supply_c += (indoor_c - 2 - b.ahu_supply_c) * (1 - std::exp(-seconds / 1800));
  }
  b.ahu_extract_c = indoor_c;

  // Lights by floor, dimmed by daylight.
  double lights_kw = 0;
  for (std::size_t f = 0; f < plan.floors.size(); ++f) {
    if (plan.floors[f].level < 0 || b.floor_area[f] <= 0) {
      b.lighting_kw[f] = 0;
      continue;
    }
    const bool on = floor_people[f] > 0;
    const double daylight = std::min(1.0, w.solar_w_m2 / 500) * 0.6;
    b.lighting_kw[f] = on ? b.floor_area[f] * b.factor * 7 * (1 - daylight) / 1000 : 0;
    lights_kw += b.lighting_kw[f];
  }

  // Water, and the heat its hot share takes.
  b.water_m3h = 0.01 + people_total * b.factor * loads.water_l_per_person_h / 1000 +
                (plan.pool ? 1.5 * b.share + 0.1 : 0);  // showers by day, backwash at night
  if (active(FaultKind::water_leak, bi, t)) b.water_m3h += 0.35;
  const double hot_water_kw = b.water_m3h * 0.3 * 40 * 1.163;
  const double pool_kw = plan.pool ? 80 : 0;  // the basins' evaporation and losses

  // The generator.
  b.heat_kw = zones_heat_w * b.factor / 1000 + ahu_heat_kw + pool_kw + hot_water_kw;
  const double load = std::clamp(b.heat_kw / b.design_heat_kw, 0.0, 1.0);
  const bool running = b.heat_running = b.heat_kw > 0.02 * b.design_heat_kw;
  const double curve = std::clamp(22 + 1.3 * (20 - b.outdoor_daily_c), 30.0,
                                  plan.heat_source == HeatSource::heat_pump ? 55.0 : 72.0);
  b.supply_setpoint_c = curve;
  const double towards = running ? curve : indoor_c + 5;
  b.supply_c += (towards - b.supply_c) * (1 - std::exp(-seconds / 900));
  b.return_c = b.supply_c - (running ? 3 + 15 * load : 1);
  double gas_m3h = 0, heat_pump_kw = 0, chp_kw = 0;
  switch (plan.heat_source) {
    case HeatSource::gas_boiler:
      gas_m3h = b.heat_kw / (0.95 * kGasKwhPerM3);
      break;
    case HeatSource::heat_pump:
      heat_pump_kw = b.heat_kw / cop_at(w.outdoor_c);
      break;
    case HeatSource::chp: {
      const double chp_heat = std::min(b.heat_kw, 0.12 * b.design_heat_kw);  // base load
      chp_kw = 0.6 * chp_heat;
      gas_m3h = (chp_heat / 0.55 + (b.heat_kw - chp_heat) / 0.95) / kGasKwhPerM3;
      break;
    }
    case HeatSource::district_heating:
      break;
  }
  const double pumps_kw = running ? 0.3 * heating_circuits(plan) : 0;
  b.pv_kw = plan.pv_kwp * w.solar_w_m2 / 1000 * 0.85;
  b.electricity_kw = area * (loads.base_w_m2 + loads.plugs_w_m2 * b.share) / 1000 + lights_kw +
                     fans_kw + pumps_kw + heat_pump_kw + b.chiller_kw + (plan.pool ? 40 : 0);
  b.import_kw = std::max(0.0, b.electricity_kw - b.pv_kw - chp_kw);

  // Meters count; an exchange in this step puts a new register in.
  b.electricity.add(b.import_kw, seconds);
  b.heat.add(b.heat_kw, seconds);
  b.gas.add(gas_m3h, seconds);
  b.water.add(b.water_m3h, seconds);
  b.pv.add(b.pv_kw, seconds);
  const TimeMs end = t + static_cast<TimeMs>(seconds * 1000);
  for (const auto& f : faults_from(t, end)) {
    if (f.kind != FaultKind::meter_exchange || f.building != bi) continue;
    if (auto p = fault_meter_point(f))
      if (auto* m = meter_of(b, town_.points[static_cast<std::size_t>(*p)].signal))
        m->replace(static_cast<double>(splitmix64(static_cast<std::uint64_t>(f.from)) % 50));
  }
  b.meters_silent = active(FaultKind::meter_dropout, bi, end - 1);
}

std::optional<double> TownSimulator::value(int p) const {
  const SimPoint& pt = town_.points[static_cast<std::size_t>(p)];
  const Building& b = buildings_[static_cast<std::size_t>(pt.building)];
  if (meter_signal(pt.signal) && b.meters_silent) return std::nullopt;
  const Room* room = nullptr;
  if (pt.room && b.room_slot[static_cast<std::size_t>(*pt.room)] >= 0)
    room = &b.rooms[static_cast<std::size_t>(b.room_slot[static_cast<std::size_t>(*pt.room)])];
  const double n = noise(static_cast<std::uint64_t>(p), static_cast<std::uint64_t>(now_ / 60'000));
  const bool running = b.heat_running;
  switch (pt.signal) {
    case Signal::room_temperature:
      if (!room) return std::nullopt;
      if (room->stuck_c) return room->stuck_c;
      return round_to(room->zone.temperature_c() + 0.15 * n, 0.1);
    case Signal::room_setpoint:
      if (!room) return std::nullopt;
      return round_to(room->setpoint_c, 0.5);
    case Signal::room_valve:
      if (!room) return std::nullopt;
      return std::round(100 *
                        std::min(1.0, room->heating_w / room->zone.parameters().heating_max_w));
    case Signal::room_humidity:
      if (!room) return std::nullopt;
      return std::round(room->humidity_pct + n);
    case Signal::room_co2:
      if (!room) return std::nullopt;
      return std::round(room->co2_ppm + 8 * n);
    case Signal::room_occupancy:
      if (!room) return std::nullopt;
      return room->people;
    case Signal::room_window:
      if (!room) return std::nullopt;
      return room->window_open ? 1 : 0;
    case Signal::outdoor_temperature:
      return round_to(b.outdoor_c + 0.2 * n, 0.1);
    case Signal::supply_temperature:
      return round_to(b.supply_c + 0.3 * n, 0.1);
    case Signal::return_temperature:
      return round_to(b.return_c + 0.3 * n, 0.1);
    case Signal::supply_setpoint:
      return round_to(b.supply_setpoint_c, 0.5);
    case Signal::heat_running:
      return running ? 1 : 0;
    case Signal::heat_output:
      return round_to(b.heat_kw, 0.1);
    case Signal::pump_command:
    case Signal::pump_running:
      return running ? 1 : 0;
    case Signal::ahu_supply_temperature:
      return round_to(b.ahu_supply_c + 0.2 * n, 0.1);
    case Signal::ahu_extract_temperature:
      return round_to(b.ahu_extract_c + 0.2 * n, 0.1);
    case Signal::ahu_supply_setpoint:
      return b.plan->pool ? 30.0 : 20.0;
    case Signal::ahu_damper:
      return !b.ahu_on ? 0.0 : (b.outdoor_c > 12 && b.outdoor_c < 20 ? 100.0 : 30.0);
    case Signal::ahu_fan_speed:
      return b.ahu_speed_pct;
    case Signal::ahu_fan_running:
      return b.ahu_on ? 1 : 0;
    case Signal::ahu_heating_valve:
      return std::round(b.ahu_coil_pct);
    case Signal::chiller_supply_temperature:
      return round_to(b.chiller_kw > 0 ? 6 + 0.3 * n : 14 + 0.5 * n, 0.1);
    case Signal::chiller_running:
      return b.chiller_kw > 0 ? 1 : 0;
    case Signal::chiller_power:
      return round_to(b.chiller_kw, 0.1);
    case Signal::lighting_on:
      return b.lighting_kw[static_cast<std::size_t>(pt.unit)] > 0 ? 1 : 0;
    case Signal::lighting_power:
      return round_to(b.lighting_kw[static_cast<std::size_t>(pt.unit)], 0.1);
    case Signal::pool_temperature:
      return round_to(b.pool_c[static_cast<std::size_t>(pt.unit) % 2] + 0.15 * n, 0.1);
    case Signal::pool_setpoint:
      return b.pool_c[static_cast<std::size_t>(pt.unit) % 2];
    case Signal::electricity_energy:
      return b.electricity.reading();
    case Signal::electricity_power:
      return round_to(b.import_kw, 0.1);
    case Signal::heat_energy:
      return b.heat.reading();
    case Signal::heat_power:
      return round_to(b.heat_kw, 0.1);
    case Signal::gas_volume:
      return b.gas.reading();
    case Signal::water_volume:
      return b.water.reading();
    case Signal::water_flow:
      return round_to(b.water_m3h, 0.001);
    case Signal::pv_energy:
      return b.pv.reading();
    case Signal::pv_power:
      return round_to(b.pv_kw, 0.1);
  }
  return std::nullopt;
}

double TownSimulator::initial_register(int p) const {
  const SimPoint& pt = town_.points[static_cast<std::size_t>(p)];
  for (const auto& [signal, start] :
       buildings_[static_cast<std::size_t>(pt.building)].register_start)
    if (signal == pt.signal) return start;
  return 0;
}

void TownSimulator::continue_register(int p, double reading) {
  const SimPoint& pt = town_.points[static_cast<std::size_t>(p)];
  if (auto* m = meter_of(buildings_[static_cast<std::size_t>(pt.building)], pt.signal))
    m->replace(reading);
}

void TownSimulator::set_room_setpoint(int building, int room, std::optional<double> celsius) {
  for (auto& r : buildings_[static_cast<std::size_t>(building)].rooms)
    if (r.index == room) {
      r.written_c = celsius;
      // Shown at once (a controller's read-back); the next step heats to it.
      if (celsius) r.setpoint_c = *celsius;
    }
}

double TownSimulator::consumed(int building, Signal meter) const {
  const Meter* m = meter_of(buildings_[static_cast<std::size_t>(building)], meter);
  return m ? m->consumed() : 0;
}

}  // namespace citypulse::sim
