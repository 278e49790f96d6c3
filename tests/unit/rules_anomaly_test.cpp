// Anomaly conditions: the seasonal profile fitted on four weeks of
// synthetic office-like data (a weekday working-hours plateau and
// deterministic noise), spikes shorter and longer than the duration, the
// duration ended by the clock, unknown bins, late readings, refits, and
// bins that follow Berlin's wall clock across daylight saving. Real hourly
// electricity of a Cambridge building, when ../shared/data has it.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/timezone.h"
#include "rules/anomaly.h"
#include "rules/local_calendar.h"

namespace citypulse::rules {
namespace {

// 2024-01-29 to 2024-02-26, Mondays; all in winter time.
const TimeMs kFitEnd = days_from_date(2024, 2, 26) * kDayMs;
const TimeMs kFitStart = kFitEnd - 4 * kWeekMs;

TimeMs identity(TimeMs t) {
  return t;
}

// An office: 15 during working hours on weekdays, 10 otherwise, plus noise
// within ±0.5 from a fixed linear congruential sequence.
struct Office {
  std::uint32_t state = 12345;
  double noise() {
    state = state * 1'103'515'245u + 12'345u;
    return static_cast<double>((state >> 8) % 1001) / 1000.0 - 0.5;
  }
  static double level(TimeMs wall) {
    const auto day = local_day(wall);
    const auto hour = day.in_day_ms / kHourMs;
    return day.weekday < 5 && hour >= 8 && hour < 18 ? 15 : 10;
  }
  std::vector<Sample> hourly(TimeMs from, TimeMs to, const LocalTime& to_local) {
    std::vector<Sample> out;
    for (TimeMs t = from; t < to; t += kHourMs) out.push_back({t, level(to_local(t)) + noise()});
    return out;
  }
};

SeasonalProfile office_profile() {
  Office office;
  const auto hourly = office.hourly(kFitStart, kFitEnd, identity);
  auto profile = SeasonalProfile::fit(hourly, 4, kFitEnd, identity);
  EXPECT_TRUE(profile) << profile.error().message;
  return profile ? *profile : SeasonalProfile{};
}

// Monday of the week after the fit, `hour` hours after midnight.
TimeMs monday(double hour) {
  return kFitEnd + static_cast<TimeMs>(hour * kHourMs);
}

TEST(SeasonalProfile, BinsAreHoursOfTheLocalWeekFromMonday) {
  EXPECT_EQ(SeasonalProfile::bin_of(kFitEnd), 0);
  EXPECT_EQ(SeasonalProfile::bin_of(kFitEnd + 59 * kMinuteMs), 0);
  EXPECT_EQ(SeasonalProfile::bin_of(kFitEnd + kHourMs), 1);
  EXPECT_EQ(SeasonalProfile::bin_of(kFitEnd - 1), 167);  // Sunday 23:59
  EXPECT_EQ(SeasonalProfile::bin_of(kFitEnd + 2 * kDayMs + 9 * kHourMs), 2 * 24 + 9);
  EXPECT_EQ(SeasonalProfile::bin_of(-1), 2 * 24 + 23);  // 1969-12-31 23:59, a Wednesday
}

TEST(SeasonalProfile, FitFollowsTheWeeklyPatternOverTheLastWeeksOnly) {
  Office office;
  auto hourly = office.hourly(kFitStart, kFitEnd, identity);
  // Outside [now − 4 weeks, now): left out, however wild.
  hourly.push_back({kFitStart - 1, 1e6});
  hourly.push_back({kFitEnd, 1e6});
  hourly.push_back({kFitStart + 9 * kHourMs, std::nan("")});
  const auto profile = SeasonalProfile::fit(hourly, 4, kFitEnd, identity);
  ASSERT_TRUE(profile);
  for (int b = 0; b < SeasonalProfile::kBins; ++b) {
    ASSERT_TRUE(profile->known(b)) << b;
    const auto& bin = profile->bin(b);
    EXPECT_EQ(bin.samples, 4) << b;
    const bool working = b / 24 < 5 && b % 24 >= 8 && b % 24 < 18;
    EXPECT_NEAR(bin.median, working ? 15 : 10, 0.5) << b;
    EXPECT_LT(bin.mad, 0.5) << b;
  }
  // Median and MAD of an even count: the mean of the middle two.
  const std::vector<Sample> four{{0, 1}, {kWeekMs, 2}, {2 * kWeekMs, 4}, {3 * kWeekMs, 10}};
  const auto small = SeasonalProfile::fit(four, 4, 4 * kWeekMs, identity);
  ASSERT_TRUE(small);
  const int b = SeasonalProfile::bin_of(0);
  EXPECT_DOUBLE_EQ(small->bin(b).median, 3);  // (2 + 4) / 2
  EXPECT_DOUBLE_EQ(small->bin(b).mad, 1.5);   // deviations 2 1 1 7
  EXPECT_FALSE(SeasonalProfile::fit(four, 0, 0, identity));
  EXPECT_FALSE(SeasonalProfile::fit(four, 4, 0, identity, 0));
}

TEST(AnomalyCondition, ASpikeShorterThanTheDurationDoesNotFireALongerOneDoes) {
  // 3 sigmas, sigma at least 0.5: off beyond 1.5 from the bin's median.
  AnomalyCondition c({3, 30 * kMinuteMs, 0.5}, office_profile(), identity);
  EXPECT_TRUE(c.on_reading(monday(9), 15.2).empty());
  EXPECT_TRUE(c.on_reading(monday(9.25), 25).empty());  // off: the wait begins
  EXPECT_EQ(c.due(), monday(9.75));
  EXPECT_TRUE(c.on_reading(monday(9.5), 24).empty());
  EXPECT_TRUE(c.on_reading(monday(9.7), 15).empty());  // back 3 minutes before the end
  EXPECT_FALSE(c.due());
  EXPECT_FALSE(c.present());
  // Off from 10:00 for 35 minutes: present from 10:30.
  EXPECT_TRUE(c.on_reading(monday(10), 25).empty());
  EXPECT_TRUE(c.on_reading(monday(10.25), 25).empty());
  const auto changes = c.on_reading(monday(10 + 35.0 / 60), 25);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0], (ConditionChange{true, monday(10.5), 25}));
  EXPECT_TRUE(c.present());
  // Back within 3 sigma: ends with that reading, no delay.
  const auto back = c.on_reading(monday(11), 15.5);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0], (ConditionChange{false, monday(11), 15.5}));
  // Low is as off as high: 10 in working hours.
  EXPECT_TRUE(c.on_reading(monday(12), 10).empty());
  EXPECT_TRUE(c.due());
}

