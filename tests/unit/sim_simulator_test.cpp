// The town simulator over a year: energy in plausible ranges that follows
// the seasons and the school calendar, and every fault of the schedule
// visible in the values the points show — what a rule or an analytic
// needs to find it.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "core/calendar.h"
#include "sim/town_simulator.h"

namespace citypulse::sim {
namespace {

constexpr TimeMs kHour = 3'600'000;
const std::string kRecords = CITYPULSE_SOURCE_DIR "/../shared/data/cambridge/weather";

TimeMs utc(int y, unsigned m, unsigned d, int h = 0) {
  return days_from_civil(y, m, d) * 24 * kHour + h * kHour;
}

// A year of the first eight buildings, stepped every quarter hour, every
// point sampled on the hour (NaN: nothing sent).
class SimYear : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    town_ = new TownLayout(town_layout(town_plan(8, 1)));
    weather_ = new Weather(Weather::records_or_synthetic(kRecords));
    zone_ = new Timezone(Timezone::load("Europe/Berlin").value());
    sim_ = new TownSimulator(*town_, *weather_, *zone_, {.seed = 1}, kStart);
    samples_.assign(town_->points.size(), std::vector<float>(kHours, NAN));
    for (int h = 0; h < kHours; ++h) {
      sim_->advance_to(kStart + (h + 1) * kHour, 900);
      for (std::size_t p = 0; p < town_->points.size(); ++p)
        if (auto v = sim_->value(static_cast<int>(p)))
          samples_[p][static_cast<std::size_t>(h)] = static_cast<float>(*v);
    }
  }
  static void TearDownTestSuite() {
    delete sim_;
    delete zone_;
    delete weather_;
    delete town_;
  }

 protected:
  static constexpr TimeMs kStart = 1'735'689'600'000;  // 2025-01-01T00:00Z
  static constexpr int kHours = 365 * 24;

  static int point(const std::string& key) {
    for (std::size_t p = 0; p < town_->points.size(); ++p)
      if (town_->points[p].key == key) return static_cast<int>(p);
    ADD_FAILURE() << "no point " << key;
    return 0;
  }
  static int point_of(int building, Signal s, std::optional<int> room = {}) {
    for (std::size_t p = 0; p < town_->points.size(); ++p) {
      const auto& pt = town_->points[p];
      if (pt.building == building && pt.signal == s && (!room || pt.room == room))
        return static_cast<int>(p);
    }
    ADD_FAILURE() << "building " << building << " has no such point";
    return 0;
  }
  // The sample of point p at the hour that starts at t (value at t + 1 h).
  static float at(int p, TimeMs t) {
    const auto h = (t - kStart) / kHour;
    if (h < 0 || h >= kHours) return NAN;
    return samples_[static_cast<std::size_t>(p)][static_cast<std::size_t>(h)];
  }
  // What a register counted over [from, to), rollovers and exchanges aside.
  static double counted(int p, TimeMs from, TimeMs to) {
    double sum = 0, last = NAN;
    for (TimeMs t = from; t < to; t += kHour) {
      const float v = at(p, t);
      if (std::isnan(v)) continue;
      if (!std::isnan(last) && v >= last) sum += v - last;
      last = v;
    }
    return sum;
  }

  static inline TownLayout* town_ = nullptr;
  static inline Weather* weather_ = nullptr;
  static inline Timezone* zone_ = nullptr;
  static inline TownSimulator* sim_ = nullptr;
  static inline std::vector<std::vector<float>> samples_;
};

TEST_F(SimYear, EnergyPerSquareMetreIsPlausibleAndFollowsTheSeasons) {
  for (int b = 0; b < 8; ++b) {
    const auto& plan = town_->buildings[static_cast<std::size_t>(b)];
    const double heat = sim_->consumed(b, Signal::heat_energy) / plan.area_m2;
    const double power = sim_->consumed(b, Signal::electricity_energy) / plan.area_m2;
    RecordProperty(plan.key + "_heat_kwh_m2", static_cast<int>(heat));
    RecordProperty(plan.key + "_electricity_kwh_m2", static_cast<int>(power));
    EXPECT_GT(heat, plan.pool ? 150 : 25) << plan.name;
    EXPECT_LT(heat, plan.pool ? 900 : 300) << plan.name;
    EXPECT_GT(power, 4) << plan.name;
    EXPECT_LT(power, plan.pool ? 250 : 90) << plan.name;
    const int meter = point_of(b, Signal::heat_energy);
    const double january = counted(meter, utc(2025, 1, 6), utc(2025, 1, 27));
    const double july = counted(meter, utc(2025, 7, 7), utc(2025, 7, 28));
    EXPECT_GT(january, (plan.pool ? 1.2 : 2.5) * july) << plan.name;
  }
}

