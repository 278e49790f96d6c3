#include "analytics/recommendations.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "analytics/recommendation_rules.h"

namespace citypulse::analytics {

const char* to_string(FindingKind kind) {
  switch (kind) {
    case FindingKind::base_load:
      return "base_load";
    case FindingKind::plant_outside_occupancy:
      return "plant_outside_occupancy";
    case FindingKind::peak_demand:
      return "peak_demand";
    case FindingKind::load_shifting:
      return "load_shifting";
    case FindingKind::heating_above_limit:
      return "heating_above_limit";
    case FindingKind::heating_windows_open:
      return "heating_windows_open";
  }
  return "unknown";
}

bool judged_on_heat(FindingKind kind) {
  return kind == FindingKind::plant_outside_occupancy || kind == FindingKind::heating_above_limit ||
         kind == FindingKind::heating_windows_open;
}

const char* to_string(Severity severity) {
  switch (severity) {
    case Severity::low:
      return "low";
    case Severity::medium:
      return "medium";
    case Severity::high:
      return "high";
  }
  return "unknown";
}

const char* to_string(NotJudgedReason reason) {
  switch (reason) {
    case NotJudgedReason::no_data:
      return "no_data";
    case NotJudgedReason::too_little_data:
      return "too_little_data";
    case NotJudgedReason::no_schedule:
      return "no_schedule";
    case NotJudgedReason::no_temperature:
      return "no_temperature";
    case NotJudgedReason::no_price_series:
      return "no_price_series";
    case NotJudgedReason::no_demand_charge:
      return "no_demand_charge";
  }
  return "unknown";
}

namespace {

using namespace recommendation;

Status invalid(std::string field, std::string message) {
  return fail(ErrorCode::invalid, std::move(message), std::move(field));
}

// A series of the period: empty where `optional`, else one value per hour; each value NaN or
// accepted by `ok` (which describes what it wants).
Status check_series(const std::vector<double>& values, std::size_t hours, const char* name,
                    bool optional, bool (*ok)(double), const char* wants) {
  if (values.empty() && optional) return {};
  if (values.size() != hours) {
    return invalid(fmt::format("/{}", name),
                   fmt::format("{} has {} hours, the electricity {}", name, values.size(), hours));
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (std::isnan(values[i]) || ok(values[i])) continue;
    return invalid(fmt::format("/{}/{}", name, i),
                   fmt::format("{} at hour {} is {}: {} expected", name, i, values[i], wants));
  }
  return {};
}

Status check_value(double value, const char* field, double low, double high) {
  if (std::isfinite(value) && value >= low && value <= high) return {};
  return invalid(
      field, fmt::format("{} is {}: a finite value in [{}, {}] expected", field, value, low, high));
}

Status validate_input(const BuildingHours& b, const EnergyPrices& p, const CarbonFactors& c) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  const auto n = b.electricity_kwh.size();
  if (n == 0) return invalid("/electricity_kwh", "the period has no hours");
  if (b.start % kMsPerHour != 0) {
    return invalid("/start", fmt::format("start {} is not a whole UTC hour", b.start));
  }
  auto energy = [](double v) { return std::isfinite(v) && v >= 0; };
  auto finite = [](double v) { return std::isfinite(v); };
  auto share = [](double v) { return v >= 0 && v <= 1; };
  if (auto s =
          check_series(b.electricity_kwh, n, "electricity_kwh", false, energy, "a finite kWh >= 0");
      !s) {
    return s;
  }
  if (auto s = check_series(b.heat_kwh, n, "heat_kwh", true, energy, "a finite kWh >= 0"); !s) {
    return s;
  }
  if (auto s = check_series(b.outdoor_temperature, n, "outdoor_temperature", true, finite,
                            "a finite °C");
      !s) {
    return s;
  }
  if (auto s = check_series(b.window_open_share, n, "window_open_share", true, share,
                            "a share in [0, 1]");
      !s) {
    return s;
  }
  if (auto s = check_series(p.electricity_hourly, n, "prices/electricity_hourly", true, finite,
                            "a finite price");
      !s) {
    return s;
  }
  for (const auto& [value, field] :
       {std::pair{p.electricity_per_kwh, "/prices/electricity_per_kwh"},
        std::pair{p.heat_per_kwh, "/prices/heat_per_kwh"},
        std::pair{c.electricity_kg_per_kwh, "/carbon/electricity_kg_per_kwh"},
        std::pair{c.heat_kg_per_kwh, "/carbon/heat_kg_per_kwh"}}) {
    if (auto s = check_value(value, field, 0, kInf); !s) return s;
  }
  if (p.demand) {
    if (auto s = check_value(p.demand->price_per_kw, "/prices/demand/price_per_kw", 0, kInf); !s) {
      return s;
    }
    if (p.demand->interval_minutes != 15 && p.demand->interval_minutes != 60) {
      return invalid("/prices/demand/interval_minutes",
                     fmt::format("a demand interval of {} minutes: 15 or 60 expected",
                                 p.demand->interval_minutes));
    }
  }
  return {};
}

Status validate_options(const RecommendationOptions& o) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  struct Range {
    double value;
    const char* field;
    double low, high;
  };
  const Range ranges[] = {
      {static_cast<double>(o.min_known_hours), "/options/min_known_hours", 1, kInf},
      {o.min_mode_contrast, "/options/min_mode_contrast", 0, kInf},
      {o.min_saving_share, "/options/min_saving_share", 0, 1},
      {o.medium_severity_share, "/options/medium_severity_share", 0, 1},
      {o.high_severity_share, "/options/high_severity_share", o.medium_severity_share, 1},
      {o.base_load_share, "/options/base_load_share", 0, 1},
      {o.achievable_quantile, "/options/achievable_quantile", 0, 1},
      {o.base_load_margin, "/options/base_load_margin", 0, kInf},
      {o.base_load_realisation, "/options/base_load_realisation", 0, 1},
      {o.plant_share, "/options/plant_share", 0, kInf},
      {o.setback_share, "/options/setback_share", 0, 1},
      {o.temperature_bin, "/options/temperature_bin", 0.1, 50},
      {static_cast<double>(o.min_bin_hours), "/options/min_bin_hours", 1, kInf},
      {o.peak_shave_quantile, "/options/peak_shave_quantile", 0, 1},
      {o.peak_min_excess, "/options/peak_min_excess", 0, kInf},
      {o.shiftable_share, "/options/shiftable_share", 0, 1},
      {o.flexible_base_quantile, "/options/flexible_base_quantile", 0, 1},
      {static_cast<double>(o.shift_target_hours), "/options/shift_target_hours", 1, 12},
      {o.heating_limit, "/options/heating_limit", -50, 50},
      {static_cast<double>(o.min_warm_days), "/options/min_warm_days", 1, kInf},
      {o.hot_water_quantile, "/options/hot_water_quantile", 0, 1},
      {o.heating_margin, "/options/heating_margin", 0, kInf},
      {o.heating_min_share, "/options/heating_min_share", 0, kInf},
      {o.heating_above_limit_factor, "/options/heating_above_limit_factor", 0, 1},
      {o.windows_open_factor, "/options/windows_open_factor", 0, 1},
  };
  for (const auto& r : ranges) {
    if (auto s = check_value(r.value, r.field, r.low, r.high); !s) return s;
  }
  return {};
}

