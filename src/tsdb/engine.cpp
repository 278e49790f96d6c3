#include "tsdb/engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <future>
#include <limits>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "tsdb/chunk_codec.h"
#include "tsdb/series_file.h"
#include "tsdb/wal.h"
#include "tsdb/wal_batch.h"

namespace citypulse::tsdb {
namespace {

constexpr Timestamp kNever = std::numeric_limits<Timestamp>::min();
constexpr std::size_t kMaxChunkSamples = 65'535;  // chunk_codec.h

// A full head waiting for the next checkpoint.
struct SealedChunk {
  Timestamp start = 0;
  std::vector<Sample> samples;
};

struct DeletedRange {
  Timestamp from, to;
};

// Everything the engine holds in memory about one series. Invariants: the
// head's samples are at or after `head_start`, which is later than
// `sealed_end` and never changes while the head lives (it is the key the head
// is persisted under, so a checkpoint simply replaces that row); sealed
// chunks are ascending and do not overlap; every other sample (late) is
// before the head and outside every sealed chunk; every vector is sorted by
// time without duplicates.
struct SeriesState {
  bool loaded = false;  // the last persisted chunk was looked at
  Timestamp head_start = 0;
  std::vector<Sample> head;
  std::vector<SealedChunk> sealed;
  Timestamp sealed_end = kNever;  // last time of the newest chunk before the head
  std::vector<Sample> late;
  std::vector<DeletedRange> deleted;  // not yet applied to series.db
  std::optional<Sample> latest;
  bool latest_stale = false;  // the latest sample was deleted: find the one before
  Timestamp newest = kNever;
  std::uint64_t version = 0;
  std::uint64_t persisted_version = 0;
};

// Inserts `s` into sorted `v`, replacing a sample of the same time.
void upsert(std::vector<Sample>& v, const Sample& s) {
  auto it = std::lower_bound(v.begin(), v.end(), s.t,
                             [](const Sample& a, Timestamp t) { return a.t < t; });
  if (it != v.end() && it->t == s.t)
    *it = s;
  else
    v.insert(it, s);
}

void erase_range(std::vector<Sample>& v, Timestamp from, Timestamp to) {
  std::erase_if(v, [&](const Sample& s) { return s.t >= from && s.t < to; });
}

void copy_range(const std::vector<Sample>& v, Timestamp from, Timestamp to,
                std::vector<Sample>& out) {
  auto it = std::lower_bound(v.begin(), v.end(), from,
                             [](const Sample& a, Timestamp t) { return a.t < t; });
  for (; it != v.end() && it->t < to; ++it) out.push_back(*it);
}

// `newer` wins over `older` at equal times; both sorted, result sorted.
std::vector<Sample> merge(const std::vector<Sample>& older, const std::vector<Sample>& newer) {
  std::vector<Sample> out;
  out.reserve(older.size() + newer.size());
  std::size_t i = 0, j = 0;
  while (i < older.size() || j < newer.size()) {
    if (j == newer.size() || (i < older.size() && older[i].t < newer[j].t)) {
      out.push_back(older[i++]);
    } else {
      if (i < older.size() && older[i].t == newer[j].t) ++i;
      out.push_back(newer[j++]);
    }
  }
  return out;
}

// Encodes samples as one chunk under `key` (at or before the first sample), or
// several when there are more than a chunk holds.
void encode_into(SeriesId series, Timestamp key, const std::vector<Sample>& samples,
                 std::vector<StoredChunk>& out) {
  for (std::size_t i = 0; i < samples.size(); i += kMaxChunkSamples) {
    const auto n = std::min(kMaxChunkSamples, samples.size() - i);
    std::span<const Sample> part(samples.data() + i, n);
    out.push_back({series, i == 0 ? key : part.front().t, part.back().t,
                   static_cast<std::uint32_t>(n), encode_chunk(part)});
  }
}

class EngineImpl final : public Engine {
 public:
  EngineImpl(EngineOptions options, std::unique_ptr<SeriesFile> file)
      : options_(std::move(options)), file_(std::move(file)) {}

  ~EngineImpl() override {
    {
      std::lock_guard lock(background_mutex_);
      stopping_ = true;
    }
    background_cv_.notify_all();
    if (background_.joinable()) background_.join();
    if (wal_) {
      if (auto s = checkpoint(); !s) warn(fmt::format("final checkpoint: {}", s.error().message));
      wal_.reset();
    }
  }

