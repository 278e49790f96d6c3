// Window contacts' hourly open shares from their readings (analytics/contact_hours.h).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "analytics/contact_hours.h"

namespace citypulse::analytics {
namespace {

constexpr TimeMs kHour = 3'600'000;
constexpr TimeMs kMinute = 60'000;

TEST(ContactHours, AReadingHoldsUntilTheNext) {
  // Closed before the start, open 00:30–02:15, closed after.
  const std::vector<ContactReading> readings = {
      {-5 * kHour, 0}, {30 * kMinute, 1}, {2 * kHour + 15 * kMinute, 0}};
  const auto share = contact_open_share(readings, 0, 4);
  ASSERT_EQ(share.size(), 4u);
  EXPECT_DOUBLE_EQ(share[0], 0.5);
  EXPECT_DOUBLE_EQ(share[1], 1.0);
  EXPECT_DOUBLE_EQ(share[2], 0.25);
  EXPECT_DOUBLE_EQ(share[3], 0.0);
}

TEST(ContactHours, ASilentContactIsNotKnown) {
  // Open at 00:00 and never heard from again: known for max_hold (90 min),
  // then not; an hour less than half known is NaN, before the first reading too.
  const std::vector<ContactReading> readings = {{kHour, 1}};
  const auto share = contact_open_share(readings, 0, 4, 90 * kMinute);
  EXPECT_TRUE(std::isnan(share[0]));
  EXPECT_DOUBLE_EQ(share[1], 1.0);
  EXPECT_DOUBLE_EQ(share[2], 1.0);  // half the hour known, all of it open
  EXPECT_TRUE(std::isnan(share[3]));
}

TEST(ContactHours, TheBuildingsShareIsTheMeanOfTheKnownContacts) {
  const double nan = std::nan("");
  const std::vector<std::vector<double>> contacts = {{1, 0, nan}, {0, nan, nan}};
  const auto share = mean_open_share(contacts, 3);
  EXPECT_DOUBLE_EQ(share[0], 0.5);
  EXPECT_DOUBLE_EQ(share[1], 0.0);
  EXPECT_TRUE(std::isnan(share[2]));
}

}  // namespace
}  // namespace citypulse::analytics
