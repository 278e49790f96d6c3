// `citypulse bench analytics --cambridge DIR`: the baseline model (analytics/towt_model.h)
// validated on real buildings (analytics/cambridge_validation.h).
//
// For each building of DIR/electricity with 2018 and 2019 files: fitted on 2018, 2019
// predicted from its weather and scored after ASHRAE Guideline 14, beside the plain
// reference TOWT. Prints one JSON line per building
//   {"building","cvrmse","nmbe","r2","parameters","reference_cvrmse","reference_nmbe",
//    "reference_r2","reference_parameters","total_2018","total_2019"}
// (fractions, not percent; totals in kWh), with, when the building has 2020, the
// avoided energy of 2020 against a baseline fitted on 2019 (the COVID-19 closures):
//   "savings_2020": {"baseline_kwh","actual_kwh","avoided_kwh","fractional_savings",
//    "fsu_90","avoided_kwh_90","autocorrelation","effective_hours"}
// and a last line {"buildings","median_cvrmse","max_cvrmse","max_abs_nmbe",
// "reference_median_cvrmse","seconds"}. A missing folder or a malformed row fails
// (exit 1) with the file and line.
#pragma once

#include <string>

#include "core/result.h"

namespace citypulse {

struct BenchAnalyticsOptions {
  std::string cambridge;
};

Status validate(const BenchAnalyticsOptions& options);
Status run_bench_analytics(const BenchAnalyticsOptions& options);

}  // namespace citypulse
