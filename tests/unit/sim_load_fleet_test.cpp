// The load generator's fleet: devices modelled on the town's, their
// channels and units, realistic values, registers that only count up
// however many messages are sent.
#include <gtest/gtest.h>

#include <set>

#include "sim/load_fleet.h"

namespace citypulse::sim {
namespace {

TEST(LoadFleet, DevicesTakeTheModelsChannelsNumberedOnWhenTheyNeedMore) {
  LoadFleet fleet(300, 12);
  EXPECT_EQ(fleet.devices(), 300);
  std::set<std::string> models, names;
  for (int d = 0; d < fleet.devices(); ++d) {
    models.insert(fleet.model(d));
    const auto& channels = fleet.channels(d);
    ASSERT_EQ(channels.size(), 12u);
    std::set<std::string> own;
    for (const auto& c : channels) {
      EXPECT_TRUE(own.insert(c.name).second) << fleet.model(d) << ": " << c.name;
      EXPECT_FALSE(c.quantity.empty());
      names.insert(c.name);
    }
  }
  EXPECT_GT(models.size(), 50u);  // the town's variety, not one kind repeated
  for (const char* n :
       {"temperature", "co2", "humidity", "electricity", "water_rate", "temperature_2"})
    EXPECT_TRUE(names.contains(n)) << n;
  LoadFleet one(5, 1);
  EXPECT_EQ(one.channels(0).size(), 1u);
}

TEST(LoadFleet, ValuesAreRealisticAndRegistersOnlyCountUp) {
  LoadFleet fleet(200, 6);
  int registers = 0;
  for (int d = 0; d < fleet.devices(); ++d) {
    const auto& channels = fleet.channels(d);
    for (std::size_t c = 0; c < channels.size(); ++c) {
      const int ci = static_cast<int>(c);
      if (channels[c].quantity == "energy" || channels[c].quantity == "volume") {
        ++registers;
        for (std::int64_t m = 1; m < 500; ++m)
          ASSERT_GE(fleet.value(d, ci, m), fleet.value(d, ci, m - 1))
              << channels[c].name << " " << m;
        EXPECT_GT(fleet.value(d, ci, 499), fleet.value(d, ci, 0));
      }
      if (channels[c].name == "temperature")
        for (std::int64_t m = 0; m < 96; ++m) {
          EXPECT_GT(fleet.value(d, ci, m), 5);
          EXPECT_LT(fleet.value(d, ci, m), 35);
        }
      if (channels[c].name == "co2") {
        for (std::int64_t m = 0; m < 96; ++m) EXPECT_GE(fleet.value(d, ci, m), 380);
      }
    }
  }
  EXPECT_GT(registers, 10);
}

}  // namespace
}  // namespace citypulse::sim
