// The simulator's meters: a load integrated into the register, shown in
// whole steps of its last digit, a rollover past the capacity, a meter
// exchange restarting the register while the consumption counts on.
#include <gtest/gtest.h>

#include "sim/meter.h"

namespace citypulse::sim {
namespace {

TEST(Meter, IntegratesTheLoadAndShowsWholeSteps) {
  Meter m({.resolution = 0.1, .capacity = 1e6}, 1000);
  m.add(2.0, 5400);  // 2 kW for 1.5 h
  EXPECT_DOUBLE_EQ(m.consumed(), 3.0);
  EXPECT_NEAR(m.reading(), 1003.0, 1e-9);
  m.add(0.06, 3600);  // 0.06 kWh: not yet a whole step
  EXPECT_NEAR(m.reading(), 1003.0, 1e-9);
  m.add(0.05, 3600);
  EXPECT_NEAR(m.reading(), 1003.1, 1e-9);
  m.add(-5, 3600);  // feed-in does not turn the register back
  EXPECT_NEAR(m.reading(), 1003.1, 1e-9);
}

TEST(Meter, RollsOverAndIsReplaced) {
  Meter m({.resolution = 1, .capacity = 100'000}, 99'990);
  m.add(20, 3600);  // 20 kWh: past 99,999
  EXPECT_NEAR(m.reading(), 10, 1e-9);
  m.replace(0);
  m.add(5, 3600);
  EXPECT_NEAR(m.reading(), 5, 1e-9);
  EXPECT_NEAR(m.consumed(), 25, 1e-9);
}

}  // namespace
}  // namespace citypulse::sim
