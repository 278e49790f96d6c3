#include "analytics/cambridge_validation.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "analytics/hourly_csv.h"
#include "analytics/quantile.h"

namespace citypulse::analytics {
namespace {

namespace fs = std::filesystem;

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

using Weather = std::map<LocalHour, double>;

// Adds a year of weather to `weather`; a missing file fails unless `optional`.
Status read_weather(const fs::path& dir, int year, Weather& weather, bool optional = false) {
  const auto file = dir / "weather" / ("bedford_" + std::to_string(year) + ".csv");
  if (!fs::exists(file)) {
    if (optional) return {};
    return fail(ErrorCode::not_found, "no weather file " + file.string());
  }
  auto rows = read_hourly_csv(file, 1);
  if (!rows) return fail(rows.error());
  for (const auto& r : *rows) weather.emplace(r.hour, r.value);
  return {};
}

// The mean temperature of the 24 hours up to `hour` (the previous year's last day from
// its own file when there is one), as fill_temperature_24h() would compute it.
double temperature_24h(const Weather& weather, LocalHour hour) {
  double sum = 0;
  int present = 0;
  for (auto it = weather.lower_bound(hour - 23); it != weather.end() && it->first <= hour; ++it) {
    if (std::isfinite(it->second)) sum += it->second, ++present;
  }
  return present >= 12 ? sum / present : kMissing;
}

// A year of a building's meter joined with the weather: one observation per metered hour,
// an exact 0 as a missing reading, an hour without weather with a missing temperature,
// and the 24-hour mean temperature.
Result<std::vector<HourlyObservation>> read_year(const fs::path& file, const Weather& weather) {
  auto rows = read_hourly_csv(file, 1);
  if (!rows) return fail(rows.error());
  std::vector<HourlyObservation> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) {
    const auto w = weather.find(r.hour);
    out.push_back({r.hour, w == weather.end() ? kMissing : w->second,
                   r.value == 0 ? kMissing : r.value, temperature_24h(weather, r.hour)});
  }
  return out;
}

std::vector<double> energies(std::span<const HourlyObservation> hours) {
  std::vector<double> out;
  out.reserve(hours.size());
  for (const auto& o : hours) out.push_back(o.energy);
  return out;
}

double total(std::span<const HourlyObservation> hours) {
  double sum = 0;
  for (const auto& o : hours) sum += std::isnan(o.energy) ? 0 : o.energy;
  return sum;
}

// Fit on `training`, score on `test`.
Result<std::pair<FitStatistics, int>> score(std::span<const HourlyObservation> training,
                                            std::span<const HourlyObservation> test,
                                            const TowtOptions& options) {
  auto model = TowtModel::fit(training, options);
  if (!model) return fail(model.error());
  auto stats = fit_statistics(energies(test), model->predict(test), model->parameters());
  if (!stats) return fail(stats.error());
  return std::pair{*stats, model->parameters()};
}

// The buildings with 2018 and 2019 files, in the order of their names.
Result<std::vector<std::string>> list_buildings(const fs::path& dir) {
  const auto electricity = dir / "electricity";
  std::error_code ec;
  if (!fs::is_directory(electricity, ec)) {
    return fail(ErrorCode::not_found, "no folder " + electricity.string());
  }
  std::vector<std::string> buildings;
  for (const auto& entry : fs::directory_iterator(electricity, ec)) {
    const auto name = entry.path().filename().string();
    const std::string suffix = "_2018.csv";
    if (name.size() <= suffix.size() || !name.ends_with(suffix)) continue;
    const auto building = name.substr(0, name.size() - suffix.size());
    if (fs::exists(electricity / (building + "_2019.csv"))) buildings.push_back(building);
  }
  if (ec) return fail(ErrorCode::io, "cannot list " + electricity.string() + ": " + ec.message());
  std::sort(buildings.begin(), buildings.end());
  if (buildings.empty()) {
    return fail(ErrorCode::not_found,
                "no building with 2018 and 2019 files in " + electricity.string());
  }
  return buildings;
}

}  // namespace

