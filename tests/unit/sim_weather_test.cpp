// The simulator's weather: the real records read and shifted onto any
// year, values between the hours interpolated, the archive's zero rows and
// missing hours bridged, bad rows refused by line, and a synthetic year
// with the right seasons and days for machines without the records.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/calendar.h"
#include "sim/weather.h"

namespace citypulse::sim {
namespace {

constexpr std::int64_t kHour = 3'600'000;

TimeMs wall(int year, unsigned month, unsigned day, int hour, int minute = 0) {
  return days_from_civil(year, month, day) * 86'400'000 + hour * kHour + minute * 60'000;
}

const std::string kRecords = CITYPULSE_SOURCE_DIR "/../shared/data/cambridge/weather";

class TempFolder {
 public:
  TempFolder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "cp-weather-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempFolder() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ + "/" + name) << text;
  }

 private:
  std::string path_;
};

TEST(Weather, RealRecordsAreReadAndShiftedOntoAnyYear) {
  if (!std::filesystem::exists(kRecords)) GTEST_SKIP() << "no records at " << kRecords;
  auto w = Weather::from_records(kRecords);
  ASSERT_TRUE(w) << w.error().message;
  ASSERT_FALSE(w->years().empty());
  EXPECT_TRUE(w->recorded());
  if (w->years().front() != 2017 || w->years().size() != 4) GTEST_SKIP() << "other years";
  // 2019-01-01 00:00 and 01:00 of the record: 8.2 and 8.5 °C.
  EXPECT_DOUBLE_EQ(w->at(wall(2019, 1, 1, 0)).outdoor_c, 8.2);
  EXPECT_DOUBLE_EQ(w->at(wall(2019, 1, 1, 0)).humidity_pct, 81.6);
  EXPECT_NEAR(w->at(wall(2019, 1, 1, 0, 30)).outdoor_c, 8.35, 1e-9);
  // 2027 plays 2019 (2017 + 10 mod 4), 2026 plays 2018.
  EXPECT_DOUBLE_EQ(w->at(wall(2027, 1, 1, 0)).outdoor_c, 8.2);
  EXPECT_NE(w->at(wall(2026, 1, 1, 0)).outdoor_c, w->at(wall(2027, 1, 1, 0)).outdoor_c);
  // A real year has its seasons: July afternoons warmer than January nights.
  double january = 0, july = 0;
  for (int d = 1; d <= 28; ++d) {
    january += w->at(wall(2026, 1, d, 3)).outdoor_c;
    july += w->at(wall(2026, 7, d, 15)).outdoor_c;
  }
  EXPECT_GT(july / 28, january / 28 + 10);
}

TEST(Weather, ZeroRowsAndMissingHoursAreBridgedAndBadRowsRefused) {
  TempFolder folder;
  folder.write("bedford_2019.csv",
               "datetime,air_temperature [degC],rltv_hum [%],glbl_irad_amt [W/m2]\n"
               "2019-01-01 00:00:00,2.0,80.0,0.0\n"
               "2019-01-01 01:00:00,0.0,0.0,0.0\n"  // a gap stored as zeros
               "2019-01-01 03:00:00,8.0,60.0,30.0\n"
               "2019-01-01 04:00:00,0.0,90.0,0.0\n");  // a real 0 °C
  auto w = Weather::from_records(folder.path());
  ASSERT_TRUE(w) << w.error().message;
  EXPECT_DOUBLE_EQ(w->at(wall(2019, 1, 1, 1)).outdoor_c, 4.0);
  EXPECT_DOUBLE_EQ(w->at(wall(2019, 1, 1, 2)).outdoor_c, 6.0);
  EXPECT_DOUBLE_EQ(w->at(wall(2019, 1, 1, 2)).solar_w_m2, 20.0);
  EXPECT_DOUBLE_EQ(w->at(wall(2019, 1, 1, 4)).outdoor_c, 0.0);
  EXPECT_DOUBLE_EQ(w->at(wall(2019, 1, 1, 4)).humidity_pct, 90.0);
  // Past the last row the last value holds; 29 February plays the 28th.
  EXPECT_DOUBLE_EQ(w->at(wall(2019, 6, 1, 12)).outdoor_c, 0.0);
  EXPECT_DOUBLE_EQ(w->at(wall(2024, 2, 29, 12)).outdoor_c, w->at(wall(2024, 2, 28, 12)).outdoor_c);

  TempFolder bad;
  bad.write("bedford_2019.csv",
            "datetime,air_temperature [degC],rltv_hum [%],glbl_irad_amt [W/m2]\n"
            "2019-01-01 00:00:00,2.0,80.0,0.0\n"
            "2019-01-01 01:00:00,warm,80.0,0.0\n");
  auto refused = Weather::from_records(bad.path());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::invalid);
  EXPECT_NE(refused.error().message.find("line 3"), std::string::npos) << refused.error().message;

  TempFolder empty;
  EXPECT_EQ(Weather::from_records(empty.path()).error().code, ErrorCode::not_found);
  EXPECT_FALSE(Weather::records_or_synthetic(empty.path()).recorded());
}

TEST(Weather, TheSyntheticYearHasSeasonsDaysAndSun) {
  const Weather w = Weather::synthetic();
  EXPECT_FALSE(w.recorded());
  const auto january_night = w.at(wall(2026, 1, 25, 4));
  const auto july_afternoon = w.at(wall(2026, 7, 25, 15));
  EXPECT_LT(january_night.outdoor_c, 0);
  EXPECT_GT(july_afternoon.outdoor_c, 20);
  EXPECT_LT(w.at(wall(2026, 4, 10, 4)).outdoor_c, w.at(wall(2026, 4, 10, 15)).outdoor_c);
  EXPECT_EQ(w.at(wall(2026, 6, 21, 0)).solar_w_m2, 0);
  EXPECT_GT(w.at(wall(2026, 6, 21, 12)).solar_w_m2, 2 * w.at(wall(2026, 12, 21, 12)).solar_w_m2);
  EXPECT_GT(w.at(wall(2026, 12, 21, 12)).solar_w_m2, 0);
  // Between the hours, on the line between them.
  const auto a = w.at(wall(2026, 3, 1, 10)), b = w.at(wall(2026, 3, 1, 11));
  EXPECT_NEAR(w.at(wall(2026, 3, 1, 10, 15)).outdoor_c,
              a.outdoor_c + 0.25 * (b.outdoor_c - a.outdoor_c), 1e-9);
}

}  // namespace
}  // namespace citypulse::sim
