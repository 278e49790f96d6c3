#include "sim/demo_readings.h"

#include <cmath>
#include <future>
#include <numbers>

namespace citypulse {
namespace {

constexpr std::int64_t kStepMs = 15 * 60'000;
constexpr int kSteps = 6 * 24 * 4;

double one_decimal(double v) {
  return std::round(v * 10.0) / 10.0;
}

// A value for `point` at step i of the day curve; `seed` varies points.
double value_at(const Point& p, int i, double seed, double& counter) {
  const double day = std::sin(2 * std::numbers::pi * ((i % 96) / 96.0 - 0.3));  // peaks mid-day
  const double office = std::max(0.0, day);
  if (p.quantity == "temperature") return one_decimal(20.5 + 1.5 * day + seed);
  if (p.quantity == "humidity") return one_decimal(45 - 8 * day + 3 * seed);
  if (p.quantity == "co2") return std::round(420 + 650 * office * (1 + seed / 4));
  if (p.quantity == "occupancy") return std::round(25 * office * (1 + seed / 3));
  if (p.quantity == "power") return one_decimal(12 + 30 * office + 4 * seed);
  if (p.quantity == "energy") {
    counter += (12 + 30 * office + 4 * seed) / 4;  // kWh per quarter hour
    return one_decimal(counter);
  }
  if (p.quantity == "position" || p.quantity == "ratio") return std::round(100 * office);
  if (p.quantity == "state") return office > 0.2 ? 1 : 0;
  return one_decimal(10 + 5 * day + seed);
}

}  // namespace

Result<std::int64_t> seed_demo_readings(MetaStore& store, SeriesStore& series, Id tenant,
                                        TimeMs now) {
  const TimeMs end = now - now % kStepMs;
  const TimeMs start = end - (kSteps - 1) * kStepMs;
  std::int64_t written = 0;
  auto points = list_all(store.points(), Scope::tenant(tenant));
  if (!points) return std::unexpected(points.error());
  for (const auto& p : *points) {
    const Id ids[] = {p.id};
    auto latest = series.latest(ids);
    if (!latest) return std::unexpected(latest.error());
    if (!latest->empty()) continue;
    const double seed = static_cast<double>(p.id % 7) / 7.0 - 0.5;
    double counter = 10'000 + 1'000 * static_cast<double>(p.id % 13);
    std::vector<Reading> readings;
    readings.reserve(kSteps);
    for (int i = 0; i < kSteps; ++i) {
      const double v = p.kind == "setpoint" ? 21.0 : value_at(p, i, seed, counter);
      readings.push_back({p.id, start + i * kStepMs, v, 0});
    }
    std::promise<Status> done;
    auto result = done.get_future();
    series.append(std::move(readings), false, [&done](Status s) { done.set_value(s); });
    if (auto s = result.get(); !s) return std::unexpected(s.error());
    written += kSteps;
  }
  return written;
}

}  // namespace citypulse
