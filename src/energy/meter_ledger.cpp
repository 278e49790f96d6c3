#include "energy/meter_ledger.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include "analytics/meter_energy.h"

namespace citypulse::energy {

struct MeterLedger::Block {
  std::int64_t index = 0;
  std::int64_t settings_version = 0;
  std::array<double, kLedgerBlockHours> energy{};
  std::array<HourState, kLedgerBlockHours> state;
  std::array<std::uint64_t, kLedgerBlockHours> source{};  // 0: never computed

  Block() { state.fill(HourState::missing); }
};

namespace {

constexpr std::int64_t kBlockMs = kLedgerBlockHours * kHourMs;
// Where a counter's or power series' step into the recomputed hours may
// start: the reading before them is looked for this far back (and the one
// after them this far ahead), first in hourly, then in daily rollups.
constexpr std::int64_t kNearMs = 48 * kHourMs;
constexpr std::int64_t kFarMs = 800LL * 24 * kHourMs;
constexpr std::uint64_t kNoReadings = 1;

TimeMs floor_to(TimeMs t, std::int64_t width) {
  const TimeMs r = t % width;
  return r < 0 ? t - r - width : t - r;
}
TimeMs ceil_to(TimeMs t, std::int64_t width) {
  const TimeMs f = floor_to(t, width);
  return f == t ? t : f + width;
}

std::uint64_t mix(std::uint64_t h, std::uint64_t x) {
  h ^= x + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
  h ^= h >> 31;
  h *= 0xBF58476D1CE4E5B9ULL;
  return h ^ (h >> 29);
}

// What an hour's readings were when it was computed; never 0 (never
// computed) nor kNoReadings for an hour with readings.
std::uint64_t fingerprint(const ReadingsRollup& r) {
  std::uint64_t h = 0x243F6A8885A308D3ULL;
  for (const std::uint64_t x :
       {static_cast<std::uint64_t>(r.count), static_cast<std::uint64_t>(r.first_t),
        static_cast<std::uint64_t>(r.last_t), std::bit_cast<std::uint64_t>(r.first),
        std::bit_cast<std::uint64_t>(r.last), std::bit_cast<std::uint64_t>(r.sum),
        std::bit_cast<std::uint64_t>(r.increase)})
    h = mix(h, x);
  return h < 2 ? h + 2 : h;
}

template <class T, std::size_t N>
std::string bytes_of(const std::array<T, N>& a) {
  return std::string(reinterpret_cast<const char*>(a.data()), sizeof(T) * N);
}

template <class T, std::size_t N>
bool read_bytes(std::string_view s, std::array<T, N>& a) {
  if (s.size() != sizeof(T) * N) return false;
  std::memcpy(a.data(), s.data(), s.size());
  return true;
}

// The rollups of [from, to) by hour start.
using RollupsByHour = std::unordered_map<TimeMs, ReadingsRollup>;

}  // namespace

MeterLedger::MeterLedger(EnergyStore& store, SeriesStore& series, std::size_t cache_blocks)
    : store_(store), series_(series), cache_blocks_(std::max<std::size_t>(cache_blocks, 16)) {}

std::int64_t MeterLedger::hours_recomputed() const {
  std::lock_guard lock(cache_mutex_);
  return recomputed_;
}

void MeterLedger::remember(Id point, const std::shared_ptr<Block>& b, bool replace) {
  std::lock_guard lock(cache_mutex_);
  const Key key{point, b->index};
  if (auto it = cache_.find(key); it != cache_.end()) {
    // A block read from the store may be older than one a refresh cached
    // meanwhile: only a refresh replaces.
    if (!replace) return;
    lru_.erase(it->second.second);
    cache_.erase(it);
  }
  lru_.push_front(key);
  cache_.emplace(key, std::pair{b, lru_.begin()});
  while (cache_.size() > cache_blocks_) {
    cache_.erase(lru_.back());
    lru_.pop_back();
  }
}

void MeterLedger::forget(Id point) {
  std::lock_guard lock(cache_mutex_);
  for (auto it = cache_.begin(); it != cache_.end();) {
    if (it->first.first == point) {
      lru_.erase(it->second.second);
      it = cache_.erase(it);
    } else {
      ++it;
    }
  }
}

Result<std::shared_ptr<MeterLedger::Block>> MeterLedger::block(Id point, std::int64_t index) {
  {
    std::lock_guard lock(cache_mutex_);
    if (auto it = cache_.find({point, index}); it != cache_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.second);
      return it->second.first;
    }
  }
  auto stored = store_.blocks(point, index, index);
  if (!stored) return std::unexpected(stored.error());
  auto b = std::make_shared<Block>();
  b->index = index;
  if (!stored->empty()) {
    const auto& s = stored->front();
    b->settings_version = s.settings_version;
    // A block of another layout is as good as none: it is recomputed.
    if (!read_bytes(s.energy, b->energy) || !read_bytes(s.quality, b->state) ||
        !read_bytes(s.source, b->source)) {
      b = std::make_shared<Block>();
      b->index = index;
    }
  }
  remember(point, b, /*replace=*/false);
  return b;
}

