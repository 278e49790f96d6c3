// Rollups: the block codec, persisted hourly rollups against a reference
// computed from the samples (in-order, late, deleted, across checkpoints and
// restarts), hourly data kept in raw, and the retention of each tier.
#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <map>
#include <random>

#include "sqlite/connection.h"
#include "tsdb/engine.h"
#include "tsdb/rollup_codec.h"
#include "tsdb/series_file.h"

namespace citypulse::tsdb {

void PrintTo(const Rollup& r, std::ostream* os) {
  *os << "{start=" << r.start << " n=" << r.count << " sum=" << r.sum << " min=" << r.min
      << " max=" << r.max << " first=" << r.first << "@" << r.first_t << " last=" << r.last << "@"
      << r.last_t << " inc=" << r.increase << "}";
}

namespace {

namespace fs = std::filesystem;

constexpr Timestamp kMinute = 60'000;
constexpr Timestamp k2026 = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

// Rollups equal up to the rounding of sums taken in another order.
::testing::AssertionResult same_rollups(const std::vector<Rollup>& got,
                                        const std::vector<Rollup>& want) {
  for (std::size_t i = 0; i < std::min(got.size(), want.size()); ++i) {
    const auto& g = got[i];
    const auto& w = want[i];
    const bool same =
        g.start == w.start && g.count == w.count && g.min == w.min && g.max == w.max &&
        g.first == w.first && g.last == w.last && g.first_t == w.first_t && g.last_t == w.last_t &&
        std::abs(g.sum - w.sum) <= 1e-9 * std::max(1.0, std::abs(w.sum)) &&
        std::abs(g.increase - w.increase) <= 1e-9 * std::max(1.0, std::abs(w.increase));
    if (!same)
      return ::testing::AssertionFailure()
             << "rollup " << i << " differs: got " << ::testing::PrintToString(g) << ", want "
             << ::testing::PrintToString(w);
  }
  if (got.size() != want.size())
    return ::testing::AssertionFailure()
           << "got " << got.size() << " rollups, want " << want.size();
  return ::testing::AssertionSuccess();
}

TEST(RollupMath, IncreaseCountsUpFromZeroAfterAReset) {
  const std::vector<Sample> s{{0, 10, 0}, {1, 12, 0}, {2, 3, 0}, {3, 5, 0}};
  const auto r = rollups_of(s, kHourMs);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].increase, 2 + 3 + 2);
  // Joining hours gives what the samples give, the step between them included.
  const std::vector<Sample> two{{0, 10, 0}, {kHourMs, 4, 0}, {kHourMs + 1, 6, 0}};
  const auto hours = rollups_of(two, kHourMs);
  const auto day = coarsen(hours, kDayMs);
  ASSERT_EQ(day.size(), 1u);
  EXPECT_EQ(day[0].increase, 4 + 2);
  EXPECT_TRUE(same_rollups(day, rollups_of(two, kDayMs)));
}

TEST(RollupCodec, RoundTripsAndSharesEqualColumns) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 200; ++round) {
    std::vector<Sample> samples;
    Timestamp t = k2026 + static_cast<Timestamp>(rng() % kHourMs);
    const int n = 1 + static_cast<int>(rng() % 3000);
    for (int i = 0; i < n; ++i) {
      t += 1 + static_cast<Timestamp>(rng() % (round % 2 ? 90 * kMinute : 5 * kMinute));
      const double v = round % 3 == 0 ? std::ldexp(static_cast<double>(rng()), -40)
                                      : static_cast<double>(rng() % 5000) / 10.0;
      samples.push_back({t, v, 0});
    }
    auto block = rollups_of(samples, kHourMs);
    if (block.size() > 720) block.resize(720);
    const auto bytes = encode_rollup_block(block);
    std::vector<Rollup> back;
    ASSERT_TRUE(decode_rollup_block(bytes, back)) << round;
    EXPECT_EQ(back, block) << round;
  }
  // One sample an hour: sum, min, max, first and last are one column.
  std::vector<Sample> hourly;
  for (int i = 0; i < 720; ++i) hourly.push_back({k2026 + i * kHourMs, 100.0 + i % 17 / 10.0, 0});
  const auto single = encode_rollup_block(rollups_of(hourly, kHourMs));
  std::vector<Sample> dense;
  for (int i = 0; i < 720 * 2; ++i)
    dense.push_back({k2026 + i * kHourMs / 2, 100.0 + i % 17 / 10.0, 0});
  const auto twice = encode_rollup_block(rollups_of(dense, kHourMs));
  EXPECT_LT(single.size() * 2, twice.size());
}

