// The engine end to end on real files: appends, reads across memory and
// series.db, late data, deletion, checkpoints and recovery from the WAL.
#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <map>
#include <random>

#include "tsdb/engine.h"

namespace citypulse::tsdb {
namespace {

namespace fs = std::filesystem;

}  // namespace

void PrintTo(const Sample& s, std::ostream* os) {
  *os << "{t=" << s.t << " v=" << s.v << " q=" << int(s.quality) << "}";
}

namespace {

// Where two sample lists first differ, for a readable failure.
::testing::AssertionResult same_samples(const std::vector<Sample>& got,
                                        const std::vector<Sample>& want) {
  for (std::size_t i = 0; i < std::min(got.size(), want.size()); ++i)
    if (!(got[i] == want[i]))
      return ::testing::AssertionFailure()
             << "first difference at " << i << ": got t=" << got[i].t << " v=" << got[i].v
             << ", want t=" << want[i].t << " v=" << want[i].v;
  if (got.size() != want.size())
    return ::testing::AssertionFailure()
           << "got " << got.size() << " samples, want " << want.size();
  return ::testing::AssertionSuccess();
}

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cp-engine-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    open();
  }
  void TearDown() override {
    engine_.reset();
    fs::remove_all(dir_);
  }
  void open(std::uint32_t chunk = 8) {
    engine_.reset();
    EngineOptions o;
    o.dir = dir_;
    o.chunk_max_samples = chunk;
    o.checkpoint_interval_ms = 3'600'000;  // only when the test asks
    o.wal_segment_bytes = 16 << 10;
    o.warn = [this](const std::string& m) { warnings_.push_back(m); };
    auto e = Engine::open(std::move(o));
    ASSERT_TRUE(e.has_value()) << e.error().message;
    engine_ = std::move(*e);
  }
  Status append(std::vector<SeriesSample> batch, bool durable = false, bool import = false) {
    std::promise<Status> p;
    auto f = p.get_future();
    engine_->append(std::move(batch), durable, import, [&p](Status s) { p.set_value(s); });
    return f.get();
  }
  std::vector<Sample> all(SeriesId s) {
    auto r = engine_->range(s, INT64_MIN, INT64_MAX, SIZE_MAX);
    EXPECT_TRUE(r.has_value()) << r.error().message;
    return r ? *r : std::vector<Sample>{};
  }
  static std::vector<SeriesSample> series_of(SeriesId s, Timestamp from, int n, Timestamp step,
                                             double v0 = 20.0) {
    std::vector<SeriesSample> out;
    for (int i = 0; i < n; ++i) out.push_back({s, {from + i * step, v0 + i * 0.5, 0}});
    return out;
  }
  static std::vector<Sample> samples(const std::vector<SeriesSample>& b) {
    std::vector<Sample> out;
    for (const auto& x : b) out.push_back(x.sample);
    return out;
  }

  fs::path dir_;
  std::unique_ptr<Engine> engine_;
  std::vector<std::string> warnings_;
};

