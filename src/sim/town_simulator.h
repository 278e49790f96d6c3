// The demo town in motion: every room a thermal zone, every building its
// plant and meters, stepped through time under real (or synthetic)
// weather, the German school and holiday calendar and each building's
// hours, with the fault schedule acting on them. What a point shows at
// any moment is read with value().
//
// Per building and step:
// - rooms: occupancy from the building type's day (noise per room), the
//   heating setpoint from the schedule (comfort from two hours before the
//   building fills, setback otherwise, no heating outside the heating
//   season), then the zone's 1R1C step; CO2 and humidity follow people and
//   air change; a room stands for area_factor() of the heated area;
// - plant: heat demand = rooms + AHU heating coils (after 70 % heat
//   recovery) + pool basins + hot water; the generator meets it (a gas
//   boiler burns gas, a heat pump uses electricity by its COP at the
//   outdoor temperature, a CHP burns gas and makes electricity, district
//   heating arrives through the substation), with the flow setpoint from a
//   heating curve and the return temperature from the load;
// - electricity: base load, plugs and lights with occupancy, fans, pumps,
//   heat pump, chiller and pool filtration, less PV and CHP (the import
//   meter never runs backwards); water with people, the pool, a leak;
// - the faults (faults.h) act: a stuck room sensor holds its value, the
//   heating runs through the night, a window stands open, a valve leaks,
//   the meter gateway falls silent, a meter is exchanged (its register
//   starts again), water runs through the night.
//
// Deterministic: the same layout, weather, seed and steps give the same
// values. Not thread-safe; one owner steps and reads it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/time.h"
#include "core/timezone.h"
#include "sim/faults.h"
#include "sim/meter.h"
#include "sim/town_layout.h"
#include "sim/weather.h"
#include "sim/zone_model.h"

namespace citypulse::sim {

struct SimulatorOptions {
  std::uint64_t seed = 1;
  int fault_period_days = 21;  // 0: no faults
};

class TownSimulator {
 public:
  // The town at `start` (UTC), rooms at their setpoints. The layout and
  // the weather must outlive the simulator.
  TownSimulator(const TownLayout& town, const Weather& weather, Timezone zone,
                SimulatorOptions options, TimeMs start);

  // Steps forward to `t` in steps of at most `max_step_s` seconds (the
  // last one shorter). Nothing happens for t <= now().
  void advance_to(TimeMs t, double max_step_s = 900);
  TimeMs now() const { return now_; }

  // What point `p` (an index into the layout's points) shows now, rounded
  // as the device would send it; none while its device is silent (a meter
  // drop-out).
  std::optional<double> value(int p) const;

  // A meter register's reading from before a restart, so that the meter
  // counts on from it rather than starting again. `p` must be a meter
  // register point (electricity/heat/pv energy, gas/water volume).
  void continue_register(int p, double reading);
  // What register point `p` showed when the simulator was made: a first
  // start restores it after the warm-up, so that what the registers do
  // (the rollover of one of them) happens in the written history.
  double initial_register(int p) const;

  // The setpoint written to a room's controller (a command or a schedule):
  // the room is heated to it day and night, and its setpoint point shows it
  // at once, until the next write; none: back to the room's own timetable
  // (comfort from two hours before the building fills, setback otherwise).
  // The heating-at-night fault still overrides it: a controller that
  // ignores its setpoint is that fault.
  void set_room_setpoint(int building, int room, std::optional<double> celsius);

  // The faults scheduled from the start up to a day past now, by start.
  const std::vector<Fault>& faults() const { return faults_; }
  // For a fault of the schedule, the room (stuck sensor, window, leaking
  // valve) or meter register point (exchange) it strikes.
  std::optional<int> fault_room(const Fault& f) const;
  std::optional<int> fault_meter_point(const Fault& f) const;

  // The true consumption of a building's meter since the start (what the
  // register would show with no exchange or rollover): for tests.
  double consumed(int building, Signal meter) const;

 private:
  struct Room {
    Room(int i, const RoomPlan* p, ZoneModel z) : index(i), plan(p), zone(z) {}
    int index = 0;  // flat room index in the building
    const RoomPlan* plan = nullptr;
    ZoneModel zone;
    double comfort_c = 20, setback_c = 16;
    std::optional<double> written_c;  // set_room_setpoint()
    double heating_w = 0;
    double setpoint_c = 16;
    double people = 0;
    double co2_ppm = 420, humidity_pct = 45;
    bool window_open = false;
    std::optional<double> stuck_c;  // the value a stuck sensor holds
  };
  struct Building {
    const BuildingPlan* plan = nullptr;
    std::vector<Room> rooms;
    double factor = 1;          // heated area per modelled area
    double design_heat_kw = 1;  // the generator's size
    double outdoor_c = 10, outdoor_daily_c = 10, solar_w_m2 = 0, outdoor_rh = 70;
    bool comfort = false, heating_season = true, ahu_on = false;
    double share = 0;  // occupancy share now
    double heat_kw = 0, supply_c = 40, return_c = 35, supply_setpoint_c = 40;
    double ahu_supply_c = 20, ahu_extract_c = 21, ahu_coil_pct = 0, ahu_speed_pct = 0;
    double chiller_kw = 0;
    std::vector<double> lighting_kw;  // per floor
    double electricity_kw = 0, import_kw = 0, pv_kw = 0, water_m3h = 0;
    std::vector<double> pool_c;
    Meter electricity, heat, gas, water, pv;
    std::vector<std::pair<Signal, double>> register_start;  // what each register showed first
    std::vector<int> room_slot;        // flat room index → index into rooms (-1: a plant room)
    std::vector<double> floor_area;    // modelled m² per floor (fixed)
    std::vector<double> floor_people;  // people per floor in the last step
    bool heat_running = false;         // the generator ran in the last step
    bool meters_silent = false;
  };

  void step(Building& b, int bi, TimeMs t, double seconds);
  void extend_faults(TimeMs until);
  bool active(FaultKind kind, int building, TimeMs t) const;
  // The faults that start in [from, to).
  std::span<const Fault> faults_from(TimeMs from, TimeMs to) const;
  const Fault* active_fault(FaultKind kind, int building, TimeMs t) const;
  // The register behind a meter signal (none for rates and the rest).
  template <class B>
  static auto* meter_of(B& b, Signal s);
  double noise(std::uint64_t a, std::uint64_t b) const;  // in [-1, 1]

  const TownLayout& town_;
  const Weather& weather_;
  Timezone zone_;
  SimulatorOptions options_;
  TimeMs start_, now_;
  std::vector<Building> buildings_;
  std::vector<Fault> faults_;
  TimeMs faults_until_ = 0;
};

}  // namespace citypulse::sim
