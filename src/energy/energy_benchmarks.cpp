// EnergyService::benchmarks: each building's energy use intensity over 12
// local months and the 12 before, its heating weather-normalised with degree
// days (analytics/degree_days.h), and the buildings of each type side by side.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "analytics/local_hour.h"
#include "core/calendar.h"
#include "core/timezone.h"
#include "energy/energy_service.h"

namespace citypulse::energy {
namespace {

constexpr TimeMs kDayMs = 86'400'000;

// The first day of a month counted from January of `year` (0 and below: the
// years before).
std::int64_t first_of_month(std::int64_t year, std::int64_t month) {
  const std::int64_t index = year * 12 + (month - 1);
  const std::int64_t y = index >= 0 ? index / 12 : (index - 11) / 12;
  return days_from_civil(y, static_cast<unsigned>(index - y * 12 + 1), 1);
}

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const auto n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

Result<Benchmarks> EnergyService::benchmarks(const Scope& scope, const BenchmarkQuery& q,
                                             TimeMs now) {
  using analytics::Medium;
  if (q.month < 1 || q.month > 12) return fail(ErrorCode::invalid, "no such month", "from");
  if (q.reference_hdd && !(*q.reference_hdd > 0 && std::isfinite(*q.reference_hdd)))
    return fail(ErrorCode::invalid, "the reference degree days must be > 0", "reference_hdd");
  Benchmarks out;
  const auto month = static_cast<std::int64_t>(q.month);
  out.from_day = first_of_month(q.year, month);
  out.to_day = first_of_month(q.year, month + 12);
  out.previous_from_day = first_of_month(q.year, month - 12);
  // A day ahead of UTC covers every zone's end of the period.
  if ((out.to_day - 1) * kDayMs >= now)
    return fail(ErrorCode::invalid, "the 12 months must have ended", "from");

  auto buildings = list_all(store_.buildings(), scope);
  if (!buildings) return std::unexpected(buildings.error());
  auto all = meters(scope);
  if (!all) return std::unexpected(all.error());
  for (const auto& building : *buildings) {
    std::map<Medium, std::vector<const MeterRecord*>> by_medium;
    for (const auto& m : *all)
      if (m.building_id == building.id && m.settings.spec.medium != Medium::water)
        by_medium[m.settings.spec.medium].push_back(&m);
    if (by_medium.empty()) continue;
    auto zone = Timezone::load(building.timezone);
    if (!zone) return std::unexpected(zone.error());
    auto settings = settings_of(building.id);
    if (!settings) return std::unexpected(settings.error());

    BuildingBenchmark b;
    b.building_id = building.id;
    b.name = building.name;
    b.type = building.type;
    b.floor_area_m2 = building.gross_floor_area_m2;
    if (by_medium.contains(Medium::heat))
      b.heating = Medium::heat;
    else if (by_medium.contains(Medium::gas))
      b.heating = Medium::gas;

    // Both periods' energy by medium, the heating by local day, and the
    // degree days.
    struct Period {
      PeriodEnergy* energy;
      std::int64_t first_day, end_day;
      std::vector<analytics::DailyEnergy> heating_days;
      std::optional<analytics::DegreeDays> degree_days;
    };
    Period periods[] = {{&b.previous, out.previous_from_day, out.from_day, {}, {}},
                        {&b.current, out.from_day, out.to_day, {}, {}}};
    for (auto& p : periods) {
      const TimeMs h0 = zone->to_utc(p.first_day * kDayMs);
      const TimeMs h1 = zone->to_utc(p.end_day * kDayMs);
      std::vector<double> unknown(static_cast<std::size_t>((h1 - h0) / kHourMs), 0);
      p.energy->hours = static_cast<int>(unknown.size());
      for (const auto& [medium, members] : by_medium) {
        std::vector<double> energy;
        std::vector<HourState> state;
        if (auto s = sum_hours(members, h0, h1, now, energy, state); !s)
          return std::unexpected(s.error());
        double total = 0;
        std::map<std::int64_t, double> daily;
        for (std::size_t i = 0; i < energy.size(); ++i) {
          if (state[i] >= HourState::unknown) {
            unknown[i] = 1;
            continue;
          }
          total += energy[i];
          if (b.heating && medium == *b.heating) {
            const TimeMs t = h0 + static_cast<TimeMs>(i) * kHourMs;
            daily[zone->to_local(t) / kDayMs] += energy[i];
          }
        }
        p.energy->kwh[medium] = total;
        p.energy->total_kwh += total;
        for (const auto& [day, kwh] : daily) p.heating_days.push_back({day, kwh});
      }
      p.energy->unknown_hours = static_cast<int>(std::count(unknown.begin(), unknown.end(), 1.0));
      if (settings->outdoor_temperature_point) {
        auto rollups =
            series_.rollups(*settings->outdoor_temperature_point, RollupTier::hour, h0, h1);
        if (!rollups) return std::unexpected(rollups.error());
        std::vector<analytics::HourlyValue> temperatures;
        temperatures.reserve(rollups->size());
        for (const auto& r : *rollups) {
          // The hour repeated when the clocks go back counts once.
          const analytics::LocalHour hour = zone->to_local(r.start) / kHourMs;
          if (!temperatures.empty() && temperatures.back().hour >= hour) continue;
          temperatures.push_back({hour, r.sum / static_cast<double>(r.count)});
        }
        auto dd = analytics::degree_days(temperatures, q.degree_days);
        if (!dd) return std::unexpected(dd.error());
        if (!dd->days.empty()) {
          p.energy->hdd = dd->hdd;
          p.energy->cdd = dd->cdd;
          p.degree_days = std::move(*dd);
        }
      }
    }

    // The reference: given, else the mean of the two periods'.
    if (q.reference_hdd)
      b.reference_hdd = q.reference_hdd;
    else if (b.current.hdd && b.previous.hdd)
      b.reference_hdd = (*b.current.hdd + *b.previous.hdd) / 2;
    for (auto& p : periods) {
      auto& e = *p.energy;
      if (!b.heating) {
        e.not_normalised_reason = "no_heating_meter";
        e.not_normalised = "no heat or gas meter";
      } else if (!settings->outdoor_temperature_point) {
        e.not_normalised_reason = "no_weather_point";
        e.not_normalised = "no outdoor temperature point in the building's energy settings";
      } else if (!p.degree_days || !b.reference_hdd) {
        e.not_normalised_reason = "no_degree_days";
        e.not_normalised = "too few days of outdoor temperature";
      } else {
        auto n =
            analytics::normalise_heating(p.heating_days, p.degree_days->days, *b.reference_hdd);
        if (!n) {
          e.not_normalised_reason = "no_heating_signal";
          e.not_normalised = n.error().message;
        } else {
          // The measured heating of days without degree days stays as it is.
          const double heating = e.kwh[*b.heating];
          e.heating_normalised_kwh = heating - n->actual_kwh + n->normalised_kwh;
          e.total_normalised_kwh = e.total_kwh - heating + *e.heating_normalised_kwh;
        }
      }
      if (b.floor_area_m2 && *b.floor_area_m2 > 0) {
        e.eui = e.total_kwh / *b.floor_area_m2;
        if (e.total_normalised_kwh) e.eui_normalised = *e.total_normalised_kwh / *b.floor_area_m2;
      }
    }
    if (b.current.eui && b.previous.eui && *b.previous.eui > 0)
      b.change = *b.current.eui / *b.previous.eui - 1;
    if (b.current.eui_normalised && b.previous.eui_normalised && *b.previous.eui_normalised > 0)
      b.change_normalised = *b.current.eui_normalised / *b.previous.eui_normalised - 1;
    out.buildings.push_back(std::move(b));
  }

  // The buildings by EUI, normalised where it could be; those without one last.
  const auto ranked_eui = [](const BuildingBenchmark& b) {
    const auto& e = b.current;
    return e.eui_normalised ? *e.eui_normalised
                            : e.eui.value_or(std::numeric_limits<double>::infinity());
  };
  std::stable_sort(out.buildings.begin(), out.buildings.end(),
                   [&](const auto& a, const auto& b) { return ranked_eui(a) < ranked_eui(b); });
  std::map<std::string, std::pair<std::vector<double>, int>> by_type;
  for (const auto& b : out.buildings) {
    if (!b.current.eui) continue;
    auto& [values, normalised] = by_type[b.type];
    values.push_back(ranked_eui(b));
    if (b.current.eui_normalised) ++normalised;
  }
  for (auto& [type, group] : by_type) {
    const auto& values = group.first;
    out.types.push_back({.type = type,
                         .buildings = static_cast<int>(values.size()),
                         .normalised = group.second,
                         .median = median_of(values),
                         .min = *std::min_element(values.begin(), values.end()),
                         .max = *std::max_element(values.begin(), values.end())});
  }
  return out;
}

}  // namespace citypulse::energy
