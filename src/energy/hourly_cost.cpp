#include "energy/hourly_cost.h"

#include <algorithm>
#include <cmath>

#include "analytics/carbon.h"
#include "analytics/tariff_holidays.h"

namespace citypulse::energy {
namespace {

constexpr std::int64_t kHourMs = 3'600'000;
constexpr std::int64_t kDayMs = 24 * kHourMs;

// The hourly means of a point's readings over [from, to) by local naive
// hour, in order (the repeated hour of autumn once).
Result<std::vector<analytics::HourlyValue>> hourly_means(SeriesStore& series, Id point,
                                                         const Timezone& zone, TimeMs from,
                                                         TimeMs to) {
  auto rollups = series.rollups(point, RollupTier::hour, from, to);
  if (!rollups) return std::unexpected(rollups.error());
  std::vector<analytics::HourlyValue> out;
  out.reserve(rollups->size());
  for (const auto& r : *rollups) {
    const auto hour = analytics::HourPiece::floor_div(zone.to_local(r.start), kHourMs);
    if (!out.empty() && out.back().hour >= hour) continue;
    out.push_back({hour, r.sum / static_cast<double>(r.count)});
  }
  return out;
}

std::size_t hour_index(TimeMs t, TimeMs first) {
  return static_cast<std::size_t>((t - first) / kHourMs);
}

}  // namespace

Result<std::vector<analytics::Tariff>> prepared_tariffs(SeriesStore& series,
                                                        const BuildingEnergy& settings,
                                                        analytics::Medium medium,
                                                        const Timezone& zone, TimeMs from,
                                                        TimeMs to) {
  auto it = settings.tariffs.find(medium);
  if (it == settings.tariffs.end()) return std::vector<analytics::Tariff>{};
  auto tariffs = it->second.tariffs;  // a copy: series and holidays are filled in
  const auto year_of = [&](TimeMs t) {
    return civil_from_days(analytics::HourPiece::floor_div(zone.to_local(t), kDayMs)).year;
  };
  for (std::size_t i = 0; i < tariffs.size(); ++i) {
    auto& t = tariffs[i];
    if (const auto& point = it->second.price_points[i]) {
      auto prices = hourly_means(series, *point, zone, from - kDayMs, to + kDayMs);
      if (!prices) return std::unexpected(prices.error());
      t.series.prices = std::move(*prices);
    }
    if (t.holidays_as_sunday)
      for (auto y = year_of(from); y <= year_of(to); ++y)
        for (auto d : analytics::german_public_holidays(y)) t.holidays.push_back(d);
  }
  return tariffs;
}

Result<HourlyCost> hourly_cost(SeriesStore& series, const BuildingEnergy& settings,
                               analytics::Medium medium, const Timezone& zone,
                               std::span<const analytics::EnergyInterval> hours) {
  HourlyCost out;
  const std::size_t n = hours.size();
  out.energy_cost.assign(n, 0.0);
  out.fixed_by_day.assign(n, 0.0);
  out.co2_kg.assign(n, 0.0);
  if (n == 0) return out;
  const TimeMs first = hours.front().start, end = hours.back().end;

  auto prepared = prepared_tariffs(series, settings, medium, zone, first, end);
  if (!prepared) return std::unexpected(prepared.error());
  if (!prepared->empty()) {
    const auto& tariffs = *prepared;
    const TimeMs priced_from = zone.to_utc(tariffs.front().valid_from * kDayMs);
    std::vector<analytics::EnergyInterval> priced;
    std::vector<std::size_t> index;  // priced[k] is hours[index[k]]
    for (std::size_t i = 0; i < n; ++i) {
      if (hours[i].start < priced_from || hours[i].unknown) {
        ++out.unpriced_hours;
        continue;
      }
      priced.push_back(hours[i]);
      index.push_back(i);
    }
    out.currency = tariffs.front().currency;
    if (!priced.empty()) {
      auto report = analytics::price_energy(priced, zone, tariffs);
      if (!report) return std::unexpected(report.error());
      for (std::size_t k = 0; k < priced.size(); ++k)
        out.energy_cost[index[k]] = report->intervals[k].energy_cost;
      for (const auto& d : report->days) {
        const TimeMs day_start = zone.to_utc(d.day * kDayMs);
        if (day_start >= first && day_start < end)
          out.fixed_by_day[hour_index(day_start, first)] += d.fixed_cost;
        else
          out.fixed_by_day[day_start < first ? 0 : n - 1] += d.fixed_cost;
      }
      for (const auto& m : report->months)
        if (m.demand_cost > 0 || m.peak_kw > 0)
          out.demand.push_back({zone.to_utc(days_from_civil(m.year, m.month, 1) * kDayMs),
                                m.peak_kw, m.peak_start, m.demand_interval_minutes, m.demand_cost});
      out.fallback_hours += report->total.fallback_hours;
    }
  }

  analytics::CarbonSource source;
  std::optional<double> factor = default_carbon_factor(medium);
  const CarbonSetting* carbon = nullptr;
  if (auto it = settings.carbon.find(medium); it != settings.carbon.end()) {
    carbon = &it->second;
    if (carbon->kg_per_kwh) factor = carbon->kg_per_kwh;
  }
  if (factor) {
    out.has_carbon = true;
    source.factor_kg_per_kwh = *factor;
    if (carbon && carbon->intensity_point) {
      auto intensity = hourly_means(series, *carbon->intensity_point, zone, first, end);
      if (!intensity) return std::unexpected(intensity.error());
      source.intensity = std::move(*intensity);
    }
    if (source.intensity.empty()) {
      // A static factor needs no local hours: each hour's kWh times it.
      for (std::size_t i = 0; i < n; ++i)
        out.co2_kg[i] = hours[i].unknown ? 0.0 : hours[i].kwh * source.factor_kg_per_kwh;
    } else {
      auto report = analytics::carbon_emissions(hours, zone, source);
      if (!report) return std::unexpected(report.error());
      out.co2_kg = std::move(report->interval_kg);
      out.fallback_hours += report->total.fallback_hours;
    }
  }
  return out;
}

}  // namespace citypulse::energy
