// ScheduleStore: the control schedules of zones and equipment — a weekly
// schedule document (control/weekly_schedule_json.h), the setpoint points it
// writes at its transitions, the zone it may start early (optimal start), and
// the scheduler's own state: what it applied last and what optimal start has
// learned (docs/control.md, "Schedules"). Kept by the relational store
// (MetaStore::schedules()) and removed with the building.
//
// Contract:
// - Scoped calls see the scope's tenant and, for a building-limited scope,
//   its buildings' schedules only (not_found otherwise, as if absent); a
//   building-limited caller cannot create a schedule outside its buildings
//   (not_found, field "/building_id").
// - create() assigns id and version 1; update() and remove() honour an
//   expected version (precondition_failed otherwise); update() bumps it.
//   Neither touches the scheduler's state.
// - save_state() writes the scheduler's state only, without a new version.
// - changes() grows with every create, update and remove, so the scheduler
//   can tell cheaply that it must read the schedules again.
// - Each call is atomic. Calls are safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "model/asset.h"
#include "store/meta_store.h"

namespace citypulse {

// A point the schedule writes, and which of a mode's setpoints it takes.
struct ScheduleTarget {
  Id point_id = 0;
  std::string setpoint = "setpoint";  // setpoint | heating | cooling
  bool operator==(const ScheduleTarget&) const = default;
};

struct ControlSchedule {
  Id id = 0;
  Id tenant_id = 0;
  Id building_id = 0;
  std::string name;
  bool enabled = true;
  std::string document;  // the weekly schedule, JSON
  std::vector<ScheduleTarget> targets;
  // Optimal start, when zone_point_id is set: the zone's temperature, and the
  // outdoor temperature (optional: without it the model learns one rate).
  std::optional<Id> zone_point_id;
  std::optional<Id> outdoor_point_id;
  std::string state = "{}";  // the scheduler's, JSON
  std::int64_t version = 0;
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
};

struct ScheduleQuery {
  std::optional<Id> building_id;
  std::size_t limit = 100;  // 1..1000
  Id after = 0;             // the cursor: schedules with a larger id
};

class ScheduleStore {
 public:
  virtual ~ScheduleStore() = default;

  virtual Result<ControlSchedule> create(const Scope& scope, ControlSchedule schedule,
                                         TimeMs now) = 0;
  virtual Result<ControlSchedule> get(const Scope& scope, Id schedule) = 0;
  virtual Result<Page<ControlSchedule>> list(const Scope& scope, const ScheduleQuery& query) = 0;
  // Replaces name, enabled, document, targets and the optimal start points.
  virtual Result<ControlSchedule> update(const Scope& scope, ControlSchedule schedule,
                                         std::optional<std::int64_t> expected_version,
                                         TimeMs now) = 0;
  virtual Status remove(const Scope& scope, Id schedule,
                        std::optional<std::int64_t> expected_version) = 0;
  // Every schedule, by ascending id (unscoped: the scheduler's).
  virtual Result<std::vector<ControlSchedule>> all() = 0;
  virtual Status save_state(Id schedule, std::string state) = 0;
  virtual std::uint64_t changes() const = 0;
};

}  // namespace citypulse
