// The cost and carbon of one building's hourly energy of one medium under
// its settings (building_energy.h): the analytics' tariff and carbon
// arithmetic (analytics/tariff.h, analytics/carbon.h) fed from the ledger's
// hours and from the points the settings name (a price series, a carbon
// intensity series, read as hourly means of their readings).
//
// What each hour costs is its energy at its price; the fixed charge of a
// month is spread over its local days; the demand charge belongs to the
// month (the peak's block is reported). Hours before the first tariff's
// start, and unknown hours, are not priced (counted in unpriced_hours).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "analytics/tariff.h"
#include "analytics/tariff_interval.h"
#include "core/result.h"
#include "core/timezone.h"
#include "energy/building_energy.h"
#include "store/series_store.h"

namespace citypulse::energy {

struct MonthDemand {
  TimeMs month_start = 0;  // UTC instant of the local month's start
  double peak_kw = 0;
  TimeMs peak_start = 0;
  int interval_minutes = 0;
  double cost = 0;
};

struct HourlyCost {
  std::string currency;              // empty: the medium has no tariffs
  std::vector<double> energy_cost;   // per hour given (0 where not priced)
  std::vector<double> fixed_by_day;  // per hour: the fixed charge of the local day that
                                     // starts at this hour, else 0
  std::vector<MonthDemand> demand;   // months with a demand charge
  int unpriced_hours = 0;
  bool has_carbon = false;     // a factor applies (given or the medium's default)
  std::vector<double> co2_kg;  // per hour given
  int fallback_hours = 0;      // price or intensity series hours that were missing
};

// The medium's tariffs ready to price [from, to): a price series' hourly
// means read from its point, the public holidays of the years filled in.
// Empty when the medium has no tariffs.
Result<std::vector<analytics::Tariff>> prepared_tariffs(SeriesStore& series,
                                                        const BuildingEnergy& settings,
                                                        analytics::Medium medium,
                                                        const Timezone& zone, TimeMs from,
                                                        TimeMs to);

// `hours` are consecutive UTC hours (unknown ones flagged). Errors: the
// tariffs' or carbon arithmetic's, or reading a named point.
Result<HourlyCost> hourly_cost(SeriesStore& series, const BuildingEnergy& settings,
                               analytics::Medium medium, const Timezone& zone,
                               std::span<const analytics::EnergyInterval> hours);

}  // namespace citypulse::energy