Result<std::vector<BuildingValidation>> validate_cambridge(const fs::path& dir,
                                                           const ValidationOptions& options) {
  const auto electricity = dir / "electricity";
  auto buildings = list_buildings(dir);
  if (!buildings) return fail(buildings.error());
  // One map of every year read: the hours are distinct, and a year's first day needs the
  // last day of the year before for its 24-hour means.
  Weather weather;
  if (auto s = read_weather(dir, 2017, weather, true); !s) return fail(s.error());
  if (auto s = read_weather(dir, 2018, weather); !s) return fail(s.error());
  if (auto s = read_weather(dir, 2019, weather); !s) return fail(s.error());
  bool have_2020 = false;

  std::vector<BuildingValidation> out;
  for (const auto& building : *buildings) {
    BuildingValidation v;
    v.building = building;
    auto year_2018 = read_year(electricity / (building + "_2018.csv"), weather);
    if (!year_2018) return fail(year_2018.error());
    auto year_2019 = read_year(electricity / (building + "_2019.csv"), weather);
    if (!year_2019) return fail(year_2019.error());
    v.total_2018 = total(*year_2018);
    v.total_2019 = total(*year_2019);
    auto ours = score(*year_2018, *year_2019, options.model);
    if (!ours) return fail(ErrorCode::invalid, building + ": " + ours.error().message);
    auto reference = score(*year_2018, *year_2019, options.reference);
    if (!reference) return fail(ErrorCode::invalid, building + ": " + reference.error().message);
    std::tie(v.model, v.model_parameters) = *ours;
    std::tie(v.reference, v.reference_parameters) = *reference;

    const auto file_2020 = electricity / (building + "_2020.csv");
    if (fs::exists(file_2020)) {
      if (!have_2020) {
        if (auto s = read_weather(dir, 2020, weather); !s) return fail(s.error());
        have_2020 = true;
      }
      auto year_2020 = read_year(file_2020, weather);
      if (!year_2020) return fail(year_2020.error());
      auto baseline = TowtModel::fit(*year_2019, options.model);
      if (!baseline) return fail(ErrorCode::invalid, building + ": " + baseline.error().message);
      auto savings = estimate_savings(energies(*year_2019), baseline->predict(*year_2019),
                                      baseline->parameters(), energies(*year_2020),
                                      baseline->predict(*year_2020), options.savings_confidence);
      if (!savings) return fail(ErrorCode::invalid, building + ": " + savings.error().message);
      v.savings_2020 = *savings;
    }
    out.push_back(std::move(v));
  }
  return out;
}

Result<std::vector<CambridgeYears>> read_cambridge(const fs::path& dir) {
  auto buildings = list_buildings(dir);
  if (!buildings) return fail(buildings.error());
  Weather weather;
  if (auto s = read_weather(dir, 2017, weather, true); !s) return fail(s.error());
  if (auto s = read_weather(dir, 2018, weather); !s) return fail(s.error());
  if (auto s = read_weather(dir, 2019, weather); !s) return fail(s.error());
  std::vector<CambridgeYears> out;
  for (const auto& building : *buildings) {
    CambridgeYears b;
    b.building = building;
    auto year_2018 = read_year(dir / "electricity" / (building + "_2018.csv"), weather);
    if (!year_2018) return fail(year_2018.error());
    auto year_2019 = read_year(dir / "electricity" / (building + "_2019.csv"), weather);
    if (!year_2019) return fail(year_2019.error());
    b.year_2018 = std::move(*year_2018);
    b.year_2019 = std::move(*year_2019);
    out.push_back(std::move(b));
  }
  return out;
}

ValidationSummary summarise(std::span<const BuildingValidation> buildings) {
  ValidationSummary s;
  s.buildings = static_cast<int>(buildings.size());
  std::vector<double> ours, reference;
  for (const auto& b : buildings) {
    ours.push_back(b.model.cvrmse);
    reference.push_back(b.reference.cvrmse);
    s.max_cvrmse = std::max(s.max_cvrmse, b.model.cvrmse);
    s.max_abs_nmbe = std::max(s.max_abs_nmbe, std::abs(b.model.nmbe));
  }
  s.median_cvrmse = median(ours);
  s.reference_median_cvrmse = median(reference);
  return s;
}

}  // namespace citypulse::analytics