TEST_F(SimYear, ASchoolUsesMoreOnTermDaysThanAtWeekendsAndInTheHolidays) {
  const int meter = point("grundschule.meter.electricity");
  const double term_week = counted(meter, utc(2025, 3, 10), utc(2025, 3, 15));  // Mon-Fri
  const double weekend = counted(meter, utc(2025, 3, 15), utc(2025, 3, 17));
  EXPECT_GT(term_week / 5, 1.5 * weekend / 2);
  const int co2 = point("grundschule.r02.co2");
  float term_peak = 0, holiday_peak = 0;
  for (int h = 0; h < 24; ++h) {
    term_peak = std::max(term_peak, at(co2, utc(2025, 3, 12, h)));
    holiday_peak = std::max(holiday_peak, at(co2, utc(2025, 8, 13, h)));  // summer holidays
  }
  EXPECT_GT(term_peak, 900);
  EXPECT_LT(holiday_peak, 600);
}

TEST_F(SimYear, EveryKindOfFaultIsScheduledAndShowsInTheValues) {
  std::map<FaultKind, int> seen, shown;
  for (const auto& f : sim_->faults()) {
    if (f.from < kStart + 24 * kHour || f.to > kStart + (kHours - 24) * kHour) continue;
    ++seen[f.kind];
    const BuildingPlan& plan = town_->buildings[static_cast<std::size_t>(f.building)];
    const TimeMs hour0 = f.from - f.from % kHour;
    bool visible = false;
    switch (f.kind) {
      case FaultKind::stuck_sensor: {  // the same value for the whole fault
        const int p = point_of(f.building, Signal::room_temperature, sim_->fault_room(f));
        const float first = at(p, hour0 + kHour);
        visible = true;
        for (TimeMs t = hour0 + kHour; t + kHour < f.to; t += kHour) visible &= at(p, t) == first;
        const float before = at(p, hour0 - 6 * kHour), after = at(p, f.to + 6 * kHour);
        visible &= before != first || after != first;
        break;
      }
      case FaultKind::hvac_at_night: {  // the building's main room kept warm through the night
        int main = 0, most = -1;
        const auto& rooms = town_->rooms[static_cast<std::size_t>(f.building)];
        for (std::size_t r = 0; r < rooms.size(); ++r)
          if (rooms[r].plan->occupants > most)
            most = rooms[r].plan->occupants, main = static_cast<int>(r);
        const int setpoint = point_of(f.building, Signal::room_setpoint, main);
        const int temp = point_of(f.building, Signal::room_temperature, main);
        const TimeMs night = hour0 + 5 * kHour;  // 03:00-04:00 local
        visible = at(setpoint, night) > at(setpoint, night - 24 * kHour) &&
                  at(temp, night) > at(temp, night - 24 * kHour) + 0.5;
        break;
      }
      case FaultKind::window_open: {  // the contact says so and the room cools or heats flat out
        const auto room = sim_->fault_room(f);
        const int contact = point_of(f.building, Signal::room_window, room);
        visible = at(contact, hour0 + kHour) == 1 && at(contact, f.to + kHour) == 0;
        break;
      }
      case FaultKind::valve_leak: {  // a room warm at night while its setpoint is set back
        const auto room = sim_->fault_room(f);
        const int temp = point_of(f.building, Signal::room_temperature, room);
        const int setpoint = point_of(f.building, Signal::room_setpoint, room);
        for (TimeMs t = hour0; t < f.to; t += kHour) visible |= at(temp, t) > at(setpoint, t) + 2.5;
        break;
      }
      case FaultKind::meter_dropout: {
        const int p = point_of(f.building, Signal::electricity_energy);
        visible = std::isnan(at(p, hour0 + kHour)) && !std::isnan(at(p, hour0 - kHour)) &&
                  !std::isnan(at(p, f.to + kHour));
        break;
      }
      case FaultKind::meter_exchange: {  // the register starts again
        const int p = *sim_->fault_meter_point(f);
        visible = at(p, hour0) < at(p, hour0 - 2 * kHour) && at(p, hour0) < 5000;
        break;
      }
      case FaultKind::water_leak: {  // water through the night
        const int flow = point_of(f.building, Signal::water_flow);
        const TimeMs small_hours = hour0 + 24 * kHour - hour0 % (24 * kHour) + kHour;
        visible = at(flow, small_hours) > at(flow, small_hours - 7 * 24 * kHour) + 0.25;
        break;
      }
    }
    if (visible) ++shown[f.kind];
    EXPECT_TRUE(visible) << fault_name(f.kind) << " in " << plan.name << " from " << f.from;
  }
  for (std::size_t k = 0; k < kFaultKinds; ++k)
    EXPECT_GT(shown[static_cast<FaultKind>(k)], 0) << fault_name(static_cast<FaultKind>(k));
}

