// Recommendations (recommendations.h) on synthetic buildings with a known answer for each
// rule, worked out by hand in the comments: the finding when the data show the problem, none
// when they do not (the same building done right, with noise); bad input; and the electricity
// and heat rules over a real year of the Cambridge buildings (skipped without the archive).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <numbers>
#include <random>

#include "analytics/hourly_csv.h"
#include "analytics/local_hour.h"
#include "analytics/recommendations.h"
#include "analytics_cambridge_data.h"
#include "core/calendar.h"

namespace citypulse::analytics {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr TimeMs kHour = 3'600'000;
constexpr int kYearHours = 8760;

// 2018-01-01 (a Monday) 00:00 UTC: a whole year of 2018 is 52 weeks and a Monday.
const TimeMs kStart2018 = days_from_civil(2018, 1, 1) * 86'400'000;

bool office_hour(int how) {
  return how < 5 * 24 && how % 24 >= 8 && how % 24 < 18;
}

OccupiedHours office_schedule() {
  OccupiedHours s{};
  for (int h = 0; h < kHoursPerWeek; ++h) s[h] = office_hour(h);
  return s;
}

// The local hour of the i-th hour of a building.
LocalHour local_of(const BuildingHours& b, std::size_t i) {
  const TimeMs local = b.zone.to_local(b.start + static_cast<TimeMs>(i) * kHour);
  return local / kHour;  // after 1970: no floor needed
}

// An office: `day` kW in occupied hours (weekdays 08–18 local), `night` kW on weekday nights,
// `weekend` kW on Saturdays and Sundays; uniform noise of ± `noise` kW from a fixed seed.
BuildingHours office(double day, double night, double weekend, int hours = kYearHours,
                     TimeMs start = kStart2018, double noise = 0,
                     const Timezone& zone = Timezone::utc()) {
  BuildingHours b;
  b.zone = zone;
  b.start = start;
  std::mt19937 random(7);
  for (int i = 0; i < hours; ++i) {
    const int how = hour_of_week(local_of(b, i));
    const double level = office_hour(how) ? day : how >= 5 * 24 ? weekend : night;
    const double jitter = noise * (2.0 * random() / std::mt19937::max() - 1);
    b.electricity_kwh.push_back(level + jitter);
  }
  return b;
}

EnergyPrices euro_prices() {
  EnergyPrices p;
  p.currency = "EUR";
  p.electricity_per_kwh = 0.25;
  p.heat_per_kwh = 0.10;
  return p;
}

const CarbonFactors kCarbon{0.38, 0.201};

const Finding* find(const Recommendations& r, FindingKind kind) {
  for (const auto& f : r.findings) {
    if (f.kind == kind) return &f;
  }
  return nullptr;
}

const NotJudged* not_judged(const Recommendations& r, FindingKind kind) {
  for (const auto& n : r.not_judged) {
    if (n.kind == kind) return &n;
  }
  return nullptr;
}

double figure(const Finding& f, const std::string& name) {
  for (const auto& x : f.figures) {
    if (x.name == name) return x.value;
  }
  ADD_FAILURE() << "no figure " << name;
  return kNaN;
}

// --- base_load ----------------------------------------------------------------------------

TEST(RecommendBaseLoad, NightsAt60PercentOfTheDayAreFound) {
  // Weeknights at 60 % of the 100 kW day; weekends show 30 kW is possible. Unoccupied hours:
  // 52 × 70 weeknight hours + 14 on the last Monday at 60 kW, 52 × 48 weekend hours at 30 kW,
  // so their median is 60; the days' unoccupied medians are 60 (261 weekdays) and 30 (104
  // weekend days), so the achievable level (10 % quantile) is 30. Excess: (52 × 70 + 14) × 30
  // = 109,620 kWh, half of it realised: 54,810 kWh a year (the period is a year).
  const auto b = office(100, 60, 30);
  auto r = recommend(b, euro_prices(), kCarbon);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->occupancy_detected);
  ASSERT_TRUE(r->occupied);
  EXPECT_EQ(*r->occupied, office_schedule());
  const auto* f = find(*r, FindingKind::base_load);
  ASSERT_NE(f, nullptr);
  EXPECT_NEAR(f->per_year.kwh, 54'810, 1e-6);
  EXPECT_NEAR(f->per_year.money, 54'810 * 0.25, 1e-6);
  EXPECT_NEAR(f->per_year.kg_co2, 54'810 * 0.38, 1e-6);
  EXPECT_DOUBLE_EQ(figure(*f, "occupied_median_kw"), 100);
  EXPECT_DOUBLE_EQ(figure(*f, "unoccupied_median_kw"), 60);
  EXPECT_DOUBLE_EQ(figure(*f, "achievable_kw"), 30);
  EXPECT_DOUBLE_EQ(figure(*f, "unoccupied_share"), 0.6);
  // Every whole week has the same excess: the first is shown.
  ASSERT_EQ(f->evidence.size(), 1u);
  EXPECT_EQ(f->evidence[0].start, kStart2018);
  EXPECT_EQ(f->evidence[0].end, kStart2018 + 168 * kHour);
  EXPECT_NE(f->evidence[0].label.find("week of 2018-01-01"), std::string::npos);
  // 13,703 EUR of an annual 138,780 (555,120 kWh at 0.25): high.
  EXPECT_EQ(f->severity, Severity::high);
  EXPECT_EQ(f->priority, 1);
  EXPECT_EQ(std::string(to_string(f->kind)), "base_load");
  EXPECT_NE(f->explanation.find("60.0 kW, 60 % of the 100.0 kW"), std::string::npos)
      << f->explanation;
  EXPECT_NE(f->explanation.find("54,810 kWh (EUR 13,703)"), std::string::npos) << f->explanation;
}

TEST(RecommendBaseLoad, AProperSetbackIsNotFound) {
  // Nights and weekends at 20 % of the day, exact and with ± 3 kW of noise.
  for (const double noise : {0.0, 3.0}) {
    auto r = recommend(office(100, 20, 20, kYearHours, kStart2018, noise), euro_prices(), kCarbon);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(find(*r, FindingKind::base_load), nullptr) << noise;
    EXPECT_EQ(not_judged(*r, FindingKind::base_load), nullptr) << noise;
  }
}

TEST(RecommendBaseLoad, NothingBelowANightLoadTheBuildingNeverLeaves) {
  // 60 % every night and weekend: the data show no lower level to reach.
  auto r = recommend(office(100, 60, 60), euro_prices(), kCarbon);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(find(*r, FindingKind::base_load), nullptr);
}

TEST(RecommendBaseLoad, LocalHoursEightWeeksAnnualised) {
  // The same office in Berlin, 8 weeks from local Monday 2018-01-01 00:00 (2017-12-31 23:00
  // UTC), no DST change: excess 8 × 70 × 30 = 16,800 kWh, half realised, × 8760 / 1344.
  auto berlin = Timezone::load("Europe/Berlin");
  ASSERT_TRUE(berlin) << berlin.error().message;
  const TimeMs start = kStart2018 - kHour;
  const auto b = office(100, 60, 30, 1344, start, 0, *berlin);
  auto r = recommend(b, euro_prices(), kCarbon);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r->occupied);
  EXPECT_EQ(*r->occupied, office_schedule());  // in local hours, not UTC
  const auto* f = find(*r, FindingKind::base_load);
  ASSERT_NE(f, nullptr);
  EXPECT_NEAR(f->per_year.kwh, 16'800 * 0.5 * 8760 / 1344, 1e-6);
  ASSERT_EQ(f->evidence.size(), 1u);
  EXPECT_EQ(f->evidence[0].start, start);  // the local week starts at 23:00 UTC
  EXPECT_EQ(f->evidence[0].end, start + 168 * kHour);
}

// --- plant_outside_occupancy ---------------------------------------------------------------

// Heat that follows a daily outdoor temperature cycling through 1, 3, 5, 7, 9 °C (one value a
// day, five-day cycle, so every temperature meets every weekday): 5 × (16 − T) kW, times
// `unoccupied_factor` outside office hours.
BuildingHours heated_office(double unoccupied_factor) {
  BuildingHours b;
  b.start = kStart2018;
  b.occupied = office_schedule();
  for (int i = 0; i < kYearHours; ++i) {
    const double t = 1 + 2 * ((i / 24) % 5);
    const bool occupied = office_hour(hour_of_week(local_of(b, i)));
    b.electricity_kwh.push_back(50);
    b.outdoor_temperature.push_back(t);
    b.heat_kwh.push_back((occupied ? 1 : unoccupied_factor) * 5 * (16 - t));
  }
  return b;
}

TEST(RecommendPlant, HeatRunningAtNightIsFound) {
  // No setback: at each temperature the unoccupied hours use what the occupied hours use
  // (share 1 > 0.8); a setback to 60 % saves 40 % of the unoccupied heat.
  const auto b = heated_office(1.0);
  double unoccupied_heat = 0;
  for (int i = 0; i < kYearHours; ++i) {
    if (!office_hour(hour_of_week(local_of(b, i)))) unoccupied_heat += b.heat_kwh[i];
  }
  auto r = recommend(b, euro_prices(), kCarbon);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->occupancy_detected);
  const auto* f = find(*r, FindingKind::plant_outside_occupancy);
  ASSERT_NE(f, nullptr);
  EXPECT_NEAR(f->per_year.kwh, 0.4 * unoccupied_heat, 1e-6);
  EXPECT_NEAR(f->per_year.money, 0.4 * unoccupied_heat * 0.10, 1e-6);
  EXPECT_NEAR(f->per_year.kg_co2, 0.4 * unoccupied_heat * 0.201, 1e-6);
  EXPECT_NEAR(figure(*f, "unoccupied_share"), 1.0, 1e-12);
  EXPECT_EQ(f->evidence.size(), 1u);
  // The flat electricity is judged and shows nothing.
  EXPECT_EQ(find(*r, FindingKind::base_load), nullptr);
}

TEST(RecommendPlant, ASetbackIsNotFound) {
  auto r = recommend(heated_office(0.5), euro_prices(), kCarbon);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(find(*r, FindingKind::plant_outside_occupancy), nullptr);
}

TEST(RecommendPlant, NeedsTheOutdoorTemperature) {
  auto b = heated_office(1.0);
  b.outdoor_temperature.clear();
  auto r = recommend(b, euro_prices(), kCarbon);
  ASSERT_TRUE(r) << r.error().message;
  const auto* n = not_judged(*r, FindingKind::plant_outside_occupancy);
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->reason, NotJudgedReason::no_temperature);
}

// --- peak_demand -----------------------------------------------------------------------------

TEST(RecommendPeakDemand, PeaksOnKnownHoursUnderADemandCharge) {
  // 100 kW flat; 200 kW at three hours in January, 160 kW at one in June. Each month's 98 %
  // quantile is 100 kW (4 of 744 or 720 hours are above it), so shaving saves
  // (200 − 100) × 12 + (160 − 100) × 12 = 1,920 EUR over the 12 months judged.
  auto b = office(100, 100, 100);
  auto at = [](unsigned month, unsigned day, int hour) {
    return static_cast<std::size_t>(
        (days_from_civil(2018, month, day) - days_from_civil(2018, 1, 1)) * 24 + hour);
  };
  for (const auto i : {at(1, 15, 10), at(1, 16, 11), at(1, 22, 9)}) b.electricity_kwh[i] = 200;
  b.electricity_kwh[at(6, 5, 14)] = 160;
  auto prices = euro_prices();
  prices.demand = DemandCharge{12, 15};
  auto r = recommend(b, prices, kCarbon);
  ASSERT_TRUE(r) << r.error().message;
  const auto* f = find(*r, FindingKind::peak_demand);
  ASSERT_NE(f, nullptr);
  EXPECT_NEAR(f->per_year.money, 1'920, 1e-9);
  EXPECT_EQ(f->per_year.kwh, 0);
  EXPECT_EQ(f->per_year.kg_co2, 0);
  EXPECT_EQ(figure(*f, "months_judged"), 12);
  EXPECT_EQ(figure(*f, "months_with_peaks"), 2);
  EXPECT_EQ(figure(*f, "highest_peak_kw"), 200);
  // The four events, one hour each, in time order.
  ASSERT_EQ(f->evidence.size(), 4u);
  const std::size_t hours[] = {at(1, 15, 10), at(1, 16, 11), at(1, 22, 9), at(6, 5, 14)};
  for (std::size_t k = 0; k < 4; ++k) {
    EXPECT_EQ(f->evidence[k].start, kStart2018 + static_cast<TimeMs>(hours[k]) * kHour);
    EXPECT_EQ(f->evidence[k].end, f->evidence[k].start + kHour);
  }
  EXPECT_NE(f->evidence[3].label.find("160.0 kW at 2018-06-05 14:00"), std::string::npos)
      << f->evidence[3].label;
  // Hourly data under a 15-minute demand interval: said so.
  EXPECT_NE(f->explanation.find("15-minute"), std::string::npos) << f->explanation;
}

TEST(RecommendPeakDemand, AnOrdinaryOfficeHasNoPeakEvents) {
  auto prices = euro_prices();
  prices.demand = DemandCharge{12, 60};
  for (const double noise : {0.0, 3.0}) {
    auto r = recommend(office(100, 20, 20, kYearHours, kStart2018, noise), prices, kCarbon);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(find(*r, FindingKind::peak_demand), nullptr) << noise;
  }
}

TEST(RecommendPeakDemand, OnlyUnderADemandCharge) {
  auto r = recommend(office(100, 20, 20), euro_prices(), kCarbon);
  ASSERT_TRUE(r) << r.error().message;
  const auto* n = not_judged(*r, FindingKind::peak_demand);
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->reason, NotJudgedReason::no_demand_charge);
}

// --- load_shifting ---------------------------------------------------------------------------

// 100 kW from 06:00 to 22:00 and 20 kW otherwise, every day; the price is 0.10 from 00:00 to
// 04:00 and `high` otherwise.
BuildingHours daily_load(std::vector<double>& prices, double high) {
  BuildingHours b;
  b.start = kStart2018;
  for (int i = 0; i < kYearHours; ++i) {
    const int hour = i % 24;
    b.electricity_kwh.push_back(hour >= 6 && hour < 22 ? 100 : 20);
    prices.push_back(hour < 4 ? 0.10 : high);
  }
  return b;
}

TEST(RecommendLoadShifting, AKnownDailySpread) {
  // Base load 20 kW (the 10 % quantile). The four cheapest hours receive; the 16 hours at
  // 100 kW each give 10 % of 80 kW = 8 kWh at 0.20 more: 128 kWh × 0.20 = 25.60 a day,
  // 9,344 a year (365 days judged, 8760 hours).
  auto prices = euro_prices();
  const auto b = daily_load(prices.electricity_hourly, 0.30);
  auto r = recommend(b, prices, kCarbon);
  ASSERT_TRUE(r) << r.error().message;
  const auto* f = find(*r, FindingKind::load_shifting);
  ASSERT_NE(f, nullptr);
  EXPECT_NEAR(f->per_year.money, 9'344, 1e-6);
  EXPECT_EQ(f->per_year.kwh, 0);
  EXPECT_DOUBLE_EQ(figure(*f, "base_kw"), 20);
  EXPECT_NEAR(figure(*f, "shifted_kwh_per_year"), 128 * 365, 1e-6);
  EXPECT_NEAR(figure(*f, "mean_price_difference"), 0.20, 1e-12);
  ASSERT_EQ(f->evidence.size(), 1u);  // every day alike: the first
  EXPECT_EQ(f->evidence[0].start, kStart2018);
  EXPECT_EQ(f->evidence[0].end, kStart2018 + 24 * kHour);
}

TEST(RecommendLoadShifting, AFlatPriceSavesNothing) {
  auto prices = euro_prices();
  const auto b = daily_load(prices.electricity_hourly, 0.10);
  auto r = recommend(b, prices, kCarbon);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(find(*r, FindingKind::load_shifting), nullptr);
  EXPECT_EQ(not_judged(*r, FindingKind::load_shifting), nullptr);
}

TEST(RecommendLoadShifting, OnlyWithAnHourlyPrice) {
  std::vector<double> unused;
  auto r = recommend(daily_load(unused, 0.3), euro_prices(), kCarbon);
  ASSERT_TRUE(r) << r.error().message;
  const auto* n = not_judged(*r, FindingKind::load_shifting);
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->reason, NotJudgedReason::no_price_series);
}

// --- heating_above_limit and heating_windows_open --------------------------------------------

// A heated office over 2018: the day's outdoor temperature 8 − 10 cos(2π (day − 15) / 365)
// (−2 to 18 °C); heat 8 kW/K below 15 °C in occupied hours, half of it outside (a setback),
// plus 5 kW of hot water throughout. Electricity with a proper night setback.
double daily_temperature(int day) {
  return 8 - 10 * std::cos(2 * std::numbers::pi * (day - 15) / 365);
}

BuildingHours heated_building() {
  auto b = office(100, 20, 20);
  b.occupied = office_schedule();
  for (int i = 0; i < kYearHours; ++i) {
    const double t = daily_temperature(i / 24);
    const bool occupied = office_hour(hour_of_week(local_of(b, i)));
    b.outdoor_temperature.push_back(t);
    b.heat_kwh.push_back((occupied ? 1.0 : 0.5) * 8 * std::max(0.0, 15 - t) + 5);
  }
  return b;
}

TEST(RecommendHeating, HeatOnWarmDaysIsFound) {
  // The first 12 warm days from 1 July run 30 kW of heating all day: 12 × 24 × 30 =
  // 8,640 kWh above the 5 kW hot-water base, three quarters of it avoidable: 6,480 kWh.
  auto b = heated_building();
  int faulty = 0;
  for (int day = days_from_civil(2018, 7, 1) - days_from_civil(2018, 1, 1);
       faulty < 12 && day < 365; ++day) {
    if (!(daily_temperature(day) > 15)) continue;
    for (int h = 0; h < 24; ++h) b.heat_kwh[day * 24 + h] += 30;
    ++faulty;
  }
  ASSERT_EQ(faulty, 12);
  auto r = recommend(b, euro_prices(), kCarbon);
  ASSERT_TRUE(r) << r.error().message;
  const auto* f = find(*r, FindingKind::heating_above_limit);
  ASSERT_NE(f, nullptr);
  EXPECT_NEAR(f->per_year.kwh, 6'480, 1e-6);
  EXPECT_NEAR(f->per_year.money, 648, 1e-6);
  EXPECT_EQ(figure(*f, "heating_days"), 12);
  EXPECT_DOUBLE_EQ(figure(*f, "hot_water_base_kw_working_days"), 5);
  EXPECT_DOUBLE_EQ(figure(*f, "hot_water_base_kw_other_days"), 5);
  EXPECT_EQ(f->evidence.size(), 3u);
  for (const auto& e : f->evidence) EXPECT_EQ(e.end - e.start, 24 * kHour);
  EXPECT_EQ(find(*r, FindingKind::plant_outside_occupancy), nullptr);
}

TEST(RecommendHeating, WindowsOpenWhileHeating) {
  // Every window open from 09:00 to 13:00 on 2–29 January, cold days: the heat above the 5 kW
  // base in those hours, × the share 1, half of it: the expected saving.
  auto b = heated_building();
  b.window_open_share.assign(kYearHours, 0.0);
  double above_base = 0;
  for (int day = 1; day <= 28; ++day) {
    for (int h = 9; h < 13; ++h) {
      b.window_open_share[day * 24 + h] = 1;
      above_base += b.heat_kwh[day * 24 + h] - 5;
    }
  }
  auto r = recommend(b, euro_prices(), kCarbon);
  ASSERT_TRUE(r) << r.error().message;
  const auto* f = find(*r, FindingKind::heating_windows_open);
  ASSERT_NE(f, nullptr);
  EXPECT_NEAR(f->per_year.kwh, 0.5 * above_base, 1e-6);
  EXPECT_EQ(figure(*f, "hours_open_with_heat"), 28 * 4);
  EXPECT_EQ(figure(*f, "mean_open_share"), 1);
  ASSERT_EQ(f->evidence.size(), 3u);
  EXPECT_LT(f->evidence.back().start, kStart2018 + 30 * 24 * kHour);
}

TEST(RecommendHeating, WindowsOpenInSummerWithoutHeatAreNotFound) {
  auto b = heated_building();
  b.window_open_share.assign(kYearHours, 0.0);
  for (int day = 180; day < 240; ++day) {
    for (int h = 8; h < 18; ++h) b.window_open_share[day * 24 + h] = 0.7;
  }
  auto r = recommend(b, euro_prices(), kCarbon);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(find(*r, FindingKind::heating_windows_open), nullptr);
}

TEST(RecommendHeating, EightWinterWeeksCannotJudgeWarmDays) {
  auto b = heated_building();
  for (auto* series : {&b.electricity_kwh, &b.heat_kwh, &b.outdoor_temperature}) {
    series->resize(8 * 168);
  }
  auto r = recommend(b, euro_prices(), kCarbon);
  ASSERT_TRUE(r) << r.error().message;
  const auto* n = not_judged(*r, FindingKind::heating_above_limit);
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->reason, NotJudgedReason::too_little_data);
  EXPECT_NE(n->message.find("heating limit"), std::string::npos) << n->message;
}

// --- the building done right, and the ranking ------------------------------------------------

TEST(Recommend, ACleanBuildingHasNoFindings) {
  // Every series present, every rule able to judge, nothing wrong: a setback on electricity
  // and heat, no heat on warm days, windows shut, a flat hourly price, a demand charge without
  // peaks; with noise.
  auto b = heated_building();
  std::mt19937 random(11);
  for (auto& v : b.electricity_kwh) v += 3.0 * random() / std::mt19937::max();
  for (auto& v : b.heat_kwh) v *= 1 + 0.05 * random() / std::mt19937::max();
  b.window_open_share.assign(kYearHours, 0.0);
  auto prices = euro_prices();
  prices.electricity_hourly.assign(kYearHours, 0.25);
  prices.demand = DemandCharge{12, 15};
  auto r = recommend(b, prices, kCarbon);
  ASSERT_TRUE(r) << r.error().message;
  for (const auto& f : r->findings) ADD_FAILURE() << to_string(f.kind) << ": " << f.explanation;
  for (const auto& n : r->not_judged) ADD_FAILURE() << to_string(n.kind) << ": " << n.message;
}

TEST(Recommend, FindingsByMoneySaving) {
  // The base-load office with a demand charge, a 250 kW peak each month and an hourly price:
  // peaks (150 kW × 12 EUR × 12 months = 21,600 EUR), base load (13,703 EUR) and shifting
  // (about 3,700 EUR), largest money first, priorities 1, 2, 3.
  auto b = office(100, 60, 30);
  for (unsigned month = 1; month <= 12; ++month) {
    const auto day = days_from_civil(2018, month, 15) - days_from_civil(2018, 1, 1);
    b.electricity_kwh[day * 24 + 10] = 250;
  }
  auto prices = euro_prices();
  prices.demand = DemandCharge{12, 60};
  for (int i = 0; i < kYearHours; ++i) {
    prices.electricity_hourly.push_back(i % 24 < 6 ? 0.15 : 0.30);
  }
  auto r = recommend(b, prices, kCarbon);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->findings.size(), 3u);
  for (std::size_t k = 0; k < r->findings.size(); ++k) {
    EXPECT_EQ(r->findings[k].priority, static_cast<int>(k) + 1);
    if (k > 0) {
      EXPECT_GE(r->findings[k - 1].per_year.money, r->findings[k].per_year.money);
    }
  }
  EXPECT_EQ(r->findings[0].kind, FindingKind::peak_demand);
  EXPECT_NEAR(r->findings[0].per_year.money, 21'600, 1e-9);
  EXPECT_EQ(r->findings[1].kind, FindingKind::base_load);
  EXPECT_EQ(r->findings[2].kind, FindingKind::load_shifting);
  EXPECT_GT(r->annual_energy_cost, 0);
}

TEST(Recommend, TooLittleDataIsNotAnError) {
  // Ten days: every rule says why it could not judge; nothing is found.
  auto b = heated_building();
  for (auto* series : {&b.electricity_kwh, &b.heat_kwh, &b.outdoor_temperature}) {
    series->resize(240);
  }
  b.occupied.reset();
  auto prices = euro_prices();
  prices.electricity_hourly.assign(240, 0.2);
  prices.demand = DemandCharge{10, 15};
  auto r = recommend(b, prices, kCarbon);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->findings.empty());
  EXPECT_FALSE(r->occupied);
  ASSERT_EQ(r->not_judged.size(), 6u);
  for (const auto& n : r->not_judged) {
    if (n.kind == FindingKind::heating_windows_open) {
      EXPECT_EQ(n.reason, NotJudgedReason::no_data);  // no window contacts
    } else {
      EXPECT_EQ(n.reason, NotJudgedReason::too_little_data) << to_string(n.kind);
    }
  }
}

