// heating_above_limit and heating_windows_open: heat beyond the building's hot-water base when
// no heating should run — on days whose mean outdoor temperature is above the heating limit,
// and in hours with windows open.
//
// The hot-water base is what the heat meter shows with the heating off: on warm days only
// hot water (and losses) remain. Per local day with at least 20 hours of heat and temperature:
//
//   warm day      = mean outdoor temperature > heating_limit (15 °C)
//   day type      = working (its weekday has occupied hours in the schedule) or not; one type
//                   without a schedule, since hot water follows occupancy
//   base(type)    = the hot_water_quantile (25 %) of the mean heat (kW) of that type's warm
//                   days, when it has at least min_warm_days (7) of them
//   heating shows = heat − base > max(heating_margin × base, heating_min_share × mean heat)
//                   (mean heat: over all known hours; a margin so noise and a busy day's hot
//                   water are not taken for heating)
//
// heating_above_limit: the warm days on which heating shows (by their mean heat);
//   kWh a year = heating_above_limit_factor × Σ_those days (mean − base) × known hours
//                × 8760 / known heat hours
// The factor (3/4) leaves room for heat some warm days need after all (a cold morning after a
// cold spell, a building's mass still cold).
//
// heating_windows_open: the hours with a known window-open share s > 0 in which heating shows
// (by the hour's heat); base of the hour's day type, or, without one (no warm days, no
// temperature), the 5 % quantile of the hourly heat (in a heating season that still contains
// some heating, so the saving is understated rather than overstated);
//   kWh a year = windows_open_factor × Σ_those hours s × (heat − base) × 8760 / known heat hours
// The open share says how much of the building the open windows concern; the factor (half)
// says that part of that heat was needed with the windows shut too, while the rest is what
// valves opened wide against the cold air waste.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "analytics/quantile.h"
#include "analytics/recommendation_rules.h"

namespace citypulse::analytics::recommendation {
namespace {

constexpr int kMinHoursOfDay = 20;
constexpr double kFallbackBaseQuantile = 0.05;

struct DayHeat {
  Run run;
  double mean_kw = 0;
  int heat_hours = 0;
  bool warm = false;
  int type = 0;  // 1: a working day
};

struct HotWaterBase {
  std::vector<DayHeat> days;                     // with heat and temperature enough to judge
  std::array<std::optional<double>, 2> base_kw;  // by day type; none: too few warm days
  int warm_days = 0;                             // of both types
  double mean_kw = 0;                            // over all known heat hours
  double fallback_kw = 0;                        // the hourly heat's kFallbackBaseQuantile

