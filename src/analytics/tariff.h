// Tariffs and the cost of a building's energy under them.
//
// A building's medium has a schedule of tariffs, each in force from a local date until the next
// one starts (a tariff change mid-year applies from its date, at local midnight). A tariff is
//  - flat: one price per kWh;
//  - time of use: a price per window of local weekdays × local time of day (× an optional
//    season of months); the windows must cover every minute of every week of every month exactly
//    once; public holidays can be priced as Sundays;
//  - a price series: a price per local hour (a dynamic tariff), with a fallback price for the
//    hours the series lacks (those hours are reported).
// Any kind may add a fixed charge per month and a demand charge on the month's peak.
//
// Arithmetic (energy evenly spread over its interval, see tariff_interval.h):
//   energy cost of an interval  = Σ over its parts p  kWh(p) × price(p)
// where the parts are split at local hours, days and time-of-use window edges, so an interval
// straddling a window edge is priced by time on either side.
//   demand of a block  = kWh in the block / block length in h  (kW), blocks of the demand
//                        interval (15 or 60 min) aligned to UTC multiples of their length, which
//                        are the local quarter-hours and hours in every zone whose offset is a
//                        multiple of it (Europe); a block belongs to the local month it starts in
//   demand cost of a month = price per kW × the highest block demand of the month (of the
//                        blocks under a tariff with a demand charge; its tariff's price)
//   fixed cost of a month  = Σ over the month's days  fixed per month / days in the month, each
//                        day at the tariff in force on it: a month is charged whole once any of
//                        its intervals is present (a bill), a day shows its share.
// Unknown intervals are not priced; they are counted where they start. Nothing throws.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "analytics/hourly_csv.h"
#include "analytics/tariff_interval.h"
#include "core/result.h"
#include "core/timezone.h"

namespace citypulse::analytics {

enum class TariffKind { flat, time_of_use, price_series };

// Local weekdays as a bit set: bit 0 = Monday .. bit 6 = Sunday.
inline constexpr unsigned kMonday = 1u << 0;
inline constexpr unsigned kTuesday = 1u << 1;
inline constexpr unsigned kWednesday = 1u << 2;
inline constexpr unsigned kThursday = 1u << 3;
inline constexpr unsigned kFriday = 1u << 4;
inline constexpr unsigned kSaturday = 1u << 5;
inline constexpr unsigned kSunday = 1u << 6;
inline constexpr unsigned kWorkdays = 0x1F;
inline constexpr unsigned kWeekend = kSaturday | kSunday;
inline constexpr unsigned kEveryDay = 0x7F;

// One time-of-use window: [start_minute, end_minute) of the local day on the given weekdays
// within the months first_month..last_month (a season; first > last wraps over the new year,
// 10..3 is October to March). A window over midnight is two windows (22:00–24:00, 00:00–06:00).
struct TouWindow {
  std::string name;  // "high", "low": for reports and errors
  unsigned weekdays = kEveryDay;
  int start_minute = 0;   // 0..1439
  int end_minute = 1440;  // start_minute < end_minute <= 1440
  unsigned first_month = 1;
  unsigned last_month = 12;
  double price_per_kwh = 0;
};

// Prices by local naive hour (hourly_csv.h), in order; NaN is a missing hour. Negative prices
// are allowed here: dynamic tariffs pay for consumption when the grid has too much.
struct PriceSeries {
  std::vector<HourlyValue> prices;
  double fallback_price_per_kwh = 0;  // for hours without a price; >= 0
};

struct DemandCharge {
  double price_per_kw = 0;
  int interval_minutes = 15;  // the billing demand interval: 15 or 60
};

struct Tariff {
  std::int64_t valid_from = 0;  // local day number (core/calendar.h) it is in force from
  std::string currency;         // "EUR", "GBP": the same for every tariff of a schedule
  TariffKind kind = TariffKind::flat;
  double price_per_kwh = 0;            // flat
  std::vector<TouWindow> windows;      // time of use
  bool holidays_as_sunday = false;     // time of use: a holiday takes Sunday's windows
  std::vector<std::int64_t> holidays;  // local day numbers (the caller's holiday calendar)
  PriceSeries series;                  // price series
  double fixed_per_month = 0;
  std::optional<DemandCharge> demand;
};

// Checks a schedule (tariffs in order of valid_from, at most one a day). Fails with invalid and
// the offending tariff as field ("/1/windows/0"): no tariff, a negative or non-finite price or
// charge, a bad demand interval, a missing currency or mixed currencies, a malformed window, and
// for time of use a gap or an overlap in a week's coverage (naming month, weekday, time).
Status validate_tariffs(std::span<const Tariff> tariffs);

struct CostTotals {
  double kwh = 0;  // priced (known) energy
  double energy_cost = 0;
  double demand_cost = 0;
  double fixed_cost = 0;
  int unknown_intervals = 0;
  int fallback_hours = 0;  // hours priced at the series' fallback price
  double total() const { return energy_cost + demand_cost + fixed_cost; }
};

struct DayCost : CostTotals {
  std::int64_t day = 0;  // local day number; demand_cost is always 0 here (a monthly charge)
};

struct MonthCost : CostTotals {
  std::int64_t year = 0;
  unsigned month = 0;
  double peak_kw = 0;     // the billed peak demand (0 without a demand charge)
  TimeMs peak_start = 0;  // UTC start of its block
  int demand_interval_minutes = 0;
};

struct IntervalCost {
  double energy_cost = 0;  // 0 when unknown
  bool known = false;
};

struct CostReport {
  std::string currency;
  std::vector<IntervalCost> intervals;  // one per input interval
  std::vector<DayCost> days;            // local days with intervals, in order
  std::vector<MonthCost> months;        // local months with intervals, in order
  CostTotals total;
  std::vector<LocalHour> fallback_hours;  // the hours the price series lacked, in order
};

// Prices the intervals (validate_intervals' rules) of one building and medium in its zone.
// Fails with invalid when the intervals or the tariffs are invalid or an interval lies before
// the first tariff's start.
Result<CostReport> price_energy(std::span<const EnergyInterval> intervals, const Timezone& zone,
                                std::span<const Tariff> tariffs);

}  // namespace citypulse::analytics
