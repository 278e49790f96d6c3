// Energy accounting: counters (rollover, reset, replacement, gaps, spikes, readings between
// hours), interval energy and power series, units and gas, local calendar buckets across DST,
// and bad input — each against energies worked out by hand.
#include <gtest/gtest.h>

#include <vector>

#include "analytics/consumption_buckets.h"
#include "analytics/meter.h"
#include "analytics/meter_energy.h"
#include "core/calendar.h"
#include "core/timezone.h"

namespace citypulse::analytics {
namespace {

constexpr TimeMs kMinute = 60'000;
constexpr TimeMs kHour = 3'600'000;
// 2026-01-05 00:00 UTC, a Monday.
const TimeMs kBase = days_from_civil(2026, 1, 5) * 24 * kHour;

TimeMs at(double hours) {
  return kBase + static_cast<TimeMs>(hours * kHour);
}
TimeMs at_minute(TimeMs minutes) {
  return kBase + minutes * kMinute;
}

// The hour boundaries kBase + first .. kBase + last (hours).
std::vector<TimeMs> hours(int first, int last) {
  std::vector<TimeMs> b;
  for (int h = first; h <= last; ++h) b.push_back(kBase + h * kHour);
  return b;
}

MeterSpec counter(std::string unit = "kWh", Medium medium = Medium::electricity) {
  return {MeterKind::counter, medium, std::move(unit), {}};
}

EnergySeries run(const MeterSpec& spec, const EnergyOptions& options,
                 const std::vector<MeterReading>& readings, const std::vector<TimeMs>& grid) {
  auto r = meter_energy(spec, options, readings, grid);
  EXPECT_TRUE(r) << r.error().message;
  return r ? *r : EnergySeries{};
}

std::vector<double> energies(const EnergySeries& s) {
  std::vector<double> e;
  for (const auto& i : s.intervals) e.push_back(i.energy);
  return e;
}

std::vector<IntervalQuality> qualities(const EnergySeries& s) {
  std::vector<IntervalQuality> q;
  for (const auto& i : s.intervals) q.push_back(i.quality);
  return q;
}

constexpr auto M = IntervalQuality::measured;
constexpr auto E = IntervalQuality::estimated;
constexpr auto U = IntervalQuality::unknown;

// --- counters ---

TEST(CounterEnergy, SixDigitRegisterRollsOver) {
  EnergyOptions o;
  o.wrap_value = register_wrap(6);
  ASSERT_EQ(o.wrap_value, 1'000'000);
  const auto s =
      run(counter(), o, {{at(0), 999'990}, {at(1), 999'998}, {at(2), 5}, {at(3), 15}}, hours(0, 3));
  // 999'998 → 5 passes 999'999 → 000'000: (1'000'000 − 999'998) + 5 = 7.
  EXPECT_EQ(energies(s), (std::vector<double>{8, 7, 10}));
  EXPECT_EQ(qualities(s), (std::vector{M, M, M}));
  EXPECT_EQ(s.rollovers, 1);
  EXPECT_EQ(s.resets, 0);
  EXPECT_EQ(s.unattributed_energy, 0);
}

TEST(CounterEnergy, DropFarFromTheWrapIsAResetToZero) {
  EnergyOptions o;
  o.wrap_value = register_wrap(6);
  // 1'210 is nowhere near the top of the register: the meter was reset and has counted 4 since.
  const auto s =
      run(counter(), o, {{at(0), 1'200}, {at(1), 1'210}, {at(2), 4}, {at(3), 9}}, hours(0, 3));
  EXPECT_EQ(energies(s), (std::vector<double>{10, 4, 5}));
  EXPECT_EQ(s.rollovers, 0);
  EXPECT_EQ(s.resets, 1);
  // Near the top but not near zero after: a reset too, not a rollover of 500'000 kWh.
  const auto t = run(counter(), o, {{at(0), 950'000}, {at(1), 500'000}}, hours(0, 1));
  EXPECT_EQ(energies(t), (std::vector<double>{500'000}));
  EXPECT_EQ(t.resets, 1);
  // Without a wrap value every drop is a reset.
  const auto u = run(counter(), {}, {{at(0), 999'998}, {at(1), 5}}, hours(0, 1));
  EXPECT_EQ(energies(u), (std::vector<double>{5}));
  EXPECT_EQ(u.resets, 1);
}

TEST(CounterEnergy, ReplacementWithStartValue) {
  EnergyOptions o;
  // Replaced at 01:30: the old meter showed 1'015 when removed, the new one 5 when installed.
  o.replacements = {{at(1.5), 1'015, 5}};
  const auto s =
      run(counter(), o, {{at(0), 1'000}, {at(1), 1'010}, {at(2), 10}, {at(3), 20}}, hours(0, 3));
  // Hour 1: (1'015 − 1'010) over 01:00–01:30 + (10 − 5) over 01:30–02:00.
  EXPECT_EQ(energies(s), (std::vector<double>{10, 10, 10}));
  EXPECT_EQ(qualities(s), (std::vector{M, M, M}));
  EXPECT_EQ(s.resets, 0);
  // Without the replacement the drop is a reset: only the new meter's 10 are seen.
  const auto t =
      run(counter(), {}, {{at(0), 1'000}, {at(1), 1'010}, {at(2), 10}, {at(3), 20}}, hours(0, 3));
  EXPECT_EQ(energies(t), (std::vector<double>{10, 10, 10}));
  EXPECT_EQ(t.resets, 1);
  // A start value that is not zero matters: new meter at 5 → 10 is 5, not 10.
  o.replacements = {{at(1.5), 1'010, 5}};
  const auto v =
      run(counter(), o, {{at(0), 1'000}, {at(1), 1'010}, {at(2), 10}, {at(3), 20}}, hours(0, 3));
  EXPECT_EQ(energies(v), (std::vector<double>{10, 5, 10}));
}

TEST(CounterEnergy, ReplacementAtAReadingsTime) {
  EnergyOptions o;
  o.replacements = {{at(1), 1'012, 0}};
  // The reading at 01:00 is the new meter's (3 since its installation at 01:00).
  const auto s = run(counter(), o, {{at(0), 1'000}, {at(1), 3}, {at(2), 13}}, hours(0, 2));
  EXPECT_EQ(energies(s), (std::vector<double>{12, 13}));
  EXPECT_EQ(s.resets, 0);
}

const std::vector<MeterReading> kGapReadings = {
    {at(0), 100}, {at(1), 110}, {at(4), 140}, {at(5), 150}};

TEST(CounterEnergy, GapSpreadEvenlyIsEstimated) {
  EnergyOptions o;
  o.max_gap_ms = 2 * kHour;
  o.gap_policy = GapPolicy::spread;
  const auto s = run(counter(), o, kGapReadings, hours(0, 5));
  EXPECT_EQ(energies(s), (std::vector<double>{10, 10, 10, 10, 10}));
  EXPECT_EQ(qualities(s), (std::vector{M, E, E, E, M}));
  EXPECT_TRUE(s.unattributed.empty());
}

TEST(CounterEnergy, GapLeftUnknownIsMarkedAndReported) {
  EnergyOptions o;
  o.max_gap_ms = 2 * kHour;
  o.gap_policy = GapPolicy::unknown;
  const auto s = run(counter(), o, kGapReadings, hours(0, 5));
  EXPECT_EQ(energies(s), (std::vector<double>{10, 0, 0, 0, 10}));
  EXPECT_EQ(qualities(s), (std::vector{M, U, U, U, M}));
  ASSERT_EQ(s.unattributed.size(), 1u);
  EXPECT_EQ(s.unattributed[0].from, at(1));
  EXPECT_EQ(s.unattributed[0].to, at(4));
  EXPECT_EQ(s.unattributed[0].energy, 30);
  EXPECT_EQ(s.unattributed[0].reason, Unattributed::gap);
  EXPECT_EQ(s.unattributed_energy, 30);
  // A step of exactly the maximum gap is no gap.
  o.max_gap_ms = 3 * kHour;
  EXPECT_EQ(qualities(run(counter(), o, kGapReadings, hours(0, 5))), (std::vector{M, M, M, M, M}));
}

TEST(CounterEnergy, ImplausibleSpikeIsNotAttributed) {
  EnergyOptions o;
  o.max_rate = 50;  // kW: this building never draws more
  const auto s = run(counter(), o, {{at(0), 100}, {at(1), 110}, {at(2), 10'110}, {at(3), 10'120}},
                     hours(0, 3));
  EXPECT_EQ(energies(s), (std::vector<double>{10, 0, 10}));
  EXPECT_EQ(qualities(s), (std::vector{M, U, M}));
  ASSERT_EQ(s.unattributed.size(), 1u);
  EXPECT_EQ(s.unattributed[0].reason, Unattributed::implausible);
  EXPECT_EQ(s.unattributed[0].energy, 10'000);
  // 50 kWh in an hour is exactly the limit, still plausible.
  const auto t = run(counter(), o, {{at(0), 100}, {at(1), 150}}, hours(0, 1));
  EXPECT_EQ(energies(t), (std::vector<double>{50}));
  EXPECT_EQ(qualities(t), (std::vector{M}));
}

TEST(CounterEnergy, QuarterHourReadingsSplitIntoHours) {
  // Readings at −00:05, 00:10, 00:25, 00:40, 00:55, 01:10.
  const std::vector<MeterReading> readings = {{at_minute(-5), 0},  {at_minute(10), 6},
                                              {at_minute(25), 9},  {at_minute(40), 15},
                                              {at_minute(55), 18}, {at_minute(70), 30}};
  const auto s = run(counter(), {}, readings, hours(-1, 2));
  // Hour −1: 5/15 of 6. Hour 0: 10/15 of 6 + 3 + 6 + 3 + 5/15 of 12. Hour 1: 10/15 of 12.
  EXPECT_EQ(energies(s), (std::vector<double>{2, 20, 8}));
  // The first and last hours are only partly covered: their energy is a lower bound.
  EXPECT_EQ(qualities(s), (std::vector{U, M, U}));
}

TEST(CounterEnergy, IrregularReadingsSplitByTime) {
  // 00:00, 00:20, 01:30, 01:45, 03:00.
  const std::vector<MeterReading> readings = {{at_minute(0), 0},
                                              {at_minute(20), 7},
                                              {at_minute(90), 21},
                                              {at_minute(105), 30},
                                              {at_minute(180), 40}};
  const auto s = run(counter(), {}, readings, hours(0, 3));
  // Hour 0: 7 + 40/70 of 14. Hour 1: 30/70 of 14 + 9 + 15/75 of 10. Hour 2: 60/75 of 10.
  EXPECT_EQ(energies(s), (std::vector<double>{15, 17, 8}));
  EXPECT_EQ(qualities(s), (std::vector{M, M, M}));
}

TEST(CounterEnergy, UnitsAreConverted) {
  // A register in MWh with three decimals: 0.012 MWh = 12 kWh.
  EXPECT_NEAR(
      run(counter("MWh"), {}, {{at(0), 1.000}, {at(1), 1.012}}, hours(0, 1)).intervals[0].energy,
      12, 1e-9);
  // A heat meter in GJ: 3.6 GJ = 1'000 kWh.
  EXPECT_NEAR(run(counter("GJ", Medium::heat), {}, {{at(0), 10}, {at(1), 13.6}}, hours(0, 1))
                  .intervals[0]
                  .energy,
              1'000, 1e-9);
  // Water stays m³.
  const auto w = run(counter("m³", Medium::water), {}, {{at(0), 10}, {at(1), 12.5}}, hours(0, 1));
  EXPECT_EQ(w.intervals[0].energy, 2.5);
  EXPECT_EQ(accounting_unit(Medium::water), "m³");
  EXPECT_EQ(accounting_unit(Medium::gas), "kWh");
}

TEST(CounterEnergy, GasCubicMetresToKilowattHours) {
  // Defaults: Zustandszahl 0.95, Brennwert 11.2 kWh/m³: 100 m³ = 1'064 kWh.
  const auto s = run(counter("m³", Medium::gas), {}, {{at(0), 500}, {at(1), 600}}, hours(0, 1));
  EXPECT_NEAR(s.intervals[0].energy, 1'064, 1e-9);
  // A bill's own values: 100 m³ × 0.9636 × 11.425 = 1'100.913 kWh.
  MeterSpec bill = counter("m3", Medium::gas);
  bill.gas = {0.9636, 11.425};
  EXPECT_NEAR(run(bill, {}, {{at(0), 500}, {at(1), 600}}, hours(0, 1)).intervals[0].energy,
              1'100.913, 1e-9);
  // Gas metered in kWh is taken as it is.
  EXPECT_EQ(run(counter("kWh", Medium::gas), {}, {{at(0), 5}, {at(1), 9}}, hours(0, 1))
                .intervals[0]
                .energy,
            4);
}

// --- interval energy ---

TEST(IntervalEnergy, QuarterHoursSumIntoHoursAndAMissingOneIsUnknown) {
  const MeterSpec spec{MeterKind::interval_energy, Medium::electricity, "Wh", {}};
  // Quarter-hour energies in Wh, each stamped at its interval's end; 01:30 is missing.
  const std::vector<MeterReading> readings = {{at_minute(15), 1'000}, {at_minute(30), 2'000},
                                              {at_minute(45), 3'000}, {at_minute(60), 4'000},
                                              {at_minute(75), 500},   {at_minute(105), 700},
                                              {at_minute(120), 800}};
  const auto s = run(spec, {}, readings, hours(0, 2));  // length inferred: 15 min
  EXPECT_NEAR(s.intervals[0].energy, 10, 1e-12);
  EXPECT_NEAR(s.intervals[1].energy, 2, 1e-12);
  EXPECT_EQ(qualities(s), (std::vector{M, U}));
  // Hourly totals stamped at the hour's end, given a half-hour grid: each splits in two.
  EnergyOptions o;
  o.interval_ms = kHour;
  const MeterSpec kwh{MeterKind::interval_energy, Medium::electricity, "kWh", {}};
  const std::vector<TimeMs> halves = {at(0), at(0.5), at(1), at(1.5), at(2)};
  const auto t = run(kwh, o, {{at(1), 6}, {at(2), 10}}, halves);
  EXPECT_EQ(energies(t), (std::vector<double>{3, 3, 5, 5}));
}

// --- power ---

MeterSpec power(std::string unit = "kW") {
  return {MeterKind::power, Medium::electricity, std::move(unit), {}};
}

TEST(PowerEnergy, ConstantPower) {
  std::vector<MeterReading> readings;
  for (int m = 0; m <= 120; m += 15) readings.push_back({at_minute(m), 10});
  const auto s = run(power(), {}, readings, hours(0, 2));
  EXPECT_EQ(energies(s), (std::vector<double>{10, 10}));
  EXPECT_EQ(qualities(s), (std::vector{M, M}));
}

TEST(PowerEnergy, RampIsIntegratedExactlyAcrossTheHour) {
  // 0 W at 00:00 rising evenly to 20'000 W at 02:00: 10 kW at 01:00.
  const auto s = run(power("W"), {}, {{at(0), 0}, {at(2), 20'000}}, hours(0, 2));
  EXPECT_EQ(energies(s), (std::vector<double>{5, 15}));
  // Irregular samples of a ramp 0 → 30 kW over 00:00–03:00, with a sample at 00:40.
  EnergyOptions o;
  o.max_gap_ms = 3 * kHour;  // the second segment is 2 h 20 min long
  const auto t = run(power(), o, {{at(0), 0}, {at_minute(40), 40.0 / 6}, {at(3), 30}}, hours(0, 3));
  EXPECT_NEAR(t.intervals[0].energy, 5, 1e-9);   // ∫ 10 t dt over [0, 1]
  EXPECT_NEAR(t.intervals[1].energy, 15, 1e-9);  // over [1, 2]
  EXPECT_NEAR(t.intervals[2].energy, 25, 1e-9);  // over [2, 3]
}

TEST(PowerEnergy, GapIsNotIntegratedAcross) {
  EnergyOptions o;
  o.max_gap_ms = 2 * kHour;
  const auto s = run(power(), o, {{at(0), 10}, {at(1), 10}, {at(4), 10}, {at(5), 10}}, hours(0, 5));
  EXPECT_EQ(energies(s), (std::vector<double>{10, 0, 0, 0, 10}));
  EXPECT_EQ(qualities(s), (std::vector{M, U, U, U, M}));
  ASSERT_EQ(s.unattributed.size(), 1u);
  EXPECT_EQ(s.unattributed[0].reason, Unattributed::gap);
  EXPECT_EQ(s.unattributed[0].energy, 30);  // what integrating across would have said
}

// --- local calendar buckets ---

// Hourly interval energies from `from` to `to` (UTC), each hour's energy its UTC hour of day
// + 1, so a sum says which hours went in.
EnergySeries hour_numbered(TimeMs from, TimeMs to) {
  std::vector<MeterReading> readings;
  for (TimeMs t = from; t < to; t += kHour)
    readings.push_back({t + kHour, static_cast<double>((t / kHour) % 24 + 1)});
  EnergyOptions o;
  o.interval_ms = kHour;
  const MeterSpec spec{MeterKind::interval_energy, Medium::electricity, "kWh", {}};
  return run(spec, o, readings, utc_hour_boundaries(from, to));
}

TimeMs utc(int y, unsigned m, unsigned d, int h) {
  return days_from_civil(y, m, d) * 24 * kHour + h * kHour;
}

TEST(ConsumptionBuckets, BerlinSpringForwardDayHas23Hours) {
  auto berlin = Timezone::load("Europe/Berlin");
  ASSERT_TRUE(berlin) << berlin.error().message;
  // 2026-03-28 00:00 UTC .. 2026-03-31 00:00 UTC.
  const auto s = hour_numbered(utc(2026, 3, 28, 0), utc(2026, 3, 31, 0));
  auto days = consumption_buckets(s.intervals, *berlin, CalendarUnit::day);
  ASSERT_TRUE(days) << days.error().message;
  ASSERT_EQ(days->size(), 4u);  // 28th (from 01:00 local), 29th, 30th, 31st (till 02:00 local)
  const auto& d = (*days)[1];
  // 2026-03-29 local is 2026-03-28 23:00 UTC .. 2026-03-29 22:00 UTC: UTC hours 23, 0..21.
  EXPECT_EQ(d.start, utc(2026, 3, 28, 23));
  EXPECT_EQ(d.end, utc(2026, 3, 29, 22));
  EXPECT_EQ(d.hours, 23);
  EXPECT_EQ(d.energy, 24 + 253);  // 24 + (1 + … + 22)
  EXPECT_EQ(d.unknown_hours, 0);
  // The 28th local began at 2026-03-27 23:00 UTC, before the data: one hour unknown.
  EXPECT_EQ((*days)[0].start, utc(2026, 3, 27, 23));
  EXPECT_EQ((*days)[0].hours, 24);
  EXPECT_EQ((*days)[0].unknown_hours, 1);
}

TEST(ConsumptionBuckets, BerlinFallBackDayHas25Hours) {
  auto berlin = Timezone::load("Europe/Berlin");
  ASSERT_TRUE(berlin) << berlin.error().message;
  const auto s = hour_numbered(utc(2026, 10, 24, 0), utc(2026, 10, 27, 0));
  auto days = consumption_buckets(s.intervals, *berlin, CalendarUnit::day);
  ASSERT_TRUE(days) << days.error().message;
  const auto& d = (*days)[1];
  // 2026-10-25 local is 2026-10-24 22:00 UTC .. 2026-10-25 23:00 UTC: UTC hours 22, 23, 0..22.
  EXPECT_EQ(d.start, utc(2026, 10, 24, 22));
  EXPECT_EQ(d.end, utc(2026, 10, 25, 23));
  EXPECT_EQ(d.hours, 25);
  EXPECT_EQ(d.energy, 23 + 24 + 276);  // 23 + 24 + (1 + … + 23)
  EXPECT_EQ(d.unknown_hours, 0);
}

TEST(ConsumptionBuckets, WeeksStartMondayAndMonthsKnowTheirHours) {
  auto berlin = Timezone::load("Europe/Berlin");
  ASSERT_TRUE(berlin) << berlin.error().message;
  // All of March 2026 local: 2026-02-28 23:00 UTC .. 2026-03-31 22:00 UTC, 743 hours.
  const auto s = hour_numbered(utc(2026, 2, 28, 23), utc(2026, 3, 31, 22));
  auto months = consumption_buckets(s.intervals, *berlin, CalendarUnit::month);
  ASSERT_TRUE(months) << months.error().message;
  ASSERT_EQ(months->size(), 1u);
  EXPECT_EQ((*months)[0].hours, 743);
  EXPECT_EQ((*months)[0].unknown_hours, 0);
  // 2026-02-28 23:00 UTC (24), the 31 UTC days of March (300 each) less 2026-03-31 22:00
  // and 23:00 UTC (23 + 24), which are April in Berlin.
  EXPECT_EQ((*months)[0].energy, 24 + 31 * 300 - 23 - 24);
  auto weeks = consumption_buckets(s.intervals, *berlin, CalendarUnit::week);
  ASSERT_TRUE(weeks) << weeks.error().message;
  // Monday 2026-02-23 local .. the week of Monday 2026-03-30.
  ASSERT_EQ(weeks->size(), 6u);
  EXPECT_EQ((*weeks)[0].start, utc(2026, 2, 22, 23));
  EXPECT_EQ((*weeks)[4].start, utc(2026, 3, 22, 23));
  EXPECT_EQ((*weeks)[4].hours, 167);  // the week holding 29 March
  EXPECT_EQ((*weeks)[4].unknown_hours, 0);
  // An estimated or unknown hour is counted as such.
  auto marked = s.intervals;
  marked[0].quality = IntervalQuality::unknown;
  marked[1].quality = IntervalQuality::estimated;
  auto m = consumption_buckets(marked, *berlin, CalendarUnit::month);
  ASSERT_TRUE(m);
  EXPECT_EQ((*m)[0].unknown_hours, 1);
  EXPECT_EQ((*m)[0].estimated_hours, 1);
  EXPECT_EQ(consumption_buckets(s.intervals, *berlin, CalendarUnit::hour).error().code,
            ErrorCode::invalid);
}

TEST(ConsumptionBuckets, HoursAcrossAHalfHourZonesMidnightAreSplit) {
  auto kolkata = Timezone::load("Asia/Kolkata");
  ASSERT_TRUE(kolkata) << kolkata.error().message;
  const auto s = hour_numbered(utc(2026, 1, 4, 18), utc(2026, 1, 5, 19));
  auto days = consumption_buckets(s.intervals, *kolkata, CalendarUnit::day);
  ASSERT_TRUE(days) << days.error().message;
  ASSERT_EQ(days->size(), 3u);
  // 2026-01-05 local is 2026-01-04 18:30 UTC .. 2026-01-05 18:30 UTC: half of UTC hour 18
  // (19 / 2), hours 19..23 (20 + … + 24), 0..17 (1 + … + 18), half of hour 18 again.
  const auto& d = (*days)[1];
  EXPECT_EQ(d.start, utc(2026, 1, 4, 18) + 30 * kMinute);
  EXPECT_EQ(d.energy, 9.5 + 110 + 171 + 9.5);
  EXPECT_EQ(d.unknown_hours, 0);
  EXPECT_EQ((*days)[0].energy, 9.5);
  EXPECT_EQ((*days)[0].unknown_hours, 23.5);
  EXPECT_EQ((*days)[2].energy, 9.5);
}

// --- bad input ---

TEST(MeterEnergy, BadInputFailsClearly) {
  const auto grid = hours(0, 2);
  auto unsorted =
      meter_energy(counter(), {}, std::vector<MeterReading>{{at(1), 5}, {at(0), 3}}, grid);
  ASSERT_FALSE(unsorted);
  EXPECT_EQ(unsorted.error().code, ErrorCode::invalid);
  EXPECT_EQ(unsorted.error().field, "readings");
  EXPECT_NE(unsorted.error().message.find("reading 1 is not after reading 0"), std::string::npos)
      << unsorted.error().message;
  auto duplicate =
      meter_energy(counter(), {}, std::vector<MeterReading>{{at(1), 5}, {at(1), 6}}, grid);
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().field, "readings");

  const std::vector<MeterReading> fine = {{at(0), 1}, {at(1), 2}};
  auto unknown = meter_energy(counter("furlongs"), {}, fine, grid);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::invalid);
  EXPECT_EQ(unknown.error().field, "unit");
  EXPECT_NE(unknown.error().message.find("unknown meter unit 'furlongs'"), std::string::npos);
  // Units that exist but do not fit.
  EXPECT_EQ(meter_energy(counter("m³", Medium::heat), {}, fine, grid).error().field, "unit");
  EXPECT_EQ(meter_energy(counter("kWh", Medium::water), {}, fine, grid).error().field, "unit");
  EXPECT_EQ(meter_energy(counter("kW"), {}, fine, grid).error().field, "unit");
  EXPECT_EQ(meter_energy(power("kWh"), {}, fine, grid).error().field, "unit");
  EXPECT_FALSE(parse_medium("steam"));
  EXPECT_EQ(*parse_meter_kind("interval_energy"), MeterKind::interval_energy);
  // A counter below zero, a reading at the wrap value, boundaries out of order.
  EXPECT_FALSE(meter_energy(counter(), {}, std::vector<MeterReading>{{at(0), -1}}, grid));
  EnergyOptions six;
  six.wrap_value = register_wrap(6);
  EXPECT_FALSE(meter_energy(counter(), six, std::vector<MeterReading>{{at(0), 1e6}}, grid));
  EXPECT_EQ(meter_energy(counter(), {}, fine, std::vector<TimeMs>{at(1), at(0)}).error().field,
            "boundaries");
  // An interval series' length cannot come from one reading.
  const MeterSpec interval{MeterKind::interval_energy, Medium::electricity, "kWh", {}};
  EXPECT_EQ(meter_energy(interval, {}, std::vector<MeterReading>{{at(1), 1}}, grid).error().field,
            "interval_ms");
}

}  // namespace
}  // namespace citypulse::analytics
