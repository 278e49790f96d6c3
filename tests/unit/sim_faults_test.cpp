// The simulator's fault schedule: every kind once a period, the same faults
// for the same seed whatever range is asked, another seed elsewhere, each
// at its hour and within the period, and whether one is under way.
#include <gtest/gtest.h>

#include <set>

#include "core/calendar.h"
#include "sim/faults.h"

namespace citypulse::sim {
namespace {

constexpr TimeMs kDay = 86'400'000;
constexpr TimeMs kStart = 20'000 * kDay;  // 2024-10-04, any day

TEST(Faults, EveryKindOnceAPeriodAtItsHour) {
  const FaultPlan plan{.seed = 7, .buildings = 40, .period_days = 21};
  const auto faults = fault_schedule(plan, kStart, kStart + 63 * kDay);
  std::set<FaultKind> kinds;
  for (const auto& f : faults) {
    kinds.insert(f.kind);
    EXPECT_GE(f.building, 0);
    EXPECT_LT(f.building, 40);
    EXPECT_GT(f.to, f.from);
    EXPECT_LE(f.to - f.from, kLongestFaultMs);
    if (f.kind == FaultKind::hvac_at_night) {
      EXPECT_EQ(f.from % kDay, 21 * 3'600'000);
    }
    if (f.kind == FaultKind::meter_exchange) {
      EXPECT_EQ(f.to, f.from + 1);
    }
  }
  EXPECT_EQ(kinds.size(), kFaultKinds);
  // Three periods: each kind about three times (a range's edges may cut one).
  EXPECT_GE(faults.size(), 2 * kFaultKinds);
  EXPECT_LE(faults.size(), 4 * kFaultKinds);
  EXPECT_TRUE(std::is_sorted(faults.begin(), faults.end(),
                             [](const Fault& a, const Fault& b) { return a.from < b.from; }));
}

TEST(Faults, TheHeatingFaultsFallInTheHeatingSeasonOnly) {
  const FaultPlan plan{.seed = 3, .buildings = 10, .period_days = 7};
  std::set<unsigned> heating_months, other_months;
  for (const auto& f : fault_schedule(plan, kStart, kStart + 366 * kDay)) {
    const unsigned month = civil_from_days(f.from / kDay).month;
    const bool heating = f.kind == FaultKind::hvac_at_night || f.kind == FaultKind::window_open ||
                         f.kind == FaultKind::valve_leak;
    (heating ? heating_months : other_months).insert(month);
  }
  EXPECT_EQ(heating_months, (std::set<unsigned>{1, 2, 3, 11, 12}));
  EXPECT_EQ(other_months.size(), 12u);
}

TEST(Faults, TheSeedDecidesNotTheRangeAsked) {
  const FaultPlan plan{.seed = 7, .buildings = 40};
  const auto whole = fault_schedule(plan, kStart, kStart + 42 * kDay);
  auto halves = fault_schedule(plan, kStart, kStart + 21 * kDay);
  const auto second = fault_schedule(plan, kStart + 21 * kDay, kStart + 42 * kDay);
  halves.insert(halves.end(), second.begin(), second.end());
  ASSERT_EQ(whole.size(), halves.size());
  for (std::size_t i = 0; i < whole.size(); ++i) {
    EXPECT_EQ(whole[i].from, halves[i].from);
    EXPECT_EQ(whole[i].building, halves[i].building);
  }
  const auto other = fault_schedule({.seed = 8, .buildings = 40}, kStart, kStart + 42 * kDay);
  bool differs = other.size() != whole.size();
  for (std::size_t i = 0; !differs && i < whole.size(); ++i)
    differs = whole[i].from != other[i].from || whole[i].building != other[i].building;
  EXPECT_TRUE(differs);
}

TEST(Faults, WhetherOneIsUnderWay) {
  const auto faults = fault_schedule({.seed = 3, .buildings = 5}, kStart, kStart + 21 * kDay);
  ASSERT_FALSE(faults.empty());
  const Fault& f = faults.front();
  EXPECT_TRUE(fault_active(faults, f.kind, f.building, f.from));
  EXPECT_FALSE(fault_active(faults, f.kind, f.building, f.to));
  EXPECT_FALSE(fault_active(faults, f.kind, f.building, f.from - 1));
  EXPECT_TRUE(fault_schedule({.seed = 3, .buildings = 0}, kStart, kStart + kDay).empty());
  EXPECT_EQ(fault_name(FaultKind::water_leak), "water_leak");
}

}  // namespace
}  // namespace citypulse::sim
