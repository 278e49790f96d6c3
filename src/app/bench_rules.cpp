#include "app/bench_rules.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <chrono>
#include <vector>

#include "api/json_io.h"
#include "app/bench_process.h"
#include "rules/rule_set.h"

namespace citypulse {
namespace {

constexpr int kMaxRules = 1'000'000;
constexpr int kMaxPointsPerRule = 1'000;
constexpr std::int64_t kMaxConditions = 10'000'000;
constexpr std::int64_t kMaxReadings = 100'000'000;
constexpr TimeMs kStart = 1'760'000'000'000;  // any fixed time
constexpr TimeMs kMinute = 60'000;

struct Reading {
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
std::vector<Reading> make_readings(std::int64_t count, std::int64_t points) {
  std::vector<Reading> out;
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
  return {};
}

Status run_bench_rules(const BenchRulesOptions& o) {
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
