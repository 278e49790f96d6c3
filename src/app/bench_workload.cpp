#include "app/bench_workload.h"

#include <fmt/format.h>
#include <stdlib.h>
#include <algorithm>
#include <charconv>
#include <chrono>
#include <fstream>
#include <string_view>

namespace citypulse {
namespace {

namespace fs = std::filesystem;
using tsdb::Timestamp;

constexpr Timestamp kMinute = 60'000;
constexpr Timestamp kDay = 86'400'000;
constexpr Timestamp kSyntheticStart = 1'704'067'200'000;  // 2024-01-01T00:00:00Z
constexpr int kRawQueries = 100;

// A small deterministic generator (splitmix64): the same data every run.
std::uint64_t next_random(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// "YYYY-MM-DD HH:MM:SS" as ms since the epoch, UTC.
std::optional<Timestamp> parse_datetime(std::string_view s) {
  if (s.size() != 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':')
    return std::nullopt;
  auto field = [&](std::size_t at, std::size_t n, int& out) {
    auto r = std::from_chars(s.data() + at, s.data() + at + n, out);
    return r.ec == std::errc{} && r.ptr == s.data() + at + n;
  };
  int y, mo, d, h, mi, se;
  if (!field(0, 4, y) || !field(5, 2, mo) || !field(8, 2, d) || !field(11, 2, h) ||
      !field(14, 2, mi) || !field(17, 2, se))
    return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month(mo),
                                        std::chrono::day(d)};
  if (!ymd.ok() || h > 23 || mi > 59 || se > 60) return std::nullopt;
  const auto days = std::chrono::sys_days(ymd).time_since_epoch().count();
  return ((days * 24 + h) * 60 + mi) * kMinute + se * 1000ll;
}

// The samples of one CSV file; an exact 0 is a missing reading.
Result<std::vector<tsdb::Sample>> read_csv(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return fail(ErrorCode::io, fmt::format("cannot read {}", path.string()));
  std::vector<tsdb::Sample> out;
  std::string line;
  std::getline(in, line);  // header: datetime,<name>
  for (int number = 2; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const auto comma = line.find(',');
    const auto t = parse_datetime(std::string_view(line).substr(0, comma));
    double v = 0;
    const char* end = line.data() + line.size();
    const auto r = comma == std::string::npos
                       ? std::from_chars_result{end, std::errc::invalid_argument}
                       : std::from_chars(line.data() + comma + 1, end, v);
    if (!t || r.ec != std::errc{} || r.ptr != end)
      return fail(ErrorCode::invalid, fmt::format("{}:{}: expected 'YYYY-MM-DD HH:MM:SS,value'",
                                                  path.string(), number));
    if (v == 0) continue;
    out.push_back({*t, v});
  }
  return out;
}

// The windows over the first series' span [from, to); `samples_in(series,
// from, to)` counts a series' samples in [from, to).
template <class Count>
QueryWindows windows_for(Timestamp from, Timestamp to, std::vector<tsdb::SeriesId> raw_series,
                         const Count& samples_in) {
  QueryWindows w;
  w.hourly_from = from;
  w.hourly_to = std::min(to, from + 365 * kDay);
  w.span_days = static_cast<double>(w.hourly_to - w.hourly_from) / kDay;
  w.hourly_samples = samples_in(0, w.hourly_from, w.hourly_to);
  w.day_to = to;
  w.day_from = std::max(from, to - kDay);
  for (auto id : raw_series) w.raw_samples += samples_in(id, w.day_from, w.day_to);
  w.raw_series = std::move(raw_series);
  return w;
}

}  // namespace

Status validate(const WorkloadOptions& o) {
  if (o.batch <= 0) return fail(ErrorCode::invalid, "--batch must be positive", "--batch");
  if (o.cambridge) {
    if (o.series != 0 || o.points != 0)
      return fail(ErrorCode::invalid, "--cambridge replaces --series and --points");
    return {};
  }
  if (o.series <= 0 || o.points <= 0)
    return fail(ErrorCode::invalid, "give --series and --points (both positive), or --cambridge");
  return {};
}

Result<Workload> Workload::open(const WorkloadOptions& o) {
  if (auto s = validate(o); !s) return std::unexpected(s.error());
  Workload w;
  w.batch_ = static_cast<std::size_t>(o.batch);
  if (!o.cambridge) {
    w.series_ = o.series;
    w.minutes_ = o.points;
    w.points_ = o.series * o.points;
    w.synthetic_.resize(static_cast<std::size_t>(o.series));
    for (std::size_t s = 0; s < w.synthetic_.size(); ++s) {
      auto& p = w.synthetic_[s];
      p.counter = s % 4 == 3;
      p.tenths = p.counter ? static_cast<std::int64_t>(next_random(w.random_state_) % 1'000'000)
                           : 180 + static_cast<std::int64_t>(next_random(w.random_state_) % 60);
    }
    std::vector<tsdb::SeriesId> raw;
    for (tsdb::SeriesId i = 0; i < kRawQueries; ++i) raw.push_back(i % o.series);
    // Every series has a sample at every minute of the same span.
    w.windows_ = windows_for(
        kSyntheticStart, kSyntheticStart + o.points * kMinute, std::move(raw),
        [](tsdb::SeriesId, Timestamp from, Timestamp to) { return (to - from) / kMinute; });
    return w;
  }

  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(*o.cambridge, ec))
    if (entry.is_regular_file() && entry.path().extension() == ".csv")
      files.push_back(entry.path());
  if (ec) return fail(ErrorCode::io, fmt::format("cannot list {}: {}", *o.cambridge, ec.message()));
  if (files.empty()) return fail(ErrorCode::invalid, fmt::format("no *.csv in {}", *o.cambridge));
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    auto samples = read_csv(f);
    if (!samples) return std::unexpected(samples.error());
    w.points_ += static_cast<std::int64_t>(samples->size());
    w.cambridge_.push_back(std::move(*samples));
  }
  w.series_ = static_cast<std::int64_t>(w.cambridge_.size());

  const auto& first = w.cambridge_[0];
  Timestamp from = 0, to = 0;
  if (!first.empty()) {
    const auto [lo, hi] =
        std::minmax_element(first.begin(), first.end(),
                            [](const tsdb::Sample& a, const tsdb::Sample& b) { return a.t < b.t; });
    from = lo->t;
    to = hi->t + 1;
  }
  // Every query, raw ones included, asks the first series.
  w.windows_ = windows_for(
      from, to, std::vector<tsdb::SeriesId>(kRawQueries, 0),
      [&first](tsdb::SeriesId, Timestamp f, Timestamp t) {
        return static_cast<std::int64_t>(std::count_if(
            first.begin(), first.end(), [&](const auto& s) { return s.t >= f && s.t < t; }));
      });
  return w;
}

