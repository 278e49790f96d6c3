// BudgetAlarms: an alarm when a budget's projection to year end exceeds the
// budget by its margin.
//
// Each budget of the current year (building settings, building_energy.h) gets
// a point of its own in its building, "<medium> budget: projection", key
// "energy.budget.<building>.<medium>", quantity ratio in %: the projection to
// year end as a share of the limit, plan × (1 + margin), of energy or of cost,
// whichever is further over (analytics/budget.h). With the point comes a rule,
// threshold_high at 100 %, so the alarm is an ordinary one: it is raised,
// acknowledged, notified and cleared like any other, its severity and message
// are the tenant's to change, and the point's history shows how the
// projection moved. Both are made once, when the budget is first seen; the
// tenant may change or disable the rule afterwards, and it is left as it is.
//
// check() writes every projection through `write` (the ingest pipeline, so
// the rule engine sees it): at most once per call, which the energy service
// makes after each reconciling pass (every 5 minutes). A projection point
// whose budget is gone (removed, or of a year that ended) is set to 0 once,
// so that the alarm it raised clears.
//
// check() runs on the energy service's worker only: not thread-safe.
#pragma once

#include <functional>
#include <set>

#include "core/result.h"
#include "store/meta_store.h"

namespace citypulse::energy {

class EnergyService;

class BudgetAlarms {
 public:
  // A projection of `point` (of `tenant`) at `t`; errors are the writer's to log.
  using Write = std::function<void(Id tenant, Id point, TimeMs t, double percent)>;

  // `store` must outlive this object.
  BudgetAlarms(MetaStore& store, Write write);

  // The budgets of the year `now` falls in (UTC), every tenant's. A failure
  // for one building is logged and the others go on; the store's error when
  // the budgets cannot be read at all.
  Status check(EnergyService& energy, TimeMs now);

 private:
  // The projection point of a building's medium, made with its rule when
  // missing.
  Result<Id> projection_point(Id tenant, Id building, std::string_view medium);

  MetaStore& store_;
  Write write_;
  std::set<Id> zeroed_;  // projection points without a budget, already set to 0
};

}  // namespace citypulse::energy
