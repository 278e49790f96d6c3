// price_energy (tariff.h): walk the intervals in local-hour pieces, split further at time-of-use
// window edges and demand blocks, and sum by local day and month.
#include "analytics/tariff.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/calendar.h"

namespace citypulse::analytics {
namespace {

// The tariff in force on a local day, or null before the first one.
const Tariff* tariff_on(std::span<const Tariff> tariffs, std::int64_t day) {
  auto it = std::upper_bound(tariffs.begin(), tariffs.end(), day,
                             [](std::int64_t d, const Tariff& t) { return d < t.valid_from; });
  return it == tariffs.begin() ? nullptr : &*(it - 1);
}

// 0 = Monday .. 6 = Sunday of a day number.
int monday_based_weekday(std::int64_t day) {
  return (weekday_from_days(day) + 6) % 7;
}

bool in_season(const TouWindow& w, unsigned month) {
  return w.first_month <= w.last_month ? (month >= w.first_month && month <= w.last_month)
                                       : (month >= w.first_month || month <= w.last_month);
}

// The window in force at a local time (validated: there is exactly one).
const TouWindow& window_at(const Tariff& t, TimeMs local) {
  const std::int64_t day = HourPiece::floor_div(local, kMsPerDay);
  const int minute = static_cast<int>((local - day * kMsPerDay) / kMsPerMinute);
  const unsigned month = civil_from_days(day).month;
  int weekday = monday_based_weekday(day);
  if (t.holidays_as_sunday && std::binary_search(t.holidays.begin(), t.holidays.end(), day)) {
    weekday = 6;
  }
  for (const auto& w : t.windows) {
    if ((w.weekdays & (1u << weekday)) && in_season(w, month) && minute >= w.start_minute &&
        minute < w.end_minute) {
      return w;
    }
  }
  return t.windows.front();  // unreachable after validate_tariffs
}

std::int64_t month_key(std::int64_t day) {
  const auto d = civil_from_days(day);
  return d.year * 12 + (d.month - 1);
}

struct DemandBlock {
  double kwh = 0;
  const Tariff* tariff = nullptr;
  std::int64_t month = 0;  // month_key of the block's start
};

}  // namespace

Result<CostReport> price_energy(std::span<const EnergyInterval> intervals, const Timezone& zone,
                                std::span<const Tariff> tariffs) {
  if (auto ok = validate_intervals(intervals); !ok) return fail(ok.error());
  if (auto ok = validate_tariffs(tariffs); !ok) return fail(ok.error());
  // Holidays are looked up by binary search.
  std::vector<Tariff> sorted(tariffs.begin(), tariffs.end());
  for (auto& t : sorted) std::sort(t.holidays.begin(), t.holidays.end());

  CostReport report;
  report.currency = sorted.front().currency;
  report.intervals.resize(intervals.size());
  std::map<std::int64_t, DayCost> days;
  std::map<std::int64_t, MonthCost> months;
  // Keyed by (demand interval, UTC block start): tariffs of one month may differ in interval.
  std::map<std::pair<int, TimeMs>, DemandBlock> blocks;
  auto day_entry = [&](std::int64_t day) -> DayCost& {
    auto& d = days[day];
    d.day = day;
    auto& m = months[month_key(day)];
    const auto c = civil_from_days(day);
    m.year = c.year;
    m.month = c.month;
    return d;
  };

  for (std::size_t i = 0; i < intervals.size(); ++i) {
    if (!intervals[i].unknown) continue;
    const std::int64_t day = HourPiece::floor_div(zone.to_local(intervals[i].start), kMsPerDay);
    ++day_entry(day).unknown_intervals;
    ++months[month_key(day)].unknown_intervals;
  }

  std::optional<Error> error;
  for_each_hour_piece(intervals, zone, [&](const HourPiece& piece) {
    if (error) return;
    const std::int64_t day = piece.local_day();
    const Tariff* tariff = tariff_on(sorted, day);
    if (!tariff) {
      error = Error{ErrorCode::invalid,
                    "no tariff in force on " + format_local_day(day) + " (interval " +
                        std::to_string(piece.interval) + ")",
                    "/intervals/" + std::to_string(piece.interval)};
      return;
    }
    DayCost& d = day_entry(day);
    MonthCost& m = months[month_key(day)];
    report.intervals[piece.interval].known = true;
    TimeMs t = piece.start;
    while (t < piece.end) {
      const TimeMs local = piece.local_start + (t - piece.start);
      TimeMs part_end = piece.end;
      double price = 0;
      switch (tariff->kind) {
        case TariffKind::flat:
          price = tariff->price_per_kwh;
          break;
        case TariffKind::time_of_use: {
          const TouWindow& w = window_at(*tariff, local);
          const TimeMs edge =
              HourPiece::floor_div(local, kMsPerDay) * kMsPerDay + w.end_minute * kMsPerMinute;
          part_end = std::min(part_end, t + (edge - local));
          price = w.price_per_kwh;
          break;
        }
        case TariffKind::price_series: {
          const LocalHour hour = piece.local_hour();
          const auto& p = tariff->series.prices;
          auto it = std::lower_bound(p.begin(), p.end(), hour,
                                     [](const HourlyValue& v, LocalHour h) { return v.hour < h; });
          if (it != p.end() && it->hour == hour && !std::isnan(it->value)) {
            price = it->value;
          } else {
            price = tariff->series.fallback_price_per_kwh;
            // Count an hour once, however many intervals share it.
            if (report.fallback_hours.empty() || report.fallback_hours.back() != hour) {
              report.fallback_hours.push_back(hour);
              ++d.fallback_hours;
              ++m.fallback_hours;
            }
          }
          break;
        }
      }
      const double kwh = (t == piece.start && part_end == piece.end)
                             ? piece.kwh
                             : piece.kwh * (static_cast<double>(part_end - t) /
                                            static_cast<double>(piece.end - piece.start));
      const double cost = kwh * price;
      report.intervals[piece.interval].energy_cost += cost;
      d.kwh += kwh;
      d.energy_cost += cost;
      m.kwh += kwh;
      m.energy_cost += cost;
      if (tariff->demand) {
        const int minutes = tariff->demand->interval_minutes;
        const TimeMs length = minutes * kMsPerMinute;
        TimeMs b = HourPiece::floor_div(t, length) * length;
        for (TimeMs s = t; s < part_end; b += length) {
          const TimeMs e = std::min(part_end, b + length);
          auto& block = blocks[{minutes, b}];
          if (!block.tariff) {
            block.tariff = tariff;
            block.month = month_key(HourPiece::floor_div(zone.to_local(b), kMsPerDay));
          }
          block.kwh += (s == t && e == part_end)
                           ? kwh
                           : kwh * (static_cast<double>(e - s) / static_cast<double>(part_end - t));
          s = e;
        }
      }
      t = part_end;
    }
  });
  if (error) return fail(*error);

  // The month's billed peak: the highest block demand, the earliest on a tie.
  for (const auto& [key, block] : blocks) {
    auto it = months.find(block.month);
    if (it == months.end()) continue;  // a block reaching back before the first month
    const double kw = block.kwh / (static_cast<double>(key.first) / 60.0);
    MonthCost& m = it->second;
    if (kw > m.peak_kw || m.demand_interval_minutes == 0) {
      m.peak_kw = kw;
      m.peak_start = key.second;
      m.demand_interval_minutes = key.first;
      m.demand_cost = kw * block.tariff->demand->price_per_kw;
    }
  }

  // Fixed charges: each day of a month at its tariff's share.
  for (auto& [key, m] : months) {
    const unsigned length = days_in_month(m.year, m.month);
    const std::int64_t first = days_from_civil(m.year, m.month, 1);
    std::map<const Tariff*, unsigned> days_under;
    for (std::int64_t day = first; day < first + length; ++day) {
      if (const Tariff* t = tariff_on(sorted, day)) ++days_under[t];
    }
    for (const auto& [t, n] : days_under) {
      m.fixed_cost += t->fixed_per_month * (static_cast<double>(n) / length);
    }
  }
  for (auto& [day, d] : days) {
    if (const Tariff* t = tariff_on(sorted, day)) {
      const auto c = civil_from_days(day);
      d.fixed_cost = t->fixed_per_month / days_in_month(c.year, c.month);
    }
    report.days.push_back(d);
  }
  for (auto& [key, m] : months) {
    report.total.kwh += m.kwh;
    report.total.energy_cost += m.energy_cost;
    report.total.demand_cost += m.demand_cost;
    report.total.fixed_cost += m.fixed_cost;
    report.total.unknown_intervals += m.unknown_intervals;
    report.total.fallback_hours += m.fallback_hours;
    report.months.push_back(m);
  }
  return report;
}

}  // namespace citypulse::analytics
