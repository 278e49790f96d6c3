// The demo town's plan and layout: the landmarks and the generated
// buildings, unique keys and serials, every point on a device, and the
// size the town is meant to have.
#include <gtest/gtest.h>

#include <set>

#include "sim/town_layout.h"

namespace citypulse::sim {
namespace {

TEST(SimTown, TheFirstSevenAreTheLandmarksWithAboutSevenHundredFortyFivePoints) {
  auto town = town_layout(town_plan(7, 1));
  ASSERT_EQ(town.buildings.size(), 7u);
  EXPECT_EQ(town.buildings[0].type, "town_hall");
  EXPECT_EQ(town.buildings[5].type, "swimming_pool");
  EXPECT_GE(town.points.size(), 700u);
  EXPECT_LE(town.points.size(), 790u);
}

TEST(SimTown, FortyBuildingsOfTheMunicipalTypesWithUniqueKeysAndSerials) {
  auto town = town_layout(town_plan(40, 7));
  ASSERT_EQ(town.buildings.size(), 40u);
  std::set<std::string> types, keys, serials, names;
  for (const auto& b : town.buildings) {
    types.insert(b.type);
    EXPECT_TRUE(names.insert(b.name).second) << b.name;
    EXPECT_GT(b.area_m2, 100);
    EXPECT_GE(b.area_factor(), 1.0);
  }
  for (const char* t : {"town_hall", "primary_school", "secondary_school", "kindergarten",
                        "sports_hall", "swimming_pool", "library", "museum", "fire_station",
                        "depot", "office", "community_centre"})
    EXPECT_TRUE(types.contains(t)) << t;
  for (const auto& p : town.points) EXPECT_TRUE(keys.insert(p.key).second) << p.key;
  for (const auto& d : town.devices) {
    EXPECT_TRUE(serials.insert(d.serial).second) << d.serial;
    std::set<std::string> channels;
    for (int p : d.points) EXPECT_TRUE(channels.insert(town.points[p].channel).second) << d.name;
    if (d.link == Link::via_gateway) {
      ASSERT_TRUE(d.gateway);
      EXPECT_EQ(town.devices[*d.gateway].link, Link::mqtt_gateway);
    }
  }
  for (std::size_t i = 0; i < town.points.size(); ++i) {
    const auto& d = town.devices[town.points[i].device];
    EXPECT_NE(std::find(d.points.begin(), d.points.end(), static_cast<int>(i)), d.points.end());
  }
  // Every transport carries some of the town.
  std::set<Link> links;
  for (const auto& d : town.devices) links.insert(d.link);
  EXPECT_EQ(links.size(), 5u);
  EXPECT_GT(town.points.size(), 2000u);
}

TEST(SimTown, TheSameSeedGivesTheSameTownAndAnotherSeedAnother) {
  auto a = town_plan(20, 3), b = town_plan(20, 3), c = town_plan(20, 4);
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].name, b[i].name);
    EXPECT_EQ(a[i].area_m2, b[i].area_m2);
  }
  bool differs = false;
  for (std::size_t i = 7; i < a.size(); ++i) differs |= a[i].area_m2 != c[i].area_m2;
  EXPECT_TRUE(differs);
}

}  // namespace
}  // namespace citypulse::sim
