// Hourly values from a CSV file: one row per hour, a local naive timestamp first.
//
// The layout of the Cambridge archive and of most meter exports: a header line
// (`datetime,equipment load [kWh]`, `datetime,air_temperature [degC],...`), then rows
// `YYYY-MM-DD HH:MM:SS,value,...`. The caller picks the value column (1 = the first after
// the timestamp). An empty field is a missing value (NaN); anything else that is not a
// number, a bad timestamp, a short row or an hour that does not come after the previous
// one fails with bad_request naming the file and line. What a value means (an exact 0
// as a missing meter reading, say) is the caller's business.
#pragma once

#include <filesystem>
#include <vector>

#include "analytics/local_hour.h"
#include "core/result.h"

namespace citypulse::analytics {

struct HourlyValue {
  LocalHour hour = 0;
  double value = 0;  // NaN when the field was empty
};

Result<std::vector<HourlyValue>> read_hourly_csv(const std::filesystem::path& file, int column = 1);

}  // namespace citypulse::analytics
