#include "tsdb/engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <future>
#include <limits>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <unordered_map>

#include "tsdb/chunk_codec.h"
#include "tsdb/rollup_codec.h"
#include "tsdb/series_file.h"
#include "tsdb/time_range.h"
#include "tsdb/wal.h"
#include "tsdb/wal_batch.h"

namespace citypulse::tsdb {
namespace {

constexpr Timestamp kNever = std::numeric_limits<Timestamp>::min();
constexpr Timestamp kEnd = std::numeric_limits<Timestamp>::max();
constexpr std::size_t kMaxChunkSamples = 65'535;  // chunk_codec.h
constexpr std::size_t kAll = std::numeric_limits<std::size_t>::max();
// Table meta: the raw tier's retention cutoff, and that rollups are kept
// (absent in files written before they were: every series is rolled up once).
constexpr std::string_view kRawHorizonKey = "raw_horizon";
constexpr std::string_view kRollupFormatKey = "rollup_format";

// A full head waiting for the next checkpoint.
struct SealedChunk {
  Timestamp start = 0;
  std::vector<Sample> samples;
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
  std::vector<TimeRange> deleted;  // not yet applied to series.db
  // Hours whose persisted rollups are stale: marked by every write and
  // deletion, taken by a checkpoint (in flight until its write commits).
  std::vector<TimeRange> dirty;
  std::vector<TimeRange> dirty_in_flight;
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

// What memory holds of a series in a range: its samples, ascending, and the
// deletions series.db has not seen yet.
struct MemoryView {
  std::vector<Sample> samples;
  std::vector<TimeRange> deleted;
};

MemoryView view_of(const std::vector<Sample>& late, const std::vector<SealedChunk>& sealed,
                   const std::vector<Sample>& head, const std::vector<TimeRange>& deleted,
                   Timestamp from, Timestamp to) {
  MemoryView v;
  copy_range(late, from, to, v.samples);
  for (const auto& c : sealed) copy_range(c.samples, from, to, v.samples);
  copy_range(head, from, to, v.samples);
  std::sort(v.samples.begin(), v.samples.end(),
            [](const Sample& a, const Sample& b) { return a.t < b.t; });
  v.deleted = deleted;
  return v;
}

Timestamp ceil_to(Timestamp t, std::int64_t width) {
  t = std::clamp(t, kEarliest, kLatest);
  const Timestamp floor = bucket_of(t, width);
  return floor == t ? t : floor + width;
}

// Replaces the rollups of the hours in `part` (whose samples changed) in
// `entries` (ascending) by `fresh`, computed from the raw samples now in the
// part. An hour without samples loses its rollup — unless it lies before the
// raw tier's horizon, where the rollup is all that is left of the hour and a
// deletion removes it only when it covers the whole hour.
void replace_hours(std::vector<Rollup>& entries, TimeRange part, std::span<const Rollup> fresh,
                   const std::vector<TimeRange>& deleted, Timestamp horizon) {
  auto by_start = [](const Rollup& r, Timestamp t) { return r.start < t; };
  auto first = std::lower_bound(entries.begin(), entries.end(), part.from, by_start);
  auto last = std::lower_bound(first, entries.end(), part.to, by_start);
  std::vector<Rollup> mid;
  std::size_t j = 0;
  for (auto it = first; it != last; ++it) {
    while (j < fresh.size() && fresh[j].start < it->start) mid.push_back(fresh[j++]);
    if (j < fresh.size() && fresh[j].start == it->start) {
      mid.push_back(fresh[j++]);
    } else if (it->start < horizon && !covered(deleted, it->start, it->start + kHourMs)) {
      mid.push_back(*it);
    }
  }
  while (j < fresh.size()) mid.push_back(fresh[j++]);
  const auto at = entries.erase(first, last);
  entries.insert(at, mid.begin(), mid.end());
}

// The part of ascending `rollups` with from <= start < to.
std::span<const Rollup> starting_in(const std::vector<Rollup>& rollups, Timestamp from,
                                    Timestamp to) {
  auto by_start = [](const Rollup& r, Timestamp t) { return r.start < t; };
  auto a = std::lower_bound(rollups.begin(), rollups.end(), from, by_start);
  auto b = std::lower_bound(a, rollups.end(), to, by_start);
  return {a, b};
}

bool all_single(std::span<const Rollup> rollups) {
  return std::all_of(rollups.begin(), rollups.end(), [](const Rollup& r) { return r.count == 1; });
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
    auto horizon = file_->meta(kRawHorizonKey);
    if (!horizon) return std::unexpected(horizon.error());
    raw_horizon_ = horizon->value_or(kNever);
    auto format = file_->meta(kRollupFormatKey);
    if (!format) return std::unexpected(format.error());
    rollup_format_written_ = format->has_value();
    if (!rollup_format_written_) {
      // A file from before rollups were kept: every series is rolled up by
      // the first checkpoint (until then queries compute them from raw).
      auto spans = file_->all_chunk_spans();
      if (!spans) return std::unexpected(spans.error());
      std::lock_guard lock(mutex_);
      for (const auto& span : *spans) {
        auto& state = series_[span.series];
        if (auto s = load(span.series, state); !s) return s;
        mark_hours(state.dirty, span.first, span.last + 1);
        ++state.version;
      }
    }
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
    for (const auto& [series, sample] : batch)
      if (auto s = load(series, series_[series]); !s) {
        lock.unlock();
        return done(s);
      }
    if (auto s = check(batch, import); !s) {
      lock.unlock();
      return done(s);
    }
    std::string record = encode_sample_batch(batch, import ? kBatchImport : 0);
    commit(std::move(batch), durable, std::move(record), std::move(done), lock);
  }