  Status recover() {
    auto from = file_->checkpoint_position();
    if (!from) return std::unexpected(from.error());
    std::vector<SeriesSample> batch;
    auto end = replay_wal(
        options_.dir / "wal", *from,
        [&](WalPosition, std::uint8_t type, std::string_view payload) -> Status {
          if (type == kRecordDelete) {
            auto d = decode_delete(payload);
            if (!d) return std::unexpected(d.error());
            std::lock_guard lock(mutex_);
            return delete_in_memory(d->series, d->from, d->to);
          }
          if (type != kRecordSamples) return {};
          batch.clear();
          std::uint8_t flags = 0;
          if (auto s = decode_sample_batch(payload, batch, flags); !s) return s;
          std::lock_guard lock(mutex_);
          // The window was checked when the batch was first accepted.
          return apply(batch);
        },
        [&](const std::string& message) { warn(message); });
    if (!end) return std::unexpected(end.error());
    WalOptions wal_options;
    wal_options.dir = options_.dir / "wal";
    wal_options.sync_interval_ms = options_.wal_sync_interval_ms;
    wal_options.segment_bytes = options_.wal_segment_bytes;
    auto wal = Wal::open(wal_options);
    if (!wal) return std::unexpected(wal.error());
    wal_ = std::move(*wal);
    background_ = std::thread([this] { background(); });
    return {};
  }

  void append(std::vector<SeriesSample> batch, bool durable, bool import,
              AppendDone done) override {
    std::unique_lock lock(mutex_);
    for (std::size_t i = 0; i < batch.size(); ++i) {
      auto& state = series_[batch[i].series];
      if (auto s = load(batch[i].series, state); !s) {
        lock.unlock();
        return done(s);
      }
      const Timestamp t = batch[i].sample.t;
      if (!import && state.newest != kNever && t < state.newest - options_.late_window_ms) {
        lock.unlock();
        return done(fail(ErrorCode::invalid,
                         fmt::format("sample {} of series {} at {} ms is older than the late-data "
                                     "window of {} ms before the series' newest sample at {} ms",
                                     i, batch[i].series, t, options_.late_window_ms, state.newest),
                         fmt::format("/{}", i)));
      }
    }
    if (auto s = apply(batch); !s) {
      lock.unlock();
      return done(s);
    }
    samples_appended_ += batch.size();
    // Queued under the lock, so the log's order is the order applied.
    wal_->append(kRecordSamples, encode_sample_batch(batch, import ? kBatchImport : 0), durable,
                 [done = std::move(done)](Status s) {
                   if (done) done(s);
                 });
    lock.unlock();
    if (wal_->size_bytes() > options_.checkpoint_wal_bytes) background_cv_.notify_one();
  }

  Result<std::vector<Sample>> range(SeriesId series, Timestamp from, Timestamp to,
                                    std::size_t limit) override {
    if (from >= to) return std::vector<Sample>{};
    std::vector<Sample> memory;
    std::vector<DeletedRange> deleted;
    {
      std::lock_guard lock(mutex_);
      auto it = series_.find(series);
      if (it != series_.end()) {
        const auto& s = it->second;
        copy_range(s.late, from, to, memory);
        for (const auto& c : s.sealed) copy_range(c.samples, from, to, memory);
        copy_range(s.head, from, to, memory);
        deleted = s.deleted;
      }
    }
    std::sort(memory.begin(), memory.end(),
              [](const Sample& a, const Sample& b) { return a.t < b.t; });
    auto chunks = file_->chunks(series, from, to);
    if (!chunks) return std::unexpected(chunks.error());
    std::vector<Sample> stored;
    for (const auto& c : *chunks) {
      std::vector<Sample> decoded;
      if (auto s = decode_chunk(c.data, decoded); !s) return std::unexpected(s.error());
      for (const auto& x : decoded)
        if (x.t >= from && x.t < to) stored.push_back(x);
    }
    // Deletions not yet applied to the file hide what the file still holds.
    for (const auto& d : deleted) erase_range(stored, d.from, d.to);
    auto out = merge(stored, memory);
    if (out.size() > limit) out.resize(limit);
    return out;
  }

