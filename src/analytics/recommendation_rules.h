// The recommendation rules' common ground, internal to the module (recommendations.cpp and the
// *_rule.cpp files): the period as the rules see it — each hour's local wall-clock hour, the
// schedule, the known hours and their annualisation — one function per rule, and the helpers
// that turn a rule's sums into a finding's savings, texts and evidence.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "analytics/local_hour.h"
#include "analytics/recommendations.h"

namespace citypulse::analytics::recommendation {

inline constexpr double kHoursPerYear = 8760;

enum class Medium { electricity, heat };

// The validated input with what every rule needs computed once.
struct Period {
  Period(const BuildingHours& b, const EnergyPrices& p, const CarbonFactors& c,
         const RecommendationOptions& o)
      : building(b), prices(p), carbon(c), options(o) {}

  const BuildingHours& building;
  const EnergyPrices& prices;
  const CarbonFactors& carbon;
  const RecommendationOptions& options;
  std::vector<LocalHour> local;           // each hour's wall-clock hour
  std::optional<OccupiedHours> occupied;  // nullopt: no schedule to judge by
  int electricity_hours = 0;              // known hours
  int heat_hours = 0;
  double electricity_kwh = 0;  // over the known hours
  double heat_kwh = 0;

  std::size_t size() const { return local.size(); }
  TimeMs hour_start(std::size_t i) const {
    return building.start + static_cast<TimeMs>(i) * kMsPerHour;
  }
  bool occupied_at(std::size_t i) const { return (*occupied)[hour_of_week(local[i])]; }
  // 8760 / the known hours of the medium's series: a sum over those hours × this is a year's.
  double per_year(Medium medium) const;
  double annual_kwh(Medium medium) const;
  double price(Medium medium) const;
};

// What a rule concluded: judged and saw nothing (monostate), a finding, or could not judge.
using Judgement = std::variant<std::monostate, Finding, NotJudged>;

Judgement judge_base_load(const Period& period);
Judgement judge_plant_outside_occupancy(const Period& period);
Judgement judge_peak_demand(const Period& period);
Judgement judge_load_shifting(const Period& period);
Judgement judge_heating_above_limit(const Period& period);
Judgement judge_heating_windows_open(const Period& period);

// A local month whose demand the peak rule judges (at least half its hours known).
struct MonthDemand {
  std::int64_t year = 0;
  unsigned month = 0;
  std::vector<std::size_t> hours;  // the known hours, in order
  double peak_kw = 0;              // the highest hourly demand (the earliest on a tie)
  std::size_t peak_hour = 0;
  double level_kw = 0;  // the peak_shave_quantile of its hourly demand
};
std::vector<MonthDemand> judged_months(const Period& period);
// The demand charge of a year at the judged months' mean peak; 0 without a charge or months.
double annual_demand_cost(const Period& period, std::span<const MonthDemand> months);

// Consecutive hours sharing a local day (or week, month): [first, end) of the period's hours.
struct Run {
  std::int64_t key = 0;  // local day number; week: the local day number of its Monday
  std::size_t first = 0;
  std::size_t end = 0;
};
std::vector<Run> local_days(const Period& period);
std::vector<Run> local_weeks(const Period& period);

// The run with the largest sum of `per_hour` (one per hour of the period; the earliest on a
// tie), as evidence labelled by `label(run, sum)`; nullopt when no sum is positive.
std::optional<EvidenceSpan> largest_run(
    const Period& period, std::span<const Run> runs, std::span<const double> per_hour,
    const std::function<std::string(const Run&, double)>& label);
// The `count` runs with the largest positive sums, in time order.
std::vector<EvidenceSpan> largest_runs(const Period& period, std::span<const Run> runs,
                                       std::span<const double> per_hour, int count,
                                       const std::function<std::string(const Run&, double)>& label);

// kWh per year of a medium with its money and carbon.
AnnualSavings energy_savings(const Period& period, Medium medium, double kwh_per_year);
// The options' materiality floor: a positive saving of at least min_saving_share of the
// medium's annual energy (kWh), or of an annual cost (money).
bool material_energy(const Period& period, Medium medium, double kwh_per_year);
bool material_money(const Period& period, double money_per_year, double annual_cost);

NotJudged not_judged(FindingKind kind, NotJudgedReason reason, std::string message);
// The common "too little data" check of a series: nullopt when it has enough known hours.
std::optional<NotJudged> too_few_hours(const Period& period, FindingKind kind, int known,
                                       const char* series);

// Texts: "54,810"; "12.3"; "EUR 10,962" (or the bare number without a currency);
// "2019-01-14"; "2019-01-14 08:00".
std::string grouped(double value);
std::string fixed(double value, int decimals = 1);
std::string money(const Period& period, double amount);
std::string local_date(std::int64_t local_day);
std::string local_time(LocalHour hour);

}  // namespace citypulse::analytics::recommendation
