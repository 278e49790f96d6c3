// peak_demand: monthly peaks far above the month's usual high load, and what shaving them
// (moving or curtailing the load of those few hours) saves under the demand charge.
//
// Demand is the hourly kWh as mean kW over the hour. A 15-minute billing interval cannot be
// seen in hourly data: a quarter hour may peak higher than its hour's mean, so the billed peak
// is at least the hourly one, and the saving is computed on the hourly peaks (as the tariffs do
// with hourly data, tariff.h). Per local month with at least half of its hours known:
//
//   level       = the peak_shave_quantile (98 %) of its hourly demand (about its 15th highest
//                 hour of 720): the load it reaches on its ordinary busy days
//   event month = peak > level × (1 + peak_min_excess)
//   money a year = 12 / judged months × Σ_event months (peak − level) × price per kW
//
// kWh and carbon are 0: shaved load moves to other hours. A month without a material peak
// counts for nothing; trimming it to its 98th percentile would shave noise, not events.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "analytics/quantile.h"
#include "analytics/recommendation_rules.h"

namespace citypulse::analytics::recommendation {

std::vector<MonthDemand> judged_months(const Period& period) {
  const auto& kwh = period.building.electricity_kwh;
  std::vector<MonthDemand> months;
  std::vector<int> period_hours;  // hours of the period in each month, known or not
  for (std::size_t i = 0; i < period.size(); ++i) {
    const auto date = date_of(period.local[i]);
    if (months.empty() || months.back().year != date.year || months.back().month != date.month) {
      months.push_back({date.year, date.month, {}, 0, 0, 0});
    }
    if (!std::isnan(kwh[i])) months.back().hours.push_back(i);
  }
  std::vector<MonthDemand> judged;
  for (auto& m : months) {
    const auto month_hours = static_cast<std::size_t>(days_in_month(m.year, m.month)) * 24;
    if (2 * m.hours.size() < month_hours) continue;
    std::vector<double> demand;
    for (const auto i : m.hours) {
      demand.push_back(kwh[i]);
      if (kwh[i] > m.peak_kw || demand.size() == 1) m.peak_kw = kwh[i], m.peak_hour = i;
    }
    m.level_kw = quantile(demand, period.options.peak_shave_quantile);
    judged.push_back(std::move(m));
  }
  return judged;
}

double annual_demand_cost(const Period& period, std::span<const MonthDemand> months) {
  if (!period.prices.demand || months.empty()) return 0;
  double peaks = 0;
  for (const auto& m : months) peaks += m.peak_kw;
  return 12 * peaks / static_cast<double>(months.size()) * period.prices.demand->price_per_kw;
}

namespace {

constexpr int kEventsPerMonth = 3;

// The month's runs of consecutive hours above its level, the highest kEventsPerMonth.
std::vector<EvidenceSpan> events_of(const Period& period, const MonthDemand& m) {
  const auto& kwh = period.building.electricity_kwh;
  struct Event {
    std::size_t first, end, top;
  };
  std::vector<Event> events;
  for (const auto i : m.hours) {
    if (!(kwh[i] > m.level_kw)) continue;
    if (events.empty() || events.back().end != i) events.push_back({i, i, i});
    auto& e = events.back();
    e.end = i + 1;
    if (kwh[i] > kwh[e.top]) e.top = i;
  }
  std::stable_sort(events.begin(), events.end(),
                   [&](const Event& a, const Event& b) { return kwh[a.top] > kwh[b.top]; });
  if (events.size() > kEventsPerMonth) events.resize(kEventsPerMonth);
  std::vector<EvidenceSpan> spans;
  for (const auto& e : events) {
    spans.push_back(
        {period.hour_start(e.first), period.hour_start(e.end),
         fmt::format("peak of {} kW at {} ({} h above the month's {} kW)", fixed(kwh[e.top]),
                     local_time(period.local[e.top]), e.end - e.first, fixed(m.level_kw))});
  }
  return spans;
}

}  // namespace

Judgement judge_peak_demand(const Period& period) {
  const auto kind = FindingKind::peak_demand;
  const auto& o = period.options;
  if (!period.prices.demand) {
    return not_judged(kind, NotJudgedReason::no_demand_charge, "no demand charge");
  }
  if (auto missing = too_few_hours(period, kind, period.electricity_hours, "electricity")) {
    return *missing;
  }
  const auto months = judged_months(period);
  if (months.empty()) {
    return not_judged(kind, NotJudgedReason::too_little_data,
                      "no local month has half of its hours known");
  }
  const auto& demand = *period.prices.demand;
  double shaved_kw = 0, peak_kw = 0;
  int event_months = 0;
  std::vector<EvidenceSpan> evidence;
  for (const auto& m : months) {
    if (!(m.peak_kw > m.level_kw * (1 + o.peak_min_excess))) continue;
    ++event_months;
    shaved_kw += m.peak_kw - m.level_kw;
    peak_kw = std::max(peak_kw, m.peak_kw);
    const auto spans = events_of(period, m);
    evidence.insert(evidence.end(), spans.begin(), spans.end());
  }
  const double per_year = 12.0 / static_cast<double>(months.size());
  const double money_per_year = shaved_kw * demand.price_per_kw * per_year;
  const double annual_cost =
      period.annual_kwh(Medium::electricity) * period.prices.electricity_per_kwh +
      annual_demand_cost(period, months);
  if (event_months == 0 || !material_money(period, money_per_year, annual_cost)) {
    return std::monostate{};
  }
  std::sort(evidence.begin(), evidence.end(),
            [](const EvidenceSpan& a, const EvidenceSpan& b) { return a.start < b.start; });

  Finding f;
  f.kind = kind;
  f.per_year = {0, money_per_year, 0};
  f.title = "Peak demand above the usual level";
  f.explanation = fmt::format(
      "In {} of {} months the peak (up to {} kW) was more than {} % above the month's {} "
      "percentile; shaving those peaks to it saves about {} a year in demand charges{}.",
      event_months, months.size(), fixed(peak_kw), grouped(100 * o.peak_min_excess),
      fmt::format("{}th", grouped(100 * o.peak_shave_quantile)), money(period, money_per_year),
      demand.interval_minutes < 60
          ? fmt::format(" (from hourly data: the billed {}-minute peaks are at least as high)",
                        demand.interval_minutes)
          : "");
  f.evidence = std::move(evidence);
  f.figures = {
      {"months_judged", static_cast<double>(months.size()), "months"},
      {"months_with_peaks", static_cast<double>(event_months), "months"},
      {"highest_peak_kw", peak_kw, "kW"},
      {"shaved_kw", shaved_kw, "kW"},
      {"price_per_kw", demand.price_per_kw, period.prices.currency + "/kW"},
      {"demand_interval_minutes", static_cast<double>(demand.interval_minutes), "minutes"},
  };
  return f;
}

}  // namespace citypulse::analytics::recommendation