  std::optional<Sample> latest(SeriesId series) override {
    {
      std::lock_guard lock(mutex_);
      auto& state = series_[series];
      if (auto s = load(series, state); !s) return std::nullopt;
      if (!state.latest_stale) return state.latest;
    }
    // Rare: the newest sample was deleted. Find the newest that is left.
    auto all = range(series, kNever, std::numeric_limits<Timestamp>::max(),
                     std::numeric_limits<std::size_t>::max());
    std::lock_guard lock(mutex_);
    auto& state = series_[series];
    if (!all) return std::nullopt;
    state.latest = all->empty() ? std::nullopt : std::optional<Sample>(all->back());
    state.latest_stale = false;
    return state.latest;
  }

  Result<std::vector<Rollup>> rollups(SeriesId series, Tier tier, Timestamp from,
                                      Timestamp to) override {
    // Computed from the raw samples: exact, and the reference the persisted
    // rollup tiers are tested against.
    const std::int64_t width = tier == Tier::hour ? 3'600'000 : 86'400'000;
    auto samples = range(series, from, to, std::numeric_limits<std::size_t>::max());
    if (!samples) return std::unexpected(samples.error());
    std::vector<Rollup> out;
    for (const auto& s : *samples) {
      const Timestamp start = s.t - ((s.t % width) + width) % width;
      if (out.empty() || out.back().start != start) {
        out.push_back({start, 0, 0, s.v, s.v, s.t, s.t, s.v, s.v});
      }
      auto& r = out.back();
      ++r.count;
      r.sum += s.v;
      r.min = std::min(r.min, s.v);
      r.max = std::max(r.max, s.v);
      r.last_t = s.t;
      r.last = s.v;
    }
    return out;
  }

  Status delete_range(SeriesId series, Timestamp from, Timestamp to) override {
    if (from >= to) return {};
    auto done = std::make_shared<std::promise<Status>>();
    auto result = done->get_future();
    {
      std::lock_guard lock(mutex_);
      if (auto s = delete_in_memory(series, from, to); !s) return s;
      // Applied to series.db at the next checkpoint; logged (durably) so a
      // crash before then does not bring the samples back.
      wal_->append(kRecordDelete, encode_delete({series, from, to}), true,
                   [done](Status s) { done->set_value(s); });
    }
    return result.get();
  }

 private:
  // Called with mutex_ held.
  Status delete_in_memory(SeriesId series, Timestamp from, Timestamp to) {
    auto& state = series_[series];
    if (auto s = load(series, state); !s) return s;
    erase_range(state.head, from, to);
    erase_range(state.late, from, to);
    for (auto& c : state.sealed) erase_range(c.samples, from, to);
    std::erase_if(state.sealed, [](const SealedChunk& c) { return c.samples.empty(); });
    state.deleted.push_back({from, to});
    ++state.version;
    if (state.latest && state.latest->t >= from && state.latest->t < to) state.latest_stale = true;
    return {};
  }

 public:
  Status flush() override {
    if (auto s = wal_->sync(); !s) return s;
    if (auto s = checkpoint(); !s) return s;
    return file_->fold_log();
  }

  Status apply_retention(Timestamp now) override {
    if (options_.retention.raw_ms <= 0) return {};
    auto n = file_->delete_chunks_ending_before(now - options_.retention.raw_ms);
    if (!n) return std::unexpected(n.error());
    return {};
  }

  Stats stats() override {
    Stats st;
    {
      std::lock_guard lock(mutex_);
      st.series = series_.size();
      st.samples_appended = samples_appended_;
    }
    st.wal_bytes = wal_ ? wal_->size_bytes() : 0;
    st.db_bytes = file_->size_bytes();
    st.checkpoints = checkpoints_;
    return st;
  }

 private:
  void warn(const std::string& message) {
    if (options_.warn) options_.warn(message);
  }

