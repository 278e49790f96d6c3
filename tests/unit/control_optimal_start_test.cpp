// Optimal start: the default before data, learning a known warm-up law from synthetic warm-ups
// (with noise) and from a synthetic zone history, following a retrofit by forgetting, the guards
// (narrow outdoor range, unphysical slope, clamping), cool-downs, and the JSON state.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cmath>
#include <random>

#include "control/optimal_start.h"
#include "control/recovery_history.h"
#include "control/weekly_schedule_json.h"
#include "core/calendar.h"

namespace citypulse::control {
namespace {

// The zone's true law: minutes per kelvin of warm-up at an outdoor temperature.
double true_rate(double outdoor) {
  return 30 - 1.0 * outdoor;
}

RecoveryObservation warmup(double start, double target, double outdoor, double noise = 0) {
  return {start, target, outdoor, true_rate(outdoor) * (target - start) * (1 + noise)};
}

TEST(ControlOptimalStart, TheDefaultHoldsUntilEnoughWarmups) {
  OptimalStart model;
  EXPECT_DOUBLE_EQ(model.lead_time(18, 21, 0), 3 * 20.0);
  ASSERT_TRUE(model.observe_warmup(warmup(17, 21, -5)));
  ASSERT_TRUE(model.observe_warmup(warmup(17, 21, 5)));
  EXPECT_DOUBLE_EQ(model.lead_time(18, 21, 0), 60.0);  // two of three
  ASSERT_TRUE(model.observe_warmup(warmup(17, 21, 0)));
  EXPECT_NE(model.lead_time(18, 21, 0), 60.0);
  EXPECT_EQ(model.warmup_fit().observations, 3);
}

TEST(ControlOptimalStart, LearnsTheWarmupLawFromNoisyWarmups) {
  OptimalStart model;
  std::mt19937_64 random(7);
  std::uniform_real_distribution<double> outdoor(-10, 12), start(14, 19), noise(-0.03, 0.03);
  for (int i = 0; i < 60; ++i)
    ASSERT_TRUE(model.observe_warmup(warmup(start(random), 21, outdoor(random), noise(random))));
  for (double t : {-8.0, -5.0, 0.0, 5.0, 10.0})
    EXPECT_NEAR(model.warmup_minutes_per_kelvin(t), true_rate(t), 1.0) << t;
  EXPECT_NEAR(model.lead_time(17, 21, 0), 4 * 30.0, 4.0);
  EXPECT_NEAR(model.lead_time(19, 21, 10), 2 * 20.0, 2.0);
}

TEST(ControlOptimalStart, ForgettingFollowsARetrofit) {
  OptimalStart model;
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(model.observe_warmup(warmup(17, 21, -10 + i % 20)));
  EXPECT_NEAR(model.warmup_minutes_per_kelvin(0), 30, 0.5);
  // New windows: the zone now warms twice as fast.
  for (int i = 0; i < 120; ++i) {
    const double outdoor = -10 + i % 20;
    ASSERT_TRUE(model.observe_warmup({17, 21, outdoor, true_rate(outdoor) * 4 / 2}));
  }
  EXPECT_NEAR(model.warmup_minutes_per_kelvin(0), 15, 0.5);
  EXPECT_NEAR(model.warmup_minutes_per_kelvin(-10), 20, 0.5);
}

TEST(ControlOptimalStart, NarrowWeatherAndUnphysicalSlopesFallBackToTheMean) {
  OptimalStart narrow;
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(narrow.observe_warmup({17, 21, 5.0 + 0.1 * (i % 3), 100.0 + 4 * (i % 3)}));
  // The mean of 25, 26 and 27 min/K (weighted towards the later ones), the same at any weather.
  EXPECT_NEAR(narrow.warmup_minutes_per_kelvin(-20), 26, 0.6);
  EXPECT_DOUBLE_EQ(narrow.warmup_minutes_per_kelvin(-20), narrow.warmup_minutes_per_kelvin(20));
  // Warm-ups that are slower in mild weather (noise, or the sun on the other days): no slope.
  OptimalStart odd;
  for (int i = 0; i < 10; ++i) {
    const double outdoor = -10 + 2 * i;
    ASSERT_TRUE(odd.observe_warmup({17, 21, outdoor, 4 * (20 + outdoor)}));
  }
  EXPECT_DOUBLE_EQ(odd.warmup_minutes_per_kelvin(-10), odd.warmup_minutes_per_kelvin(10));
}

TEST(ControlOptimalStart, LeadTimesAreClamped) {
  OptimalStart model;
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(model.observe_warmup(warmup(17, 21, -10 + 2 * i)));
  EXPECT_EQ(model.lead_time(21.5, 21, 0), 0);  // already warm
  EXPECT_EQ(model.lead_time(21, 21, 0), 0);
  EXPECT_EQ(model.lead_time(5, 21, -15), 240);  // 16 K at 45 min/K is over the longest lead
  EXPECT_EQ(model.lead_time(std::nan(""), 21, 0), 240);
  // The rate bounds hold far outside the weather seen.
  auto strict = OptimalStart::make({.max_minutes_per_kelvin = 40, .max_lead_minutes = 600});
  ASSERT_TRUE(strict);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(strict->observe_warmup(warmup(17, 21, -10 + 2 * i)));
  EXPECT_DOUBLE_EQ(strict->warmup_minutes_per_kelvin(-40), 40);
  EXPECT_DOUBLE_EQ(strict->lead_time(11, 21, -40), 400);
  EXPECT_GE(strict->warmup_minutes_per_kelvin(60), 1.0);
}

TEST(ControlOptimalStart, NonsenseObservationsTeachNothing) {
  OptimalStart model;
  EXPECT_FALSE(model.observe_warmup({17, 21, 0, 0}));
  EXPECT_FALSE(model.observe_warmup({17, 21, 0, -5}));
  EXPECT_FALSE(model.observe_warmup({20.9, 21, 0, 10}));  // 0.1 K
  EXPECT_FALSE(model.observe_warmup({22, 21, 0, 10}));    // a fall is no warm-up
  EXPECT_FALSE(model.observe_warmup({17, 21, std::nan(""), 10}));
  EXPECT_FALSE(model.observe_cooldown({24, 26, 20, 10}));  // a rise is no cool-down
  EXPECT_EQ(model.warmup_fit(), RecoveryFit{});
  EXPECT_EQ(model.observe_warmup({17, 21, 0, 0}).error().code, ErrorCode::invalid);
}

TEST(ControlOptimalStart, CooldownIsLearnedSeparately) {
  OptimalStart model;
  // Pre-cooling is slower in the heat: 5 + 0.5 * outdoor min/K.
  for (int i = 0; i < 20; ++i) {
    const double outdoor = 20 + i % 12;
    ASSERT_TRUE(model.observe_cooldown({27, 24, outdoor, 3 * (5 + 0.5 * outdoor)}));
  }
  EXPECT_NEAR(model.cooldown_minutes_per_kelvin(30), 20, 0.5);
  EXPECT_NEAR(model.cooldown_lead_time(26, 24, 30), 40, 1);
  EXPECT_EQ(model.cooldown_lead_time(23, 24, 30), 0);
  EXPECT_DOUBLE_EQ(model.lead_time(18, 21, 0), 60);  // warm-up untouched: still the default
}

TEST(ControlOptimalStart, StateSurvivesJson) {
  auto model = OptimalStart::make({.default_minutes_per_kelvin = 25, .forgetting = 0.9});
  ASSERT_TRUE(model);
  for (int i = 0; i < 12; ++i) ASSERT_TRUE(model->observe_warmup(warmup(16, 21, -8 + 1.5 * i)));
  ASSERT_TRUE(model->observe_cooldown({27, 24, 28, 45}));
  const auto text = boost::json::serialize(model->to_json());
  auto again = OptimalStart::from_json(boost::json::parse(text));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->config(), model->config());
  // Equal to the last digit or two: Boost.JSON 1.81 parses doubles to within one ulp.
  const auto expect_same_fit = [](const RecoveryFit& a, const RecoveryFit& b) {
    EXPECT_DOUBLE_EQ(a.weight, b.weight);
    EXPECT_DOUBLE_EQ(a.sum_x, b.sum_x);
    EXPECT_DOUBLE_EQ(a.sum_y, b.sum_y);
    EXPECT_DOUBLE_EQ(a.sum_xx, b.sum_xx);
    EXPECT_DOUBLE_EQ(a.sum_xy, b.sum_xy);
    EXPECT_EQ(a.observations, b.observations);
  };
  expect_same_fit(again->warmup_fit(), model->warmup_fit());
  expect_same_fit(again->cooldown_fit(), model->cooldown_fit());
  EXPECT_GT(again->warmup_fit().observations, 0);
  EXPECT_DOUBLE_EQ(again->lead_time(17, 21, -3), model->lead_time(17, 21, -3));
  // Learning goes on from where it was.
  ASSERT_TRUE(model->observe_warmup(warmup(16, 21, 3)));
  ASSERT_TRUE(again->observe_warmup(warmup(16, 21, 3)));
  EXPECT_DOUBLE_EQ(again->lead_time(17, 21, -3), model->lead_time(17, 21, -3));
  // An empty document is a fresh model.
  auto fresh = OptimalStart::from_json(boost::json::parse("{}"));
  ASSERT_TRUE(fresh);
  EXPECT_DOUBLE_EQ(fresh->lead_time(18, 21, 0), 60);
}

TEST(ControlOptimalStart, BadStateIsRefusedWithItsPointer) {
  const auto field = [](const char* text) {
    auto m = OptimalStart::from_json(boost::json::parse(text));
    EXPECT_FALSE(m) << text;
    return m ? std::string() : m.error().field;
  };
  EXPECT_EQ(field(R"({"config": {"forgetting": 1.5}})"), "/config/forgetting");
  EXPECT_EQ(field(R"({"config": {"min_minutes_per_kelvin": 30}})"),
            "/config/default_minutes_per_kelvin");
  EXPECT_EQ(field(R"({"config": {"max_lead_minutes": 2000}})"), "/config/max_lead_minutes");
  EXPECT_EQ(field(R"({"config": {"min_observations": 0}})"), "/config/min_observations");
  EXPECT_EQ(field(R"({"config": {"speed": 1}})"), "/config/speed");
  EXPECT_EQ(field(R"({"warmup": {"weight": -1, "sum_x": 0, "sum_y": 0, "sum_xx": 0,
                                 "sum_xy": 0, "observations": 0}})"),
            "/warmup/weight");
  EXPECT_EQ(field(R"({"warmup": {"weight": 1}})"), "/warmup/sum_x");
  EXPECT_EQ(field(R"({"cooldown": []})"), "/cooldown");
}