TEST(AnomalyCondition, TheBoundaryIsKSigmasExactly) {
  std::vector<Sample> history;
  for (int week = 0; week < 4; ++week) history.push_back({week * kWeekMs, 20});
  auto profile = SeasonalProfile::fit(history, 4, 4 * kWeekMs, identity);
  ASSERT_TRUE(profile);
  // A history that never moved: MAD 0, sigma is the floor, 0.25.
  AnomalyCondition c({2, 0, 0.25}, *profile, identity);
  const TimeMs t = 4 * kWeekMs;  // the same hour of the week
  EXPECT_DOUBLE_EQ(c.deviation(t, 20.5), 2);
  EXPECT_TRUE(c.on_reading(t, 20.5).empty());  // exactly k sigmas: not beyond
  EXPECT_TRUE(c.on_reading(t + 1, 19.5).empty());
  EXPECT_EQ(c.on_reading(t + 2, 20.51).size(), 1u);
  // Without a floor any move off a flat history is off.
  AnomalyCondition strict({2, 0, 0}, *profile, identity);
  EXPECT_TRUE(strict.on_reading(t, 20).empty());
  EXPECT_EQ(strict.on_reading(t + 1, 20.001).size(), 1u);
}

TEST(AnomalyCondition, TheClockEndsTheDurationBetweenReadings) {
  AnomalyCondition c({3, 30 * kMinuteMs, 0.5}, office_profile(), identity);
  EXPECT_TRUE(c.on_reading(monday(9), 30).empty());
  EXPECT_FALSE(c.advance(monday(9.49)));
  const auto started = c.advance(monday(9.5));
  ASSERT_TRUE(started);
  EXPECT_EQ(*started, (ConditionChange{true, monday(9.5), 30}));
  EXPECT_TRUE(c.present());
  EXPECT_FALSE(c.due());
  EXPECT_FALSE(c.advance(monday(12)));  // once
  // The next reading, still off, changes nothing.
  EXPECT_TRUE(c.on_reading(monday(10), 30).empty());
}