// --- bad input -------------------------------------------------------------------------------

TEST(RecommendBadInput, NamesTheField) {
  auto check = [](const BuildingHours& b, const EnergyPrices& p, const CarbonFactors& c,
                  const RecommendationOptions& o, const std::string& field) {
    auto r = recommend(b, p, c, o);
    ASSERT_FALSE(r) << field;
    EXPECT_EQ(r.error().code, ErrorCode::invalid) << field;
    EXPECT_EQ(r.error().field, field) << r.error().message;
    EXPECT_FALSE(r.error().message.empty());
  };
  const auto good = office(100, 20, 20, 500);
  const auto prices = euro_prices();
  const RecommendationOptions options;
  {
    BuildingHours b;
    check(b, prices, kCarbon, options, "/electricity_kwh");
  }
  {
    auto b = good;
    b.start += 1000;
    check(b, prices, kCarbon, options, "/start");
  }
  {
    auto b = good;
    b.electricity_kwh[17] = -1;
    check(b, prices, kCarbon, options, "/electricity_kwh/17");
    b.electricity_kwh[17] = std::numeric_limits<double>::infinity();
    check(b, prices, kCarbon, options, "/electricity_kwh/17");
  }
  {
    auto b = good;
    b.heat_kwh.assign(499, 1.0);
    check(b, prices, kCarbon, options, "/heat_kwh");
  }
  {
    auto b = good;
    b.outdoor_temperature.assign(500, 5.0);
    b.outdoor_temperature[3] = -std::numeric_limits<double>::infinity();
    check(b, prices, kCarbon, options, "/outdoor_temperature/3");
  }
  {
    auto b = good;
    b.window_open_share.assign(500, 0.0);
    b.window_open_share[3] = 1.5;
    check(b, prices, kCarbon, options, "/window_open_share/3");
  }
  {
    auto p = prices;
    p.electricity_per_kwh = -0.1;
    check(good, p, kCarbon, options, "/prices/electricity_per_kwh");
  }
  {
    auto p = prices;
    p.electricity_hourly.assign(500, -0.05);  // negative hourly prices are allowed
    auto r = recommend(good, p, kCarbon);
    EXPECT_TRUE(r) << r.error().message;
    p.electricity_hourly[5] = std::numeric_limits<double>::infinity();
    check(good, p, kCarbon, options, "/prices/electricity_hourly/5");
    p.electricity_hourly.resize(10);
    check(good, p, kCarbon, options, "/prices/electricity_hourly");
  }
  {
    auto p = prices;
    p.demand = DemandCharge{10, 30};
    check(good, p, kCarbon, options, "/prices/demand/interval_minutes");
    p.demand = DemandCharge{-1, 15};
    check(good, p, kCarbon, options, "/prices/demand/price_per_kw");
  }
  {
    auto c = kCarbon;
    c.heat_kg_per_kwh = kNaN;
    check(good, prices, c, options, "/carbon/heat_kg_per_kwh");
  }
  {
    auto o = options;
    o.base_load_realisation = 1.5;
    check(good, prices, kCarbon, o, "/options/base_load_realisation");
    o = options;
    o.temperature_bin = 0;
    check(good, prices, kCarbon, o, "/options/temperature_bin");
  }
}