TEST(ControlOptimalStart, PlantStartsTheLeadBeforeOccupancy) {
  const TimeMs seven = 1'780'000'000'000;
  EXPECT_EQ(plant_start_time(seven, 90), seven - 90 * 60'000);
  EXPECT_EQ(plant_start_time(seven, 90.2), seven - 91 * 60'000);  // rounded up: early, not late
  EXPECT_EQ(plant_start_time(seven, 0), seven);
  EXPECT_EQ(plant_start_time(seven, std::nan("")), seven);
}

TEST(ControlOptimalStart, TheScheduleSaysWhenThePlantStarts) {
  auto schedule = schedule_from_json(boost::json::parse(R"({"timezone": "Europe/Berlin",
      "modes": {"occupied": {"setpoint": 21}, "standby": {"setpoint": 18},
                "unoccupied": {"setpoint": 16}},
      "days": {"mon": [{"start": "07:00", "end": "17:00", "mode": "occupied"}]}})"));
  ASSERT_TRUE(schedule) << schedule.error().message;
  OptimalStart model;
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(model.observe_warmup(warmup(16, 21, -10 + 2 * i)));
  // Sunday 2026-01-11 20:00 UTC: next occupied is Monday 07:00 CET (06:00 UTC). The zone is at
  // 17 °C, 0 °C outside: 4 K at 30 min/K, two hours' lead: the plant starts 05:00 CET.
  const TimeMs sunday_evening = days_from_civil(2026, 1, 11) * 86'400'000LL + 20 * 3'600'000LL;
  const auto occupied = schedule->next_change_to(Mode::occupied, sunday_evening, 86'400'000LL);
  ASSERT_TRUE(occupied);
  const TimeMs monday_six_utc = days_from_civil(2026, 1, 12) * 86'400'000LL + 6 * 3'600'000LL;
  EXPECT_EQ(occupied->at, monday_six_utc);
  const double lead = model.lead_time(17, occupied->setpoints.setpoint, 0);
  EXPECT_NEAR(lead, 120, 0.5);
  EXPECT_NEAR(static_cast<double>(plant_start_time(occupied->at, lead)),
              static_cast<double>(monday_six_utc - 2 * 3'600'000LL), 60'000);
}

// A zone history: every morning at 06:00 the setpoint steps from 16 to 21 °C and the zone climbs
// linearly at the true rate until 21, then holds; the night setback lets it fall back to 16.
std::vector<ZoneSample> history(int days, double base_outdoor) {
  std::vector<ZoneSample> samples;
  const TimeMs step = 5 * 60'000;
  for (int d = 0; d < days; ++d) {
    const double outdoor = base_outdoor + (d % 7) * 2.5 - 7;
    const TimeMs morning = (20'000 + d) * 86'400'000LL + 6 * 3'600'000LL;
    double zone = 16;
    for (TimeMs t = morning - 3'600'000; t < morning + 10 * 3'600'000; t += step) {
      const bool comfort = t >= morning;
      if (comfort) zone = std::min(21.0, 16 + (t - morning) / 60'000.0 / true_rate(outdoor));
      samples.push_back({t, zone, outdoor, comfort ? 21.0 : 16.0, std::nullopt});
    }
  }
  return samples;
}

TEST(ControlOptimalStart, FindsWarmupsInAZoneHistoryAndLearnsFromThem) {
  const auto samples = history(21, 0);
  const auto found = find_recoveries(samples, RecoveryDirection::warmup);
  ASSERT_EQ(found.size(), 21u);
  for (const auto& r : found) {
    EXPECT_DOUBLE_EQ(r.start_temp, 16);
    EXPECT_DOUBLE_EQ(r.target_temp, 21 - kReachedKelvin);
    // The linear climb is interpolated exactly; the outdoor temperature is constant each day.
    EXPECT_NEAR(r.minutes, true_rate(r.outdoor_temp) * (r.target_temp - r.start_temp), 1e-6);
  }
  OptimalStart model;
  for (const auto& r : found) ASSERT_TRUE(model.observe_warmup(r));
  EXPECT_NEAR(model.warmup_minutes_per_kelvin(-5), true_rate(-5), 0.01);
  EXPECT_NEAR(model.warmup_minutes_per_kelvin(8), true_rate(8), 0.01);
  // No cool-downs in a heating history.
  EXPECT_TRUE(find_recoveries(samples, RecoveryDirection::cooldown).empty());
}

TEST(ControlOptimalStart, RecoveriesThatCannotBeMeasuredAreDropped) {
  auto samples = history(3, 0);
  // Day 0: a 40-minute gap in the climb. Day 1: the setpoint moves again before 21 is reached.
  const TimeMs morning0 = 20'000 * 86'400'000LL + 6 * 3'600'000LL;
  std::erase_if(samples, [&](const ZoneSample& s) {
    return s.at > morning0 + 10 * 60'000 && s.at < morning0 + 50 * 60'000;
  });
  const TimeMs morning1 = morning0 + 86'400'000LL;
  for (auto& s : samples)
    if (s.at >= morning1 + 30 * 60'000 && s.at < morning1 + 60 * 60'000) s.setpoint = 22;
  const auto found = find_recoveries(samples, RecoveryDirection::warmup);
  ASSERT_EQ(found.size(), 1u);  // day 2 only
  EXPECT_NEAR(found[0].outdoor_temp, 0 + 2 * 2.5 - 7, 1e-9);
  // Too slow to count: the plant could not make it within 60 minutes.
  EXPECT_TRUE(find_recoveries(history(1, 0), RecoveryDirection::warmup, 30 * 60'000, 60).empty());
  // A switch-on signal starts a warm-up as well as a setpoint step.
  std::vector<ZoneSample> on_off;
  for (int i = 0; i < 30; ++i)
    on_off.push_back(
        {i * 300'000LL, i < 5 ? 17.0 : std::min(21.0, 17 + (i - 5) * 0.25), 0, 21, i >= 5});
  const auto switched = find_recoveries(on_off, RecoveryDirection::warmup);
  ASSERT_EQ(switched.size(), 1u);
  EXPECT_NEAR(switched[0].minutes, (21 - kReachedKelvin - 17) / 0.25 * 5, 1e-6);
}

}  // namespace
}  // namespace citypulse::control
