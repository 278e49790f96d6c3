#include "analytics/recommendation_rules.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "analytics/tariff_interval.h"

namespace citypulse::analytics::recommendation {

double Period::per_year(Medium medium) const {
  const int known = medium == Medium::electricity ? electricity_hours : heat_hours;
  return known > 0 ? kHoursPerYear / known : 0;
}

double Period::annual_kwh(Medium medium) const {
  return (medium == Medium::electricity ? electricity_kwh : heat_kwh) * per_year(medium);
}

double Period::price(Medium medium) const {
  return medium == Medium::electricity ? prices.electricity_per_kwh : prices.heat_per_kwh;
}

namespace {

std::vector<Run> runs_by(const Period& period, const std::function<std::int64_t(LocalHour)>& key) {
  std::vector<Run> runs;
  for (std::size_t i = 0; i < period.size(); ++i) {
    const auto k = key(period.local[i]);
    if (runs.empty() || runs.back().key != k) runs.push_back({k, i, i});
    runs.back().end = i + 1;
  }
  return runs;
}

double sum_over(const Run& run, std::span<const double> per_hour) {
  double sum = 0;
  for (std::size_t i = run.first; i < run.end; ++i) sum += per_hour[i];
  return sum;
}

}  // namespace

std::vector<Run> local_days(const Period& period) {
  return runs_by(period, [](LocalHour h) { return local_day(h); });
}

std::vector<Run> local_weeks(const Period& period) {
  // A week is keyed by its Monday: the day minus its weekday (0 = Monday).
  return runs_by(period, [](LocalHour h) { return local_day(h) - day_of_week(h); });
}

std::optional<EvidenceSpan> largest_run(
    const Period& period, std::span<const Run> runs, std::span<const double> per_hour,
    const std::function<std::string(const Run&, double)>& label) {
  auto spans = largest_runs(period, runs, per_hour, 1, label);
  if (spans.empty()) return std::nullopt;
  return spans.front();
}

std::vector<EvidenceSpan> largest_runs(
    const Period& period, std::span<const Run> runs, std::span<const double> per_hour, int count,
    const std::function<std::string(const Run&, double)>& label) {
  std::vector<std::pair<double, std::size_t>> sums;  // (sum, run index)
  for (std::size_t r = 0; r < runs.size(); ++r) {
    const double sum = sum_over(runs[r], per_hour);
    if (sum > 0) sums.emplace_back(sum, r);
  }
  // Largest first, the earlier run on a tie.
  std::stable_sort(sums.begin(), sums.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  if (sums.size() > static_cast<std::size_t>(count)) sums.resize(count);
  std::sort(sums.begin(), sums.end(),
            [](const auto& a, const auto& b) { return a.second < b.second; });
  std::vector<EvidenceSpan> spans;
  for (const auto& [sum, r] : sums) {
    spans.push_back(
        {period.hour_start(runs[r].first), period.hour_start(runs[r].end), label(runs[r], sum)});
  }
  return spans;
}

AnnualSavings energy_savings(const Period& period, Medium medium, double kwh_per_year) {
  const double factor = medium == Medium::electricity ? period.carbon.electricity_kg_per_kwh
                                                      : period.carbon.heat_kg_per_kwh;
  return {kwh_per_year, kwh_per_year * period.price(medium), kwh_per_year * factor};
}

bool material_energy(const Period& period, Medium medium, double kwh_per_year) {
  return kwh_per_year > 0 &&
         kwh_per_year >= period.options.min_saving_share * period.annual_kwh(medium);
}

bool material_money(const Period& period, double money_per_year, double annual_cost) {
  return money_per_year > 0 && money_per_year >= period.options.min_saving_share * annual_cost;
}

NotJudged not_judged(FindingKind kind, NotJudgedReason reason, std::string message) {
  return {kind, reason, std::move(message)};
}

std::optional<NotJudged> too_few_hours(const Period& period, FindingKind kind, int known,
                                       const char* series) {
  if (known >= period.options.min_known_hours) return std::nullopt;
  return not_judged(kind, NotJudgedReason::too_little_data,
                    fmt::format("{} known hours of {}, fewer than the {} needed", known, series,
                                period.options.min_known_hours));
}

std::string grouped(double value) {
  const double rounded = std::round(value);
  std::string digits = fmt::format("{:.0f}", std::abs(rounded));
  for (auto at = static_cast<std::ptrdiff_t>(digits.size()) - 3; at > 0; at -= 3) {
    digits.insert(static_cast<std::size_t>(at), ",");
  }
  return (rounded < 0 ? "-" : "") + digits;
}

std::string fixed(double value, int decimals) {
  return fmt::format("{:.{}f}", value, decimals);
}

std::string money(const Period& period, double amount) {
  if (period.prices.currency.empty()) return grouped(amount);
  return period.prices.currency + " " + grouped(amount);
}

std::string local_date(std::int64_t local_day) {
  return format_local_day(local_day);
}

std::string local_time(LocalHour hour) {
  return fmt::format("{} {:02d}:00", local_date(local_day(hour)), hour_of_day(hour));
}

}  // namespace citypulse::analytics::recommendation
