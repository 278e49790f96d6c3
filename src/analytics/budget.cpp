#include "analytics/budget.h"

#include <cmath>
#include <numeric>
#include <vector>

#include "core/calendar.h"

namespace citypulse::analytics {
namespace {

bool is_amount(double v) {
  return std::isfinite(v) && v >= 0;
}

Status check_plan(const std::optional<double>& annual,
                  const std::optional<std::array<double, 12>>& monthly, const std::string& what) {
  if (annual && !is_amount(*annual)) {
    return fail(ErrorCode::invalid, "the planned " + what + " must be a finite number >= 0",
                "/planned_" + what);
  }
  if (!monthly) return {};
  for (unsigned m = 0; m < 12; ++m) {
    if (!is_amount((*monthly)[m])) {
      return fail(ErrorCode::invalid, "a monthly plan must be finite numbers >= 0",
                  "/monthly_" + what + "/" + std::to_string(m));
    }
  }
  if (annual) {
    const double sum = std::accumulate(monthly->begin(), monthly->end(), 0.0);
    if (std::abs(sum - *annual) > 1e-9 * std::max(1.0, *annual)) {
      return fail(ErrorCode::invalid,
                  "the monthly " + what + " plan does not sum to the planned " + what,
                  "/monthly_" + what);
    }
  }
  return {};
}

// Scales the shape (or the days of the months) to `annual`.
std::array<double, 12> spread(const Budget& b, double annual) {
  std::array<double, 12> weights{};
  for (unsigned m = 0; m < 12; ++m) {
    weights[m] = b.shape ? (*b.shape)[m] : days_in_month(b.year, m + 1);
  }
  const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
  std::array<double, 12> plan{};
  for (unsigned m = 0; m < 12; ++m) plan[m] = annual * (weights[m] / total);
  return plan;
}

BudgetQuantity quantity(const std::array<double, 12>& plan, const Budget& b, std::int64_t as_of,
                        double actual, const std::array<double, 12>& projected) {
  const double projection = std::accumulate(projected.begin(), projected.end(), 0.0);
  BudgetQuantity q;
  q.planned = true;
  q.plan_by_month = plan;
  q.projection_by_month = projected;
  q.plan_year = std::accumulate(plan.begin(), plan.end(), 0.0);
  for (unsigned m = 1; m <= 12; ++m) {
    const std::int64_t start = days_from_civil(b.year, m, 1);
    const std::int64_t length = days_in_month(b.year, m);
    if (as_of >= start + length) {
      q.plan_to_date += plan[m - 1];
    } else if (as_of > start) {
      q.plan_to_date += plan[m - 1] * (static_cast<double>(as_of - start) / length);
    }
  }
  q.actual_to_date = actual;
  q.projection = projection;
  q.forecast_rest = projection - actual;
  q.limit = q.plan_year * (1 + b.margin);
  q.overrun = q.plan_year > 0 ? projection / q.plan_year - 1 : 0;
  q.over = projection > q.limit;
  return q;
}

}  // namespace

Status validate_budget(const Budget& b) {
  if (b.year == 0) return fail(ErrorCode::invalid, "a budget needs its year", "/year");
  if (!b.planned_kwh && !b.monthly_kwh && !b.planned_cost && !b.monthly_cost) {
    return fail(ErrorCode::invalid, "a budget needs a planned energy or cost");
  }
  if (auto ok = check_plan(b.planned_kwh, b.monthly_kwh, "kwh"); !ok) return ok;
  if (auto ok = check_plan(b.planned_cost, b.monthly_cost, "cost"); !ok) return ok;
  if (b.shape) {
    double total = 0;
    for (unsigned m = 0; m < 12; ++m) {
      if (!is_amount((*b.shape)[m])) {
        return fail(ErrorCode::invalid, "shape weights must be finite numbers >= 0",
                    "/shape/" + std::to_string(m));
      }
      total += (*b.shape)[m];
    }
    if (total <= 0) return fail(ErrorCode::invalid, "the shape has no weight", "/shape");
  }
  if (!std::isfinite(b.margin) || b.margin < 0) {
    return fail(ErrorCode::invalid, "the margin must be a finite fraction >= 0", "/margin");
  }
  return {};
}

std::array<double, 12> monthly_plan(const Budget& b, double annual) {
  return spread(b, annual);
}

Result<BudgetCheck> check_budget(const Budget& budget, std::span<const EnergyInterval> intervals,
                                 const Timezone& zone, std::span<const Tariff> tariffs,
                                 std::int64_t as_of, const DailyForecast& forecast) {
  if (auto ok = validate_budget(budget); !ok) return fail(ok.error());
  if (auto ok = validate_intervals(intervals); !ok) return fail(ok.error());
  const bool plans_cost = budget.planned_cost || budget.monthly_cost;
  if (plans_cost && tariffs.empty()) {
    return fail(ErrorCode::invalid, "a cost budget needs the tariffs to price the energy");
  }
  const std::int64_t first = days_from_civil(budget.year, 1, 1);
  const std::int64_t end = days_from_civil(budget.year + 1, 1, 1);
  if (as_of < first || as_of > end) {
    return fail(
        ErrorCode::invalid,
        "as_of " + format_local_day(as_of) + " is not within " + std::to_string(budget.year),
        "/as_of");
  }
  const TimeMs year_start = zone.to_utc(first * kMsPerDay);
  const TimeMs as_of_start = zone.to_utc(as_of * kMsPerDay);

  BudgetCheck check;
  check.year = budget.year;
  check.as_of = as_of;
  std::vector<EnergyInterval> to_date;
  for (const auto& iv : intervals) {
    if (iv.start < year_start || iv.end > as_of_start) continue;
    to_date.push_back(iv);
    if (iv.unknown) ++check.unknown_intervals;
  }
  std::vector<EnergyInterval> projected = to_date;
  for (std::int64_t day = as_of; day < end; ++day) {
    const double kwh = forecast ? forecast(day) : 0;
    if (!is_amount(kwh)) {
      return fail(ErrorCode::invalid,
                  "the forecast for " + format_local_day(day) + " is negative or not finite",
                  "/forecast");
    }
    const TimeMs start = zone.to_utc(day * kMsPerDay);
    const TimeMs stop = zone.to_utc((day + 1) * kMsPerDay);
    projected.push_back({start, stop, kwh});
  }

  double actual_kwh = 0;
  for (const auto& iv : to_date) actual_kwh += iv.unknown ? 0 : iv.kwh;
  // The projection by local month: each interval in the month it starts in.
  std::array<double, 12> kwh_by_month{}, cost_by_month{};
  for (const auto& iv : projected) {
    if (iv.unknown) continue;
    const auto date = civil_from_days(HourPiece::floor_div(zone.to_local(iv.start), kMsPerDay));
    kwh_by_month[date.month - 1] += iv.kwh;
  }
  double actual_cost = 0;
  if (!tariffs.empty()) {
    auto actual = price_energy(to_date, zone, tariffs);
    if (!actual) return fail(actual.error());
    auto all = price_energy(projected, zone, tariffs);
    if (!all) return fail(all.error());
    check.currency = actual->currency;
    actual_cost = actual->total.total();
    for (const auto& m : all->months)
      if (m.year == budget.year) cost_by_month[m.month - 1] += m.total();
  }
  if (budget.planned_kwh || budget.monthly_kwh) {
    const auto plan =
        budget.monthly_kwh ? *budget.monthly_kwh : spread(budget, *budget.planned_kwh);
    check.energy = quantity(plan, budget, as_of, actual_kwh, kwh_by_month);
  }
  if (plans_cost) {
    const auto plan =
        budget.monthly_cost ? *budget.monthly_cost : spread(budget, *budget.planned_cost);
    check.cost = quantity(plan, budget, as_of, actual_cost, cost_by_month);
  }
  check.over_budget = check.energy.over || check.cost.over;
  return check;
}

}  // namespace citypulse::analytics
