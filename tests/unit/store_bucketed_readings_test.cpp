// Bucketed readings on a real embedded series store: local days across both
// DST changes, sub-hour buckets from raw readings, counter deltas with a
// reset, and buckets that hold nothing left out.
#include <gtest/gtest.h>

#include <filesystem>
#include <future>

#include "store/bucketed_readings.h"
#include "store/embedded_series_store.h"

namespace citypulse {
namespace {

namespace fs = std::filesystem;

constexpr TimeMs kQuarter = 900'000;

TimeMs at(const char* text) {
  auto t = parse_rfc3339(text);
  EXPECT_TRUE(t.has_value()) << text;
  return t.value_or(0);
}

class BucketedReadingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cp-buckets-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    EmbeddedSeriesOptions options;
    options.dir = dir_;
    options.raw_retention_ms = 30 * 86'400'000ll;
    auto s = open_embedded_series_store(options);
    ASSERT_TRUE(s.has_value()) << s.error().message;
    series_ = std::move(*s);
    auto zone = Timezone::load("Europe/Berlin");
    ASSERT_TRUE(zone.has_value());
    berlin_ = *zone;
  }
  void TearDown() override {
    series_.reset();
    fs::remove_all(dir_);
  }
  void write(std::vector<Reading> readings) {
    std::promise<Status> done;
    series_->append(std::move(readings), false, [&](Status s) { done.set_value(s); });
    ASSERT_TRUE(done.get_future().get());
  }
  // Quarter-hourly readings of point 1 (value: the index) over [from, to).
  int quarter_hours(TimeMs from, TimeMs to) {
    std::vector<Reading> r;
    for (TimeMs t = from; t < to; t += kQuarter) r.push_back({1, t, double(r.size()), 0});
    write(r);
    return static_cast<int>(r.size());
  }
  BucketedReadings get(TimeMs from, TimeMs to, const char* bucket,
                       std::vector<Aggregation> aggs = {Aggregation::count}) {
    auto size = parse_bucket(bucket);
    EXPECT_TRUE(size.has_value());
    auto b = bucketed_readings(*series_, 1, from, to, *size, aggs, berlin_);
    EXPECT_TRUE(b.has_value()) << b.error().message;
    return b ? *b : BucketedReadings{};
  }

  fs::path dir_;
  std::unique_ptr<SeriesStore> series_;
  Timezone berlin_;
};

TEST_F(BucketedReadingsTest, BerlinDaysAre23And25HoursLongOnDstDays) {
  quarter_hours(at("2026-03-27T00:00:00Z"), at("2026-03-31T00:00:00Z"));
  quarter_hours(at("2026-10-23T00:00:00Z"), at("2026-10-27T00:00:00Z"));
  auto spring = get(at("2026-03-28T12:00:00Z"), at("2026-03-30T12:00:00Z"), "1d");
  ASSERT_EQ(spring.rows.size(), 3u);
  EXPECT_EQ(spring.rows[1].start, at("2026-03-28T23:00:00Z"));
  EXPECT_EQ(spring.rows[1].end, at("2026-03-29T22:00:00Z"));
  EXPECT_EQ(spring.rows[1].count, 23 * 4);
  EXPECT_EQ(spring.from, at("2026-03-27T23:00:00Z"));
  auto autumn = get(at("2026-10-25T12:00:00Z"), at("2026-10-25T13:00:00Z"), "1d");
  ASSERT_EQ(autumn.rows.size(), 1u);
  EXPECT_EQ(autumn.rows[0].start, at("2026-10-24T22:00:00Z"));
  EXPECT_EQ(autumn.rows[0].end, at("2026-10-25T23:00:00Z"));
  EXPECT_EQ(autumn.rows[0].count, 25 * 4);
  // 6-hour buckets are local too: 00, 06, 12, 18 o'clock in Berlin.
  auto six = get(at("2026-10-23T00:00:00Z"), at("2026-10-24T00:00:00Z"), "6h");
  ASSERT_FALSE(six.rows.empty());
  EXPECT_EQ(six.rows[1].start, at("2026-10-23T04:00:00Z"));
}

