#include "sim/load_fleet.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/timezone.h"
#include "sim/town_simulator.h"

namespace citypulse::sim {
namespace {

constexpr int kSamples = 96;  // a day of quarter hours
constexpr TimeMs kQuarterMs = 15 * 60'000;
// A winter working day: heating on, people in (2025-01-15, 00:00 UTC).
constexpr TimeMs kDay = 1'736'899'200'000;

}  // namespace

LoadFleet::LoadFleet(int devices, int points_per_device, std::uint64_t seed)
    : devices_(std::max(1, devices)), points_(std::max(1, points_per_device)) {
  const auto town = town_layout(town_plan(7, seed));
  const auto weather = Weather::synthetic();
  TownSimulator sim(town, weather, Timezone::utc(), {.seed = seed, .fault_period_days = 0},
                    kDay - 2 * 86'400'000);
  sim.advance_to(kDay, 900);
  // The reporting devices with points of their own (gateways report for others).
  std::vector<std::size_t> reporting;
  for (std::size_t d = 0; d < town.devices.size(); ++d)
    if (!town.devices[d].points.empty()) reporting.push_back(d);
  for (std::size_t d : reporting) {
    const SimDevice& device = town.devices[d];
    Model m;
    m.name = device.name;
    const std::size_t own = device.points.size();
    for (int c = 0; c < points_; ++c) {
      const SimPoint& p = town.points[static_cast<std::size_t>(device.points[c % own])];
      const int round = c / static_cast<int>(own);
      m.channels.push_back({round == 0 ? p.channel : fmt::format("{}_{}", p.channel, round + 1),
                            p.quantity, p.unit_symbol});
      m.counter.push_back(register_signal(p.signal));
    }
    m.day.assign(static_cast<std::size_t>(points_), std::vector<double>(kSamples, 0.0));
    models_.push_back(std::move(m));
  }
  for (int k = 0; k < kSamples; ++k) {
    sim.advance_to(kDay + (k + 1) * kQuarterMs, 900);
    for (std::size_t i = 0; i < reporting.size(); ++i) {
      const SimDevice& device = town.devices[reporting[i]];
      for (int c = 0; c < points_; ++c) {
        const int p = device.points[static_cast<std::size_t>(c) % device.points.size()];
        models_[i].day[static_cast<std::size_t>(c)][static_cast<std::size_t>(k)] =
            sim.value(p).value_or(0);
      }
    }
  }
  // A register that rolled over within the day is unrolled: replays must only count up.
  for (auto& m : models_)
    for (std::size_t c = 0; c < m.day.size(); ++c) {
      if (!m.counter[c]) continue;
      double offset = 0;
      for (std::size_t k = 1; k < m.day[c].size(); ++k) {
        const double was = m.day[c][k - 1], now = m.day[c][k] + offset;
        if (now < was) offset += was - now;
        m.day[c][k] += offset;
      }
    }
}

const LoadFleet::Model& LoadFleet::model_of(int d) const {
  return models_[static_cast<std::size_t>(d) % models_.size()];
}

const std::string& LoadFleet::model(int d) const {
  return model_of(d).name;
}

const std::vector<LoadChannel>& LoadFleet::channels(int d) const {
  return model_of(d).channels;
}

double LoadFleet::value(int d, int c, std::int64_t message) const {
  const Model& m = model_of(d);
  const auto& day = m.day[static_cast<std::size_t>(c)];
  // Devices of one model start at different times of the day.
  const std::int64_t k = message + d * 37;
  const double v = day[static_cast<std::size_t>(k % kSamples)];
  if (!m.counter[static_cast<std::size_t>(c)]) return v;
  // To the thousandth, as meters show them: the replays meet without a rounding step back.
  const double counted = v + static_cast<double>(k / kSamples) * (day.back() - day.front());
  return std::round(counted * 1000) / 1000;
}

}  // namespace citypulse::sim
