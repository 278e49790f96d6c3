// base_load: a high night and weekend load, against the building's own occupied load and
// against the lowest unoccupied load its quiet days show it can reach.
//
//   occupied    = median of the known occupied hours' kWh (= mean kW over the hour)
//   unoccupied  = median of the known unoccupied hours' kWh
//   achievable  = the achievable_quantile (10 %) of the local days' unoccupied medians (days
//                 with at least 4 unoccupied known hours): a level the building held for
//                 whole nights or weekend days, not a single quiet hour
//   found when  unoccupied > base_load_share × occupied  and
//               unoccupied > achievable × (1 + base_load_margin)
//   kWh a year  = base_load_realisation × Σ_unoccupied max(0, kWh − achievable) × 8760 / known
//
// The realisation factor (half) stands for the part of the excess that is needed after all
// (servers, cold rooms, a plant that must run) and for the quiet days being the best case.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "analytics/quantile.h"
#include "analytics/recommendation_rules.h"

namespace citypulse::analytics::recommendation {
namespace {

constexpr int kMinUnoccupiedHoursOfDay = 4;
constexpr int kMinDays = 7;

}  // namespace

Judgement judge_base_load(const Period& period) {
  const auto kind = FindingKind::base_load;
  const auto& o = period.options;
  if (auto missing = too_few_hours(period, kind, period.electricity_hours, "electricity")) {
    return *missing;
  }
  if (!period.occupied) {
    return not_judged(kind, NotJudgedReason::no_schedule,
                      "no schedule given and none detected in the electricity data");
  }
  const auto& kwh = period.building.electricity_kwh;
  std::vector<double> occupied, unoccupied, day_medians;
  const auto days = local_days(period);
  for (const auto& day : days) {
    std::vector<double> of_day;
    for (std::size_t i = day.first; i < day.end; ++i) {
      if (std::isnan(kwh[i])) continue;
      (period.occupied_at(i) ? occupied : of_day).push_back(kwh[i]);
    }
    if (static_cast<int>(of_day.size()) >= kMinUnoccupiedHoursOfDay) {
      day_medians.push_back(median(of_day));
    }
    unoccupied.insert(unoccupied.end(), of_day.begin(), of_day.end());
  }
  if (occupied.empty() || unoccupied.empty()) {
    return not_judged(kind, NotJudgedReason::no_schedule,
                      "the schedule leaves no known occupied or no known unoccupied hours");
  }
  if (static_cast<int>(day_medians.size()) < kMinDays) {
    return not_judged(kind, NotJudgedReason::too_little_data,
                      fmt::format("{} days with {} unoccupied known hours, fewer than {}",
                                  day_medians.size(), kMinUnoccupiedHoursOfDay, kMinDays));
  }
  const double occupied_kw = median(occupied);
  const double unoccupied_kw = median(unoccupied);
  const double achievable_kw = quantile(day_medians, o.achievable_quantile);
  if (!(occupied_kw > 0) || !(unoccupied_kw > o.base_load_share * occupied_kw) ||
      !(unoccupied_kw > achievable_kw * (1 + o.base_load_margin))) {
    return std::monostate{};
  }

  std::vector<double> excess(period.size(), 0.0);
  double excess_kwh = 0;
  for (std::size_t i = 0; i < period.size(); ++i) {
    if (std::isnan(kwh[i]) || period.occupied_at(i)) continue;
    excess[i] = std::max(0.0, kwh[i] - achievable_kw);
    excess_kwh += excess[i];
  }
  const double excess_per_year = excess_kwh * period.per_year(Medium::electricity);
  const double kwh_per_year = o.base_load_realisation * excess_per_year;
  if (!material_energy(period, Medium::electricity, kwh_per_year)) return std::monostate{};

  Finding f;
  f.kind = kind;
  f.per_year = energy_savings(period, Medium::electricity, kwh_per_year);
  f.title = "High base load outside occupied hours";
  f.explanation = fmt::format(
      "Outside occupied hours the load is typically {} kW, {} % of the {} kW of occupied hours, "
      "while the quietest days show {} kW is achievable; bringing {} % of the excess down to "
      "that level saves about {} kWh ({}) a year.",
      fixed(unoccupied_kw), grouped(100 * unoccupied_kw / occupied_kw), fixed(occupied_kw),
      fixed(achievable_kw), grouped(100 * o.base_load_realisation), grouped(kwh_per_year),
      money(period, f.per_year.money));
  const auto weeks = local_weeks(period);
  if (auto week = largest_run(period, weeks, excess, [](const Run& run, double sum) {
        return fmt::format("week of {}: {} kWh above the achievable level outside occupied hours",
                           local_date(run.key), grouped(sum));
      })) {
    f.evidence.push_back(*week);
  }
  f.figures = {
      {"occupied_median_kw", occupied_kw, "kW"},
      {"unoccupied_median_kw", unoccupied_kw, "kW"},
      {"achievable_kw", achievable_kw, "kW"},
      {"unoccupied_share", unoccupied_kw / occupied_kw, "share"},
      {"excess_kwh_per_year", excess_per_year, "kWh"},
      {"realisation", o.base_load_realisation, "share"},
  };
  return f;
}

}  // namespace citypulse::analytics::recommendation