Status MeterLedger::prefetch(Id point, std::int64_t first, std::int64_t last) {
  std::int64_t lo = last + 1, hi = first - 1;
  {
    std::lock_guard lock(cache_mutex_);
    for (std::int64_t bi = first; bi <= last; ++bi)
      if (!cache_.contains({point, bi})) {
        lo = std::min(lo, bi);
        hi = std::max(hi, bi);
      }
  }
  if (lo > hi) return {};
  // One query for the blocks not cached, rather than one a block.
  auto stored = store_.blocks(point, lo, hi);
  if (!stored) return std::unexpected(stored.error());
  std::size_t k = 0;
  for (std::int64_t bi = lo; bi <= hi; ++bi) {
    auto b = std::make_shared<Block>();
    b->index = bi;
    while (k < stored->size() && (*stored)[k].index < bi) ++k;
    if (k < stored->size() && (*stored)[k].index == bi) {
      const auto& s = (*stored)[k];
      b->settings_version = s.settings_version;
      if (!read_bytes(s.energy, b->energy) || !read_bytes(s.quality, b->state) ||
          !read_bytes(s.source, b->source)) {
        b = std::make_shared<Block>();
        b->index = bi;
      }
    }
    remember(point, b, /*replace=*/false);
  }
  return {};
}

Result<HourlyEnergy> MeterLedger::hours(Id point, TimeMs from, TimeMs to) {
  HourlyEnergy out;
  out.from = floor_to(from, kHourMs);
  const TimeMs end = ceil_to(to, kHourMs);
  if (end <= out.from) return out;
  const auto n = static_cast<std::size_t>((end - out.from) / kHourMs);
  out.energy.assign(n, 0.0);
  out.state.assign(n, HourState::missing);
  const std::int64_t first = floor_to(out.from, kBlockMs) / kBlockMs;
  const std::int64_t last = floor_to(end - 1, kBlockMs) / kBlockMs;
  if (auto s = prefetch(point, first, last); !s) return std::unexpected(s.error());
  for (std::int64_t bi = first; bi <= last; ++bi) {
    auto b = block(point, bi);
    if (!b) return std::unexpected(b.error());
    const TimeMs b0 = bi * kBlockMs;
    const TimeMs lo = std::max(b0, out.from), hi = std::min(b0 + kBlockMs, end);
    for (TimeMs t = lo; t < hi; t += kHourMs) {
      const auto i = static_cast<std::size_t>((t - b0) / kHourMs);
      const auto k = static_cast<std::size_t>((t - out.from) / kHourMs);
      out.energy[k] = (*b)->energy[i];
      out.state[k] = (*b)->state[i];
    }
  }
  return out;
}