  bool try_append(std::vector<SeriesSample>& batch, bool durable, AppendDone& done) override {
    // Another appender holds the lock for a microsecond or so; a short spin
    // covers that, while a holder reading the disk (a first load, a
    // checkpoint's step) sends this caller to its blocking path.
    std::unique_lock lock(mutex_, std::defer_lock);
    for (int spin = 0; spin < 256 && !lock.try_lock(); ++spin) {
    }
    if (!lock.owns_lock()) return false;
    for (const auto& [series, sample] : batch) {
      const auto it = series_.find(series);
      if (it == series_.end() || !it->second.loaded) return false;
    }
    // A refusal is the blocking path's to give: its caller may then go on
    // to an import, which can block.
    if (!check(batch, false)) return false;
    std::string record = encode_sample_batch(batch, 0);
    if (!wal_->has_room(record.size())) return false;
    commit(std::move(batch), durable, std::move(record), std::move(done), lock);
    return true;
  }

  Result<std::vector<Sample>> range(SeriesId series, Timestamp from, Timestamp to,
                                    std::size_t limit) override {
    from = clamp_time(from);
    to = clamp_end(to);
    if (from >= to) return std::vector<Sample>{};
    MemoryView memory;
    {
      std::lock_guard lock(mutex_);
      auto it = series_.find(series);
      if (it != series_.end()) {
        const auto& s = it->second;
        memory = view_of(s.late, s.sealed, s.head, s.deleted, from, to);
      }
    }
    auto out = merged_with_file(series, memory, from, to);
    if (out && out->size() > limit) out->resize(limit);
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
    auto all = range(series, kNever, kEnd, kAll);
    std::lock_guard lock(mutex_);
    auto& state = series_[series];
    if (!all) return std::nullopt;
    state.latest = all->empty() ? std::nullopt : std::optional<Sample>(all->back());
    state.latest_stale = false;
    return state.latest;
  }

  Result<std::vector<Rollup>> rollups(SeriesId series, Tier tier, Timestamp from,
                                      Timestamp to) override {
    std::shared_lock retention(retention_mutex_);
    return tier == Tier::hour ? hour_rollups(series, from, to) : day_rollups(series, from, to);
  }

