// Recommendations: what a building's hourly energy shows could be saved, as findings ranked by
// their estimated saving. Pure computation over one building's analysis period (typically the
// last 12 months or 8 weeks); docs/analytics.md "Recommendations" states every rule, threshold
// and saving's arithmetic.
//
// The rules (FindingKind, stable names for the API):
//  - base_load: the load outside occupied hours is high against the occupied load and against
//    what the building's quietest days show is achievable (base_load_rule.cpp);
//  - plant_outside_occupancy: heating or ventilation runs outside occupied hours about as hard
//    as inside them, at the same outdoor temperatures (plant_outside_occupancy_rule.cpp);
//  - peak_demand: monthly peaks far above the month's usual high load under a demand charge
//    (peak_demand_rule.cpp);
//  - load_shifting: load that could move to each day's cheapest hours under an hourly price
//    (load_shifting_rule.cpp);
//  - heating_above_limit, heating_windows_open: heat beyond the hot-water base on days above
//    the heating limit, and while windows are open (heating_rules.cpp).
//
// Every saving is per year: the energy (kWh), the money (the prices' currency) and the carbon
// (kg CO2) the rule finds over the hours it could judge, annualised by × 8760 / the known hours
// of the series the rule reads (peak demand: × 12 / the months judged). A finding also carries
// the figures behind it and the UTC spans that show it best (for a chart).
//
// Bad input (mismatched lengths, a start that is not a whole UTC hour, negative or non-finite
// energy, prices, factors or options) is an error. Too little data is not: gaps are what
// meters deliver. A rule without the data it needs (no heat series, no price series, fewer than
// `min_known_hours` known hours, no schedule) says so in `not_judged` and finds nothing; the
// other rules still run. A rule that judges and does not see its problem says nothing at all.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analytics/tariff.h"
#include "analytics/towt_model.h"
#include "core/result.h"
#include "core/time.h"
#include "core/timezone.h"

namespace citypulse::analytics {

// The building's hours: consecutive UTC hours from `start`, one value per hour in each series.
struct BuildingHours {
  Timezone zone;     // the building's: local hour of the week, local days and months
  TimeMs start = 0;  // UTC start of the first hour; a whole UTC hour
  std::vector<double> electricity_kwh;      // one per hour, not empty; NaN = unknown hour
  std::vector<double> heat_kwh;             // heating and ventilation; empty: none metered
  std::vector<double> outdoor_temperature;  // °C; empty: none; NaN = missing
  std::vector<double> window_open_share;    // 0..1 of the windows open; empty: no contacts
  // The occupied hours of the week (by local hour of the week): the schedule, or what
  // TowtModel::occupied detected. Absent: detected from the electricity here, with the same
  // split (detect_occupied_hours in towt_model.h).
  std::optional<OccupiedHours> occupied;
};

struct EnergyPrices {
  std::string currency;            // "EUR": quoted in the explanations
  double electricity_per_kwh = 0;  // the average energy price under the tariffs; >= 0
  double heat_per_kwh = 0;         // >= 0; the heat meter's medium (gas, district heat)
  // A dynamic tariff's electricity price per kWh for each hour: empty, or one per hour; NaN
  // for a missing hour; negative prices are allowed (surplus hours).
  std::vector<double> electricity_hourly;
  std::optional<DemandCharge> demand;  // on the electricity's monthly peak (tariff.h)
};

struct CarbonFactors {  // kg CO2 per kWh (carbon.h has documented defaults); >= 0
  double electricity_kg_per_kwh = 0;
  double heat_kg_per_kwh = 0;
};

// The thresholds; docs/analytics.md says why each default is what it is.
struct RecommendationOptions {
  int min_known_hours = 336;            // a series needs two weeks of known hours to be judged
  double min_mode_contrast = 0.1;       // occupancy detection (TowtOptions::min_mode_contrast)
  double min_saving_share = 0.005;      // a finding saves at least this share of its medium's
                                        // annual cost (kWh for energy, money for peaks and shifts)
  double high_severity_share = 0.05;    // money saving ≥ this share of the annual energy cost
  double medium_severity_share = 0.01;  // ≥ this: medium; below: low

  // base_load
  double base_load_share = 0.5;        // unoccupied median above this share of the occupied median
  double achievable_quantile = 0.1;    // of the local days' unoccupied medians
  double base_load_margin = 0.25;      // unoccupied median above achievable × (1 + this)
  double base_load_realisation = 0.5;  // of the energy above the achievable level

  // plant_outside_occupancy
  double plant_share = 0.8;    // unoccupied heat above this share of occupied
  double setback_share = 0.6;  // what a working setback leaves: the savings' target
  double temperature_bin = 2;  // K, the width of the like-with-like comparison
  int min_bin_hours = 10;      // occupied and unoccupied hours a bin needs to count