// The schedule from the electricity: the hour-of-week means of the known hours, split as the
// baseline model splits them.
std::optional<OccupiedHours> detect_schedule(const Period& period) {
  std::vector<double> sum(kHoursPerWeek, 0.0);
  std::vector<int> count(kHoursPerWeek, 0);
  const auto& kwh = period.building.electricity_kwh;
  for (std::size_t i = 0; i < period.size(); ++i) {
    if (std::isnan(kwh[i])) continue;
    sum[hour_of_week(period.local[i])] += kwh[i];
    ++count[hour_of_week(period.local[i])];
  }
  std::vector<double> means(kHoursPerWeek, std::numeric_limits<double>::quiet_NaN());
  for (int h = 0; h < kHoursPerWeek; ++h) {
    if (count[h] > 0) means[h] = sum[h] / count[h];
  }
  return detect_occupied_hours(means, period.options.min_mode_contrast);
}

bool has_both_modes(const OccupiedHours& occupied) {
  const auto n = std::count(occupied.begin(), occupied.end(), true);
  return n > 0 && n < kHoursPerWeek;
}

Severity severity_of(double money, double annual_cost, const RecommendationOptions& o) {
  if (!(annual_cost > 0)) return Severity::low;
  if (money >= o.high_severity_share * annual_cost) return Severity::high;
  if (money >= o.medium_severity_share * annual_cost) return Severity::medium;
  return Severity::low;
}

}  // namespace