  Status delete_range(SeriesId series, Timestamp from, Timestamp to) override {
    // Nothing lies outside the stored times, so this deletes the same.
    from = clamp_time(from);
    to = clamp_end(to);
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
    from = clamp_time(from);  // a logged deletion may name all of int64
    to = clamp_end(to);
    if (from >= to) return {};
    auto& state = series_[series];
    if (auto s = load(series, state); !s) return s;
    erase_range(state.head, from, to);
    erase_range(state.late, from, to);
    for (auto& c : state.sealed) erase_range(c.samples, from, to);
    std::erase_if(state.sealed, [](const SealedChunk& c) { return c.samples.empty(); });
    state.deleted.push_back({from, to});
    mark_hours(state.dirty, from, to);
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
    now = clamp_time(now);
    // What memory holds goes to the file first, so retention works on the
    // whole story; a series changed before a cutoff since then waits for
    // the next pass (pending_before).
    if (auto s = checkpoint(); !s) return s;
    std::lock_guard checkpoint_lock(checkpoint_mutex_);
    if (auto s = retain_raw(now); !s) return s;
    if (auto s = retain_hours(now); !s) return s;
    return retain_days(now);
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

  // The batch against the engine's time limits and (unless `import`) each
  // series' late-data window. Called with mutex_ held, the series loaded.
  Status check(const std::vector<SeriesSample>& batch, bool import) {
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const auto& state = series_[batch[i].series];
      const Timestamp t = batch[i].sample.t;
      if (t < kEarliest || t > kLatest)
        return fail(ErrorCode::invalid,
                    fmt::format("sample {} of series {} at {} ms is outside the times the "
                                "engine keeps (±2^62 ms)",
                                i, batch[i].series, t),
                    fmt::format("/{}", i));
      if (!import && state.newest != kNever && t < state.newest - options_.late_window_ms)
        return fail(ErrorCode::invalid,
                    fmt::format("sample {} of series {} at {} ms is older than the late-data "
                                "window of {} ms before the series' newest sample at {} ms",
                                i, batch[i].series, t, options_.late_window_ms, state.newest),
                    fmt::format("/{}", i));
    }
    return {};
  }