Status MeterLedger::refresh(Id point, const MeterSettings& settings, std::int64_t version,
                            TimeMs from, TimeMs to) {
  std::lock_guard lock(refresh_mutex_);
  const TimeMs h0 = floor_to(from, kHourMs), h1 = ceil_to(to, kHourMs);
  if (h1 <= h0) return {};
  auto rollups = series_.rollups(point, RollupTier::hour, h0, h1);
  if (!rollups) return std::unexpected(rollups.error());
  std::size_t next_rollup = 0;

  // The hours whose fingerprint is not the stored one, as runs.
  std::vector<std::pair<TimeMs, TimeMs>> runs;
  for (std::int64_t bi = floor_to(h0, kBlockMs) / kBlockMs; bi * kBlockMs < h1; ++bi) {
    auto b = block(point, bi);
    if (!b) return std::unexpected(b.error());
    const TimeMs b0 = bi * kBlockMs;
    // A block computed under other settings is recomputed whole, so that
    // no hour of it keeps a figure of the old settings.
    if ((*b)->settings_version != version) {
      if (!runs.empty() && runs.back().second >= b0)
        runs.back().second = b0 + kBlockMs;
      else
        runs.emplace_back(b0, b0 + kBlockMs);
      continue;
    }
    for (TimeMs t = std::max(b0, h0); t < std::min(b0 + kBlockMs, h1); t += kHourMs) {
      while (next_rollup < rollups->size() && (*rollups)[next_rollup].start < t) ++next_rollup;
      const bool has = next_rollup < rollups->size() && (*rollups)[next_rollup].start == t;
      const std::uint64_t fp = has ? fingerprint((*rollups)[next_rollup]) : kNoReadings;
      const auto i = static_cast<std::size_t>((t - b0) / kHourMs);
      if ((*b)->source[i] == fp) continue;
      if (!runs.empty() && runs.back().second == t)
        runs.back().second = t + kHourMs;
      else
        runs.emplace_back(t, t + kHourMs);
    }
  }
  if (runs.empty()) return {};

  // Runs close enough to share readings are recomputed together.
  const std::int64_t margin = ceil_to(settings.options.max_gap_ms, kHourMs) + 2 * kHourMs +
                              ceil_to(settings.options.interval_ms, kHourMs);
  std::vector<std::pair<TimeMs, TimeMs>> joined;
  for (const auto& r : runs) {
    if (!joined.empty() && r.first - joined.back().second <= 2 * margin)
      joined.back().second = r.second;
    else
      joined.push_back(r);
  }
  std::map<std::int64_t, std::shared_ptr<Block>> changed;
  for (const auto& [r0, r1] : joined)
    if (auto s = recompute(point, settings, version, r0, r1, changed); !s) return s;

  std::vector<EnergyBlock> rows;
  rows.reserve(changed.size());
  for (const auto& [index, b] : changed) {
    b->settings_version = version;
    rows.push_back({.index = index,
                    .settings_version = version,
                    .energy = bytes_of(b->energy),
                    .quality = bytes_of(b->state),
                    .source = bytes_of(b->source)});
  }
  if (auto s = store_.put_blocks(point, rows); !s) return s;
  for (const auto& [index, b] : changed) remember(point, b);
  return {};
}