Result<Recommendations> recommend(const BuildingHours& building, const EnergyPrices& prices,
                                  const CarbonFactors& carbon,
                                  const RecommendationOptions& options) {
  if (auto s = validate_input(building, prices, carbon); !s) return fail(s.error());
  if (auto s = validate_options(options); !s) return fail(s.error());

  Period period{building, prices, carbon, options};
  period.local.reserve(building.electricity_kwh.size());
  for (std::size_t i = 0; i < building.electricity_kwh.size(); ++i) {
    const TimeMs local = building.zone.to_local(period.hour_start(i));
    period.local.push_back(HourPiece::floor_div(local, kMsPerHour));
    const double e = building.electricity_kwh[i];
    if (!std::isnan(e)) ++period.electricity_hours, period.electricity_kwh += e;
    const double h = building.heat_kwh.empty() ? std::nan("") : building.heat_kwh[i];
    if (!std::isnan(h)) ++period.heat_hours, period.heat_kwh += h;
  }

  Recommendations out;
  out.currency = prices.currency;
  out.hours = static_cast<int>(period.size());
  out.electricity_hours = period.electricity_hours;
  out.heat_hours = period.heat_hours;
  if (building.occupied) {
    if (has_both_modes(*building.occupied)) period.occupied = building.occupied;
  } else if (period.electricity_hours >= options.min_known_hours) {
    period.occupied = detect_schedule(period);
    out.occupancy_detected = period.occupied.has_value();
  }
  out.occupied = period.occupied;

  out.annual_energy_cost = period.annual_kwh(Medium::electricity) * prices.electricity_per_kwh +
                           period.annual_kwh(Medium::heat) * prices.heat_per_kwh;
  if (prices.demand) out.annual_energy_cost += annual_demand_cost(period, judged_months(period));

  for (const auto rule :
       {judge_base_load, judge_plant_outside_occupancy, judge_peak_demand, judge_load_shifting,
        judge_heating_above_limit, judge_heating_windows_open}) {
    auto judgement = rule(period);
    if (auto* finding = std::get_if<Finding>(&judgement)) {
      finding->severity = severity_of(finding->per_year.money, out.annual_energy_cost, options);
      out.findings.push_back(std::move(*finding));
    } else if (auto* reason = std::get_if<NotJudged>(&judgement)) {
      out.not_judged.push_back(std::move(*reason));
    }
  }
  // The largest money saving first; then the largest energy saving; then the rules' order.
  std::stable_sort(out.findings.begin(), out.findings.end(),
                   [](const Finding& a, const Finding& b) {
                     if (a.per_year.money != b.per_year.money) {
                       return a.per_year.money > b.per_year.money;
                     }
                     return a.per_year.kwh > b.per_year.kwh;
                   });
  for (std::size_t i = 0; i < out.findings.size(); ++i) {
    out.findings[i].priority = static_cast<int>(i) + 1;
  }
  return out;
}

}  // namespace citypulse::analytics