TEST_F(EngineTest, ReadsBackWhatWasAppendedAcrossChunksAndCheckpoints) {
  const auto batch = series_of(7, 1'000'000, 50, 60'000);
  ASSERT_TRUE(append(batch));
  EXPECT_EQ(all(7), samples(batch));
  ASSERT_TRUE(engine_->flush());
  EXPECT_EQ(all(7), samples(batch));  // now from series.db
  auto part = engine_->range(7, 1'000'000 + 10 * 60'000, 1'000'000 + 20 * 60'000, 100);
  ASSERT_TRUE(part.has_value());
  ASSERT_EQ(part->size(), 10u);
  EXPECT_EQ(part->front().t, 1'000'000 + 10 * 60'000);
  EXPECT_EQ(engine_->range(7, 0, INT64_MAX, 3)->size(), 3u);
  EXPECT_EQ(engine_->latest(7)->t, batch.back().sample.t);
  EXPECT_FALSE(engine_->latest(8).has_value());
}

TEST_F(EngineTest, SurvivesARestartWithAndWithoutACheckpoint) {
  const auto first = series_of(1, 0, 20, 1000);
  ASSERT_TRUE(append(first, true));
  ASSERT_TRUE(engine_->flush());
  const auto second = series_of(1, 20'000, 5, 1000, 99.0);
  ASSERT_TRUE(append(second, true));  // only in the WAL
  open();
  auto expected = samples(first);
  for (const auto& s : samples(second)) expected.push_back(s);
  EXPECT_EQ(all(1), expected);
  EXPECT_EQ(engine_->latest(1)->v, second.back().sample.v);
  // And keeps appending after the recovered head.
  ASSERT_TRUE(append(series_of(1, 25'000, 3, 1000, 7.0)));
  EXPECT_EQ(all(1).size(), 28u);
  open();
  EXPECT_EQ(all(1).size(), 28u);
  EXPECT_TRUE(warnings_.empty());
}

TEST_F(EngineTest, LateSamplesMergeIntoPersistedChunksAndReplaceEqualTimes) {
  ASSERT_TRUE(append(series_of(3, 0, 40, 10'000)));
  ASSERT_TRUE(engine_->flush());
  // Between existing samples, replacing one, and before the first.
  ASSERT_TRUE(append({{3, {5'000, 1.5, 0}}, {3, {20'000, -4.0, 2}}, {3, {-10'000, 0.25, 0}}}));
  auto check = [&] {
    auto s = all(3);
    ASSERT_EQ(s.size(), 42u);
    EXPECT_EQ(s[0], (Sample{-10'000, 0.25, 0}));
    EXPECT_EQ(s[2], (Sample{5'000, 1.5, 0}));
    EXPECT_EQ(s[4], (Sample{20'000, -4.0, 2}));
    for (std::size_t i = 1; i < s.size(); ++i) EXPECT_LT(s[i - 1].t, s[i].t);
  };
  check();
  ASSERT_TRUE(engine_->flush());
  check();
  open();
  check();
}

TEST_F(EngineTest, TheLateWindowRefusesOldSamplesUnlessImported) {
  ASSERT_TRUE(append({{4, {30ll * 86'400'000, 1.0, 0}}}));
  auto old = append({{4, {30ll * 86'400'000 - 8ll * 86'400'000, 2.0, 0}}});
  ASSERT_FALSE(old.has_value());
  EXPECT_EQ(old.error().code, ErrorCode::invalid);
  EXPECT_EQ(all(4).size(), 1u);  // nothing of the refused batch
  ASSERT_TRUE(append({{4, {1'000, 3.0, 0}}}, false, true));
  EXPECT_EQ(all(4).size(), 2u);
}

TEST_F(EngineTest, DeletionHidesPersistedSamplesAndLasts) {
  ASSERT_TRUE(append(series_of(5, 0, 30, 1000)));
  ASSERT_TRUE(engine_->flush());
  ASSERT_TRUE(append(series_of(5, 30'000, 5, 1000)));
  ASSERT_TRUE(engine_->delete_range(5, 10'000, 32'000));
  auto left = all(5);
  ASSERT_EQ(left.size(), 13u);
  EXPECT_EQ(engine_->latest(5)->t, 34'000);
  // The newest goes: the one before it is the latest.
  ASSERT_TRUE(engine_->delete_range(5, 33'000, 40'000));
  EXPECT_EQ(engine_->latest(5)->t, 32'000);
  ASSERT_TRUE(append({{5, {33'000, 1.0, 0}}}));
  left = all(5);
  ASSERT_EQ(left.size(), 12u);
  EXPECT_EQ(left[9].t, 9'000);
  EXPECT_EQ(left[10].t, 32'000);
  EXPECT_EQ(left[11], (Sample{33'000, 1.0, 0}));
  open();  // replayed from the WAL
  EXPECT_EQ(all(5).size(), 12u);
  ASSERT_TRUE(engine_->flush());  // applied to series.db
  open();
  EXPECT_EQ(all(5).size(), 12u);
  EXPECT_EQ(engine_->latest(5)->t, 33'000);
  // Written again after the deletion: back.
  ASSERT_TRUE(append({{5, {15'000, 8.0, 0}}}));
  EXPECT_EQ(all(5).size(), 13u);
}

// The non-blocking append takes only what it can write at once and leaves
// everything else, batch and completion both, to the blocking one.
TEST_F(EngineTest, TryAppendTakesOnlyLoadedSeriesAndLeavesRefusalsToAppend) {
  // A durable append completes on the WAL's thread once synced.
  std::promise<Status> synced;
  AppendDone done = [&synced](Status s) { synced.set_value(s); };
  // What try_append() takes it moves out of; a declined call leaves it.
  auto batch = series_of(9, 1'000'000, 3, 1000);
  // Never seen: loading it would read series.db.
  EXPECT_FALSE(engine_->try_append(batch, false, done));
  EXPECT_EQ(batch.size(), 3u);
  ASSERT_TRUE(done);
  EXPECT_TRUE(all(9).empty());

  ASSERT_TRUE(append(batch));  // loads the series
  auto next = series_of(9, 1'003'000, 2, 1000, 50.0);
  auto first = synced.get_future();
  ASSERT_TRUE(engine_->try_append(next, true, done));
  EXPECT_FALSE(done);
  const Status result = first.get();
  EXPECT_TRUE(result) << result.error().message;
  EXPECT_EQ(all(9).size(), 5u);
  EXPECT_EQ(engine_->latest(9)->v, 50.5);

  // Too late for the window: append() refuses, try_append() declines.
  std::vector<SeriesSample> late{{9, {1'000'000 - 8ll * 86'400'000, 1.0, 0}}};
  int late_calls = 0;
  AppendDone late_done = [&late_calls](Status) { ++late_calls; };
  EXPECT_FALSE(engine_->try_append(late, false, late_done));
  EXPECT_EQ(late.size(), 1u);
  EXPECT_TRUE(late_done);
  EXPECT_EQ(late_calls, 0);
  EXPECT_FALSE(append(late));

  // After a restart the series is on disk only until something loads it.
  open();
  std::promise<Status> synced_again;
  AppendDone again = [&synced_again](Status s) { synced_again.set_value(s); };
  auto after = series_of(9, 1'005'000, 1, 1000);
  EXPECT_FALSE(engine_->try_append(after, false, again));
  ASSERT_TRUE(again);
  ASSERT_TRUE(engine_->latest(9).has_value());
  auto second = synced_again.get_future();
  ASSERT_TRUE(engine_->try_append(after, true, again));
  EXPECT_TRUE(second.get());
  EXPECT_EQ(all(9).size(), 6u);
  open();  // and what it took was logged
  EXPECT_EQ(all(9).size(), 6u);
}

// Random batches out of order, replacements, deletions, checkpoints and
// restarts against a plain map: whatever the interleaving, the engine reads
// back exactly what the model holds.
TEST_F(EngineTest, RandomWorkloadsMatchAReferenceModel) {
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    SCOPED_TRACE(seed);
    engine_.reset();
    fs::remove_all(dir_);
    open(16);
    std::mt19937_64 rng(seed);
    std::map<SeriesId, std::map<Timestamp, Sample>> model;
    for (int round = 0; round < 40; ++round) {
      std::vector<SeriesSample> batch;
      for (int i = 0; i < 150; ++i) {
        const SeriesId s = static_cast<SeriesId>(rng() % 8);
        // Mostly recent, some deep in the past (still inside the window).
        const Timestamp base = round * 1000;
        const Timestamp t = rng() % 5 == 0 ? static_cast<Timestamp>(rng() % (base + 1))
                                           : base + static_cast<Timestamp>(rng() % 3000);
        const Sample x{t, static_cast<double>(rng() % 1000) / 10.0,
                       static_cast<std::uint8_t>(rng() % 3)};
        batch.push_back({s, x});
      }
      ASSERT_TRUE(append(batch));
      for (const auto& b : batch) model[b.series][b.sample.t] = b.sample;
      switch (rng() % 6) {
        case 0:
          ASSERT_TRUE(engine_->flush());
          break;
        case 1:
          open(16);
          break;
        case 2: {
          const SeriesId s = static_cast<SeriesId>(rng() % 8);
          const Timestamp from = static_cast<Timestamp>(rng() % (round * 1000 + 3000));
          const Timestamp to = from + static_cast<Timestamp>(rng() % 4000);
          ASSERT_TRUE(engine_->delete_range(s, from, to));
          auto& m = model[s];
          m.erase(m.lower_bound(from), m.lower_bound(to));
          break;
        }
        default:
          break;
      }
    }
    for (int pass = 0; pass < 2; ++pass) {
      for (const auto& [s, samples] : model) {
        std::vector<Sample> expected;
        for (const auto& [t, x] : samples) expected.push_back(x);
        EXPECT_TRUE(same_samples(all(s), expected)) << "series " << s << ", pass " << pass;
      }
      open(16);
    }
  }
}

TEST_F(EngineTest, RollupsAggregateHoursAndDays) {
  ASSERT_TRUE(append({{9, {0, 1.0, 0}}, {9, {1'800'000, 3.0, 0}}, {9, {3'600'000, 10.0, 0}}}));
  auto hours = engine_->rollups(9, Tier::hour, 0, 7'200'000);
  ASSERT_TRUE(hours.has_value());
  ASSERT_EQ(hours->size(), 2u);
  EXPECT_EQ((*hours)[0].count, 2);
  EXPECT_EQ((*hours)[0].sum, 4.0);
  EXPECT_EQ((*hours)[0].first, 1.0);
  EXPECT_EQ((*hours)[0].last_t, 1'800'000);
  auto days = engine_->rollups(9, Tier::day, 0, 86'400'000);
  ASSERT_EQ(days->size(), 1u);
  EXPECT_EQ((*days)[0].max, 10.0);
}

TEST_F(EngineTest, RetentionDropsOnlyChunksPastTheRawWindow) {
  const Timestamp day = 86'400'000;
  ASSERT_TRUE(append(series_of(6, 0, 16, 1000), false, true));         // day 0: 2 chunks
  ASSERT_TRUE(append(series_of(6, 40 * day, 16, 1000), false, true));  // day 40
  ASSERT_TRUE(engine_->flush());
  ASSERT_TRUE(engine_->apply_retention(45 * day));  // raw window: 30 days
  auto left = all(6);
  ASSERT_EQ(left.size(), 16u);
  EXPECT_EQ(left.front().t, 40 * day);
  open();
  EXPECT_EQ(all(6).size(), 16u);
}

TEST_F(EngineTest, CheckpointsShrinkTheLog) {
  ASSERT_TRUE(append(series_of(2, 0, 5000, 1000), true));
  const auto before = engine_->stats();
  ASSERT_TRUE(engine_->flush());
  const auto after = engine_->stats();
  EXPECT_LT(after.wal_bytes, before.wal_bytes);
  EXPECT_GT(after.db_bytes, 0u);
  EXPECT_EQ(after.checkpoints, before.checkpoints + 1);
}

}  // namespace
}  // namespace citypulse::tsdb