  // Reads the series' newest persisted chunk the first time the series is
  // touched: its end bounds the head, its last sample is the latest value,
  // and when it is not full it becomes the head again.
  Status load(SeriesId series, SeriesState& state) {
    if (state.loaded) return {};
    auto last = file_->last_chunk(series);
    if (!last) return std::unexpected(last.error());
    state.loaded = true;
    if (!*last) return {};
    std::vector<Sample> samples;
    if (auto s = decode_chunk((*last)->data, samples); !s) return s;
    if (samples.empty()) return {};
    const Sample newest = samples.back();
    if (!state.latest || state.latest->t <= newest.t) {
      // Samples already in memory (replayed) are newer writes.
      if (!state.latest) state.latest = newest;
    }
    state.newest = std::max(state.newest, newest.t);
    if ((*last)->count < options_.chunk_max_samples && state.head.empty() && state.sealed.empty()) {
      // The head must stay after every other chunk: bound it by the one before.
      auto before = file_->chunk_at_or_before(series, (*last)->start - 1);
      if (!before) return std::unexpected(before.error());
      if (*before) state.sealed_end = (*before)->end;
      state.head = std::move(samples);
      state.head_start = (*last)->start;
    } else {
      state.sealed_end = std::max(state.sealed_end, (*last)->end);
    }
    return {};
  }

  // Applies an accepted batch to memory. Called with mutex_ held.
  Status apply(const std::vector<SeriesSample>& batch) {
    for (const auto& [series, s] : batch) {
      auto& state = series_[series];
      if (auto st = load(series, state); !st) return st;
      const bool starts_head = state.head.empty() && s.t > state.sealed_end;
      if (starts_head) state.head_start = s.t;
      if (starts_head || (!state.head.empty() && s.t >= state.head_start)) {
        upsert(state.head, s);
        if (state.head.size() >= options_.chunk_max_samples) seal(state);
      } else {
        auto chunk = std::find_if(state.sealed.begin(), state.sealed.end(), [&](const auto& c) {
          return c.samples.front().t <= s.t && s.t <= c.samples.back().t;
        });
        upsert(chunk != state.sealed.end() ? chunk->samples : state.late, s);
      }
      // After the newest sample was deleted, a later write is newest again
      // (everything left is older than the deleted one); an earlier one is not known to be.
      if (!state.latest || s.t >= state.latest->t) {
        state.latest = s;
        state.latest_stale = false;
      }
      state.newest = std::max(state.newest, s.t);
      ++state.version;
    }
    return {};
  }

  // The sealed chunk keeps the head's key, so its upsert replaces the row the
  // head was last persisted under.
  void seal(SeriesState& state) {
    state.sealed_end = state.head.back().t;
    state.sealed.push_back({state.head_start, std::move(state.head)});
    state.head.clear();
  }

  struct Snapshot {
    SeriesId series;
    std::uint64_t version;
    Timestamp head_start;
    std::vector<Sample> head;
    std::vector<SealedChunk> sealed;
    std::vector<Sample> late;
    std::vector<DeletedRange> deleted;
  };

  // Everything of one series a checkpoint writes: its sealed chunks and head
  // under their keys, and the persisted chunks that late samples or deletions
  // touch, rewritten under theirs. Chunks never overlap: a late sample goes
  // into the chunk with the greatest key at or before it — the memory version
  // when the snapshot holds that key, else the file's — or, before every
  // chunk, into a new one.
  Status write_series(const Snapshot& snap, SeriesFile::Checkpoint& out) {
    std::map<Timestamp, std::vector<Sample>> chunks;
    for (const auto& c : snap.sealed) chunks[c.start] = c.samples;
    if (!snap.head.empty()) chunks[snap.head_start] = snap.head;
    auto fetch = [&](const StoredChunk& c) -> Status {
      if (chunks.contains(c.start)) return {};
      std::vector<Sample> samples;
      if (auto s = decode_chunk(c.data, samples); !s) return s;
      chunks.emplace(c.start, std::move(samples));
      return {};
    };
    // Memory already dropped what the deletions cover (and may hold samples
    // written since, which stay); the file's copies go now.
    for (const auto& d : snap.deleted) {
      auto stored = file_->chunks(snap.series, d.from, d.to);
      if (!stored) return std::unexpected(stored.error());
      for (const auto& c : *stored) {
        const bool in_memory = chunks.contains(c.start);
        if (auto s = fetch(c); !s) return s;
        if (!in_memory)
          for (const auto& e : snap.deleted) erase_range(chunks[c.start], e.from, e.to);
      }
    }
    std::vector<Sample> orphans;
    for (const auto& s : snap.late) {
      auto stored = file_->chunk_at_or_before(snap.series, s.t);
      if (!stored) return std::unexpected(stored.error());
      auto held = chunks.upper_bound(s.t);
      const bool in_memory = held != chunks.begin();
      if (in_memory) --held;
      if (*stored && (!in_memory || (*stored)->start > held->first)) {
        if (auto st = fetch(**stored); !st) return st;
        held = chunks.find((*stored)->start);
      } else if (!in_memory) {
        orphans.push_back(s);
        continue;
      }
      upsert(held->second, s);
    }
    for (const auto& [key, samples] : chunks) {
      if (samples.empty())
        out.deletes.emplace_back(snap.series, key);
      else
        encode_into(snap.series, key, samples, out.upserts);
    }
    if (!orphans.empty()) encode_into(snap.series, orphans.front().t, orphans, out.upserts);
    return {};
  }