TEST(RollupMath, SumsOfDecimalsAreTheDecimals) {
  // 0.1 + 0.2 + ... in doubles drifts; the rollup's sum does not.
  std::vector<Sample> s;
  for (int i = 0; i < 60; ++i) s.push_back({i * kMinute, 0.1 * (i % 7) + 20, 0});
  double exact = 0;
  for (int i = 0; i < 60; ++i) exact += (i % 7) + 200;
  const auto r = rollups_of(s, kHourMs);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].sum, exact / 10);
  // A block of minute data with one decimal costs a few bytes a rollup.
  std::vector<Sample> minutes;
  for (int i = 0; i < 720 * 60; ++i)
    minutes.push_back({k2026 + i * kMinute, 20 + ((i * 7919) % 50) / 10.0, 0});
  const auto block = encode_rollup_block(rollups_of(minutes, kHourMs));
  EXPECT_LT(block.size(), 720u * 10);
}

TEST(RollupCodec, CorruptBlocksFailCleanly) {
  std::vector<Sample> samples;
  for (int i = 0; i < 500; ++i) samples.push_back({k2026 + i * 7 * kMinute, i * 0.1, 0});
  const auto bytes = encode_rollup_block(rollups_of(samples, kHourMs));
  std::vector<Rollup> out;
  for (std::size_t n = 0; n < bytes.size(); ++n)
    EXPECT_FALSE(decode_rollup_block(bytes.substr(0, n), out)) << "truncated at " << n;
  std::mt19937 rng(3);
  for (int i = 0; i < 2000; ++i) {
    auto bad = bytes;
    bad[rng() % bad.size()] ^= static_cast<char>(1 + rng() % 255);
    auto s = decode_rollup_block(bad, out);
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().message.find("corrupt rollup block"), std::string::npos);
  }
}

class RollupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cp-rollup-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    open();
  }
  void TearDown() override {
    engine_.reset();
    fs::remove_all(dir_);
  }
  void open(RetentionOptions retention = {0, 0, 0}) {
    engine_.reset();
    EngineOptions o;
    o.dir = dir_;
    o.chunk_max_samples = 64;
    o.checkpoint_interval_ms = 3'600'000;  // only when the test asks
    o.retention = retention;
    auto e = Engine::open(std::move(o));
    ASSERT_TRUE(e.has_value()) << e.error().message;
    engine_ = std::move(*e);
  }
  Status append(std::vector<SeriesSample> batch, bool import = false) {
    std::promise<Status> p;
    auto f = p.get_future();
    engine_->append(std::move(batch), false, import, [&p](Status s) { p.set_value(s); });
    return f.get();
  }
  std::vector<Rollup> rollups(SeriesId s, Tier tier, Timestamp from = INT64_MIN,
                              Timestamp to = INT64_MAX) {
    auto r = engine_->rollups(s, tier, from, to);
    EXPECT_TRUE(r.has_value()) << r.error().message;
    return r ? *r : std::vector<Rollup>{};
  }
  // The reference: rollups computed from the model's samples.
  static std::vector<Rollup> expected(const std::map<Timestamp, Sample>& model, Tier tier) {
    std::vector<Sample> v;
    for (const auto& [t, s] : model) v.push_back(s);
    return rollups_of(v, bucket_width(tier));
  }
  // Rows of the rollups table (series.db, read while the engine is closed).
  std::vector<StoredRollupBlock> stored(SeriesId s, Tier tier) {
    engine_.reset();
    auto file = SeriesFile::open(dir_ / "series.db");
    EXPECT_TRUE(file.has_value());
    auto blocks = (*file)->rollup_blocks(s, tier, INT64_MIN / 2, INT64_MAX / 2);
    EXPECT_TRUE(blocks.has_value());
    file->reset();
    open();
    return *blocks;
  }

  fs::path dir_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(RollupTest, PersistedHoursMatchTheSamplesUnderLateDataDeletesAndRestarts) {
  std::mt19937_64 rng(11);
  std::map<SeriesId, std::map<Timestamp, Sample>> model;
  Timestamp now = k2026;
  for (int round = 0; round < 120; ++round) {
    std::vector<SeriesSample> batch;
    for (int i = 0; i < 40; ++i) {
      const SeriesId s = static_cast<SeriesId>(rng() % 4);
      now += static_cast<Timestamp>(rng() % (3 * kMinute));
      // One in six is late: up to two days back, inside the window.
      const Timestamp t = rng() % 6 == 0 ? now - static_cast<Timestamp>(rng() % (2 * kDayMs)) : now;
      const double v = rng() % 50 == 0 ? 0.0 : static_cast<double>(rng() % 100000) / 10.0;
      batch.push_back({s, {t, v, 0}});
    }
    ASSERT_TRUE(append(batch));
    for (const auto& b : batch) model[b.series][b.sample.t] = b.sample;
    switch (rng() % 8) {
      case 0:
        ASSERT_TRUE(engine_->flush());
        break;
      case 1:
        open();
        break;
      case 2: {
        const SeriesId s = static_cast<SeriesId>(rng() % 4);
        const Timestamp from = now - static_cast<Timestamp>(rng() % (3 * kDayMs));
        const Timestamp to = from + static_cast<Timestamp>(rng() % (5 * kHourMs));
        ASSERT_TRUE(engine_->delete_range(s, from, to));
        auto& m = model[s];
        m.erase(m.lower_bound(from), m.lower_bound(to));
        break;
      }
      default:
        break;
    }
    if (round % 10 == 9) {
      for (const auto& [s, m] : model) {
        ASSERT_TRUE(same_rollups(rollups(s, Tier::hour), expected(m, Tier::hour)))
            << "series " << s << " round " << round;
        ASSERT_TRUE(same_rollups(rollups(s, Tier::day), expected(m, Tier::day)))
            << "series " << s << " round " << round;
      }
    }
  }
  ASSERT_TRUE(engine_->flush());
  // After the checkpoint the hours come from series.db, blocks and all.
  EXPECT_FALSE(stored(0, Tier::hour).empty());
  for (const auto& [s, m] : model) {
    EXPECT_TRUE(same_rollups(rollups(s, Tier::hour), expected(m, Tier::hour)));
    // A range in the middle: buckets whose start lies in it.
    const Timestamp from = k2026 + kDayMs + 1, to = k2026 + 2 * kDayMs;
    auto want = expected(m, Tier::hour);
    std::erase_if(want, [&](const Rollup& r) { return r.start < from || r.start >= to; });
    EXPECT_TRUE(same_rollups(rollups(s, Tier::hour, from, to), want));
  }
}

