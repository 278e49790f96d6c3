// Degree days from hourly outdoor temperatures, the weather normalisation of heating energy by
// them, and the energy use intensity of a building.
//
// Degree days (per local day with at least min_hours of temperatures; others are reported
// missing and count nothing):
//   daily mean  T = mean of the day's hourly temperatures
//   HDD (heating degree days, default, base 15 °C):  Σ_days max(0, base − T)
//   HDD as the German Gradtagzahl G20/15 (VDI 3807-1, VDI 4710; heating_indoor = 20):
//                                                      Σ_{days with T < 15} (20 − T)
//   CDD (cooling degree days, base 18 °C):            Σ_days max(0, T − base)
// The default is the base-15 form because it is zero on days without heating and linear in T
// below it, which is what the normalisation's regression needs; G20/15 is there for reports
// that must quote the German figure.
//
// Weather normalisation of a year's heating energy to a reference year's degree days: a least
// squares line through the daily energy against the daily HDD,
//   E_d = a + b · HDD_d,
// splits the energy into a base load (a per day: hot water, cooking, losses, anything that does
// not follow the weather) and a weather-dependent part:
//   base  = a · n_days          (a < 0 is taken as 0: no base load)
//   weather = E − base          (E the measured energy of the days with both values)
//   normalised E = base + weather · HDD_reference / HDD_actual
// so a mild year is not mistaken for a saving. It needs a heating signal: b > 0 and HDD > 0.
//
// Energy use intensity: EUI = annual energy / floor area (kWh/m²·a), and its year-over-year
// change (EUI_this − EUI_last) / EUI_last.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "analytics/hourly_csv.h"
#include "core/result.h"

namespace citypulse::analytics {

struct DegreeDayOptions {
  double heating_base = 15;              // °C
  std::optional<double> heating_indoor;  // set (20): Gradtagzahl G20/15 with heating_base 15
  double cooling_base = 18;              // °C
  int min_hours = 20;                    // hours with a temperature for a day to count
};

struct DailyDegreeDays {
  std::int64_t day = 0;  // local day number
  double mean_temperature = 0;
  double hdd = 0;
  double cdd = 0;
};

struct DegreeDays {
  std::vector<DailyDegreeDays> days;       // the days that count, in order
  std::vector<std::int64_t> missing_days;  // days in the range with too few hours
  double hdd = 0;
  double cdd = 0;
};

// `temperatures`: hourly °C by local naive hour in order (NaN = missing). Fails with invalid for
// hours out of order, an infinite temperature, min_hours outside 1..24 or non-finite bases.
Result<DegreeDays> degree_days(std::span<const HourlyValue> temperatures,
                               const DegreeDayOptions& options = {});

struct DailyEnergy {
  std::int64_t day = 0;  // local day number
  double kwh = 0;
};

struct WeatherNormalisation {
  int days = 0;                   // days with energy and degree days
  double base_kwh_per_day = 0;    // a
  double kwh_per_degree_day = 0;  // b
  double r2 = 0;                  // of the line
  double actual_kwh = 0;          // E
  double base_kwh = 0;
  double weather_kwh = 0;
  double actual_hdd = 0;  // over the same days
  double reference_hdd = 0;
  double normalised_kwh = 0;
};

// Pairs energy and degree days by day. Fails with invalid: fewer than 2 paired days, no spread
// in HDD, no heating signal (b <= 0 or HDD 0), a negative or non-finite reference or energy.
Result<WeatherNormalisation> normalise_heating(std::span<const DailyEnergy> energy,
                                               std::span<const DailyDegreeDays> degree_days,
                                               double reference_hdd);

// kWh/m²·a of a year's energy. Fails with invalid when the area is not > 0 or the energy is
// negative or not finite.
Result<double> energy_use_intensity(double annual_kwh, double floor_area_m2);

// (this − last) / last; fails with invalid when last is not > 0.
Result<double> year_over_year_change(double this_year, double last_year);

}  // namespace citypulse::analytics