  // Applies a checked batch and queues its WAL record; releases `lock`.
  void commit(std::vector<SeriesSample> batch, bool durable, std::string record, AppendDone done,
              std::unique_lock<std::mutex>& lock) {
    if (auto s = apply(batch); !s) {
      lock.unlock();
      return done(s);
    }
    samples_appended_ += batch.size();
    // Queued under the lock, so the log's order is the order applied.
    wal_->append(kRecordSamples, std::move(record), durable, [done = std::move(done)](Status s) {
      if (done) done(s);
    });
    lock.unlock();
    if (wal_->size_bytes() > options_.checkpoint_wal_bytes) background_cv_.notify_one();
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
      mark_hours(state.dirty, s.t, s.t + 1);
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
    std::vector<TimeRange> deleted;
    std::vector<TimeRange> dirty;  // hours whose rollups this checkpoint rewrites
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
    // The stored chunks late samples can fall into, in two queries rather
    // than one per sample (an import brings millions): the one at or before
    // the first late sample and every one starting up to the last. Their
    // compressed bytes are held for this series' checkpoint only.
    std::vector<StoredChunk> candidates;
    if (!snap.late.empty()) {
      auto first = file_->chunk_at_or_before(snap.series, snap.late.front().t);
      if (!first) return std::unexpected(first.error());
      if (*first) candidates.push_back(std::move(**first));
      auto rest = file_->chunks(snap.series, snap.late.front().t, snap.late.back().t + 1);
      if (!rest) return std::unexpected(rest.error());
      for (auto& c : *rest)
        if (candidates.empty() || c.start > candidates.back().start)
          candidates.push_back(std::move(c));
    }
    std::size_t next_candidate = 0;  // late samples ascend, so the answer only moves on
    std::vector<Sample> orphans;
    for (const auto& s : snap.late) {
      // The stored chunk with the greatest start <= s.t, if any.
      while (next_candidate < candidates.size() && candidates[next_candidate].start <= s.t)
        ++next_candidate;
      const StoredChunk* stored = next_candidate > 0 ? &candidates[next_candidate - 1] : nullptr;
      auto held = chunks.upper_bound(s.t);
      const bool in_memory = held != chunks.begin();
      if (in_memory) --held;
      if (stored && (!in_memory || stored->start > held->first)) {
        if (auto st = fetch(*stored); !st) return st;
        held = chunks.find(stored->start);
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

  // The file's samples of [from, to) less `memory.deleted`, merged with
  // `memory.samples` (which win at equal times).
  Result<std::vector<Sample>> merged_with_file(SeriesId series, const MemoryView& memory,
                                               Timestamp from, Timestamp to) {
    auto chunks = file_->chunks(series, from, to);
    if (!chunks) return std::unexpected(chunks.error());
    std::vector<Sample> stored, decoded;
    for (const auto& c : *chunks) {
      decoded.clear();
      if (auto s = decode_chunk(c.data, decoded); !s) return std::unexpected(s.error());
      copy_range(decoded, from, to, stored);
    }
    for (const auto& d : memory.deleted) erase_range(stored, d.from, d.to);
    return merge(stored, memory.samples);
  }

  // The raw samples of [from, to) as the snapshot's checkpoint leaves them.
  Result<std::vector<Sample>> snapshot_raw(const Snapshot& snap, Timestamp from, Timestamp to) {
    return merged_with_file(
        snap.series, view_of(snap.late, snap.sealed, snap.head, snap.deleted, from, to), from, to);
  }

  // Stored hourly rollups of [lo, hi) (hour-aligned), blocks kept in raw read
  // from the samples, and hours whose rollups are not persisted yet computed
  // from the samples now.
  Result<std::vector<Rollup>> hour_rollups(SeriesId series, Timestamp from, Timestamp to) {
    const Timestamp lo = ceil_to(from, kHourMs), hi = ceil_to(to, kHourMs);
    if (lo >= hi) return std::vector<Rollup>{};
    std::vector<TimeRange> dirty, deleted;
    {
      // Copied before the file is read: a checkpoint that commits in between
      // leaves these hours computed from raw, which is what it wrote.
      std::lock_guard lock(mutex_);
      auto it = series_.find(series);
      if (it != series_.end()) {
        dirty = it->second.dirty_in_flight;
        dirty.insert(dirty.end(), it->second.dirty.begin(), it->second.dirty.end());
        deleted = it->second.deleted;
      }
    }
    dirty = normalized(std::move(dirty));
    // Merged, so that an hour deleted in two halves counts as deleted.
    deleted = normalized(std::move(deleted));
    const Timestamp horizon = raw_horizon_;
    auto blocks = file_->rollup_blocks(series, Tier::hour, lo, hi);
    if (!blocks) return std::unexpected(blocks.error());
    std::vector<Rollup> out, stored;
    // Where no block is stored the rollups are the raw samples' (one a bucket,
    // or nothing at all): a run of such blocks is read from raw in one go.
    Timestamp next = lo;
    auto from_raw = [&](Timestamp a, Timestamp b) -> Status {
      if (a >= b) return {};
      auto raw = range(series, a, b, kAll);
      if (!raw) return std::unexpected(raw.error());
      const auto rollups = rollups_of(*raw, kHourMs);
      out.insert(out.end(), rollups.begin(), rollups.end());
      return {};
    };
    for (const auto& block : *blocks) {
      const Timestamp a = std::max(lo, block.start);
      const Timestamp b = std::min(hi, block.start + block_span(Tier::hour));
      if (auto s = from_raw(next, a); !s) return std::unexpected(s.error());
      if (auto s = decode_rollup_block(block.data, stored); !s) return std::unexpected(s.error());
      const auto part = starting_in(stored, a, b);
      out.insert(out.end(), part.begin(), part.end());
      next = b;
    }
    if (auto s = from_raw(next, hi); !s) return std::unexpected(s.error());
    for (const auto& d : dirty) {
      const Timestamp a = std::max(lo, d.from), b = std::min(hi, d.to);
      if (a >= b) continue;
      auto raw = range(series, a, b, kAll);
      if (!raw) return std::unexpected(raw.error());
      replace_hours(out, {a, b}, rollups_of(*raw, kHourMs), deleted, horizon);
    }
    return out;
  }

  // Days composed from the hours where the hourly tier has them, else the
  // stored daily rollups (kept past the hourly tier's retention).
  Result<std::vector<Rollup>> day_rollups(SeriesId series, Timestamp from, Timestamp to) {
    const Timestamp lo = ceil_to(from, kDayMs), hi = ceil_to(to, kDayMs);
    if (lo >= hi) return std::vector<Rollup>{};
    auto hours = hour_rollups(series, lo, hi);
    if (!hours) return hours;
    const auto composed = coarsen(*hours, kDayMs);
    std::vector<TimeRange> deleted;
    {
      std::lock_guard lock(mutex_);
      if (auto it = series_.find(series); it != series_.end()) deleted = it->second.deleted;
    }
    deleted = normalized(std::move(deleted));
    auto blocks = file_->rollup_blocks(series, Tier::day, lo, hi);
    if (!blocks) return std::unexpected(blocks.error());
    std::vector<Rollup> out, stored_days;
    std::size_t j = 0;
    for (const auto& stored : *blocks) {
      if (auto s = decode_rollup_block(stored.data, stored_days); !s)
        return std::unexpected(s.error());
      for (const auto& r : starting_in(stored_days, lo, hi)) {
        if (covered(deleted, r.start, r.start + kDayMs)) continue;
        while (j < composed.size() && composed[j].start < r.start) out.push_back(composed[j++]);
        if (j < composed.size() && composed[j].start == r.start) continue;
        out.push_back(r);
      }
    }
    out.insert(out.end(), composed.begin() + static_cast<std::ptrdiff_t>(j), composed.end());
    return out;
  }

  // The rollup rows a checkpoint writes for one series: every hourly block
  // with stale hours, recomputed from the raw samples the checkpoint leaves,
  // and stored days its deletions cover.
  Status write_rollups(const Snapshot& snap, SeriesFile::Checkpoint& out) {
    if (snap.dirty.empty()) return {};
    // Only hours where the series has anything are visited: a deletion may
    // name all of time.
    auto extent = file_->extent(snap.series);
    if (!extent) return std::unexpected(extent.error());
    TimeRange reach = extent->value_or(TimeRange{kLatest, kEarliest});
    auto widen = [&](const std::vector<Sample>& v) {
      if (v.empty()) return;
      reach.from = std::min(reach.from, v.front().t);
      reach.to = std::max(reach.to, v.back().t + 1);
    };
    widen(snap.late);
    widen(snap.head);
    for (const auto& c : snap.sealed) widen(c.samples);
    const auto span = block_span(Tier::hour);
    std::map<Timestamp, std::vector<TimeRange>> blocks;
    for (const auto& d : snap.dirty) {
      const Timestamp a = std::max(d.from, bucket_of(reach.from, kHourMs));
      const Timestamp b = std::min(d.to, ceil_to(reach.to, kHourMs));
      for (Timestamp block = bucket_of(a, span); block < b; block += span)
        blocks[block].push_back({std::max(a, block), std::min(b, block + span)});
    }
    for (const auto& [block, parts] : blocks)
      if (auto s = write_hour_block(snap, block, parts, out); !s) return s;
    if (!snap.deleted.empty()) return prune_days(snap.series, snap.deleted, out);
    return {};
  }

  // A block without a row holds what its raw samples say; one is written
  // when some hour holds more than one sample, or the raw samples may go
  // (before the horizon).
  Status write_hour_block(const Snapshot& snap, Timestamp block,
                          const std::vector<TimeRange>& parts, SeriesFile::Checkpoint& out) {
    const Timestamp horizon = raw_horizon_;
    const Timestamp end = block + block_span(Tier::hour);
    auto stored = file_->rollup_blocks(snap.series, Tier::hour, block, block + 1);
    if (!stored) return std::unexpected(stored.error());
    auto raw = snapshot_raw(snap, parts.front().from, parts.back().to);
    if (!raw) return std::unexpected(raw.error());
    const auto fresh = rollups_of(*raw, kHourMs);
    // Everything at or after the horizon is still in raw.
    const bool raw_complete = block >= horizon;
    std::vector<Rollup> current;
    if (stored->empty()) {
      if (raw_complete && all_single(fresh)) return {};  // still one sample an hour
      auto all = snapshot_raw(snap, block, end);
      if (!all) return std::unexpected(all.error());
      current = rollups_of(*all, kHourMs);
    } else {
      if (auto s = decode_rollup_block(stored->front().data, current); !s) return s;
      for (const auto& part : parts)
        replace_hours(current, part, starting_in(fresh, part.from, part.to),
                      normalized(snap.deleted), horizon);
    }
    if (current.empty() || (raw_complete && all_single(current))) {
      if (!stored->empty()) out.rollup_deletes.emplace_back(snap.series, Tier::hour, block);
      return {};
    }
    out.rollup_upserts.push_back({snap.series, Tier::hour, block, encode_rollup_block(current)});
    return {};
  }

  // Stored days wholly inside a deletion go with it (a day partly deleted
  // keeps its rollup: the samples it was made of are gone).
  Status prune_days(SeriesId series, const std::vector<TimeRange>& deleted,
                    SeriesFile::Checkpoint& out) {
    const auto merged = normalized(deleted);
    std::map<Timestamp, std::string> seen;
    for (const auto& d : merged) {
      auto blocks = file_->rollup_blocks(series, Tier::day, d.from, d.to);
      if (!blocks) return std::unexpected(blocks.error());
      for (auto& b : *blocks) seen.emplace(b.start, std::move(b.data));
    }
    std::vector<Rollup> days;
    for (const auto& [start, data] : seen) {
      if (auto s = decode_rollup_block(data, days); !s) return s;
      const auto n = std::erase_if(
          days, [&](const Rollup& r) { return covered(merged, r.start, r.start + kDayMs); });
      if (n == 0) continue;
      if (days.empty())
        out.rollup_deletes.emplace_back(series, Tier::day, start);
      else
        out.rollup_upserts.push_back({series, Tier::day, start, encode_rollup_block(days)});
    }
    return {};
  }

  // Drops raw chunks that ended before now - raw_ms, first writing out in
  // full the hourly blocks that were kept in raw.
  Status retain_raw(Timestamp now) {
    if (options_.retention.raw_ms <= 0) return {};
    const Timestamp cutoff = now - options_.retention.raw_ms;
    if (cutoff <= raw_horizon_) return {};
    // Recorded before anything goes: from now on blocks before the cutoff
    // are written out, never left to raw samples.
    raw_horizon_ = cutoff;
    SeriesFile::Checkpoint mark;
    mark.meta.emplace_back(std::string(kRawHorizonKey), cutoff);
    if (auto s = file_->write(mark); !s) return s;
    auto spans = file_->chunks_ending_before(cutoff);
    if (!spans) return std::unexpected(spans.error());
    const auto span = block_span(Tier::hour);
    for (const auto& chunks : *spans) {
      if (pending_before(chunks.series, cutoff)) continue;
      SeriesFile::Checkpoint cp;
      auto blocks = file_->rollup_blocks(chunks.series, Tier::hour, chunks.first, chunks.last + 1);
      if (!blocks) return std::unexpected(blocks.error());
      // Blocks without a row are their raw samples: written out before those go.
      auto block = bucket_of(chunks.first, span);
      for (std::size_t i = 0; block <= chunks.last; block += span) {
        while (i < blocks->size() && (*blocks)[i].start < block) ++i;
        if (i < blocks->size() && (*blocks)[i].start == block) continue;
        auto hours = hour_rollups(chunks.series, block, block + span);
        if (!hours) return std::unexpected(hours.error());
        if (!hours->empty())
          cp.rollup_upserts.push_back(
              {chunks.series, Tier::hour, block, encode_rollup_block(*hours)});
      }
      auto keys = file_->chunk_keys_ending_before(chunks.series, cutoff);
      if (!keys) return std::unexpected(keys.error());
      for (Timestamp key : *keys) cp.deletes.emplace_back(chunks.series, key);
      {
        std::unique_lock exclusive(retention_mutex_);
        if (auto s = file_->write(cp); !s) return s;
      }
      forget_dropped(chunks.series, *keys, cutoff);
    }
    return {};
  }

  // Whether the series has changes before `t` that no checkpoint has written.
  bool pending_before(SeriesId series, Timestamp t) {
    std::lock_guard lock(mutex_);
    auto it = series_.find(series);
    if (it == series_.end() || it->second.version == it->second.persisted_version) return false;
    const auto& s = it->second;
    auto before = [&](const std::vector<TimeRange>& v) {
      return std::any_of(v.begin(), v.end(), [&](const TimeRange& r) { return r.from < t; });
    };
    return (!s.late.empty() && s.late.front().t < t) ||
           (!s.sealed.empty() && s.sealed.front().samples.front().t < t) ||
           (!s.head.empty() && s.head.front().t < t) || before(s.deleted) || before(s.dirty) ||
           before(s.dirty_in_flight);
  }

  // A head loaded back from a chunk retention just dropped must not write
  // that chunk's samples again.
  void forget_dropped(SeriesId series, const std::vector<Timestamp>& keys, Timestamp cutoff) {
    std::lock_guard lock(mutex_);
    auto it = series_.find(series);
    if (it == series_.end()) return;
    auto& state = it->second;
    if (std::find(keys.begin(), keys.end(), state.head_start) != keys.end())
      std::erase_if(state.head, [&](const Sample& s) { return s.t < cutoff; });
  }

  // Replaces hourly blocks that ended before now - hour_ms by the days they
  // make up.
  Status retain_hours(Timestamp now) {
    if (options_.retention.hour_ms <= 0) return {};
    auto keys = file_->rollup_blocks_ending_by(Tier::hour, now - options_.retention.hour_ms);
    if (!keys) return std::unexpected(keys.error());
    for (std::size_t i = 0; i < keys->size();) {
      const SeriesId series = (*keys)[i].first;
      if (pending_before(series, now - options_.retention.hour_ms)) {
        while (i < keys->size() && (*keys)[i].first == series) ++i;
        continue;
      }
      SeriesFile::Checkpoint cp;
      std::map<Timestamp, std::vector<Rollup>> days;  // by day block
      for (; i < keys->size() && (*keys)[i].first == series; ++i) {
        const Timestamp start = (*keys)[i].second;
        auto hours = hour_rollups(series, start, start + block_span(Tier::hour));
        if (!hours) return std::unexpected(hours.error());
        for (const auto& d : coarsen(*hours, kDayMs))
          days[bucket_of(d.start, block_span(Tier::day))].push_back(d);
        cp.rollup_deletes.emplace_back(series, Tier::hour, start);
      }
      for (auto& [start, fresh] : days) {
        auto stored = file_->rollup_blocks(series, Tier::day, start, start + 1);
        if (!stored) return std::unexpected(stored.error());
        std::vector<Rollup> days;
        if (!stored->empty())
          if (auto s = decode_rollup_block(stored->front().data, days); !s) return s;
        std::sort(fresh.begin(), fresh.end(),
                  [](const Rollup& a, const Rollup& b) { return a.start < b.start; });
        replace_days(days, fresh);
        cp.rollup_upserts.push_back({series, Tier::day, start, encode_rollup_block(days)});
      }
      std::unique_lock exclusive(retention_mutex_);
      if (auto s = file_->write(cp); !s) return s;
    }
    return {};
  }

  // Days in `fresh` (ascending) replace the same days in `days` (ascending).
  static void replace_days(std::vector<Rollup>& days, const std::vector<Rollup>& fresh) {
    std::vector<Rollup> out;
    std::size_t i = 0, j = 0;
    while (i < days.size() || j < fresh.size()) {
      if (j == fresh.size() || (i < days.size() && days[i].start < fresh[j].start)) {
        out.push_back(days[i++]);
      } else {
        if (i < days.size() && days[i].start == fresh[j].start) ++i;
        out.push_back(fresh[j++]);
      }
    }
    days = std::move(out);
  }

  Status retain_days(Timestamp now) {
    if (options_.retention.day_ms <= 0) return {};
    auto keys = file_->rollup_blocks_ending_by(Tier::day, now - options_.retention.day_ms);
    if (!keys) return std::unexpected(keys.error());
    if (keys->empty()) return {};
    SeriesFile::Checkpoint cp;
    for (const auto& [series, start] : *keys)
      cp.rollup_deletes.emplace_back(series, Tier::day, start);
    std::unique_lock exclusive(retention_mutex_);
    return file_->write(cp);
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
        // Hours a failed checkpoint took are still in flight: taken again.
        state.dirty_in_flight.insert(state.dirty_in_flight.end(), state.dirty.begin(),
                                     state.dirty.end());
        state.dirty.clear();
        state.dirty_in_flight = normalized(std::move(state.dirty_in_flight));
        snaps.push_back({id, state.version, state.head_start, state.head, state.sealed, state.late,
                         state.deleted, state.dirty_in_flight});
      }
    }
    SeriesFile::Checkpoint cp;
    for (const auto& snap : snaps) {
      if (auto s = write_series(snap, cp); !s) return s;
      if (auto s = write_rollups(snap, cp); !s) return s;
    }
    if (!rollup_format_written_) cp.meta.emplace_back(std::string(kRollupFormatKey), 1);
    cp.position = position;
    // Everything before `position` must be on disk before the file says so.
    if (auto s = wal_->sync(); !s) return s;
    if (auto s = file_->write(cp); !s) return s;
    {
      std::lock_guard lock(mutex_);
      for (const auto& snap : snaps) {
        auto& state = series_[snap.series];
        // Drop what is now in the file, keeping anything written since —
        // also a sample equal to the one written but re-appended after a
        // deletion that came after the snapshot: that deletion still hides
        // the file's copy.
        const std::vector<TimeRange> since(
            state.deleted.begin() +
                static_cast<std::ptrdiff_t>(std::min(snap.deleted.size(), state.deleted.size())),
            state.deleted.end());
        auto deleted_since = [&](Timestamp t) {
          return std::any_of(since.begin(), since.end(),
                             [&](const TimeRange& r) { return t >= r.from && t < r.to; });
        };
        for (const auto& c : snap.sealed)
          std::erase_if(state.sealed, [&](const SealedChunk& m) {
            return m.start == c.start && m.samples == c.samples &&
                   std::none_of(m.samples.begin(), m.samples.end(),
                                [&](const Sample& s) { return deleted_since(s.t); });
          });
        // Both sorted by time: one merge-like pass (imports leave hundreds
        // of thousands of late samples; a search per sample was quadratic).
        {
          std::vector<Sample> kept;
          std::size_t j = 0;
          for (const Sample& s : state.late) {
            while (j < snap.late.size() && snap.late[j].t < s.t) ++j;
            if (j < snap.late.size() && snap.late[j] == s && !deleted_since(s.t)) continue;
            kept.push_back(s);
          }
          state.late = std::move(kept);
        }
        state.deleted.erase(
            state.deleted.begin(),
            state.deleted.begin() +
                static_cast<std::ptrdiff_t>(std::min(snap.deleted.size(), state.deleted.size())));
        state.dirty_in_flight.clear();
        if (state.version == snap.version) state.persisted_version = snap.version;
      }
    }
    rollup_format_written_ = true;
    ++checkpoints_;
    return wal_->truncate_before(position);
  }

  // Checkpoints, and every retention_interval_ms (the first time one
  // checkpoint interval after opening) applies retention against the wall
  // clock. Neither blocks appends: they take mutex_ only to copy or to drop
  // what they wrote.
  void background() {
    using Clock = std::chrono::steady_clock;
    std::optional<Clock::time_point> last_retention;
    std::unique_lock lock(background_mutex_);
    while (!stopping_) {
      background_cv_.wait_for(lock, std::chrono::milliseconds(options_.checkpoint_interval_ms));
      if (stopping_) break;
      lock.unlock();
      if (auto s = checkpoint(); !s) warn(fmt::format("checkpoint: {}", s.error().message));
      const auto now = Clock::now();
      if (options_.retention_interval_ms > 0 &&
          (!last_retention ||
           now - *last_retention >= std::chrono::milliseconds(options_.retention_interval_ms))) {
        last_retention = now;
        const auto wall = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
        if (auto s = apply_retention(wall); !s)
          warn(fmt::format("retention: {}", s.error().message));
      }
      lock.lock();
    }
  }

  const EngineOptions options_;
  std::unique_ptr<SeriesFile> file_;
  std::unique_ptr<Wal> wal_;

  std::mutex mutex_;  // series_ and the order of WAL appends
  std::unordered_map<SeriesId, SeriesState> series_;
  std::uint64_t samples_appended_ = 0;

  std::mutex checkpoint_mutex_;         // one checkpoint or retention pass at a time
  bool rollup_format_written_ = false;  // under checkpoint_mutex_
  // The raw tier's last retention cutoff: before it, raw samples are gone
  // and rollups are all that is left.
  std::atomic<Timestamp> raw_horizon_{kNever};
  // Held shared by rollup queries, exclusively while retention replaces raw
  // chunks by rollups, so a query never sees the one gone and not the other.
  std::shared_mutex retention_mutex_;
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