TEST_F(RollupTest, HourlyDataIsNotStoredTwice) {
  std::vector<SeriesSample> batch;
  for (int i = 0; i < 24 * 90; ++i)
    batch.push_back({1, {k2026 + i * kHourMs, 1000.0 + (i % 24) * 1.5, 0}});
  ASSERT_TRUE(append(batch, true));
  ASSERT_TRUE(engine_->flush());
  // One sample an hour: the rollups are the samples, no block is stored.
  EXPECT_TRUE(stored(1, Tier::hour).empty());
  std::map<Timestamp, Sample> model;
  for (const auto& b : batch) model[b.sample.t] = b.sample;
  EXPECT_TRUE(same_rollups(rollups(1, Tier::hour), expected(model, Tier::hour)));
  // A second sample in one hour: that block is written out in full.
  ASSERT_TRUE(append({{1, {k2026 + 24 * 89 * kHourMs + 60'000, 5.0, 0}}}));
  model[k2026 + 24 * 89 * kHourMs + 60'000] = {k2026 + 24 * 89 * kHourMs + 60'000, 5.0, 0};
  ASSERT_TRUE(engine_->flush());
  EXPECT_EQ(stored(1, Tier::hour).size(), 1u);
  EXPECT_TRUE(same_rollups(rollups(1, Tier::hour), expected(model, Tier::hour)));
}

TEST_F(RollupTest, EachTierOutlivesTheOneBelowIt) {
  open({30 * kDayMs, 120 * kDayMs, 400 * kDayMs});
  // A year of one-per-10-minutes on series 2, and of hourly on series 3.
  std::map<Timestamp, Sample> dense, hourly;
  std::vector<SeriesSample> batch;
  for (Timestamp t = k2026; t < k2026 + 365 * kDayMs; t += 10 * kMinute) {
    const Sample s{t, static_cast<double>((t / kMinute) % 997) / 10.0, 0};
    dense[t] = s;
    batch.push_back({2, s});
    if (t % kHourMs == 0) {
      hourly[t] = s;
      batch.push_back({3, s});
    }
  }
  ASSERT_TRUE(append(batch, true));
  ASSERT_TRUE(engine_->flush());
  const auto hours2 = rollups(2, Tier::hour), days2 = rollups(2, Tier::day);
  const auto hours3 = rollups(3, Tier::hour), days3 = rollups(3, Tier::day);
  ASSERT_TRUE(same_rollups(hours2, expected(dense, Tier::hour)));
  ASSERT_TRUE(same_rollups(hours3, expected(hourly, Tier::hour)));

  const Timestamp now = k2026 + 365 * kDayMs;
  ASSERT_TRUE(engine_->apply_retention(now));
  open({30 * kDayMs, 120 * kDayMs, 400 * kDayMs});
  // Raw: only the last 30 days (chunks go whole: a little more).
  auto raw = engine_->range(2, INT64_MIN, INT64_MAX, SIZE_MAX);
  ASSERT_TRUE(raw.has_value());
  ASSERT_FALSE(raw->empty());
  EXPECT_GE(raw->front().t, now - 31 * kDayMs);
  // Hours: the last 120 days or up to a block more, exactly as before.
  for (auto [series, before] : {std::pair{2, hours2}, std::pair{3, hours3}}) {
    auto after = rollups(series, Tier::hour);
    ASSERT_FALSE(after.empty());
    EXPECT_GE(after.front().start, now - 150 * kDayMs);
    EXPECT_LE(after.front().start, now - 120 * kDayMs);
    std::erase_if(before, [&](const Rollup& r) { return r.start < after.front().start; });
    EXPECT_TRUE(same_rollups(after, before)) << "series " << series;
  }
  // Days: the whole year, from hours where they are, else from stored days.
  EXPECT_TRUE(same_rollups(rollups(2, Tier::day), days2));
  EXPECT_TRUE(same_rollups(rollups(3, Tier::day), days3));

  // A deletion of days that only the daily tier still holds removes them.
  ASSERT_TRUE(engine_->delete_range(2, k2026 + 10 * kDayMs, k2026 + 12 * kDayMs + 5));
  ASSERT_TRUE(engine_->flush());
  auto days_after = rollups(2, Tier::day);
  auto want = days2;
  std::erase_if(want, [](const Rollup& r) {
    return r.start >= k2026 + 10 * kDayMs && r.start < k2026 + 12 * kDayMs;
  });
  EXPECT_TRUE(same_rollups(days_after, want));

  // 400 days later the daily tier keeps 400 days: the blocks (of 360 days)
  // that ended before that are gone, the rest is as it was.
  ASSERT_TRUE(engine_->apply_retention(now + 400 * kDayMs));
  auto late = rollups(2, Tier::day);
  const Timestamp kept_from = bucket_of(now, block_span(Tier::day));
  ASSERT_GT(kept_from, k2026);
  std::erase_if(want, [&](const Rollup& r) { return r.start < kept_from; });
  EXPECT_TRUE(same_rollups(late, want));
  EXPECT_TRUE(rollups(2, Tier::hour).empty());
}

TEST_F(RollupTest, DeletingAllOfTimeDeletesTheRollupsAndEdgeTimesAreRefused) {
  std::vector<SeriesSample> batch;
  for (int i = 0; i < 500; ++i) batch.push_back({5, {k2026 + i * kMinute, i * 0.5, 0}});
  ASSERT_TRUE(append(batch));
  ASSERT_TRUE(engine_->flush());
  ASSERT_FALSE(rollups(5, Tier::hour).empty());
  ASSERT_TRUE(engine_->delete_range(5, INT64_MIN, INT64_MAX));
  EXPECT_TRUE(rollups(5, Tier::hour).empty());
  ASSERT_TRUE(engine_->flush());
  EXPECT_TRUE(rollups(5, Tier::hour).empty());
  EXPECT_TRUE(rollups(5, Tier::day).empty());
  EXPECT_TRUE(stored(5, Tier::hour).empty());
  // Times beyond ±2^62 ms are refused, not wrapped around.
  auto s = append({{5, {INT64_MAX, 1.0, 0}}});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::invalid);
  EXPECT_FALSE(append({{5, {INT64_MIN, 1.0, 0}}}, true));
}

TEST_F(RollupTest, RetentionWritesWhatMemoryHoldsBeforeDroppingRaw) {
  open({30 * kDayMs, 0, 0});
  std::map<Timestamp, Sample> model;
  std::vector<SeriesSample> batch;
  for (int i = 0; i < 4 * 24 * 10; ++i) {
    const Sample s{k2026 + i * 15 * kMinute, 20 + (i % 9) / 10.0, 0};
    batch.push_back({6, s});
    model[s.t] = s;
  }
  ASSERT_TRUE(append(batch, true));
  ASSERT_TRUE(engine_->flush());
  // A correction of an old hour, still in memory when retention comes.
  const Sample fix{k2026 + 2 * kHourMs + 5 * kMinute, 99.5, 0};
  ASSERT_TRUE(append({{6, fix}}, true));
  model[fix.t] = fix;
  ASSERT_TRUE(engine_->apply_retention(k2026 + 60 * kDayMs));
  auto raw = engine_->range(6, INT64_MIN, INT64_MAX, SIZE_MAX);
  ASSERT_TRUE(raw.has_value());
  EXPECT_TRUE(raw->empty());
  EXPECT_TRUE(same_rollups(rollups(6, Tier::hour), expected(model, Tier::hour)));
  open({30 * kDayMs, 0, 0});
  EXPECT_TRUE(same_rollups(rollups(6, Tier::hour), expected(model, Tier::hour)));
}

TEST_F(RollupTest, FilesWrittenBeforeRollupsAreRolledUpOnce) {
  std::vector<SeriesSample> batch;
  std::map<Timestamp, Sample> model;
  for (int i = 0; i < 3000; ++i) {
    const Sample s{k2026 + i * 5 * kMinute, i * 0.25, 0};
    batch.push_back({4, s});
    model[s.t] = s;
  }
  ASSERT_TRUE(append(batch, true));
  ASSERT_TRUE(engine_->flush());
  engine_.reset();
  {
    // What a file of the previous format looks like: no rollups, no mark.
    auto db = sqlite::Connection::open((dir_ / "series.db").string());
    ASSERT_TRUE(db.has_value());
    ASSERT_TRUE(db->exec("DELETE FROM rollups; DELETE FROM meta WHERE key = 'rollup_format';"));
  }
  open();
  EXPECT_TRUE(same_rollups(rollups(4, Tier::hour), expected(model, Tier::hour)));
  ASSERT_TRUE(engine_->flush());
  EXPECT_FALSE(stored(4, Tier::hour).empty());
  EXPECT_TRUE(same_rollups(rollups(4, Tier::hour), expected(model, Tier::hour)));
}

}  // namespace
}  // namespace citypulse::tsdb