TEST(AnomalyCondition, UnknownBinsStayQuiet) {
  // Nothing fitted: never fires.
  AnomalyCondition none({3, 0, 0.5}, SeasonalProfile{}, identity);
  EXPECT_TRUE(none.on_reading(monday(9), 1e9).empty());
  EXPECT_TRUE(std::isnan(none.deviation(monday(9), 1e9)));
  // A history without Tuesdays, and only two Wednesdays (fewer than 3).
  Office office;
  std::vector<Sample> hourly;
  for (const auto& s : office.hourly(kFitStart, kFitEnd, identity)) {
    const auto day = local_day(s.t);
    if (day.weekday == 1) continue;
    if (day.weekday == 2 && s.t < kFitStart + 2 * kWeekMs) continue;
    hourly.push_back(s);
  }
  const auto profile = SeasonalProfile::fit(hourly, 4, kFitEnd, identity);
  ASSERT_TRUE(profile);
  AnomalyCondition c({3, 0, 0.5}, *profile, identity);
  EXPECT_TRUE(c.on_reading(monday(24 + 9), 1000).empty());   // Tuesday
  EXPECT_TRUE(c.on_reading(monday(48 + 9), 1000).empty());   // Wednesday
  EXPECT_EQ(c.on_reading(monday(72 + 9), 1000).size(), 1u);  // Thursday is known
  // Present, then a reading in an unknown bin: no data to judge, it ends.
  const auto ended = c.on_reading(monday(7 * 24 + 24 + 9), 1000);  // next Tuesday
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_FALSE(ended[0].present);
}

TEST(AnomalyCondition, LateAndNonFiniteReadingsAreIgnored) {
  AnomalyCondition c({3, 0, 0.5}, office_profile(), identity);
  EXPECT_TRUE(c.on_reading(monday(9), 15).empty());
  EXPECT_TRUE(c.on_reading(monday(8.5), 100).empty());  // older than the newest
  EXPECT_EQ(c.late_ignored(), 1);
  EXPECT_TRUE(c.on_reading(monday(9.1), std::nan("")).empty());
  EXPECT_TRUE(c.on_reading(monday(9.1), INFINITY).empty());
  EXPECT_FALSE(c.present());
  // One at the same time as the newest replaces it.
  EXPECT_EQ(c.on_reading(monday(9), 100).size(), 1u);
  EXPECT_EQ(c.late_ignored(), 1);
}

TEST(AnomalyCondition, ARefitKeepsWhatIsPresentAndUnderWay) {
  AnomalyCondition c({3, 0, 0.5}, office_profile(), identity);
  ASSERT_EQ(c.on_reading(monday(9), 25).size(), 1u);
  // The building now runs at 25 in working hours: fitted anew.
  std::vector<Sample> busier;
  Office office;
  for (auto s : office.hourly(kFitStart + kWeekMs, kFitEnd + kWeekMs, identity)) {
    if (Office::level(s.t) == 15) s.value += 10;
    busier.push_back(s);
  }
  const auto profile = SeasonalProfile::fit(busier, 4, kFitEnd + kWeekMs, identity);
  ASSERT_TRUE(profile);
  c.refit(*profile);
  EXPECT_TRUE(c.present());
  const auto ended = c.on_reading(monday(9.5), 25);  // normal by the new profile
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_FALSE(ended[0].present);
  // A wait under way survives a refit too.
  AnomalyCondition waiting({3, kHourMs, 0.5}, office_profile(), identity);
  EXPECT_TRUE(waiting.on_reading(monday(9), 40).empty());
  waiting.refit(*profile);
  EXPECT_EQ(waiting.due(), monday(10));
  // assume_present() and clear().
  waiting.clear(monday(9.1));
  EXPECT_FALSE(waiting.due());
  waiting.assume_present();
  EXPECT_EQ(waiting.on_reading(monday(9.2), 25).size(), 1u);  // normal now: ends
}

