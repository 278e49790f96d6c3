// load_shifting: load that could move to cheaper hours under a time-varying (hourly) price.
//
// Not all load can move: lighting and people's equipment run when people are there. What can
// (pre-heating or pre-cooling, charging, pumps, batch work) is taken as shiftable_share (10 %)
// of the load above the building's base load, and it moves within its local day:
//
//   base        = the flexible_base_quantile (10 %) of the known hourly kWh
//   a day       = a local day with at least 20 hours known in both the load and the price
//   receivers   = its shift_target_hours (4) cheapest hours, p̄ their mean price
//   donors      = its other hours; each gives f_h = shiftable_share × max(0, kWh_h − base)
//   saving(day) = Σ_donors f_h · (p_h − p̄)            (≥ 0: a donor is no cheaper than p̄)
//   money a year = Σ_days saving × 8760 / the hours of the days judged
//
// kWh and carbon are 0: the energy moves. (Spread over four hours, the moved load rarely makes
// a new peak; the peak rule judges the peaks as they are.)
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "analytics/quantile.h"
#include "analytics/recommendation_rules.h"

namespace citypulse::analytics::recommendation {
namespace {

constexpr int kMinHoursOfDay = 20;

}  // namespace

Judgement judge_load_shifting(const Period& period) {
  const auto kind = FindingKind::load_shifting;
  const auto& o = period.options;
  const auto& kwh = period.building.electricity_kwh;
  const auto& price = period.prices.electricity_hourly;
  if (price.empty()) {
    return not_judged(kind, NotJudgedReason::no_price_series, "no hourly electricity price");
  }
  if (auto missing = too_few_hours(period, kind, period.electricity_hours, "electricity")) {
    return *missing;
  }
  std::vector<double> known;
  for (const double v : kwh) {
    if (!std::isnan(v)) known.push_back(v);
  }
  const double base_kw = quantile(known, o.flexible_base_quantile);

  std::vector<double> saving(period.size(), 0.0);  // by donor hour, for the evidence
  double saved = 0, shifted_kwh = 0;
  int judged_hours = 0;
  for (const auto& day : local_days(period)) {
    std::vector<std::size_t> hours;
    for (std::size_t i = day.first; i < day.end; ++i) {
      if (!std::isnan(kwh[i]) && !std::isnan(price[i])) hours.push_back(i);
    }
    if (static_cast<int>(hours.size()) < std::max(kMinHoursOfDay, o.shift_target_hours + 1)) {
      continue;
    }
    judged_hours += static_cast<int>(hours.size());
    // Cheapest first; the earlier hour on a tie, so the result does not depend on the sort.
    std::stable_sort(hours.begin(), hours.end(),
                     [&](std::size_t a, std::size_t b) { return price[a] < price[b]; });
    const auto receivers = static_cast<std::size_t>(o.shift_target_hours);
    double cheap = 0;
    for (std::size_t k = 0; k < receivers; ++k) cheap += price[hours[k]];
    cheap /= static_cast<double>(receivers);
    for (std::size_t k = receivers; k < hours.size(); ++k) {
      const auto i = hours[k];
      const double flexible = o.shiftable_share * std::max(0.0, kwh[i] - base_kw);
      saving[i] = flexible * (price[i] - cheap);
      saved += saving[i];
      shifted_kwh += flexible;
    }
  }
  if (judged_hours < o.min_known_hours) {
    return not_judged(kind, NotJudgedReason::too_little_data,
                      fmt::format("{} hours on days with {} hours of load and price known, fewer "
                                  "than the {} needed",
                                  judged_hours, kMinHoursOfDay, o.min_known_hours));
  }
  const double per_year = kHoursPerYear / judged_hours;
  const double money_per_year = saved * per_year;
  const double annual_cost =
      period.annual_kwh(Medium::electricity) * period.prices.electricity_per_kwh;
  if (!material_money(period, money_per_year, annual_cost)) return std::monostate{};

  Finding f;
  f.kind = kind;
  f.per_year = {0, money_per_year, 0};
  f.title = "Load that could move to cheaper hours";
  f.explanation = fmt::format(
      "Moving {} % of the load above the {} kW base load from each day's dearer hours to its {} "
      "cheapest ({} kWh a year, on average {} {} per kWh cheaper) saves about {} a year.",
      grouped(100 * o.shiftable_share), fixed(base_kw), o.shift_target_hours,
      grouped(shifted_kwh * per_year), period.prices.currency, fixed(saved / shifted_kwh, 3),
      money(period, money_per_year));
  const auto days = local_days(period);
  if (auto day = largest_run(period, days, saving, [&](const Run& run, double sum) {
        return fmt::format("{}: shifting would have saved {} {}", local_date(run.key),
                           period.prices.currency, fixed(sum, 2));
      })) {
    f.evidence.push_back(*day);
  }
  f.figures = {
      {"base_kw", base_kw, "kW"},
      {"shiftable_share", o.shiftable_share, "share"},
      {"shifted_kwh_per_year", shifted_kwh * per_year, "kWh"},
      {"mean_price_difference", saved / shifted_kwh, period.prices.currency + "/kWh"},
      {"target_hours", static_cast<double>(o.shift_target_hours), "hours"},
  };
  return f;
}

}  // namespace citypulse::analytics::recommendation