// --- the Cambridge buildings ----------------------------------------------------------------

// An hourly file of the archive as values aligned with 2019's hours (naive local hours taken
// as UTC, as analytics_cost_cambridge_test.cpp does); an exact 0 is missing when `zero_missing`.
std::vector<double> year_2019(const std::filesystem::path& file, bool zero_missing) {
  std::vector<double> out(kYearHours, kNaN);
  auto rows = read_hourly_csv(file);
  EXPECT_TRUE(rows) << rows.error().message;
  if (!rows) return out;
  const LocalHour first = local_hour_of(2019, 1, 1, 0);
  for (const auto& row : *rows) {
    const auto i = row.hour - first;
    if (i < 0 || i >= kYearHours) continue;
    out[i] = zero_missing && row.value == 0 ? kNaN : row.value;
  }
  return out;
}

TEST(RecommendCambridge, TheRulesOverARealYear) {
  const auto dir = cambridge_data(
      {"electricity", "gas", "weather/bedford_2019.csv", "price/agile_import_2019.csv"});
  if (!dir) GTEST_SKIP() << kNoCambridgeData;
  const auto temperature = year_2019(*dir / "weather" / "bedford_2019.csv", false);
  const auto agile = year_2019(*dir / "price" / "agile_import_2019.csv", false);
  EnergyPrices prices;
  prices.currency = "GBP";
  prices.electricity_per_kwh = 0.116;  // b2's load-weighted Agile mean (cost test)
  prices.heat_per_kwh = 0.04;
  prices.electricity_hourly = agile;
  prices.demand = DemandCharge{10, 15};  // illustrative: the archive has no demand tariff
  const CarbonFactors carbon{0.194, 0.201};
  const TimeMs start = days_from_civil(2019, 1, 1) * 86'400'000;
  const TimeMs end = start + kYearHours * kHour;
  int buildings = 0;
  for (const char* name : {"b2", "b21", "b33", "b35", "b40", "b58", "b7", "b97"}) {
    const auto electricity = *dir / "electricity" / (std::string(name) + "_2019.csv");
    if (!std::filesystem::exists(electricity)) continue;
    SCOPED_TRACE(name);
    ++buildings;
    BuildingHours b;
    b.start = start;
    b.electricity_kwh = year_2019(electricity, true);
    const auto gas = *dir / "gas" / (std::string(name) + "_2019.csv");
    if (std::filesystem::exists(gas)) {
      b.heat_kwh = year_2019(gas, true);
      b.outdoor_temperature = temperature;
    }
    auto r = recommend(b, prices, carbon);
    ASSERT_TRUE(r) << r.error().message;
    double electricity_kwh = 0, heat_kwh = 0;
    for (const double v : b.electricity_kwh) electricity_kwh += std::isnan(v) ? 0 : v;
    for (const double v : b.heat_kwh) heat_kwh += std::isnan(v) ? 0 : v;
    std::printf("%s: %.0f kWh electricity, %.0f kWh heat, annual cost %.0f, schedule %s\n", name,
                electricity_kwh, heat_kwh, r->annual_energy_cost,
                r->occupied ? (r->occupancy_detected ? "detected" : "given") : "none");
    for (const auto& f : r->findings) {
      std::printf("  %d %s [%s] %.0f kWh %.0f GBP %.0f kg: %s\n", f.priority, to_string(f.kind),
                  to_string(f.severity), f.per_year.kwh, f.per_year.money, f.per_year.kg_co2,
                  f.explanation.c_str());
      EXPECT_GE(f.per_year.kwh, 0);
      EXPECT_GT(f.per_year.money, 0);
      EXPECT_GE(f.per_year.kg_co2, 0);
      const bool heat = f.kind == FindingKind::plant_outside_occupancy ||
                        f.kind == FindingKind::heating_above_limit ||
                        f.kind == FindingKind::heating_windows_open;
      // Savings below the building's consumption (the year is whole, so no annualising).
      EXPECT_LT(f.per_year.kwh, heat ? heat_kwh : electricity_kwh);
      EXPECT_LT(f.per_year.money, r->annual_energy_cost);
      EXPECT_FALSE(f.evidence.empty());
      for (const auto& e : f.evidence) {
        EXPECT_GE(e.start, start);
        EXPECT_LE(e.end, end);
        EXPECT_LT(e.start, e.end);
      }
    }
    for (const auto& n : r->not_judged) {
      std::printf("  not judged: %s (%s): %s\n", to_string(n.kind), to_string(n.reason),
                  n.message.c_str());
    }
    for (std::size_t k = 1; k < r->findings.size(); ++k) {
      EXPECT_GE(r->findings[k - 1].per_year.money, r->findings[k].per_year.money);
    }
  }
  EXPECT_EQ(buildings, 8);
}

}  // namespace
}  // namespace citypulse::analytics