  // peak_demand
  double peak_shave_quantile = 0.98;  // of the month's hourly demand: the level to shave to
  double peak_min_excess = 0.1;       // a month's peak above that level × (1 + this)

  // load_shifting
  double shiftable_share = 0.1;         // of the load above the base load
  double flexible_base_quantile = 0.1;  // of the known hourly loads: the base load
  int shift_target_hours = 4;           // each day's cheapest hours receive the shifted load

  // heating_above_limit and heating_windows_open
  double heating_limit = 15;                 // °C, the daily mean outdoor temperature
  int min_warm_days = 7;                     // days above the limit a day type needs for its base
  double hot_water_quantile = 0.25;          // of the warm days' mean heat: the hot-water base
  double heating_margin = 0.5;               // heating shows above base × (1 + this) …
  double heating_min_share = 0.05;           // … and above base + this share of the mean heat
  double heating_above_limit_factor = 0.75;  // of the heat above the base on warm days
  double windows_open_factor = 0.5;          // of the heat above the base × the open share
};

enum class FindingKind {
  base_load,
  plant_outside_occupancy,
  peak_demand,
  load_shifting,
  heating_above_limit,
  heating_windows_open,
};
// "base_load", "plant_outside_occupancy", …: stable, for the API.
const char* to_string(FindingKind kind);
// Whether a kind of finding is judged on the building's heat (its heat or gas
// meters) rather than its electricity: what its evidence is drawn from.
bool judged_on_heat(FindingKind kind);

// By the money saving against the building's annual energy cost (options' shares).
enum class Severity { low, medium, high };
const char* to_string(Severity severity);

struct AnnualSavings {
  double kwh = 0;     // 0 for peaks and shifts: the energy moves, it is not saved
  double money = 0;   // in EnergyPrices::currency
  double kg_co2 = 0;  // kwh × the medium's factor
};

// A UTC span [start, end) of the period that shows the finding, for a chart link.
struct EvidenceSpan {
  TimeMs start = 0;
  TimeMs end = 0;
  std::string label;  // "week of 2019-01-14: 2,100 kWh above the achievable level"
};

// A number behind a finding; names are stable ("occupied_median_kw").
struct Figure {
  std::string name;
  double value = 0;
  std::string unit;  // "kW", "kWh", "°C", "share", "EUR/kW", "hours", "days", "months"
};

struct Finding {
  FindingKind kind = FindingKind::base_load;
  Severity severity = Severity::low;
  int priority = 0;         // 1 = the largest money saving
  std::string title;        // short, English
  std::string explanation;  // one sentence with the numbers, English
  AnnualSavings per_year;
  std::vector<EvidenceSpan> evidence;  // in time order
  std::vector<Figure> figures;
};

enum class NotJudgedReason {
  no_data,           // the series the rule reads was not given
  too_little_data,   // fewer known hours (or days, months) than the rule needs
  no_schedule,       // no occupied/unoccupied split: none given and none detected
  no_temperature,    // the rule compares like with like by outdoor temperature
  no_price_series,   // load_shifting needs hourly prices
  no_demand_charge,  // peak_demand needs a demand charge
};
const char* to_string(NotJudgedReason reason);

struct NotJudged {
  FindingKind kind = FindingKind::base_load;
  NotJudgedReason reason = NotJudgedReason::no_data;
  std::string message;  // for people: what was missing
};

struct Recommendations {
  std::vector<Finding> findings;      // by money saving, largest first (then by kWh)
  std::vector<NotJudged> not_judged;  // in the order of FindingKind
  std::string currency;
  int hours = 0;              // hours in the period
  int electricity_hours = 0;  // known
  int heat_hours = 0;         // known; 0 without a heat series
  // The schedule the rules used: given, or detected (then `occupancy_detected`); nullopt when
  // neither (all hours alike, or too little data to tell).
  std::optional<OccupiedHours> occupied;
  bool occupancy_detected = false;
  // The building's annualised energy cost (electricity and heat at their average prices, plus
  // the demand charge on the monthly peaks): the yardstick of the severity.
  double annual_energy_cost = 0;
};

// Fails with invalid, naming the field (a JSON pointer: "/electricity_kwh/17",
// "/prices/demand/price_per_kw", "/options/plant_share"), for: no hours; a start that is not
// a whole UTC hour; a series given with another length than the electricity's; a negative or
// infinite energy; an infinite temperature; a window share outside 0..1; a negative or
// non-finite average price, demand price or carbon factor; an infinite hourly price; a demand
// interval other than 15 or 60 minutes; an option outside its range.
Result<Recommendations> recommend(const BuildingHours& building, const EnergyPrices& prices,
                                  const CarbonFactors& carbon,
                                  const RecommendationOptions& options = {});

}  // namespace citypulse::analytics
