// The carbon emissions of a building's energy: by a static factor per medium, or by an hourly
// carbon intensity series (a grid's marginal or average intensity), with the static factor for
// the hours the series lacks (those hours are reported).
//
//   emissions (kg CO2) = Σ over the parts p of the intervals  kWh(p) × intensity(hour of p)
//
// with the same local-hour parts as the tariffs (tariff_interval.h); unknown intervals are not
// counted, only reported.
//
// Default factors (kg CO2 per kWh of final energy, direct emissions of combustion for fuels;
// a building's own figures, from its supplier's disclosure, should replace them):
//  - electricity, German grid mix: 0.380 — Umweltbundesamt, "Entwicklung der spezifischen
//    Treibhausgas-Emissionen des deutschen Strommix 1990–2023" (Climate Change 13/2024),
//    the estimate for 2023 (2022: 0.433);
//  - natural gas: 0.201 per kWh of net calorific value (Hi) — BAFA, "Informationsblatt
//    CO2-Faktoren" (Bundesförderung für Energie- und Ressourceneffizienz in der Wirtschaft).
//    German gas meters are billed in kWh of gross calorific value (Hs); with Hs/Hi = 1.11 for
//    natural gas H that is 0.181 per kWh Hs: natural_gas_hs is that factor;
//  - heating oil (EL): 0.266 per kWh Hi — BAFA, same sheet.
// District heating has no general default: its factor is its network's (AGFW FW 309-1).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "analytics/hourly_csv.h"
#include "analytics/tariff_interval.h"
#include "core/result.h"
#include "core/timezone.h"

namespace citypulse::analytics {

// What a carbon factor is of: a carrier of final energy, finer than a meter's medium (meter.h),
// since gas has two factors by calorific value and heat depends on how it is made.
enum class EnergyCarrier {
  electricity,
  natural_gas,
  natural_gas_hs,
  heating_oil,
  district_heating
};

struct CarbonFactor {
  double kg_per_kwh = 0;
  std::string source;  // where the number comes from
};

// The documented default above; not_found for district heating, which has none.
Result<CarbonFactor> default_carbon_factor(EnergyCarrier carrier);

struct CarbonSource {
  double factor_kg_per_kwh = 0;        // static, and the fallback of the series; >= 0
  std::vector<HourlyValue> intensity;  // kg CO2/kWh by local naive hour in order; NaN missing;
                                       // empty: the static factor throughout
};

struct CarbonTotals {
  double kwh = 0;
  double kg = 0;
  int unknown_intervals = 0;
  int fallback_hours = 0;  // hours counted at the static factor although a series was given
};

struct DayCarbon : CarbonTotals {
  std::int64_t day = 0;  // local day number
};

struct MonthCarbon : CarbonTotals {
  std::int64_t year = 0;
  unsigned month = 0;
};

struct CarbonReport {
  std::vector<double> interval_kg;  // one per interval; 0 for unknown ones
  std::vector<DayCarbon> days;
  std::vector<MonthCarbon> months;
  CarbonTotals total;
  std::vector<LocalHour> fallback_hours;  // in order
};

// Fails with invalid for bad intervals (validate_intervals), a negative or non-finite factor,
// a negative or infinite intensity, or series hours out of order.
Result<CarbonReport> carbon_emissions(std::span<const EnergyInterval> intervals,
                                      const Timezone& zone, const CarbonSource& source);

}  // namespace citypulse::analytics
