#include "analytics/carbon.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/calendar.h"

namespace citypulse::analytics {

Result<CarbonFactor> default_carbon_factor(EnergyCarrier carrier) {
  switch (carrier) {
    case EnergyCarrier::electricity:
      return CarbonFactor{0.380, "Umweltbundesamt, German electricity mix 2023 (CC 13/2024)"};
    case EnergyCarrier::natural_gas:
      return CarbonFactor{0.201, "BAFA Informationsblatt CO2-Faktoren, natural gas, per kWh Hi"};
    case EnergyCarrier::natural_gas_hs:
      // 0.201 per kWh Hi divided by Hs/Hi = 1.11 (natural gas H), rounded.
      return CarbonFactor{0.181, "BAFA natural gas 0.201 per kWh Hi over Hs/Hi 1.11, per kWh Hs"};
    case EnergyCarrier::heating_oil:
      return CarbonFactor{0.266, "BAFA Informationsblatt CO2-Faktoren, heating oil EL, per kWh Hi"};
    case EnergyCarrier::district_heating:
      break;
  }
  return fail(ErrorCode::not_found,
              "district heating has no default carbon factor: use its network's (AGFW FW 309-1)");
}

Result<CarbonReport> carbon_emissions(std::span<const EnergyInterval> intervals,
                                      const Timezone& zone, const CarbonSource& source) {
  if (auto ok = validate_intervals(intervals); !ok) return fail(ok.error());
  if (!std::isfinite(source.factor_kg_per_kwh) || source.factor_kg_per_kwh < 0) {
    return fail(ErrorCode::invalid, "the carbon factor must be a finite number >= 0",
                "/factor_kg_per_kwh");
  }
  const auto& series = source.intensity;
  for (std::size_t k = 0; k < series.size(); ++k) {
    const double v = series[k].value;
    if (!std::isnan(v) && (!std::isfinite(v) || v < 0)) {
      return fail(ErrorCode::invalid, "a carbon intensity must be a finite number >= 0",
                  "/intensity/" + std::to_string(k));
    }
    if (k > 0 && series[k].hour <= series[k - 1].hour) {
      return fail(ErrorCode::invalid, "carbon intensity hours out of order or repeated",
                  "/intensity/" + std::to_string(k));
    }
  }

  CarbonReport report;
  report.interval_kg.assign(intervals.size(), 0);
  std::map<std::int64_t, DayCarbon> days;
  std::map<std::int64_t, MonthCarbon> months;
  auto entries = [&](std::int64_t day) -> std::pair<DayCarbon&, MonthCarbon&> {
    const auto c = civil_from_days(day);
    auto& d = days[day];
    d.day = day;
    auto& m = months[c.year * 12 + (c.month - 1)];
    m.year = c.year;
    m.month = c.month;
    return {d, m};
  };
  for (const auto& iv : intervals) {
    if (!iv.unknown) continue;
    auto [d, m] = entries(HourPiece::floor_div(zone.to_local(iv.start), kMsPerDay));
    ++d.unknown_intervals;
    ++m.unknown_intervals;
  }
  for_each_hour_piece(intervals, zone, [&](const HourPiece& piece) {
    auto [d, m] = entries(piece.local_day());
    double intensity = source.factor_kg_per_kwh;
    if (!series.empty()) {
      const LocalHour hour = piece.local_hour();
      auto it = std::lower_bound(series.begin(), series.end(), hour,
                                 [](const HourlyValue& v, LocalHour h) { return v.hour < h; });
      if (it != series.end() && it->hour == hour && !std::isnan(it->value)) {
        intensity = it->value;
      } else if (report.fallback_hours.empty() || report.fallback_hours.back() != hour) {
        // Counted once, however many intervals share the hour.
        report.fallback_hours.push_back(hour);
        ++d.fallback_hours;
        ++m.fallback_hours;
      }
    }
    const double kg = piece.kwh * intensity;
    report.interval_kg[piece.interval] += kg;
    d.kwh += piece.kwh;
    d.kg += kg;
    m.kwh += piece.kwh;
    m.kg += kg;
  });
  for (const auto& [key, d] : days) report.days.push_back(d);
  for (const auto& [key, m] : months) {
    report.months.push_back(m);
    report.total.kwh += m.kwh;
    report.total.kg += m.kg;
    report.total.unknown_intervals += m.unknown_intervals;
    report.total.fallback_hours += m.fallback_hours;
  }
  return report;
}

}  // namespace citypulse::analytics
