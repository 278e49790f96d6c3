#include "analytics/degree_days.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace citypulse::analytics {

Result<DegreeDays> degree_days(std::span<const HourlyValue> temperatures,
                               const DegreeDayOptions& options) {
  if (options.min_hours < 1 || options.min_hours > 24) {
    return fail(ErrorCode::invalid, "min_hours must be 1..24", "/min_hours");
  }
  if (!std::isfinite(options.heating_base) || !std::isfinite(options.cooling_base) ||
      (options.heating_indoor && !std::isfinite(*options.heating_indoor))) {
    return fail(ErrorCode::invalid, "base temperatures must be finite");
  }
  struct Sum {
    double total = 0;
    int hours = 0;
  };
  std::map<std::int64_t, Sum> sums;
  for (std::size_t i = 0; i < temperatures.size(); ++i) {
    const auto& t = temperatures[i];
    if (i > 0 && t.hour <= temperatures[i - 1].hour) {
      return fail(ErrorCode::invalid, "temperature hours out of order or repeated",
                  "/" + std::to_string(i));
    }
    auto& s = sums[local_day(t.hour)];
    if (std::isnan(t.value)) continue;
    if (!std::isfinite(t.value)) {
      return fail(ErrorCode::invalid, "a temperature must be finite", "/" + std::to_string(i));
    }
    s.total += t.value;
    ++s.hours;
  }
  DegreeDays out;
  if (sums.empty()) return out;
  for (std::int64_t day = sums.begin()->first; day <= sums.rbegin()->first; ++day) {
    auto it = sums.find(day);
    if (it == sums.end() || it->second.hours < options.min_hours) {
      out.missing_days.push_back(day);
      continue;
    }
    DailyDegreeDays d;
    d.day = day;
    d.mean_temperature = it->second.total / it->second.hours;
    if (options.heating_indoor) {
      d.hdd = d.mean_temperature < options.heating_base
                  ? *options.heating_indoor - d.mean_temperature
                  : 0;
    } else {
      d.hdd = std::max(0.0, options.heating_base - d.mean_temperature);
    }
    d.cdd = std::max(0.0, d.mean_temperature - options.cooling_base);
    out.hdd += d.hdd;
    out.cdd += d.cdd;
    out.days.push_back(d);
  }
  return out;
}

Result<WeatherNormalisation> normalise_heating(std::span<const DailyEnergy> energy,
                                               std::span<const DailyDegreeDays> degree_days,
                                               double reference_hdd) {
  if (!std::isfinite(reference_hdd) || reference_hdd < 0) {
    return fail(ErrorCode::invalid, "the reference degree days must be a finite number >= 0",
                "/reference_hdd");
  }
  std::map<std::int64_t, double> hdd_of;
  for (const auto& d : degree_days) hdd_of[d.day] = d.hdd;
  std::vector<std::pair<double, double>> pairs;  // (HDD, kWh)
  for (const auto& e : energy) {
    if (!std::isfinite(e.kwh) || e.kwh < 0) {
      return fail(ErrorCode::invalid, "daily energy must be finite numbers >= 0");
    }
    if (auto it = hdd_of.find(e.day); it != hdd_of.end()) pairs.emplace_back(it->second, e.kwh);
  }
  if (pairs.size() < 2) {
    return fail(ErrorCode::invalid,
                "weather normalisation needs at least 2 days with energy "
                "and degree days");
  }
  WeatherNormalisation w;
  w.days = static_cast<int>(pairs.size());
  const double n = static_cast<double>(pairs.size());
  double mean_x = 0, mean_y = 0;
  for (const auto& [x, y] : pairs) {
    mean_x += x;
    mean_y += y;
    w.actual_hdd += x;
    w.actual_kwh += y;
  }
  mean_x /= n;
  mean_y /= n;
  double sxx = 0, sxy = 0, syy = 0;
  for (const auto& [x, y] : pairs) {
    sxx += (x - mean_x) * (x - mean_x);
    sxy += (x - mean_x) * (y - mean_y);
    syy += (y - mean_y) * (y - mean_y);
  }
  if (sxx <= 0) return fail(ErrorCode::invalid, "the degree days do not vary: no heating signal");
  w.kwh_per_degree_day = sxy / sxx;
  w.base_kwh_per_day = mean_y - w.kwh_per_degree_day * mean_x;
  w.r2 = syy > 0 ? (sxy * sxy) / (sxx * syy) : 1;
  if (w.kwh_per_degree_day <= 0 || w.actual_hdd <= 0) {
    return fail(ErrorCode::invalid,
                "the energy does not rise with the degree days: no heating signal to normalise");
  }
  w.base_kwh = std::max(0.0, w.base_kwh_per_day) * n;
  w.weather_kwh = w.actual_kwh - w.base_kwh;
  w.reference_hdd = reference_hdd;
  w.normalised_kwh = w.base_kwh + w.weather_kwh * (reference_hdd / w.actual_hdd);
  return w;
}

Result<double> energy_use_intensity(double annual_kwh, double floor_area_m2) {
  if (!std::isfinite(floor_area_m2) || floor_area_m2 <= 0) {
    return fail(ErrorCode::invalid, "the floor area must be > 0 m²", "/floor_area_m2");
  }
  if (!std::isfinite(annual_kwh) || annual_kwh < 0) {
    return fail(ErrorCode::invalid, "the energy must be a finite number >= 0", "/annual_kwh");
  }
  return annual_kwh / floor_area_m2;
}

Result<double> year_over_year_change(double this_year, double last_year) {
  if (!std::isfinite(last_year) || last_year <= 0 || !std::isfinite(this_year)) {
    return fail(ErrorCode::invalid, "last year's figure must be > 0 to compare with");
  }
  return (this_year - last_year) / last_year;
}

}  // namespace citypulse::analytics