  // Heat above `base` by more than this shows heating.
  double margin(const RecommendationOptions& o, double base) const {
    return std::max(o.heating_margin * base, o.heating_min_share * mean_kw);
  }
};

int day_type(const Period& period, LocalHour hour) {
  if (!period.occupied) return 0;
  const int first = day_of_week(hour) * 24;
  for (int h = first; h < first + 24; ++h) {
    if ((*period.occupied)[h]) return 1;
  }
  return 0;
}

HotWaterBase hot_water_base(const Period& period) {
  const auto& b = period.building;
  const auto& o = period.options;
  HotWaterBase out;
  std::vector<double> hourly;
  for (const double v : b.heat_kwh) {
    if (!std::isnan(v)) hourly.push_back(v), out.mean_kw += v;
  }
  if (!hourly.empty()) out.mean_kw /= static_cast<double>(hourly.size());
  out.fallback_kw = quantile(hourly, kFallbackBaseQuantile);
  if (b.outdoor_temperature.empty()) return out;
  std::array<std::vector<double>, 2> warm;
  for (const auto& run : local_days(period)) {
    DayHeat day{run};
    double heat = 0, temperature = 0;
    int temperatures = 0;
    for (std::size_t i = run.first; i < run.end; ++i) {
      if (!std::isnan(b.heat_kwh[i])) heat += b.heat_kwh[i], ++day.heat_hours;
      if (!std::isnan(b.outdoor_temperature[i])) {
        temperature += b.outdoor_temperature[i], ++temperatures;
      }
    }
    if (day.heat_hours < kMinHoursOfDay || temperatures < kMinHoursOfDay) continue;
    day.mean_kw = heat / day.heat_hours;
    day.warm = temperature / temperatures > o.heating_limit;
    day.type = day_type(period, period.local[run.first]);
    if (day.warm) warm[day.type].push_back(day.mean_kw), ++out.warm_days;
    out.days.push_back(day);
  }
  for (int t = 0; t < 2; ++t) {
    if (static_cast<int>(warm[t].size()) >= o.min_warm_days) {
      out.base_kw[t] = quantile(warm[t], o.hot_water_quantile);
    }
  }
  return out;
}

// The checks both rules share: a heat series with enough known hours.
std::optional<NotJudged> heat_missing(const Period& period, FindingKind kind) {
  if (period.building.heat_kwh.empty()) {
    return not_judged(kind, NotJudgedReason::no_data, "no heat series");
  }
  return too_few_hours(period, kind, period.heat_hours, "heat");
}

std::vector<Figure> base_figures(const HotWaterBase& hw) {
  std::vector<Figure> figures;
  if (hw.base_kw[1]) figures.push_back({"hot_water_base_kw_working_days", *hw.base_kw[1], "kW"});
  if (hw.base_kw[0]) {
    figures.push_back({hw.base_kw[1] ? "hot_water_base_kw_other_days" : "hot_water_base_kw",
                       *hw.base_kw[0], "kW"});
  }
  return figures;
}

}  // namespace

Judgement judge_heating_above_limit(const Period& period) {
  const auto kind = FindingKind::heating_above_limit;
  const auto& o = period.options;
  const auto& heat = period.building.heat_kwh;
  if (auto missing = heat_missing(period, kind)) return *missing;
  if (period.building.outdoor_temperature.empty()) {
    return not_judged(kind, NotJudgedReason::no_temperature, "no outdoor temperature");
  }
  const auto hw = hot_water_base(period);
  if (!hw.base_kw[0] && !hw.base_kw[1]) {
    return not_judged(kind, NotJudgedReason::too_little_data,
                      fmt::format("{} days above the heating limit of {} °C, too few for the "
                                  "hot-water base ({} of a day type needed)",
                                  hw.warm_days, fixed(o.heating_limit), o.min_warm_days));
  }
  std::vector<double> excess(period.size(), 0.0);  // per hour of the days with heating
  double excess_kwh = 0, heating_kw = 0;
  int warm_days = 0, heating_days = 0;
  for (const auto& day : hw.days) {
    const auto& base = hw.base_kw[day.type];
    if (!day.warm || !base) continue;
    ++warm_days;
    if (!(day.mean_kw - *base > hw.margin(o, *base))) continue;
    ++heating_days;
    heating_kw += day.mean_kw;
    excess_kwh += (day.mean_kw - *base) * day.heat_hours;
    for (std::size_t i = day.run.first; i < day.run.end; ++i) {
      if (!std::isnan(heat[i])) excess[i] = heat[i] - *base;
    }
  }
  const double kwh_per_year =
      o.heating_above_limit_factor * excess_kwh * period.per_year(Medium::heat);
  if (heating_days == 0 || !material_energy(period, Medium::heat, kwh_per_year)) {
    return std::monostate{};
  }
  heating_kw /= heating_days;
  Finding f;
  f.kind = kind;
  f.per_year = energy_savings(period, Medium::heat, kwh_per_year);
  f.title = "Heating on days above the heating limit";
  const double base_kw = hw.base_kw[1] ? *hw.base_kw[1] : *hw.base_kw[0];
  f.explanation = fmt::format(
      "On {} of {} days with a mean outdoor temperature above {} °C the heat load averaged {} kW "
      "against a hot-water base of {} kW; avoiding {} % of that heat saves about {} kWh ({}) a "
      "year.",
      heating_days, warm_days, fixed(o.heating_limit), fixed(heating_kw), fixed(base_kw),
      grouped(100 * o.heating_above_limit_factor), grouped(kwh_per_year),
      money(period, f.per_year.money));
  const auto days = local_days(period);
  f.evidence = largest_runs(period, days, excess, 3, [](const Run& run, double sum) {
    return fmt::format("{}: {} kWh of heat above the hot-water base on a warm day",
                       local_date(run.key), grouped(sum));
  });
  f.figures = {
      {"days_above_limit", static_cast<double>(warm_days), "days"},
      {"heating_days", static_cast<double>(heating_days), "days"},
      {"heating_days_heat_kw", heating_kw, "kW"},
      {"heating_limit_c", o.heating_limit, "°C"},
      {"factor", o.heating_above_limit_factor, "share"},
  };
  const auto bases = base_figures(hw);
  f.figures.insert(f.figures.end(), bases.begin(), bases.end());
  return f;
}

Judgement judge_heating_windows_open(const Period& period) {
  const auto kind = FindingKind::heating_windows_open;
  const auto& o = period.options;
  const auto& b = period.building;
  if (b.window_open_share.empty()) {
    return not_judged(kind, NotJudgedReason::no_data, "no window contacts");
  }
  if (auto missing = heat_missing(period, kind)) return *missing;
  const auto hw = hot_water_base(period);
  std::vector<double> waste(period.size(), 0.0);
  double waste_kwh = 0, above_base_kwh = 0, share = 0;
  int hours = 0;
  for (std::size_t i = 0; i < period.size(); ++i) {
    const double open = b.window_open_share[i];
    if (std::isnan(b.heat_kwh[i]) || std::isnan(open) || !(open > 0)) continue;
    const auto& typed = hw.base_kw[day_type(period, period.local[i])];
    const double base = typed ? *typed : hw.fallback_kw;
    if (!(b.heat_kwh[i] - base > hw.margin(o, base))) continue;
    ++hours;
    share += open;
    above_base_kwh += b.heat_kwh[i] - base;
    waste[i] = open * (b.heat_kwh[i] - base);
    waste_kwh += waste[i];
  }
  const double per_year = period.per_year(Medium::heat);
  const double kwh_per_year = o.windows_open_factor * waste_kwh * per_year;
  if (hours == 0 || !material_energy(period, Medium::heat, kwh_per_year)) {
    return std::monostate{};
  }
  share /= hours;
  Finding f;
  f.kind = kind;
  f.per_year = energy_savings(period, Medium::heat, kwh_per_year);
  f.title = "Heating while windows are open";
  f.explanation = fmt::format(
      "In {} hours of the period heat flowed while windows were open ({} % of them on average), {} "
      "kWh above "
      "the hot-water base; {} % of that heat, weighted by the open share, is about {} kWh ({}) a "
      "year.",
      hours, grouped(100 * share), grouped(above_base_kwh), grouped(100 * o.windows_open_factor),
      grouped(kwh_per_year), money(period, f.per_year.money));
  const auto days = local_days(period);
  f.evidence = largest_runs(period, days, waste, 3, [](const Run& run, double sum) {
    return fmt::format("{}: {} kWh of heat above the base while windows were open (weighted)",
                       local_date(run.key), grouped(sum));
  });
  f.figures = {
      {"hours_open_with_heat", static_cast<double>(hours), "hours"},
      {"mean_open_share", share, "share"},
      {"heat_above_base_kwh", above_base_kwh, "kWh"},
      {"factor", o.windows_open_factor, "share"},
  };
  auto bases = base_figures(hw);
  if (bases.empty()) bases.push_back({"hot_water_base_kw", hw.fallback_kw, "kW"});
  f.figures.insert(f.figures.end(), bases.begin(), bases.end());
  return f;
}

}  // namespace citypulse::analytics::recommendation
