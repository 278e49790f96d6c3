#include "app/bench_rules.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <chrono>
#include <vector>

#include "alarms/alarm_service.h"
#include "alarms/rule_engine.h"
#include "api/json_io.h"
#include "app/bench_folder.h"
#include "app/bench_process.h"
#include "core/time.h"
#include "rules/rule_set.h"
#include "store/alarm_store.h"
#include "store/sqlite/sqlite_meta_store.h"

namespace citypulse {
namespace {

constexpr int kMaxRules = 1'000'000;
constexpr int kMaxPointsPerRule = 1'000;
constexpr std::int64_t kMaxConditions = 10'000'000;
constexpr std::int64_t kMaxReadings = 100'000'000;
constexpr TimeMs kStart = 1'760'000'000'000;  // any fixed time
constexpr TimeMs kMinute = 60'000;

struct WalkReading {
  rules::PointId point;
  TimeMs t;
  double value;
};

// xorshift64*: the same walk on every run and machine.
class Walk {
 public:
  double step() {
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    const auto r = state_ * 0x2545F4914F6CDD1Dull;
    return static_cast<double>(r >> 11) / static_cast<double>(1ull << 53) - 0.5;
  }

 private:
  std::uint64_t state_ = 0x9E3779B97F4A7C15ull;
};

std::vector<rules::Rule> make_rules(const BenchRulesOptions& o) {
  std::vector<rules::Rule> out;
  rules::PointId next_point = 1;
  for (int i = 0; i < o.rules; ++i) {
    rules::Rule r;
    r.id = i + 1;
    for (int k = 0; k < o.points_per_rule; ++k) r.points.push_back(next_point++);
    switch (i % 4) {
      case 0:
        r.condition =
            rules::ThresholdRule{rules::ThresholdRule::Direction::high, 24, 0.5, kMinute, 0};
        break;
      case 1:
        r.condition = rules::FlatlineRule{0.01, 30 * kMinute};
        break;
      case 2:
        r.condition = rules::StaleRule{15 * kMinute};
        break;
      default:
        r.condition =
            rules::RateOfChangeRule{rules::RateOfChangeRule::Direction::either, 5, 10 * kMinute};
        break;
    }
    out.push_back(std::move(r));
  }
  return out;
}

// Round the points, a second a round; each point a walk around 21 with
// steps of up to ±0.5, kept within 15..30, so thresholds at 24 are crossed.
std::vector<WalkReading> make_readings(std::int64_t count, std::int64_t points) {
  std::vector<WalkReading> out;
  out.reserve(static_cast<std::size_t>(count));
  std::vector<double> level(static_cast<std::size_t>(points), 21.0);
  Walk walk;
  for (std::int64_t i = 0; i < count; ++i) {
    const auto p = static_cast<std::size_t>(i % points);
    auto& v = level[p];
    v += walk.step();
    if (v < 15) v = 15;
    if (v > 30) v = 30;
    out.push_back({static_cast<rules::PointId>(p) + 1, kStart + (i / points) * 1000, v});
  }
  return out;
}

// The rules of make_rules as a user would store them, each on its point.
Result<std::int64_t> store_rules(MetaStore& store, const BenchRulesOptions& o,
                                 std::vector<Id>& point_ids) {
  const Scope all = Scope::all_tenants();
  Tenant tenant;
  tenant.name = "Bench";
  auto t = store.tenants().create(all, tenant);
  if (!t) return std::unexpected(t.error());
  Building building;
  building.tenant_id = t->id;
  building.name = "Bench";
  building.type = "office";
  auto b = store.buildings().create(all, building);
  if (!b) return std::unexpected(b.error());
  for (int i = 0; i < o.rules; ++i) {
    Point p;
    p.building_id = b->id;
    p.name = fmt::format("Point {}", i + 1);
    p.kind = "sensor";
    p.quantity = "temperature";
    p.unit = "°C";
    auto stored = store.points().create(all, p);
    if (!stored) return std::unexpected(stored.error());
    point_ids.push_back(stored->id);
  }
  for (int i = 0; i < o.rules; ++i) {
    Rule r;
    r.tenant_id = t->id;
    r.name = fmt::format("Rule {}", i + 1);
    r.point_id = point_ids[static_cast<std::size_t>(i)];
    switch (i % 4) {
      case 0:
        r.type = "threshold_high";
        r.threshold = 24;
        r.deadband = 0.5;
        r.on_delay_s = 60;
        break;
      case 1:
        r.type = "flatline";
        r.tolerance = 0.01;
        r.duration_s = 30 * 60;
        break;
      case 2:
        r.type = "stale";
        r.duration_s = 15 * 60;
        break;
      default:
        r.type = "rate_of_change";
        r.max_change = 5;
        r.window_s = 10 * 60;
        break;
    }
    auto stored = store.rules().create(all, r);
    if (!stored) return std::unexpected(stored.error());
  }
  return static_cast<std::int64_t>(o.rules);
}

Status run_bench_engine(const BenchRulesOptions& o) {
  BenchFolder folder("");
  if (auto s = folder.create(); !s) return s;
  auto opened = open_sqlite_meta_store({.path = folder.path() + "/meta.db", .migrate = true});
  if (!opened) return std::unexpected(opened.error());
  MetaStore& store = **opened;
  std::vector<Id> point_ids;
  if (auto stored = store_rules(store, o, point_ids); !stored)
    return std::unexpected(stored.error());

  const auto points = static_cast<std::int64_t>(point_ids.size());
  const std::int64_t seconds_of_readings = (o.readings + points - 1) / points;
  // The readings' times end now: the server's clock (stale data, delays
  // ended by the timer) and the readings agree.
  const TimeMs start = now_ms() - seconds_of_readings * 1000;
  std::vector<citypulse::Reading> readings;
  {
    const auto made = make_readings(o.readings, points);
    readings.reserve(made.size());
    for (const auto& r : made)
      readings.push_back(
          {point_ids[static_cast<std::size_t>(r.point - 1)], r.t - kStart + start, r.value, 0});
  }

  alarms::AlarmService service(store.alarms(), nullptr);
  if (auto s = service.load(); !s) return s;
  alarms::RuleEngineOptions options;
  options.max_queued = static_cast<std::size_t>(o.readings) + 1;  // the bench drops nothing
  alarms::RuleEngine engine(store, service, options);
  if (auto s = engine.start(); !s) return s;
  const double cpu_before = own_cpu_seconds();
  const auto begin = std::chrono::steady_clock::now();
  const ingest::ReadingOrigin origin{.tenant_id = 1, .device_id = std::nullopt, .source = "bench"};
  const auto batch = static_cast<std::size_t>(o.batch);
  for (std::size_t i = 0; i < readings.size(); i += batch)
    engine.on_readings(std::span(readings).subspan(i, std::min(batch, readings.size() - i)),
                       origin);
  engine.settle();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  const double cpu = own_cpu_seconds() - cpu_before;
  const auto stats = engine.stats();
  AlarmQuery newest;
  newest.limit = 1;
  auto listed = store.alarms().list(Scope::all_tenants(), newest);
  const std::int64_t alarms_made =
      listed && !listed->records.empty() ? listed->records.front().id : 0;
  boost::json::object line{{"bench", "rules"},
                           {"engine", true},
                           {"rules", o.rules},
                           {"conditions", stats.conditions},
                           {"readings", static_cast<std::int64_t>(stats.readings)},
                           {"dropped", static_cast<std::int64_t>(stats.dropped)},
                           {"batch", o.batch},
                           {"alarms", alarms_made},
                           {"open_alarms", service.open_count()},
                           {"seconds", seconds},
                           {"readings_per_s", static_cast<double>(stats.readings) / seconds},
                           {"cpu_s", cpu}};
  fmt::print("{}\n", to_json_text(line));
  return {};
}

}  // namespace

Status validate(const BenchRulesOptions& o) {
  if (o.rules < 1 || o.rules > kMaxRules)
    return fail(ErrorCode::invalid, fmt::format("--rules must be 1..{}", kMaxRules));
  if (o.points_per_rule < 1 || o.points_per_rule > kMaxPointsPerRule)
    return fail(ErrorCode::invalid,
                fmt::format("--points-per-rule must be 1..{}", kMaxPointsPerRule));
  if (static_cast<std::int64_t>(o.rules) * o.points_per_rule > kMaxConditions)
    return fail(ErrorCode::invalid,
                fmt::format("--rules × --points-per-rule must be at most {}", kMaxConditions));
  if (o.readings < 1 || o.readings > kMaxReadings)
    return fail(ErrorCode::invalid, fmt::format("--readings must be 1..{}", kMaxReadings));
  if (o.batch < 1 || o.batch > 100'000)
    return fail(ErrorCode::invalid, "--batch must be 1..100000");
  if (o.engine && o.points_per_rule != 1)
    return fail(ErrorCode::invalid, "--engine stores rules on one point each: --points-per-rule 1");
  return {};
}

Status run_bench_rules(const BenchRulesOptions& o) {
  if (o.engine) return run_bench_engine(o);
  const auto rules = make_rules(o);
  const std::int64_t points = static_cast<std::int64_t>(o.rules) * o.points_per_rule;
  const auto readings = make_readings(o.readings, points);
  rules::RuleSet set(rules, kStart);

  std::int64_t changes = 0, started = 0;
  const rules::RuleSet::OnChange count = [&](const rules::RuleChange& c) {
    ++changes;
    if (c.change.present) ++started;
  };
  const double cpu_before = own_cpu_seconds();
  const auto begin = std::chrono::steady_clock::now();
  TimeMs second = kStart;
  for (const auto& r : readings) {
    if (r.t != second) {
      second = r.t;
      set.advance(second, count);
    }
    set.on_reading(r.point, r.t, r.value, count);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  const double cpu = own_cpu_seconds() - cpu_before;

  boost::json::object line{{"bench", "rules"},
                           {"rules", o.rules},
                           {"conditions", set.conditions()},
                           {"readings", o.readings},
                           {"changes", changes},
                           {"started", started},
                           {"seconds", seconds},
                           {"readings_per_s", static_cast<double>(o.readings) / seconds},
                           {"cpu_s", cpu}};
  fmt::print("{}\n", to_json_text(line));
  return {};
}

}  // namespace citypulse