bool Workload::next(std::vector<tsdb::SeriesSample>& batch) {
  batch.clear();
  batch.reserve(batch_);
  return cambridge_.empty() ? next_synthetic(batch) : next_cambridge(batch);
}

bool Workload::next_synthetic(std::vector<tsdb::SeriesSample>& batch) {
  while (batch.size() < batch_ && minute_ < minutes_) {
    const Timestamp t = kSyntheticStart + minute_ * kMinute;
    auto& p = synthetic_[synthetic_at_];
    const auto r = next_random(random_state_);
    if (p.counter) {
      p.tenths += static_cast<std::int64_t>(r % 6);  // 0.0 .. 0.5 kWh a minute
    } else if (r % 4 == 0) {                         // most minutes a sensor holds still
      p.tenths += static_cast<std::int64_t>((r >> 8) % 5) - 2;
      p.tenths = std::clamp<std::int64_t>(p.tenths, 120, 300);
    }
    batch.push_back(
        {static_cast<tsdb::SeriesId>(synthetic_at_), {t, static_cast<double>(p.tenths) / 10.0}});
    if (++synthetic_at_ == synthetic_.size()) {
      synthetic_at_ = 0;
      ++minute_;
    }
  }
  return !batch.empty();
}

bool Workload::next_cambridge(std::vector<tsdb::SeriesSample>& batch) {
  while (cambridge_series_ < cambridge_.size() &&
         cambridge_at_ == cambridge_[cambridge_series_].size()) {
    ++cambridge_series_;
    cambridge_at_ = 0;
  }
  if (cambridge_series_ == cambridge_.size()) return false;
  const auto& samples = cambridge_[cambridge_series_];
  const auto n = std::min(batch_, samples.size() - cambridge_at_);
  for (std::size_t k = cambridge_at_; k < cambridge_at_ + n; ++k)
    batch.push_back({static_cast<tsdb::SeriesId>(cambridge_series_), samples[k]});
  cambridge_at_ += n;
  return true;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

Result<ScratchDir> ScratchDir::create() {
  auto pattern = (fs::temp_directory_path() / "citypulse-bench-XXXXXX").string();
  if (!mkdtemp(pattern.data()))
    return fail(ErrorCode::io, fmt::format("cannot create a temporary folder in {}",
                                           fs::temp_directory_path().string()));
  return ScratchDir(pattern);
}

ScratchDir::ScratchDir(ScratchDir&& o) noexcept : path_(std::exchange(o.path_, {})) {}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  if (!path_.empty()) fs::remove_all(path_, ec);
}

}  // namespace citypulse
