// Weather for the building simulator: outdoor air temperature, relative
// humidity and global solar irradiance at any wall-clock time, from real
// hourly records when they are at hand, or from a seasonal synthetic year.
//
// Real records: the `bedford_<year>.csv` files of a folder (columns
// datetime, air temperature °C, relative humidity %, global irradiance
// W/m²; one row an hour, local naive times). A row whose three values are
// all exactly 0 is a missing measurement (the archive stored gaps so) and
// is bridged by interpolation. Any year asked for is shifted onto one of
// the recorded years — year Y plays recorded year first + ((Y − first) mod
// n), same month, day and hour (29 February onto the 28th where the record
// has none), so a simulation of this year and of the last ten all get real
// weather.
//
// Synthetic: a mid-European year (about 0 °C in late January, 19 °C in
// late July, 8 K between night and afternoon, irradiance from the sun's
// height), deterministic, for machines without the records.
//
// Values between the hours are interpolated linearly. Made once, then
// read only: at() allocates nothing and is safe from any thread.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"

namespace citypulse::sim {

struct WeatherSample {
  double outdoor_c = 0;  // air temperature
  double humidity_pct = 0;
  double solar_w_m2 = 0;  // global horizontal irradiance
};

class Weather {
 public:
  // The records of `folder`; not_found when it holds no bedford_<year>.csv,
  // invalid naming the file and line of a row that does not read.
  static Result<Weather> from_records(const std::string& folder);
  // The synthetic year.
  static Weather synthetic();
  // The records when `folder` has them, else the synthetic year.
  static Weather records_or_synthetic(const std::string& folder);

  // The weather at wall-clock time `wall` (Timezone::to_local's form).
  WeatherSample at(TimeMs wall) const;

  bool recorded() const { return !years_.empty(); }
  // The recorded years, ascending (empty for the synthetic year).
  std::vector<int> years() const;

 private:
  struct Year {
    int year = 0;
    std::vector<WeatherSample> hours;  // hour of the year → values; 8,760 or 8,784
  };
  WeatherSample hourly(std::int64_t wall_hour) const;  // hours since 1970 on the wall clock

  std::vector<Year> years_;
};

}  // namespace citypulse::sim