TEST_F(BucketedReadingsTest, SubHourBucketsComeFromRawReadings) {
  const int n = quarter_hours(at("2026-05-01T00:00:00Z"), at("2026-05-01T02:00:00Z"));
  ASSERT_EQ(n, 8);
  auto b = get(at("2026-05-01T00:10:00Z"), at("2026-05-01T02:00:00Z"), "30m",
               {Aggregation::min, Aggregation::max, Aggregation::avg, Aggregation::first});
  ASSERT_EQ(b.rows.size(), 4u);
  EXPECT_EQ(b.from, at("2026-05-01T00:00:00Z"));
  EXPECT_EQ(b.rows[1].start, at("2026-05-01T00:30:00Z"));
  EXPECT_EQ(b.rows[1].values, (std::vector<double>{2, 3, 2.5, 2}));
}

TEST_F(BucketedReadingsTest, DeltaCountsAResetFromZeroAndTheStepFromBefore) {
  // A meter at 100, 110, 120 | 5 (replaced), 15 | 25 over three hours.
  const TimeMs h = at("2026-06-01T10:00:00Z");
  write({{1, h - kQuarter, 100, 0},
         {1, h + 0 * kQuarter, 110, 0},
         {1, h + 1 * kQuarter, 120, 0},
         {1, h + 2 * kQuarter, 5, 0},
         {1, h + 5 * kQuarter, 15, 0},
         {1, h + 9 * kQuarter, 25, 0}});
  auto b = get(h, h + 3 * 3'600'000, "1h", {Aggregation::delta});
  ASSERT_EQ(b.rows.size(), 3u);
  EXPECT_EQ(b.rows[0].values[0], 10 + 10 + 5);  // from the 100 before the range
  EXPECT_EQ(b.rows[1].values[0], 10);
  EXPECT_EQ(b.rows[2].values[0], 10);
  // Empty hours are left out.
  auto sparse = get(h, h + 6 * 3'600'000, "1h");
  EXPECT_EQ(sparse.rows.size(), 3u);
}

TEST_F(BucketedReadingsTest, ReadingsOutsideTheRangeStayOutside) {
  // One reading a day at 08:00 UTC; ten hours after it hold nothing.
  write({{1, at("2026-07-01T08:00:00Z"), 5, 0}, {1, at("2026-07-02T08:00:00Z"), 6, 0}});
  EXPECT_TRUE(get(at("2026-07-01T10:00:00Z"), at("2026-07-01T20:00:00Z"), "1h").rows.empty());
  auto day = get(at("2026-07-01T10:00:00Z"), at("2026-07-01T20:00:00Z"), "1d");
  ASSERT_EQ(day.rows.size(), 1u);
  EXPECT_EQ(day.rows[0].count, 1);
}

TEST_F(BucketedReadingsTest, PastRawRetentionBucketsComeFromRollups) {
  quarter_hours(at("2026-01-01T00:00:00Z"), at("2026-01-11T00:00:00Z"));
  const auto before = get(at("2026-01-01T00:00:00Z"), at("2026-01-11T00:00:00Z"), "1d",
                          {Aggregation::count, Aggregation::sum, Aggregation::max});
  ASSERT_TRUE(series_->flush());  // retention drops what is persisted
  ASSERT_TRUE(series_->apply_retention(at("2026-03-01T00:00:00Z")));
  auto raw = series_->range(1, at("2026-01-01T00:00:00Z"), at("2026-01-11T00:00:00Z"), 10);
  ASSERT_TRUE(raw.has_value());
  EXPECT_TRUE(raw->empty());
  const auto after = get(at("2026-01-01T00:00:00Z"), at("2026-01-11T00:00:00Z"), "1d",
                         {Aggregation::count, Aggregation::sum, Aggregation::max});
  ASSERT_EQ(after.rows.size(), before.rows.size());
  for (std::size_t i = 0; i < after.rows.size(); ++i) {
    EXPECT_EQ(after.rows[i].start, before.rows[i].start);
    EXPECT_EQ(after.rows[i].values, before.rows[i].values);
  }
  // Sub-hour buckets need the raw readings: none are left.
  EXPECT_TRUE(get(at("2026-01-02T00:00:00Z"), at("2026-01-03T00:00:00Z"), "15m").rows.empty());
}

}  // namespace
}  // namespace citypulse