Status MeterLedger::recompute(Id point, const MeterSettings& m, std::int64_t version, TimeMs r0,
                              TimeMs r1, std::map<std::int64_t, std::shared_ptr<Block>>& changed) {
  using analytics::MeterKind;
  const std::int64_t margin = ceil_to(m.options.max_gap_ms, kHourMs) + 2 * kHourMs +
                              ceil_to(m.options.interval_ms, kHourMs);
  const TimeMs w0 = r0 - margin, w1 = r1 + margin;

  auto raw = series_.range(point, w0, w1, std::numeric_limits<std::size_t>::max());
  if (!raw) return std::unexpected(raw.error());
  auto window_rollups = series_.rollups(point, RollupTier::hour, w0, w1);
  if (!window_rollups) return std::unexpected(window_rollups.error());
  RollupsByHour by_hour;
  for (const auto& r : *window_rollups) by_hour.emplace(r.start, r);

  // Hours with raw readings; the others with a rollup are past the raw
  // retention and are read from the rollup.
  std::unordered_set<TimeMs> raw_hours;
  for (const auto& s : *raw) raw_hours.insert(floor_to(s.t, kHourMs));
  std::vector<analytics::MeterReading> readings;
  readings.reserve(raw->size() + 2 * window_rollups->size() + 2);
  std::vector<const ReadingsRollup*> direct;  // interval and power hours from rollups
  {
    std::size_t k = 0;
    for (const auto& r : *window_rollups) {
      for (; k < raw->size() && (*raw)[k].t < r.start; ++k)
        readings.push_back({(*raw)[k].t, (*raw)[k].value});
      if (raw_hours.contains(r.start)) continue;
      if (m.spec.kind == MeterKind::counter) {
        readings.push_back({r.first_t, r.first});
        if (r.last_t != r.first_t) readings.push_back({r.last_t, r.last});
      } else {
        direct.push_back(&by_hour.at(r.start));
      }
    }
    for (; k < raw->size(); ++k) readings.push_back({(*raw)[k].t, (*raw)[k].value});
  }

  // The readings just outside the window, whose steps reach into it.
  std::optional<analytics::MeterReading> before, after;
  if (m.spec.kind != MeterKind::interval_energy) {
    auto near = series_.rollups(point, RollupTier::hour, w0 - kNearMs, w0);
    if (!near) return std::unexpected(near.error());
    if (!near->empty()) {
      before = analytics::MeterReading{near->back().last_t, near->back().last};
    } else {
      auto far = series_.rollups(point, RollupTier::day, w0 - kFarMs, w0);
      if (!far) return std::unexpected(far.error());
      if (!far->empty() && far->back().last_t < w0)
        before = analytics::MeterReading{far->back().last_t, far->back().last};
    }
    auto near_after = series_.rollups(point, RollupTier::hour, w1, w1 + kNearMs);
    if (!near_after) return std::unexpected(near_after.error());
    if (!near_after->empty()) {
      after = analytics::MeterReading{near_after->front().first_t, near_after->front().first};
    } else {
      auto far = series_.rollups(point, RollupTier::day, floor_to(w1, 24 * kHourMs), w1 + kFarMs);
      if (!far) return std::unexpected(far.error());
      for (const auto& d : *far)
        if (d.first_t >= w1) {
          after = analytics::MeterReading{d.first_t, d.first};
          break;
        }
    }
  }
  if (before) readings.insert(readings.begin(), *before);
  if (after) readings.push_back(*after);

  // The hours this run writes: the window, and the gaps to the readings
  // outside it, which hold no reading of their own.
  const TimeMs g0 = before ? std::min(w0, ceil_to(before->t, kHourMs)) : w0;
  const TimeMs g1 = after ? std::max(w1, floor_to(after->t, kHourMs)) : w1;
  std::vector<TimeMs> boundaries;
  for (TimeMs t = g0; t <= g1; t += kHourMs) boundaries.push_back(t);

  std::vector<double> energy(boundaries.size() - 1, 0.0);
  std::vector<HourState> state(boundaries.size() - 1, HourState::missing);
  if (readings.size() >= 1) {
    auto series = analytics::meter_energy(m.spec, m.options, readings, boundaries);
    if (!series)
      return fail(series.error().code, fmt::format("point {}: {}", point, series.error().message),
                  series.error().field);
    const TimeMs first = readings.front().t, last = readings.back().t;
    for (std::size_t i = 0; i < series->intervals.size(); ++i) {
      const auto& iv = series->intervals[i];
      energy[i] = iv.energy;
      // An hour no reading reaches (before the meter's first one, after its
      // last) is missing, not merely unknown.
      state[i] = (iv.end <= first && m.spec.kind != MeterKind::interval_energy) || iv.start >= last
                     ? HourState::missing
                     : static_cast<HourState>(iv.quality);
      if (m.spec.kind == MeterKind::interval_energy && iv.end <= first - m.options.interval_ms)
        state[i] = HourState::missing;
    }
  }
  for (const ReadingsRollup* r : direct) {
    const auto i = static_cast<std::size_t>((r->start - g0) / kHourMs);
    if (i >= energy.size()) continue;
    energy[i] = m.spec.kind == MeterKind::interval_energy
                    ? r->sum * m.factor
                    : r->sum / static_cast<double>(r->count) * m.factor;
    state[i] = HourState::measured;
  }

  for (std::size_t i = 0; i + 1 < boundaries.size(); ++i) {
    const TimeMs t = boundaries[i];
    const std::int64_t bi = floor_to(t, kBlockMs) / kBlockMs;
    auto& b = changed[bi];
    if (!b) {
      auto stored = block(point, bi);
      if (!stored) return std::unexpected(stored.error());
      b = std::make_shared<Block>(**stored);  // a copy: readers keep the old one
      // A block computed under other settings starts afresh.
      if (b->settings_version != version) {
        const auto index = b->index;
        b = std::make_shared<Block>();
        b->index = index;
      }
    }
    const auto k = static_cast<std::size_t>((t - bi * kBlockMs) / kHourMs);
    b->energy[k] = energy[i];
    b->state[k] = state[i];
    auto it = by_hour.find(t);
    b->source[k] = it != by_hour.end() ? fingerprint(it->second) : kNoReadings;
  }
  std::lock_guard lock(cache_mutex_);
  recomputed_ += static_cast<std::int64_t>(boundaries.size() - 1);
  return {};
}

}  // namespace citypulse::energy
