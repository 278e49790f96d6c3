#include "sim/demo_control.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "control/weekly_schedule_json.h"
#include "core/calendar.h"
#include "sim/occupancy.h"
#include "store/schedule_store.h"

namespace citypulse::sim {
namespace json = boost::json;
namespace {

// The schedule document's limit on targets (api/schedule_routes.cpp).
constexpr std::size_t kMaxTargets = 100;

std::string hour_text(int h) {
  return fmt::format("{:02}:00", h);
}

// The hours a building of `type` is in use on a day of `kind`, as blocks of
// the occupied mode (one per run of used hours).
json::array occupied_blocks(std::string_view type, DayKind kind) {
  json::array blocks;
  int start = -1;
  for (int h = 0; h <= 24; ++h) {
    const bool used = h < 24 && occupancy_share(type, kind, h) > 0;
    if (used && start < 0) start = h;
    if (!used && start >= 0) {
      blocks.push_back({{"start", hour_text(start)}, {"end", hour_text(h)}, {"mode", "occupied"}});
      start = -1;
    }
  }
  return blocks;
}

// The periods the demo plans for a school's holidays are named so.
constexpr std::string_view kSchoolHolidays = "Schulferien";

// The school holidays from January of `year` to the end of the next year, as
// the simulator's pattern has them: each run of days a period.
json::array school_holidays(std::int64_t year) {
  json::array periods;
  const std::int64_t first = days_from_civil(year, 1, 1);
  const std::int64_t last = days_from_civil(year + 1, 12, 31);
  std::optional<std::int64_t> start;
  auto date_text = [](std::int64_t days) {
    const CivilDate d = civil_from_days(days);
    return fmt::format("{:04}-{:02}-{:02}", d.year, d.month, d.day);
  };
  for (std::int64_t day = first; day <= last + 1; ++day) {
    const bool off = day <= last && school_holiday_bw(civil_from_days(day));
    if (off && !start) start = day;
    if (!off && start) {
      periods.push_back({{"name", kSchoolHolidays},
                         {"first_day", date_text(*start)},
                         {"last_day", date_text(day - 1)}});
      start.reset();
    }
  }
  return periods;
}

// A stored schedule's document with the simulator's school holidays from
// January of `year` on, when the demo's periods in it end before the next
// year begins (it was made in an earlier year); other periods (an
// operator's) are kept. None when it needs no renewal or has no school
// holidays (an operator took them out).
std::optional<json::object> renewed(const std::string& document, std::int64_t year) {
  boost::system::error_code ec;
  auto doc = json::parse(document, ec);
  if (ec || !doc.is_object()) return std::nullopt;
  auto* holidays = doc.as_object().if_contains("holidays");
  auto* periods = holidays && holidays->is_object()
                      ? holidays->as_object().if_contains("school_holidays")
                      : nullptr;
  if (!periods || !periods->is_array()) return std::nullopt;
  std::string last_day;
  json::array kept;
  for (const auto& p : periods->as_array()) {
    const auto* o = p.if_object();
    const auto* name = o ? o->if_contains("name") : nullptr;
    const auto* last = o ? o->if_contains("last_day") : nullptr;
    if (name && name->is_string() && name->as_string() == kSchoolHolidays) {
      if (last && last->is_string()) last_day = std::max(last_day, std::string(last->as_string()));
    } else {
      kept.push_back(p);
    }
  }
  if (last_day >= fmt::format("{:04}-01-01", year + 1)) return std::nullopt;
  for (auto& p : school_holidays(year)) kept.push_back(std::move(p));
  *periods = std::move(kept);
  return std::move(doc.as_object());
}

bool school(std::string_view type) {
  return type == "primary_school" || type == "secondary_school" || type == "school";
}

json::object document(const BuildingPlan& b, double comfort, double setback, std::int64_t year) {
  auto mode = [](double c) { return json::object{{"setpoint", c}}; };
  const double standby = std::round((comfort + setback)) / 2;
  json::object days;
  const json::array working = occupied_blocks(b.type, DayKind::working);
  for (const char* d : {"mon", "tue", "wed", "thu", "fri"}) days[d] = working;
  const json::array weekend = occupied_blocks(b.type, DayKind::weekend);
  days["sat"] = weekend;
  days["sun"] = weekend;
  json::object holidays{{"state", "BW"}, {"public", {{"as", "sun"}}}};
  if (school(b.type)) {
    holidays["school"] = {{"mode", "unoccupied"}};
    holidays["school_holidays"] = school_holidays(year);
  }
  return {
      {"timezone", "Europe/Berlin"},
      {"default_mode", "unoccupied"},
      {"modes",
       {{"occupied", mode(comfort)}, {"standby", mode(standby)}, {"unoccupied", mode(setback)}}},
      {"days", std::move(days)},
      {"holidays", std::move(holidays)}};
}

// A building's rooms that share their temperatures: their setpoint and
// temperature points (layout indexes).
struct RoomGroup {
  std::vector<int> setpoints, temperatures;
};

}  // namespace

Result<int> seed_demo_schedules(MetaStore& store, const TownLayout& town, const DemoTown& stored,
                                TimeMs now) {
  const Scope scope = Scope::tenant(stored.tenant_id);
  std::map<std::string, ControlSchedule> existing;  // by name
  for (ScheduleQuery query{.building_id = std::nullopt, .limit = 1000, .after = 0};;) {
    auto page = store.schedules().list(scope, query);
    if (!page) return std::unexpected(page.error());
    for (auto& s : page->records) existing.emplace(s.name, std::move(s));
    if (!page->next_after) break;
    query.after = *page->next_after;
  }
  const std::int64_t year = civil_from_days(now / 86'400'000).year;

  // building → (comfort, setback) → rooms; building → outdoor temperature point.
  std::map<int, std::map<std::pair<double, double>, RoomGroup>> groups;
  std::map<int, int> outdoor;
  std::map<std::pair<int, int>, int> temperature_of;  // (building, room) → point
  for (std::size_t i = 0; i < town.points.size(); ++i) {
    const SimPoint& p = town.points[i];
    if (p.signal == Signal::outdoor_temperature) outdoor[p.building] = static_cast<int>(i);
    if (p.signal == Signal::room_temperature && p.room)
      temperature_of[{p.building, *p.room}] = static_cast<int>(i);
  }
  for (std::size_t i = 0; i < town.points.size(); ++i) {
    const SimPoint& p = town.points[i];
    if (p.signal != Signal::room_setpoint || !p.room) continue;
    const auto& room =
        town.rooms[static_cast<std::size_t>(p.building)][static_cast<std::size_t>(*p.room)];
    const std::string& usage = room.plan->usage;
    auto& group = groups[p.building][{comfort_setpoint(usage), setback_setpoint(usage)}];
    group.setpoints.push_back(static_cast<int>(i));
    if (auto t = temperature_of.find({p.building, *p.room}); t != temperature_of.end())
      group.temperatures.push_back(t->second);
  }

  int made = 0;
  for (const auto& [b, by_temperature] : groups) {
    const BuildingPlan& plan = town.buildings[static_cast<std::size_t>(b)];
    bool always_used = true;  // manned day and night: nothing to start early
    for (int h = 0; h < 24; ++h)
      always_used = always_used && occupancy_share(plan.type, DayKind::weekend, h) > 0;
    for (const auto& [temperatures, group] : by_temperature) {
      const auto [comfort, setback] = temperatures;
      for (std::size_t first = 0; first < group.setpoints.size(); first += kMaxTargets) {
        std::string name = fmt::format("{}: rooms at {} °C", plan.name, comfort);
        if (first > 0) name += fmt::format(" ({})", first / kMaxTargets + 1);
        if (auto it = existing.find(name); it != existing.end()) {
          if (!school(plan.type)) continue;
          // Made in an earlier year: this year's school holidays and the next.
          auto doc = renewed(it->second.document, year);
          if (!doc) continue;
          if (auto checked = control::schedule_from_json(*doc); !checked)
            return std::unexpected(checked.error());
          ControlSchedule s = it->second;
          s.document = json::serialize(*doc);
          if (auto updated = store.schedules().update(scope, std::move(s), it->second.version, now);
              !updated)
            return std::unexpected(updated.error());
          continue;
        }
        const auto doc = document(plan, comfort, setback, year);
        // The document is ours: a mistake in it is a bug, said here rather than by the scheduler.
        if (auto checked = control::schedule_from_json(doc); !checked)
          return std::unexpected(checked.error());
        ControlSchedule s;
        s.tenant_id = stored.tenant_id;
        s.name = name;
        s.document = json::serialize(doc);
        const std::size_t end = std::min(group.setpoints.size(), first + kMaxTargets);
        for (std::size_t k = first; k < end; ++k)
          s.targets.push_back(
              {.point_id = stored.points[static_cast<std::size_t>(group.setpoints[k])],
               .setpoint = "setpoint"});
        auto point = store.points().get(scope, s.targets.front().point_id);
        if (!point) return std::unexpected(point.error());
        s.building_id = point->building_id;
        if (!always_used && !group.temperatures.empty()) {
          s.zone_point_id = stored.points[static_cast<std::size_t>(group.temperatures.front())];
          if (auto o = outdoor.find(b); o != outdoor.end())
            s.outdoor_point_id = stored.points[static_cast<std::size_t>(o->second)];
        }
        auto created = store.schedules().create(scope, std::move(s), now);
        if (!created) return std::unexpected(created.error());
        existing.emplace(name, std::move(*created));
        ++made;
      }
    }
  }
  return made;
}

}  // namespace citypulse::sim
