// The baseline model validated on real buildings: the Cambridge University Estates archive.
//
// DIR is laid out like ../shared/data/cambridge: `electricity/<building>_<year>.csv`
// (`datetime,equipment load [kWh]`) and `weather/bedford_<year>.csv`
// (`datetime,air_temperature [degC],...`). For each building with 2018 and 2019 files
// (in the order of their names): fit on 2018 with 2018's weather, predict 2019 with
// 2019's weather and score the prediction (fit_statistics.h, p of the model). An exact
// 0 is a missing reading (the archive stored gaps as 0): skipped in fit and score. Both
// the model under test and the plain reference (TowtOptions::plain_reference) are scored.
// When the building also has 2020, a model fitted on 2019 predicts 2020 and the
// difference is the avoided energy with its uncertainty (savings.h) — the COVID-19
// closures.
//
// Fails with not_found for a missing folder or weather year, bad_request (file and
// line) for a malformed CSV row, invalid when a fit is impossible.
#pragma once

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "analytics/fit_statistics.h"
#include "analytics/savings.h"
#include "analytics/towt_model.h"
#include "core/result.h"

namespace citypulse::analytics {

struct BuildingValidation {
  std::string building;
  FitStatistics model;      // 2019 predicted by the 2018 fit
  FitStatistics reference;  // the same for the plain reference
  int model_parameters = 0;
  int reference_parameters = 0;
  double total_2018 = 0;  // kWh, present readings
  double total_2019 = 0;
  std::optional<SavingsEstimate> savings_2020;  // 2020 against the 2019 baseline
};

struct ValidationSummary {
  int buildings = 0;
  double median_cvrmse = 0;
  double max_cvrmse = 0;
  double max_abs_nmbe = 0;
  double reference_median_cvrmse = 0;
};

struct ValidationOptions {
  TowtOptions model = TowtOptions::recommended();
  TowtOptions reference = TowtOptions::plain_reference();
  double savings_confidence = 0.90;
};

Result<std::vector<BuildingValidation>> validate_cambridge(const std::filesystem::path& dir,
                                                           const ValidationOptions& options = {});

// A building's 2018 and 2019 hours, read as validate_cambridge reads them (an exact 0 as
// a missing reading, the 24-hour mean temperature across the new year); for other
// evaluations on the same data (forecast_evaluation.h). Fails as validate_cambridge does.
struct CambridgeYears {
  std::string building;
  std::vector<HourlyObservation> year_2018;
  std::vector<HourlyObservation> year_2019;
};
Result<std::vector<CambridgeYears>> read_cambridge(const std::filesystem::path& dir);

ValidationSummary summarise(std::span<const BuildingValidation> buildings);

}  // namespace citypulse::analytics
