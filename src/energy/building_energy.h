// A building's energy settings (PUT /api/v1/buildings/{id}/energy): its
// tariffs by medium, carbon factors, budgets, and the outdoor temperature
// its baselines and recommendations use. docs/analytics.md, "A building's
// energy settings", has the document:
//
//   {"tariffs": {"electricity": [
//      {"valid_from": "2026-01-01", "currency": "EUR", "kind": "time_of_use",
//       "windows": [{"name": "day", "weekdays": ["mon","tue","wed","thu","fri"],
//                    "start": "06:00", "end": "22:00", "price_per_kwh": 0.34}, ...],
//       "holidays_as_sunday": true, "fixed_per_month": 12.5,
//       "demand": {"price_per_kw": 9.8, "interval_minutes": 15}}]},
//    "carbon": {"electricity": {"kg_per_kwh": 0.38, "intensity_point": 812}},
//    "budgets": [{"medium": "electricity", "year": 2026, "planned_kwh": 410000,
//                 "planned_cost": 135000, "margin": 0.05}],
//    "outdoor_temperature_point": 77, "weather_forecast_point": 78,
//    "window_contact_points": [301, 302], "heating_limit_c": 15}
//
// Every member is optional. A tariff is flat (price_per_kwh), time of use
// (windows covering every minute of the week once, optionally by season:
// "months": [10, 3] is October to March) or a price series (the hourly
// readings of "price_point", a point of price per kWh, with
// "fallback_price_per_kwh" for hours it lacks).
#pragma once

#include <boost/json/fwd.hpp>
#include <map>
#include <optional>
#include <vector>

#include "analytics/budget.h"
#include "analytics/meter.h"
#include "analytics/tariff.h"
#include "core/result.h"
#include "model/asset.h"

namespace citypulse::energy {

struct TariffSchedule {
  std::vector<analytics::Tariff> tariffs;       // by valid_from
  std::vector<std::optional<Id>> price_points;  // per tariff: a price series' point
};

struct CarbonSetting {
  std::optional<double> kg_per_kwh;  // none: the medium's default, if it has one
  std::optional<Id> intensity_point;
};

struct BudgetSetting {
  analytics::Medium medium = analytics::Medium::electricity;
  analytics::Budget budget;
};

struct BuildingEnergy {
  std::map<analytics::Medium, TariffSchedule> tariffs;
  std::map<analytics::Medium, CarbonSetting> carbon;
  std::vector<BudgetSetting> budgets;  // at most one per medium and year
  std::optional<Id> outdoor_temperature_point;
  // A temperature point holding a weather forecast (values at future times):
  // what the load forecast takes the hours ahead's weather from first.
  std::optional<Id> weather_forecast_point;
  // Window contacts (state points, above 0.5 = open): heating while they are
  // open is a recommendation's finding.
  std::vector<Id> window_contact_points;
  double heating_limit_c = 15;

  const BudgetSetting* budget(analytics::Medium medium, std::int64_t year) const;
};

// Reads and checks a document. invalid, naming the member as a JSON pointer:
// unknown members, bad dates, windows that leave a gap or overlap (naming
// month, weekday and time), mixed currencies, a budget of a medium and year
// twice. Points named are not looked up here (the service does that).
Result<BuildingEnergy> parse_building_energy(const boost::json::value& document);

// The document with the defaults spelled out, as stored and returned.
boost::json::object building_energy_json(const BuildingEnergy& settings);

// The points the settings name (price series, intensity series, outdoor
// temperature), each with the JSON pointer of where it is named.
std::vector<std::pair<Id, std::string>> named_points(const BuildingEnergy& settings);

// The default carbon factor of a medium (kg CO2 per kWh; docs/analytics.md):
// electricity the German grid mix, gas per kWh of gross calorific value;
// none for heat (a network's own) and water.
std::optional<double> default_carbon_factor(analytics::Medium medium);

}  // namespace citypulse::energy
