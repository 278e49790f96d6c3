// The demo town's heating schedules (sim/demo_control.h) on a real SQLite
// store: every room setpoint written by exactly one schedule of its own
// building, documents the scheduler takes, modes that follow each building's
// use (a school heats on a term-time morning, not at night, on a public
// holiday or in the school holidays), a second seeding that adds nothing, and
// a school's holidays renewed when the demo starts in a later year.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <set>

#include "control/weekly_schedule_json.h"
#include "core/calendar.h"
#include "core/timezone.h"
#include "sim/demo_control.h"
#include "sim/demo_town.h"
#include "sim/school_calendar.h"
#include "sim/town_plan.h"
#include "store/schedule_store.h"
#include "store_test_support.h"

namespace citypulse::testing {
namespace {

namespace json = boost::json;
using sim::Signal;

class DemoSchedules : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    town_ = sim::town_layout(sim::town_plan(7, 1));
    stored_ = ok(sim::seed_demo_town(store(), town_, "a-secret-of-this-test-folder"));
  }

  std::vector<ControlSchedule> schedules() {
    auto page =
        ok(store().schedules().list(Scope::tenant(stored_.tenant_id),
                                    {.building_id = std::nullopt, .limit = 1000, .after = 0}));
    EXPECT_FALSE(page.next_after);
    return page.records;
  }

  // Local wall-clock time in Hechingen.
  static TimeMs local(std::int64_t y, unsigned m, unsigned d, int h) {
    const auto zone = Timezone::load("Europe/Berlin");
    return zone->to_utc(days_from_civil(y, m, d) * 86'400'000 + h * 3'600'000LL);
  }

  sim::TownLayout town_;
  sim::DemoTown stored_;
  const TimeMs now_ = local(2026, 3, 2, 12);  // a Monday
};

TEST_F(DemoSchedules, EveryRoomSetpointIsWrittenByOneScheduleOfItsBuilding) {
  const int made = ok(sim::seed_demo_schedules(store(), town_, stored_, now_));
  const auto listed = schedules();
  ASSERT_EQ(static_cast<std::size_t>(made), listed.size());
  ASSERT_GT(made, 7);  // every building, most with rooms at more than one temperature

  std::map<Id, int> written;  // point → schedules writing it
  for (const auto& s : listed) {
    SCOPED_TRACE(s.name);
    EXPECT_TRUE(control::schedule_from_json(json::parse(s.document)));
    EXPECT_LE(s.targets.size(), 100u);
    for (const auto& t : s.targets) {
      ++written[t.point_id];
      const Point p = ok(store().points().get(all(), t.point_id));
      EXPECT_EQ(p.kind, "setpoint");
      EXPECT_EQ(p.building_id, s.building_id);
    }
    if (s.zone_point_id) {
      const Point zone = ok(store().points().get(all(), *s.zone_point_id));
      EXPECT_EQ(zone.building_id, s.building_id);
      EXPECT_EQ(zone.quantity, "temperature");
    }
  }
  std::size_t room_setpoints = 0;
  for (std::size_t i = 0; i < town_.points.size(); ++i) {
    if (town_.points[i].signal != Signal::room_setpoint) continue;
    ++room_setpoints;
    EXPECT_EQ(written[stored_.points[i]], 1) << town_.points[i].key;
  }
  EXPECT_EQ(written.size(), room_setpoints);
}

TEST_F(DemoSchedules, ASchoolHeatsOnTermTimeMorningsOnly) {
  ok(sim::seed_demo_schedules(store(), town_, stored_, now_));
  const auto listed = schedules();
  int schools = 0;
  for (const auto& s : listed) {
    if (s.name.find("Grundschule") == std::string::npos) continue;
    ++schools;
    SCOPED_TRACE(s.name);
    const auto week = ok(control::schedule_from_json(json::parse(s.document)));
    EXPECT_EQ(week.mode_at(local(2026, 3, 4, 10)), control::Mode::occupied);    // Wednesday
    EXPECT_EQ(week.mode_at(local(2026, 3, 4, 3)), control::Mode::unoccupied);   // at night
    EXPECT_EQ(week.mode_at(local(2026, 3, 7, 10)), control::Mode::unoccupied);  // Saturday
    EXPECT_EQ(week.mode_at(local(2026, 5, 1, 10)), control::Mode::unoccupied);  // Labour Day
    // A weekday the simulator's children are on holiday.
    std::int64_t day = days_from_civil(2026, 8, 3);
    while (!sim::school_holiday_bw(civil_from_days(day)) || weekday_from_days(day) == 0 ||
           weekday_from_days(day) == 6)
      ++day;
    const CivilDate off = civil_from_days(day);
    EXPECT_EQ(week.mode_at(local(off.year, off.month, off.day, 10)), control::Mode::unoccupied);
    EXPECT_GT(week.setpoint_at(local(2026, 3, 4, 10)).setpoint,
              week.setpoint_at(local(2026, 3, 4, 3)).setpoint);
    EXPECT_TRUE(s.zone_point_id);  // it closes, so it starts early
  }
  EXPECT_GT(schools, 0);
}

