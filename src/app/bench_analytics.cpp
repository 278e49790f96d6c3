#include "app/bench_analytics.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <string>

#include "analytics/cambridge_validation.h"
#include "analytics/forecast_evaluation.h"
#include "api/json_io.h"

namespace citypulse {

Status validate(const BenchAnalyticsOptions& o) {
  if (o.cambridge.empty()) return fail(ErrorCode::invalid, "--cambridge DIR is required");
  return {};
}

Status run_bench_analytics(const BenchAnalyticsOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  auto buildings = analytics::validate_cambridge(o.cambridge);
  if (!buildings) return fail(buildings.error());
  // The day-ahead forecast from every midnight of 2019 (weather as known),
  // beside the baseline model on the same hours.
  auto years = analytics::read_cambridge(o.cambridge);
  if (!years) return fail(years.error());
  // And the whole 72 hours the API offers, from the same origins.
  std::map<std::string, analytics::ForecastEvaluation> day_ahead, three_days_ahead;
  analytics::ForecastEvaluationOptions three_days;
  three_days.horizon_hours = 72;
  for (const auto& y : *years) {
    auto e = analytics::evaluate_rolling_origin(y.year_2018, y.year_2019);
    if (!e) return fail(e.error());
    day_ahead.emplace(y.building, *e);
    auto e3 = analytics::evaluate_rolling_origin(y.year_2018, y.year_2019, three_days);
    if (!e3) return fail(e3.error());
    three_days_ahead.emplace(y.building, *e3);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const auto& b : *buildings) {
    boost::json::object line;
    line["building"] = b.building;
    line["cvrmse"] = b.model.cvrmse;
    line["nmbe"] = b.model.nmbe;
    line["r2"] = b.model.r2;
    line["parameters"] = b.model_parameters;
    line["reference_cvrmse"] = b.reference.cvrmse;
    line["reference_nmbe"] = b.reference.nmbe;
    line["reference_r2"] = b.reference.r2;
    line["reference_parameters"] = b.reference_parameters;
    line["total_2018"] = b.total_2018;
    line["total_2019"] = b.total_2019;
    for (const auto& [name, evaluations] :
         {std::pair{"day_ahead", &day_ahead}, std::pair{"three_days_ahead", &three_days_ahead}})
      if (auto f = evaluations->find(b.building); f != evaluations->end())
        line[name] = {{"cvrmse", f->second.forecast.cvrmse},
                      {"nmbe", f->second.forecast.nmbe},
                      {"baseline_cvrmse", f->second.baseline.cvrmse},
                      {"baseline_nmbe", f->second.baseline.nmbe},
                      {"coverage_10_90", f->second.coverage},
                      {"origins", f->second.origins}};
    if (b.savings_2020) {
      const auto& s = *b.savings_2020;
      line["savings_2020"] = {{"baseline_kwh", s.baseline_energy},
                              {"actual_kwh", s.actual_energy},
                              {"avoided_kwh", s.avoided_energy},
                              {"fractional_savings", s.fractional_savings},
                              {"fsu_90", s.fractional_savings_uncertainty},
                              {"avoided_kwh_90", s.avoided_energy_uncertainty},
                              {"autocorrelation", s.autocorrelation},
                              {"effective_hours", s.effective_hours}};
    }
    fmt::print("{}\n", to_json_text(line));
  }
  const auto s = analytics::summarise(*buildings);
  boost::json::object summary;
  summary["buildings"] = s.buildings;
  summary["median_cvrmse"] = s.median_cvrmse;
  summary["max_cvrmse"] = s.max_cvrmse;
  summary["max_abs_nmbe"] = s.max_abs_nmbe;
  summary["reference_median_cvrmse"] = s.reference_median_cvrmse;
  summary["seconds"] = seconds;
  fmt::print("{}\n", to_json_text(summary));
  return {};
}

}  // namespace citypulse
