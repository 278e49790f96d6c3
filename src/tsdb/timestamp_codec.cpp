#include "tsdb/timestamp_codec.h"

#include <vector>

namespace citypulse::tsdb {

void encode_timestamps(std::span<const Sample> samples, std::string& out) {
  if (samples.size() < 2) return;
  // The first delta is as large as the interval (3,600,000 for hourly data),
  // so it gets its own width rather than widening the first block.
  const auto first_delta =
      static_cast<std::uint64_t>(samples[1].t) - static_cast<std::uint64_t>(samples[0].t);
  std::vector<std::uint64_t> dods;
  dods.reserve(samples.size() - 2);
  std::uint64_t delta = first_delta;
  for (std::size_t i = 2; i < samples.size(); ++i) {
    const auto d =
        static_cast<std::uint64_t>(samples[i].t) - static_cast<std::uint64_t>(samples[i - 1].t);
    dods.push_back(zigzag(static_cast<std::int64_t>(d - delta)));
    delta = d;
  }
  BitWriter bits(out);
  write_sized(bits, first_delta);
  write_packed(bits, dods);
  bits.finish();
}

TimestampDecoder::TimestampDecoder(std::string_view stream, Timestamp first, std::uint32_t count)
    : bits_(stream),
      dods_(bits_, count > 2 ? count - 2 : 0),
      count_(count),
      prev_(static_cast<std::uint64_t>(first)) {}

bool TimestampDecoder::next(Timestamp* out, unsigned n) {
  if (n > count_ - done_) return fail("more timestamps asked for than the chunk holds");
  for (unsigned i = 0; i < n; ++i, ++done_) {
    if (done_ == 0) {
      out[i] = static_cast<Timestamp>(prev_);
      continue;
    }
    if (done_ == 1) {
      if (!read_sized(bits_, delta_)) return fail("timestamp stream truncated");
    } else {
      std::uint64_t dod = 0;
      if (!dods_.next(dod)) return fail("timestamp stream truncated or malformed");
      delta_ += static_cast<std::uint64_t>(unzigzag(dod));
    }
    const std::uint64_t t = prev_ + delta_;
    // Compared as signed: a sum that wrapped past INT64_MAX lands below prev.
    if (static_cast<Timestamp>(t) <= static_cast<Timestamp>(prev_)) {
      return fail("timestamps not increasing");
    }
    prev_ = t;
    out[i] = static_cast<Timestamp>(t);
  }
  return true;
}

bool TimestampDecoder::finish(Timestamp last) {
  if (done_ != count_) return fail("timestamp stream not fully read");
  if (!bits_.at_padded_end()) return fail("timestamp stream has trailing bytes");
  if (static_cast<Timestamp>(prev_) != last) return fail("last timestamp differs from the header");
  return true;
}

}  // namespace citypulse::tsdb