TEST_F(DemoSchedules, SeedingAgainAddsNothing) {
  const int first = ok(sim::seed_demo_schedules(store(), town_, stored_, now_));
  EXPECT_GT(first, 0);
  EXPECT_EQ(ok(sim::seed_demo_schedules(store(), town_, stored_, now_ + 86'400'000)), 0);
  EXPECT_EQ(schedules().size(), static_cast<std::size_t>(first));
}

TEST_F(DemoSchedules, ASchoolsHolidaysAreRenewedInALaterYearKeepingAnOperatorsPeriods) {
  ok(sim::seed_demo_schedules(store(), town_, stored_, now_));
  const Scope scope = Scope::tenant(stored_.tenant_id);
  // An operator adds a period of their own to one school's schedule.
  ControlSchedule edited;
  for (const auto& s : schedules())
    if (s.name.find("Grundschule") != std::string::npos) edited = s;
  ASSERT_NE(edited.id, 0);
  auto doc = json::parse(edited.document).as_object();
  doc["holidays"].as_object()["school_holidays"].as_array().push_back(
      {{"name", "Projektwoche"}, {"first_day", "2026-07-13"}, {"last_day", "2026-07-17"}});
  edited.document = json::serialize(doc);
  edited = ok(store().schedules().update(scope, edited, edited.version, now_));
  std::map<Id, std::int64_t> versions;
  std::set<Id> schools;  // those planning school holidays
  for (const auto& s : schedules()) {
    versions[s.id] = s.version;
    if (json::parse(s.document).at("holidays").as_object().contains("school_holidays"))
      schools.insert(s.id);
  }
  ASSERT_FALSE(schools.empty());

  // Two years on: 2028's holidays and 2029's; the rest as they were.
  const TimeMs later = local(2028, 1, 10, 12);
  EXPECT_EQ(ok(sim::seed_demo_schedules(store(), town_, stored_, later)), 0);
  for (const auto& s : schedules()) {
    SCOPED_TRACE(s.name);
    const bool school = schools.contains(s.id);
    EXPECT_EQ(s.version, versions.at(s.id) + (school ? 1 : 0));
    if (!school) continue;
    const auto week = ok(control::schedule_from_json(json::parse(s.document)));
    std::int64_t day = days_from_civil(2029, 8, 1);
    while (!sim::school_holiday_bw(civil_from_days(day)) || weekday_from_days(day) == 0 ||
           weekday_from_days(day) == 6)
      ++day;
    const CivilDate off = civil_from_days(day);
    EXPECT_EQ(week.mode_at(local(off.year, off.month, off.day, 10)), control::Mode::unoccupied);
    EXPECT_EQ(week.mode_at(local(2028, 3, 8, 10)), control::Mode::occupied);  // term time
    const auto periods = json::parse(s.document).at("holidays").at("school_holidays").as_array();
    bool own = false;
    for (const auto& p : periods) {
      own = own || p.at("name").as_string() == "Projektwoche";
      if (p.at("name").as_string() == "Schulferien") {
        EXPECT_GE(p.at("first_day").as_string(), "2028-01-01");
      }
    }
    EXPECT_EQ(own, s.id == edited.id);
  }
  // Renewed once: the next start that year changes nothing.
  ok(sim::seed_demo_schedules(store(), town_, stored_, later + 86'400'000));
  for (const auto& s : schedules())
    EXPECT_EQ(s.version, versions.at(s.id) + (schools.contains(s.id) ? 1 : 0));
}

}  // namespace
}  // namespace citypulse::testing
