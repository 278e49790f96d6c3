#include "app/bench_energy.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <future>
#include <map>
#include <vector>

#include "analytics/consumption_buckets.h"
#include "analytics/meter_energy.h"
#include "api/json_io.h"
#include "app/bench_folder.h"
#include "core/calendar.h"
#include "core/timezone.h"
#include "energy/energy_service.h"
#include "store/embedded_series_store.h"
#include "store/energy_store.h"
#include "store/sqlite/sqlite_meta_store.h"

namespace citypulse {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;
constexpr std::int64_t kMinute = 60'000;
constexpr std::int64_t kHour = 60 * kMinute;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// xorshift64*: the same noise on every run and machine.
class Noise {
 public:
  double next() {
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    return static_cast<double>((state_ * 0x2545F4914F6CDD1Dull) >> 11) /
           static_cast<double>(1ull << 53);
  }

 private:
  std::uint64_t state_ = 0x9E3779B97F4A7C15ull;
};

struct BenchMeter {
  const char* name;
  const char* quantity;
  const char* unit;
  const char* medium;
  std::int64_t step_ms;
};

constexpr BenchMeter kMeters[] = {
    {"Electricity", "energy", "kWh", "electricity", 15 * kMinute},
    {"Heat", "energy", "kWh", "heat", kHour},
    {"Water", "volume", "m³", "water", kHour},
};

// A school-like load: kW by medium at local hour-of-day h, weekday, month.
double load_kw(int meter, int hour, bool workday, unsigned month, double size, double noise) {
  const bool occupied = workday && hour >= 7 && hour < 18;
  const double winter = month <= 3 || month >= 10 ? 1.0 : month == 4 || month == 9 ? 0.5 : 0.1;
  switch (meter) {
    case 0:
      return size * (occupied ? 60 : 18) * (0.9 + 0.2 * noise);
    case 1:
      return size * winter * (occupied ? 150 : 60) * (0.85 + 0.3 * noise);
    default:
      return size * (occupied ? 0.8 : 0.05) * (0.8 + 0.4 * noise);  // m³/h
  }
}

struct Fixture {
  std::vector<Id> buildings;
  std::vector<std::vector<Id>> meters;  // by building: electricity, heat, water
  std::int64_t readings = 0;
};

Result<Fixture> create(MetaStore& store, SeriesStore& series, energy::EnergyService& service,
                       const BenchEnergyOptions& o, TimeMs from, TimeMs to, const Timezone& zone) {
  Fixture f;
  Tenant tenant;
  tenant.name = "Bench Town";
  auto t = store.tenants().create(Scope::all_tenants(), tenant);
  if (!t) return std::unexpected(t.error());
  const Scope scope = Scope::tenant(t->id);
  Noise noise;
  for (int b = 0; b < o.buildings; ++b) {
    Building building;
    building.tenant_id = t->id;
    building.name = fmt::format("School {}", b + 1);
    building.type = "school";
    const double size = 0.5 + (b % 7) * 0.25;
    building.gross_floor_area_m2 = 5000 * size;
    auto created = store.buildings().create(scope, building);
    if (!created) return std::unexpected(created.error());
    f.buildings.push_back(created->id);
    f.meters.emplace_back();
    for (int m = 0; m < 3; ++m) {
      Point p;
      p.tenant_id = t->id;
      p.building_id = created->id;
      p.name = kMeters[m].name;
      p.kind = "sensor";
      p.quantity = kMeters[m].quantity;
      p.unit = kMeters[m].unit;
      auto point = store.points().create(scope, p);
      if (!point) return std::unexpected(point.error());
      f.meters.back().push_back(point->id);
      const json::object settings{{"kind", "counter"}, {"medium", kMeters[m].medium}};
      if (auto s = service.put_meter(scope, point->id, settings, std::nullopt, from); !s)
        return std::unexpected(s.error());
      std::vector<Reading> readings;
      double register_value = 1000 * (b + 1);
      for (TimeMs at = from; at <= to; at += kMeters[m].step_ms) {
        readings.push_back({point->id, at, std::round(register_value * 1000) / 1000, 0});
        const TimeMs local = zone.to_local(at);
        const std::int64_t day = local / (24 * kHour);
        const unsigned weekday = weekday_from_days(day);  // 0 Sunday
        const int hour = static_cast<int>(local % (24 * kHour) / kHour);
        register_value += load_kw(m, hour, weekday != 0 && weekday != 6, civil_from_days(day).month,
                                  size, noise.next()) *
                          static_cast<double>(kMeters[m].step_ms) / kHour;
      }
      f.readings += static_cast<std::int64_t>(readings.size());
      std::promise<Status> done;
      auto written = done.get_future();
      series.import_readings(readings, false, [&done](Status s) { done.set_value(s); });
      if (auto s = written.get(); !s) return std::unexpected(s.error());
    }
  }
  if (auto s = series.flush(); !s) return std::unexpected(s.error());
  return f;
}

// Every building's electricity, heat and water by local day, from the
// readings: what answering without the ledger costs.
Result<std::vector<double>> from_readings(SeriesStore& series, const Fixture& f, TimeMs from,
                                          TimeMs to, const Timezone& zone) {
  std::vector<TimeMs> hours;
  for (TimeMs t = from; t <= to; t += kHour) hours.push_back(t);
  std::vector<double> totals;
  for (const auto& meters : f.meters)
    for (int m = 0; m < 3; ++m) {
      auto raw = series.range(meters[m], from - 2 * kHour, to + 2 * kHour,
                              std::numeric_limits<std::size_t>::max());
      if (!raw) return std::unexpected(raw.error());
      std::vector<analytics::MeterReading> readings;
      readings.reserve(raw->size());
      for (const auto& r : *raw) readings.push_back({r.t, r.value});
      analytics::MeterSpec spec;
      spec.medium = *analytics::parse_medium(kMeters[m].medium);
      spec.unit = kMeters[m].unit;
      auto energy = analytics::meter_energy(spec, {}, readings, hours);
      if (!energy) return std::unexpected(energy.error());
      auto days = analytics::consumption_buckets(energy->intervals, zone, CalendarUnit::day);
      if (!days) return std::unexpected(days.error());
      double total = 0;
      for (const auto& d : *days) total += d.energy;
      totals.push_back(total);
    }
  return totals;
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

Status validate(const BenchEnergyOptions& o) {
  if (o.buildings < 1 || o.buildings > 1000)
    return fail(ErrorCode::invalid, "--buildings must be 1..1000", "--buildings");
  if (o.year < 2000 || o.year > 2100)
    return fail(ErrorCode::invalid, "--year must be 2000..2100", "--year");
  if (o.runs < 1 || o.runs > 10'000)
    return fail(ErrorCode::invalid, "--runs must be 1..10000", "--runs");
  return {};
}

Status run_bench_energy(const BenchEnergyOptions& o) {
  BenchFolder folder(o.data_dir);
  if (auto s = folder.create(); !s) return s;
  auto zone = Timezone::load("Europe/Berlin");
  if (!zone) return std::unexpected(zone.error());
  const CalendarStep year{CalendarUnit::year, 1};
  const TimeMs from = zone->to_utc(days_from_civil(o.year, 1, 1) * 24 * kHour);
  const TimeMs to = calendar_next(*zone, year, from);

  auto store = open_sqlite_meta_store({.path = folder.path() + "/meta.db"});
  if (!store) return std::unexpected(store.error());
  // Raw readings are kept, so that the answer from the readings can be
  // computed beside the ledger's.
  auto series = open_embedded_series_store({.dir = folder.path() + "/tsdb",
                                            .raw_retention_ms = 0,
                                            .hourly_retention_ms = 0,
                                            .daily_retention_ms = 0,
                                            .warn = {}});
  if (!series) return std::unexpected(series.error());
  const TimeMs now = to + 30 * 24 * kHour;  // the year is history

  Fixture f;
  double build_ms = 0, unchanged_ms = 0;
  {
    energy::EnergyService service(**store, **series);
    auto created = create(**store, **series, service, o, from, to, *zone);
    if (!created) return std::unexpected(created.error());
    f = std::move(*created);
    auto start = Clock::now();
    if (auto s = service.reconcile(now); !s) return s;
    build_ms = ms_since(start);
    start = Clock::now();
    if (auto s = service.reconcile(now); !s) return s;
    unchanged_ms = ms_since(start);
  }

  // A fresh service: its first query reads the ledger from the store.
  energy::EnergyService service(**store, **series);
  const auto tenant = (*store)->buildings().get(Scope::all_tenants(), f.buildings[0]);
  if (!tenant) return std::unexpected(tenant.error());
  const Scope scope = Scope::tenant(tenant->tenant_id);
  energy::ConsumptionQuery all{.scope = energy::ConsumptionScope::tenant,
                               .id = tenant->tenant_id,
                               .from = from,
                               .to = to,
                               .interval = CalendarUnit::day,
                               .medium = std::nullopt,
                               .by_building = true};
  auto start = Clock::now();
  auto answer = service.consumption(scope, all, now);
  if (!answer) return std::unexpected(answer.error());
  const double cold_ms = ms_since(start);
  std::vector<double> warm;
  for (int i = 0; i < o.runs; ++i) {
    start = Clock::now();
    auto again = service.consumption(scope, all, now);
    if (!again) return std::unexpected(again.error());
    warm.push_back(ms_since(start));
  }
  std::vector<double> one_by_one;
  for (int i = 0; i < o.runs; ++i) {
    start = Clock::now();
    for (Id b : f.buildings) {
      auto one = service.consumption(scope,
                                     {.scope = energy::ConsumptionScope::building,
                                      .id = b,
                                      .from = from,
                                      .to = to,
                                      .interval = CalendarUnit::day,
                                      .medium = std::nullopt,
                                      .by_building = false},
                                     now);
      if (!one) return std::unexpected(one.error());
    }
    one_by_one.push_back(ms_since(start));
  }
  // Energy use intensity of every building over the year and the one before
  // (its ledger empty: the fixture has one year).
  std::vector<double> benchmark_ms;
  for (int i = 0; i < o.runs; ++i) {
    start = Clock::now();
    energy::BenchmarkQuery query;
    query.year = o.year;
    auto benchmarks = service.benchmarks(scope, query, now);
    if (!benchmarks) return std::unexpected(benchmarks.error());
    benchmark_ms.push_back(ms_since(start));
    if (benchmarks->buildings.size() != f.buildings.size())
      return fail(ErrorCode::internal,
                  fmt::format("benchmarks of {} buildings, not {}", benchmarks->buildings.size(),
                              f.buildings.size()));
  }
  start = Clock::now();
  auto direct = from_readings(**series, f, from, to, *zone);
  if (!direct) return std::unexpected(direct.error());
  const double direct_ms = ms_since(start);

  // The two answers agree, building by building and medium by medium.
  std::map<std::pair<Id, std::string_view>, double> ledger;
  double days = 0;
  for (const auto& s : answer->series) {
    ledger[{*s.building_id, analytics::medium_name(s.medium)}] = s.total;
    days = static_cast<double>(s.buckets.size());
    if (s.unknown_hours != 0)
      return fail(ErrorCode::internal, fmt::format("building {}: {} unknown hours in the ledger",
                                                   *s.building_id, s.unknown_hours));
  }
  double worst = 0;
  for (std::size_t b = 0; b < f.buildings.size(); ++b)
    for (int m = 0; m < 3; ++m) {
      const double want = (*direct)[b * 3 + m];
      const double got = ledger[{f.buildings[b], kMeters[m].medium}];
      worst = std::max(worst, std::abs(got - want) / std::max(1.0, std::abs(want)));
    }
  if (worst > 1e-9)
    return fail(ErrorCode::internal,
                fmt::format("the ledger and the readings disagree by {:.3g} of a total", worst));

  json::object out{
      {"bench", "energy"},
      {"buildings", o.buildings},
      {"meters", o.buildings * 3},
      {"readings", f.readings},
      {"days", days},
      {"ledger_build_ms", build_ms},
      {"reconcile_unchanged_ms", unchanged_ms},
      {"tenant_year_by_day_and_building_cold_ms", cold_ms},
      {"tenant_year_by_day_and_building_ms",
       {{"median", percentile(warm, 0.5)},
        {"p95", percentile(warm, 0.95)},
        {"max", percentile(warm, 1.0)}}},
      {"each_building_year_by_day_ms",
       {{"median", percentile(one_by_one, 0.5)}, {"max", percentile(one_by_one, 1.0)}}},
      {"benchmarks_two_years_ms",
       {{"median", percentile(benchmark_ms, 0.5)}, {"max", percentile(benchmark_ms, 1.0)}}},
      {"from_readings_ms", direct_ms},
      {"max_relative_difference", worst}};
  fmt::print("{}\n", to_json_text(out));
  return {};
}

}  // namespace citypulse
