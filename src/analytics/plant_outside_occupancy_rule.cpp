// plant_outside_occupancy: heating or ventilation that runs outside occupied hours about as
// hard as inside them. A setback (a lower night set point, ventilation off) should cut the
// unoccupied heat; nights are colder, so the hours are compared at the same outdoor
// temperature:
//
//   bins        = the outdoor temperature in temperature_bin (2 K) steps; a bin counts when it
//                 has at least min_bin_hours occupied and unoccupied hours with heat and a
//                 temperature, and its occupied mean is positive
//   u_b, o_b    = the mean unoccupied and occupied heat (kW) of bin b; n_b its unoccupied hours
//   unoccupied  = Σ n_b u_b / Σ n_b;  occupied = Σ n_b o_b / Σ n_b  (the occupied heat at the
//                 unoccupied hours' temperatures)
//   found when  unoccupied > plant_share × occupied
//   kWh a year  = Σ_b n_b · max(0, u_b − setback_share · o_b) × 8760 / known heat hours
//
// The saving is what a working setback would leave (setback_share of the occupied heat);
// hours in bins without occupied hours to compare with count for nothing.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "analytics/recommendation_rules.h"

namespace citypulse::analytics::recommendation {
namespace {

struct Bin {
  double occupied_kwh = 0;
  int occupied_hours = 0;
  double unoccupied_kwh = 0;
  int unoccupied_hours = 0;
  double occupied_mean() const { return occupied_kwh / occupied_hours; }
  double unoccupied_mean() const { return unoccupied_kwh / unoccupied_hours; }
};

}  // namespace

Judgement judge_plant_outside_occupancy(const Period& period) {
  const auto kind = FindingKind::plant_outside_occupancy;
  const auto& o = period.options;
  const auto& b = period.building;
  if (b.heat_kwh.empty()) {
    return not_judged(kind, NotJudgedReason::no_data, "no heat series");
  }
  if (auto missing = too_few_hours(period, kind, period.heat_hours, "heat")) return *missing;
  if (b.outdoor_temperature.empty()) {
    return not_judged(kind, NotJudgedReason::no_temperature,
                      "no outdoor temperature to compare the hours at the same weather");
  }
  if (!period.occupied) {
    return not_judged(kind, NotJudgedReason::no_schedule,
                      "no schedule given and none detected in the electricity data");
  }
  auto bin_of = [&](std::size_t i) {
    return static_cast<std::int64_t>(std::floor(b.outdoor_temperature[i] / o.temperature_bin));
  };
  auto usable = [&](std::size_t i) {
    return !std::isnan(b.heat_kwh[i]) && !std::isnan(b.outdoor_temperature[i]);
  };
  std::map<std::int64_t, Bin> bins;
  for (std::size_t i = 0; i < period.size(); ++i) {
    if (!usable(i)) continue;
    auto& bin = bins[bin_of(i)];
    if (period.occupied_at(i)) {
      bin.occupied_kwh += b.heat_kwh[i];
      ++bin.occupied_hours;
    } else {
      bin.unoccupied_kwh += b.heat_kwh[i];
      ++bin.unoccupied_hours;
    }
  }
  auto counts = [&](const Bin& bin) {
    return bin.occupied_hours >= o.min_bin_hours && bin.unoccupied_hours >= o.min_bin_hours &&
           bin.occupied_mean() > 0;
  };
  double n = 0, unoccupied = 0, occupied = 0, excess_kwh = 0;
  for (const auto& [key, bin] : bins) {
    if (!counts(bin)) continue;
    n += bin.unoccupied_hours;
    unoccupied += bin.unoccupied_kwh;
    occupied += bin.unoccupied_hours * bin.occupied_mean();
    excess_kwh += bin.unoccupied_hours *
                  std::max(0.0, bin.unoccupied_mean() - o.setback_share * bin.occupied_mean());
  }
  if (n == 0) {
    return not_judged(kind, NotJudgedReason::too_little_data,
                      fmt::format("no {} K band of outdoor temperature has {} occupied and {} "
                                  "unoccupied hours with heat",
                                  fixed(o.temperature_bin), o.min_bin_hours, o.min_bin_hours));
  }
  const double unoccupied_kw = unoccupied / n;
  const double occupied_kw = occupied / n;
  if (!(unoccupied_kw > o.plant_share * occupied_kw)) return std::monostate{};
  const double kwh_per_year = excess_kwh * period.per_year(Medium::heat);
  if (!material_energy(period, Medium::heat, kwh_per_year)) return std::monostate{};

  // Evidence: the week with the most unoccupied heat above the setback level.
  std::vector<double> excess(period.size(), 0.0);
  for (std::size_t i = 0; i < period.size(); ++i) {
    if (!usable(i) || period.occupied_at(i)) continue;
    const auto bin = bins.find(bin_of(i));
    if (!counts(bin->second)) continue;
    excess[i] = std::max(0.0, b.heat_kwh[i] - o.setback_share * bin->second.occupied_mean());
  }
  Finding f;
  f.kind = kind;
  f.per_year = energy_savings(period, Medium::heat, kwh_per_year);
  f.title = "Heating or ventilation running outside occupied hours";
  f.explanation = fmt::format(
      "Outside occupied hours the heat load is {} kW, {} % of the {} kW of occupied hours at the "
      "same outdoor temperatures; a setback to {} % would save about {} kWh ({}) a year.",
      fixed(unoccupied_kw), grouped(100 * unoccupied_kw / occupied_kw), fixed(occupied_kw),
      grouped(100 * o.setback_share), grouped(kwh_per_year), money(period, f.per_year.money));
  const auto weeks = local_weeks(period);
  if (auto week = largest_run(period, weeks, excess, [](const Run& run, double sum) {
        return fmt::format("week of {}: {} kWh of heat above a setback outside occupied hours",
                           local_date(run.key), grouped(sum));
      })) {
    f.evidence.push_back(*week);
  }
  f.figures = {
      {"unoccupied_heat_kw", unoccupied_kw, "kW"},
      {"occupied_heat_kw", occupied_kw, "kW"},
      {"unoccupied_share", unoccupied_kw / occupied_kw, "share"},
      {"setback_share", o.setback_share, "share"},
      {"compared_unoccupied_hours", n, "hours"},
  };
  return f;
}

}  // namespace citypulse::analytics::recommendation