  Status checkpoint() {
    std::lock_guard checkpoint_lock(checkpoint_mutex_);
    std::vector<Snapshot> snaps;
    WalPosition position;
    {
      std::lock_guard lock(mutex_);
      position = wal_->append(kRecordCheckpoint, {}, false, {});
      for (auto& [id, state] : series_) {
        if (state.version == state.persisted_version) continue;
        snaps.push_back({id, state.version, state.head_start, state.head, state.sealed, state.late,
                         state.deleted});
      }
    }
    SeriesFile::Checkpoint cp;
    for (const auto& snap : snaps)
      if (auto s = write_series(snap, cp); !s) return s;
    cp.position = position;
    // Everything before `position` must be on disk before the file says so.
    if (auto s = wal_->sync(); !s) return s;
    if (auto s = file_->write(cp); !s) return s;
    {
      std::lock_guard lock(mutex_);
      for (const auto& snap : snaps) {
        auto& state = series_[snap.series];
        // Drop what is now in the file, keeping anything written since.
        for (const auto& c : snap.sealed)
          std::erase_if(state.sealed, [&](const SealedChunk& m) {
            return m.start == c.start && m.samples == c.samples;
          });
        std::erase_if(state.late, [&](const Sample& s) {
          return std::find(snap.late.begin(), snap.late.end(), s) != snap.late.end();
        });
        state.deleted.erase(
            state.deleted.begin(),
            state.deleted.begin() +
                static_cast<std::ptrdiff_t>(std::min(snap.deleted.size(), state.deleted.size())));
        if (state.version == snap.version) state.persisted_version = snap.version;
      }
    }
    ++checkpoints_;
    return wal_->truncate_before(position);
  }

  void background() {
    std::unique_lock lock(background_mutex_);
    while (!stopping_) {
      background_cv_.wait_for(lock, std::chrono::milliseconds(options_.checkpoint_interval_ms));
      if (stopping_) break;
      lock.unlock();
      if (auto s = checkpoint(); !s) warn(fmt::format("checkpoint: {}", s.error().message));
      lock.lock();
    }
  }

  const EngineOptions options_;
  std::unique_ptr<SeriesFile> file_;
  std::unique_ptr<Wal> wal_;

  std::mutex mutex_;  // series_ and the order of WAL appends
  std::unordered_map<SeriesId, SeriesState> series_;
  std::uint64_t samples_appended_ = 0;

  std::mutex checkpoint_mutex_;  // one checkpoint at a time
  std::atomic<std::uint64_t> checkpoints_{0};

  std::mutex background_mutex_;
  std::condition_variable background_cv_;
  bool stopping_ = false;
  std::thread background_;
};

}  // namespace

Result<std::unique_ptr<Engine>> Engine::open(EngineOptions options) {
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec)
    return fail(ErrorCode::io,
                fmt::format("cannot create {}: {}", options.dir.string(), ec.message()));
  if (options.chunk_max_samples < 2 || options.chunk_max_samples > kMaxChunkSamples)
    return fail(ErrorCode::invalid, "chunk_max_samples must be between 2 and 65535");
  auto file = SeriesFile::open(options.dir / "series.db");
  if (!file) return std::unexpected(file.error());
  auto engine = std::make_unique<EngineImpl>(std::move(options), std::move(*file));
  if (auto s = engine->recover(); !s) return std::unexpected(s.error());
  return std::unique_ptr<Engine>(std::move(engine));
}

}  // namespace citypulse::tsdb