TEST(AnomalyCondition, BinsFollowBerlinsWallClockAcrossDaylightSaving) {
  auto berlin = Timezone::load("Europe/Berlin");
  if (!berlin) GTEST_SKIP() << "no tzdata: " << berlin.error().message;
  const LocalTime to_local = [zone = *berlin](TimeMs t) { return zone.to_local(t); };
  // Four weeks around 2024-03-31, when Berlin went from UTC+1 to UTC+2;
  // the building keeps its local hours.
  const TimeMs end = days_from_date(2024, 4, 22) * kDayMs - 2 * kHourMs;  // Mon 00:00 CEST
  Office office;
  const auto hourly = office.hourly(end - 4 * kWeekMs, end, to_local);
  const auto profile = SeasonalProfile::fit(hourly, 4, end, to_local);
  ASSERT_TRUE(profile);
  const int eight = SeasonalProfile::bin_of(days_from_date(2024, 4, 22) * kDayMs + 8 * kHourMs);
  EXPECT_EQ(eight, 8);
  EXPECT_NEAR(profile->bin(8).median, 15, 0.5);  // both before and after the change
  EXPECT_NEAR(profile->bin(7).median, 10, 0.5);
  AnomalyCondition c({3, 0, 0.5}, *profile, to_local);
  // Monday 08:30 in Berlin is 06:30 UTC in summer: the working level is normal.
  const TimeMs half_past_eight = end + 8 * kHourMs + 30 * kMinuteMs;
  EXPECT_LT(c.deviation(half_past_eight, 15), 3);
  EXPECT_TRUE(c.on_reading(half_past_eight, 15).empty());
  // The night level at that local hour is off.
  EXPECT_EQ(c.on_reading(half_past_eight + kMinuteMs, 10).size(), 1u);
}

// Cambridge's archive: "2019-02-04 13:00:00,126.5", local naive hours; an
// exact 0 is a missing measurement.
std::vector<Sample> load_cambridge(const std::filesystem::path& file) {
  std::vector<Sample> out;
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);  // the header
  while (std::getline(in, line)) {
    int y = 0, mo = 0, d = 0, h = 0;
    double v = 0;
    if (std::sscanf(line.c_str(), "%d-%d-%d %d:%*d:%*d,%lf", &y, &mo, &d, &h, &v) != 5) continue;
    if (v == 0) continue;
    out.push_back({days_from_date(y, mo, d) * kDayMs + h * kHourMs, v});
  }
  return out;
}

TEST(AnomalyCondition, RealElectricityMostlyFitsItsOwnProfile) {
  const std::filesystem::path file =
      std::string(CITYPULSE_SOURCE_DIR) + "/../shared/data/cambridge/electricity/b21_2019.csv";
  if (!std::filesystem::exists(file)) GTEST_SKIP() << "no Cambridge data at " << file;
  const auto hourly = load_cambridge(file);
  ASSERT_GT(hourly.size(), 5000u);
  // Fit on the eight weeks before March, judge the first week of March
  // (hours as the archive gives them, local already).
  const TimeMs now = days_from_date(2019, 3, 4) * kDayMs;
  const auto profile = SeasonalProfile::fit(hourly, 8, now, identity);
  ASSERT_TRUE(profile);
  int known = 0;
  for (int b = 0; b < SeasonalProfile::kBins; ++b) known += profile->known(b) ? 1 : 0;
  EXPECT_GT(known, 150);
  AnomalyCondition c({4, 0, 1.0}, *profile, identity);
  int judged = 0, off = 0;
  for (const auto& s : hourly) {
    if (s.t < now || s.t >= now + kWeekMs) continue;
    ++judged;
    if (c.deviation(s.t, s.value) > 4) ++off;
  }
  ASSERT_GT(judged, 100);
  EXPECT_LT(off, judged / 10) << off << " of " << judged << " hours off";
  // The same week with the load tripled at noon on Wednesday is off.
  const TimeMs noon = now + 2 * kDayMs + 12 * kHourMs;
  EXPECT_GT(c.deviation(noon, 3 * profile->bin(SeasonalProfile::bin_of(noon)).median), 4);
}

}  // namespace
}  // namespace citypulse::rules
