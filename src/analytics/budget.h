// Energy and cost budgets of a building's medium for a year, and the projection to year end.
//
// A budget plans a year's energy (kWh) and/or cost (in the tariffs' currency), as an annual
// figure or month by month. An annual figure is spread over the months by a shape (12 weights:
// the baseline model's or last year's monthly energy) or, without one, evenly by days:
//   plan(m) = annual × w(m) / Σ w        or        plan(m) = annual × days(m) / days(year).
// On a local day `as_of` (the first day not yet counted):
//   plan to date  = Σ plan(m) of the months before as_of's + plan(as_of's month) × days
//                   elapsed / days in that month
//   actual to date = the intervals within [1 January, as_of) (others are ignored), their kWh and
//                   their cost under the tariffs (tariff.h: energy, demand and the fixed charges
//                   of the months begun)
//   projection    = the year's intervals to date + one interval per remaining local day with
//                   the forecast's kWh (the caller's: e.g. the baseline model under typical
//                   weather), priced together: so the forecast is priced by the tariff's own
//                   arithmetic, and a month that began with real data keeps its real peak
//   over budget   when projection > plan × (1 + margin)   (exactly at the limit is not over).
// A forecast day is priced as its energy spread evenly over the day: a time-of-use or dynamic
// price is then the day's time-weighted mean, and the demand charge of a month without real
// data is that of a flat load (an underestimate for peaky buildings).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

#include "analytics/tariff.h"
#include "analytics/tariff_interval.h"
#include "core/result.h"
#include "core/timezone.h"

namespace citypulse::analytics {

struct Budget {
  std::int64_t year = 0;  // required
  std::optional<double> planned_kwh;
  std::optional<double> planned_cost;
  std::optional<std::array<double, 12>> monthly_kwh;   // a monthly plan instead of planned_kwh
  std::optional<std::array<double, 12>> monthly_cost;  // a monthly plan instead of planned_cost
  std::optional<std::array<double, 12>> shape;         // spreads the annual figures; >= 0
  double margin = 0.05;                                // 0.05: over when 5 % above the plan
};

// Expected kWh of a local day (day number) of the rest of the year.
using DailyForecast = std::function<double(std::int64_t day)>;

// The plan of one quantity month by month. Fails with invalid: no year, neither plan, negative
// or non-finite figures, an annual figure next to a monthly plan that does not sum to it, a
// shape without weight, a bad margin.
Status validate_budget(const Budget& budget);
std::array<double, 12> monthly_plan(const Budget& budget, double annual);

struct BudgetQuantity {
  bool planned = false;                    // the budget plans this quantity; the rest is 0 when not
  std::array<double, 12> plan_by_month{};  // January first; sums to plan_year
  // The projection month by month: the actual of months done, actual and forecast of the
  // month under way, the forecast of those to come; sums to projection.
  std::array<double, 12> projection_by_month{};
  double plan_year = 0;
  double plan_to_date = 0;
  double actual_to_date = 0;
  double forecast_rest = 0;
  double projection = 0;  // actual_to_date + forecast_rest
  double limit = 0;       // plan_year × (1 + margin)
  double overrun = 0;     // projection / plan_year − 1 (0 when the plan is 0)
  bool over = false;      // projection > limit
};

struct BudgetCheck {
  std::int64_t year = 0;
  std::int64_t as_of = 0;  // local day number
  std::string currency;    // of the cost; empty without tariffs
  BudgetQuantity energy;
  BudgetQuantity cost;
  int unknown_intervals = 0;  // unknown intervals to date: the actual is short by them
  bool over_budget = false;   // energy.over || cost.over: the verdict an alarm is raised from
};

// `as_of` is a local day number from 1 January of the budget's year to 1 January of the next
// (the year done). `tariffs` may be empty when only energy is planned. Fails with invalid on a
// bad budget, intervals or tariffs, an as_of outside the year, a forecast that is negative or
// not finite (naming the day), or a cost budget without tariffs.
Result<BudgetCheck> check_budget(const Budget& budget, std::span<const EnergyInterval> intervals,
                                 const Timezone& zone, std::span<const Tariff> tariffs,
                                 std::int64_t as_of, const DailyForecast& forecast);

}  // namespace citypulse::analytics
