// RuleCatalog: the stored rules made ready to evaluate. A rule's schedule
// is read (docs/alarms.md, "Schedules as text"). Each enabled rule's
// scope is resolved to points (every point of the tenant matching all the
// fields it gives; a scope wider than one point takes sensors and status
// points only, not setpoints and commands), and its parameters to a
// condition per point where they depend on the point (bounds default to
// the point's own, stale silence to k × its expected interval).
//
// What cannot be made — a bounds rule on a point without bounds, a stale
// rule on a point without an expected interval and no duration — is left
// out and said in `problems`, never guessed.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "core/timezone.h"
#include "model/alarm.h"
#include "model/rule.h"
#include "rules/rule_set.h"
#include "store/meta_store.h"

namespace citypulse::alarms {

// What an alarm says about its point.
struct PointFacts {
  Id tenant_id = 0;
  Id building_id = 0;
  std::string name;
  std::string unit;
};

struct RuleCatalog {
  std::uint64_t generation = 0;  // MetaStore::asset_generation() it was read at
  std::vector<rules::Rule> rules;
  std::unordered_map<Id, Rule> records;       // the enabled rules, by id
  std::unordered_map<Id, PointFacts> points;  // every point a rule watches
  // An expression rule's alarms are of one point: the first it names.
  std::unordered_map<Id, Id> expression_source;
  // The zone a rule's schedule, anomaly bins and expression clock are in:
  // its building's (the rule's, else its one point's), else its tenant's.
  std::unordered_map<Id, Timezone> zones;
  // Every (rule, point) of an anomaly rule, and the weeks of history its
  // profile is fitted on: the engine fits them (rule_engine.h).
  struct AnomalyWatch {
    Id rule = 0;
    Id point = 0;
    int weeks = 4;
  };
  std::vector<AnomalyWatch> anomalies;

  // occupied() in expressions: a building is occupied while one of its
  // occupancy sensors (quantity occupancy, kind sensor or status) last
  // read more than 0. The engine tells the catalog each of their readings;
  // an expression is judged when one of its own points reports, with the
  // occupancy known then.
  struct RuleOccupancy {
    const RuleCatalog* catalog = nullptr;
    Id building = 0;  // the rule's own: occupied() without an argument
  };
  std::unordered_map<Id, RuleOccupancy> occupancy_of_rule;   // expression rules
  std::unordered_map<Id, std::vector<Id>> occupancy_points;  // building → its sensors
  std::unordered_map<Id, double> occupancy_latest;           // sensor → latest (NaN: none)
  bool occupied(Id building) const;
  // A reading of any point; only occupancy sensors are kept. Allocates nothing.
  void on_reading(Id point, double value) {
    if (const auto it = occupancy_latest.find(point); it != occupancy_latest.end())
      it->second = value;
  }
  std::vector<std::string> problems;

  // The (rule, point) an alarm is of for a change the rule set reported.
  Id source_point(Id rule, Id point) const {
    const auto e = expression_source.find(rule);
    return e == expression_source.end() ? point : e->second;
  }
  // The (rule, point) the rule set knows the alarm's condition by.
  Id watched_point(Id rule, Id point) const { return expression_source.contains(rule) ? 0 : point; }
  // Where the catalog will stay (the engine's): the clock's occupancy
  // answers point back to it.
  rules::RuleSet::LocalClock local_clock();
  // Wall-clock time in the rule's zone (UTC without one).
  TimeMs local_time(Id rule, TimeMs t) const;
};

// Reads rules, points, devices, buildings and tenants of every tenant.
Result<RuleCatalog> load_rule_catalog(MetaStore& store);

// The alarm's text: the rule's message with {rule}, {point}, {value},
// {unit} and {threshold} filled in, or a plain sentence when it has none.
std::string alarm_message(const Rule& rule, const PointFacts& point, double value);

}  // namespace citypulse::alarms