// The demo's rules (sim/demo_rules.h) must stay quiet on a town without
// faults: no water through the night, no main room kept warm at night
// (fire stations, manned day and night, have no such rule).
TEST_F(SimYear, WithoutFaultsTheNightRulesStayQuiet) {
  TownSimulator quiet(*town_, *weather_, *zone_, {.seed = 1, .fault_period_days = 0}, kStart);
  std::vector<int> flows, setpoints;
  std::vector<double> limits;
  for (int b = 0; b < 8; ++b) {
    flows.push_back(point_of(b, Signal::water_flow));
    const auto& rooms = town_->rooms[static_cast<std::size_t>(b)];
    int main = 0, most = -1;
    for (std::size_t r = 0; r < rooms.size(); ++r)
      if (rooms[r].plan->occupants > most)
        most = rooms[r].plan->occupants, main = static_cast<int>(r);
    const bool manned = town_->buildings[static_cast<std::size_t>(b)].type == "fire_station";
    setpoints.push_back(manned ? -1 : point_of(b, Signal::room_setpoint, main));
    limits.push_back(setback_setpoint(rooms[static_cast<std::size_t>(main)].plan->usage) + 1.5);
  }
  for (int day = 0; day < 85; ++day)  // January to late March: Berlin is UTC+1
    for (int hour : {0, 1, 2}) {      // the rule's 01:00-04:00 local
      quiet.advance_to(kStart + (day * 24 + hour) * kHour + 30 * 60'000, 900);
      for (int b = 0; b < 8; ++b) {
        EXPECT_LT(*quiet.value(flows[static_cast<std::size_t>(b)]), 0.25) << b << " day " << day;
        if (setpoints[static_cast<std::size_t>(b)] >= 0) {
          EXPECT_LE(*quiet.value(setpoints[static_cast<std::size_t>(b)]),
                    limits[static_cast<std::size_t>(b)])
              << b << " day " << day;
        }
      }
    }
}

// What a command or schedule writes to a room's controller: the setpoint
// point shows it at once, the room is heated to it (more heat flows), it
// holds through the night unlike the room's own timetable, and releasing it
// gives the timetable back.
TEST_F(SimYear, ARoomFollowsTheSetpointWrittenToIt) {
  TownSimulator a(*town_, *weather_, *zone_, {.seed = 1, .fault_period_days = 0}, kStart);
  TownSimulator b(*town_, *weather_, *zone_, {.seed = 1, .fault_period_days = 0}, kStart);
  const int room = 2;  // the Rathaus's Bürgerbüro (an office, comfort 21 °C)
  const int setpoint = point_of(0, Signal::room_setpoint, room);
  const int temp = point_of(0, Signal::room_temperature, room);
  b.set_room_setpoint(0, room, 24.0);
  EXPECT_EQ(*b.value(setpoint), 24);         // the read-back, before any step
  const TimeMs noon = utc(2025, 1, 15, 11);  // a Wednesday in January, office hours
  a.advance_to(noon, 900);
  b.advance_to(noon, 900);
  EXPECT_EQ(*a.value(setpoint), 21);
  EXPECT_EQ(*b.value(setpoint), 24);
  EXPECT_GT(*b.value(temp), *a.value(temp) + 2);
  EXPECT_GT(b.consumed(0, Signal::heat_energy), a.consumed(0, Signal::heat_energy));
  const TimeMs night = utc(2025, 1, 16, 1);  // 02:00 local: the timetable sets back
  a.advance_to(night, 900);
  b.advance_to(night, 900);
  EXPECT_LT(*a.value(setpoint), 21);
  EXPECT_EQ(*b.value(setpoint), 24);
  b.set_room_setpoint(0, room, std::nullopt);  // back to the room's own
  b.advance_to(night + 3600'000, 900);
  EXPECT_EQ(*b.value(setpoint), *a.value(setpoint));
}

TEST_F(SimYear, TheRegisterThatStartsNearItsCapacityRollsOver) {
  const int p = point("grundschule.meter.electricity");
  EXPECT_GT(at(p, kStart), 999'000);
  bool rolled = false;
  for (TimeMs t = kStart + kHour; t < kStart + 60 * 24 * kHour; t += kHour)
    rolled |= at(p, t) < at(p, t - kHour) && at(p, t) < 1000;
  EXPECT_TRUE(rolled);
}

TEST_F(SimYear, TheSameSeedGivesTheSameValues) {
  TownSimulator again(*town_, *weather_, *zone_, {.seed = 1}, kStart);
  TownSimulator other(*town_, *weather_, *zone_, {.seed = 2}, kStart);
  again.advance_to(kStart + 48 * kHour, 900);
  other.advance_to(kStart + 48 * kHour, 900);
  int differ = 0;
  for (std::size_t p = 0; p < town_->points.size(); ++p) {
    const auto v = again.value(static_cast<int>(p));
    EXPECT_EQ(v.has_value(), !std::isnan(at(static_cast<int>(p), kStart + 47 * kHour)));
    if (v) {
      EXPECT_FLOAT_EQ(static_cast<float>(*v), at(static_cast<int>(p), kStart + 47 * kHour));
    }
    differ += other.value(static_cast<int>(p)) != v;
  }
  EXPECT_GT(differ, 50);
}

}  // namespace
}  // namespace citypulse::sim
