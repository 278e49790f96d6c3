#include "tsdb/value_codec.h"

#include <bit>
#include <cmath>
#include <vector>

namespace citypulse::tsdb {
namespace {

constexpr unsigned kMaxScale = 9;
constexpr unsigned kScaleBits = 4;
// Powers of ten up to 10^9 are exact doubles, so m / 10^d is one correctly
// rounded division on every IEEE machine: what the encoder checks is what
// every decoder computes.
constexpr double kPow10[kMaxScale + 1] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};

// |v * 10^d| below this converts to int64 without overflow.
constexpr double kMaxScaled = 9.2e18;

// Gorilla's fields: the leading-zero count is capped to fit 5 bits, and a
// meaningful-bit count of 64 is written as 0 to fit 6.
constexpr unsigned kLeadingBits = 5;
constexpr unsigned kMaxLeading = 31;
constexpr unsigned kSignificantBits = 6;

// m with static_cast<double>(m) / 10^d bit-identical to v, if there is one.
bool scaled(double v, unsigned d, std::int64_t& m) {
  const double x = v * kPow10[d];
  if (!(std::fabs(x) < kMaxScaled)) return false;  // also NaN and infinities
  m = std::llround(x);
  // Compared as bits: -0.0 (m = 0 gives +0.0) and NaN must fail here.
  return std::bit_cast<std::uint64_t>(static_cast<double>(m) / kPow10[d]) ==
         std::bit_cast<std::uint64_t>(v);
}

struct DecimalPlan {
  ValueEncoding encoding;
  std::uint64_t bits;
};

// Integers of a chunk as the sequences each decimal encoding packs.
struct DecimalSequences {
  std::vector<std::uint64_t> deltas;  // zig-zagged m[i] - m[i-1], i ≥ 1
  std::vector<std::uint64_t> dods;    // zig-zagged deltas of deltas, i ≥ 2
};

DecimalSequences sequences(const std::vector<std::int64_t>& ms) {
  DecimalSequences s;
  s.deltas.reserve(ms.size());
  s.dods.reserve(ms.size());
  std::uint64_t prev_delta = 0;
  for (std::size_t i = 1; i < ms.size(); ++i) {
    // Differences modulo 2^64: values near the int64 limits still round trip.
    const std::uint64_t delta =
        static_cast<std::uint64_t>(ms[i]) - static_cast<std::uint64_t>(ms[i - 1]);
    s.deltas.push_back(zigzag(static_cast<std::int64_t>(delta)));
    if (i >= 2) s.dods.push_back(zigzag(static_cast<std::int64_t>(delta - prev_delta)));
    prev_delta = delta;
  }
  return s;
}

void write_decimal(ValueEncoding encoding, unsigned d, const std::vector<std::int64_t>& ms,
                   const DecimalSequences& seq, std::string& out) {
  BitWriter bits(out);
  bits.write(d, kScaleBits);
  write_sized(bits, zigzag(ms[0]));
  if (encoding == ValueEncoding::decimal_delta) {
    write_packed(bits, seq.deltas);
  } else {
    if (!seq.deltas.empty()) write_sized(bits, seq.deltas[0]);
    write_packed(bits, seq.dods);
  }
  bits.finish();
}

void write_xor(std::span<const Sample> samples, std::string& out) {
  BitWriter bits(out);
  std::uint64_t prev = std::bit_cast<std::uint64_t>(samples[0].v);
  bits.write(prev, 64);
  unsigned leading = 0, trailing = 0;
  bool have_window = false;
  for (std::size_t i = 1; i < samples.size(); ++i) {
    const auto cur = std::bit_cast<std::uint64_t>(samples[i].v);
    const std::uint64_t x = cur ^ prev;
    prev = cur;
    if (x == 0) {
      bits.write_bit(false);  // same value as before
      continue;
    }
    bits.write_bit(true);
    const auto lz = std::min<unsigned>(std::countl_zero(x), kMaxLeading);
    const auto tz = static_cast<unsigned>(std::countr_zero(x));
    if (have_window && lz >= leading && tz >= trailing) {
      // The changed bits fit the previous window: reuse it.
      bits.write_bit(false);
      bits.write(x >> trailing, 64 - leading - trailing);
      continue;
    }
    // A new window: its leading zeros, its width (64 written as 0), its bits.
    leading = lz;
    trailing = tz;
    have_window = true;
    const unsigned significant = 64 - lz - tz;
    bits.write_bit(true);
    bits.write(lz, kLeadingBits);
    bits.write(significant & 63, kSignificantBits);
    bits.write(x >> tz, significant);
  }
  bits.finish();
}

// The common d of the chunk, and the integers at it. A value's smallest d is
// found by trying upwards; when one needs a larger d than the values before
// it, the pass starts over at that d, since a value exact at d = 1 is not
// always exact at d = 2 (above 2^53 scaling rounds). Real data settles on its
// d at the first value, so this is one pass.
bool decimal_scale(std::span<const Sample> samples, unsigned& d, std::vector<std::int64_t>& ms) {
  unsigned need = 0;
  ms.clear();
  ms.reserve(samples.size());
  std::size_t i = 0;
  while (i < samples.size()) {
    std::int64_t m = 0;
    if (scaled(samples[i].v, need, m)) {
      ms.push_back(m);
      ++i;
      continue;
    }
    do {
      if (++need > kMaxScale) return false;
    } while (!scaled(samples[i].v, need, m));
    ms.clear();
    i = 0;  // again from the first value, at the new d
  }
  d = need;
  return true;
}

}  // namespace

bool find_decimal_scale(std::span<const Sample> samples, unsigned& d) {
  std::vector<std::int64_t> ms;
  return decimal_scale(samples, d, ms);
}

ValueEncoding encode_values(std::span<const Sample> samples, std::string& out) {
  unsigned d = 0;
  std::vector<std::int64_t> ms;
  if (!decimal_scale(samples, d, ms)) {
    write_xor(samples, out);
    return ValueEncoding::xor_float;
  }
  const DecimalSequences seq = sequences(ms);
  // Counters and smooth signals favour deltas of deltas; noisy ones deltas.
  const std::uint64_t delta_bits = packed_bits(seq.deltas);
  const std::uint64_t dod_bits =
      (seq.deltas.empty() ? 0 : sized_bits(seq.deltas[0])) + packed_bits(seq.dods);
  const ValueEncoding encoding =
      dod_bits < delta_bits ? ValueEncoding::decimal_dod : ValueEncoding::decimal_delta;

  const std::size_t start = out.size();
  write_decimal(encoding, d, ms, seq, out);
  // Many-digit values with big jumps can cost more than their XOR; only then
  // is it worth encoding twice to compare.
  constexpr std::size_t kTryXorAbove = 3;  // bytes a value
  if (out.size() - start > kTryXorAbove * samples.size()) {
    std::string alt;
    write_xor(samples, alt);
    if (alt.size() < out.size() - start) {
      out.resize(start);
      out += alt;
      return ValueEncoding::xor_float;
    }
  }
  return encoding;
}

ValueDecoder::ValueDecoder(std::string_view stream, ValueEncoding encoding, std::uint32_t count)
    : bits_(stream),
      packed_(bits_, encoding == ValueEncoding::decimal_delta ? (count > 0 ? count - 1 : 0)
                     : encoding == ValueEncoding::decimal_dod ? (count > 1 ? count - 2 : 0)
                                                              : 0),
      encoding_(encoding),
      count_(count) {}

bool ValueDecoder::next(double* out, unsigned n) {
  if (n > count_ - done_) return fail("more values asked for than the chunk holds");
  if (n == 0) return true;
  if (done_ == 0 && !start()) return false;
  return encoding_ == ValueEncoding::xor_float ? next_xor(out, n) : next_decimal(out, n);
}

bool ValueDecoder::start() {
  if (encoding_ == ValueEncoding::xor_float) {
    prev_bits_ = bits_.read(64);
    return !bits_.overrun() || fail("value stream truncated");
  }
  const auto d = static_cast<unsigned>(bits_.read(kScaleBits));
  if (d > kMaxScale) return fail("decimal scale over 9");
  scale_ = kPow10[d];
  std::uint64_t first = 0;
  if (!read_sized(bits_, first)) return fail("value stream truncated");
  m_ = static_cast<std::uint64_t>(unzigzag(first));
  if (encoding_ == ValueEncoding::decimal_dod && count_ > 1) {
    if (!read_sized(bits_, delta_)) return fail("value stream truncated");
    delta_ = static_cast<std::uint64_t>(unzigzag(delta_));
  }
  return true;
}

bool ValueDecoder::next_decimal(double* out, unsigned n) {
  unsigned i = 0;
  if (done_ == 0) {
    out[i++] = static_cast<double>(static_cast<std::int64_t>(m_)) / scale_;
    ++done_;
  }
  if (encoding_ == ValueEncoding::decimal_dod && done_ == 1 && i < n) {
    m_ += delta_;
    out[i++] = static_cast<double>(static_cast<std::int64_t>(m_)) / scale_;
    ++done_;
  }
  const bool dod = encoding_ == ValueEncoding::decimal_dod;
  for (; i < n; ++i, ++done_) {
    std::uint64_t u = 0;
    if (!packed_.next(u)) return fail("value stream truncated or malformed");
    const auto step = static_cast<std::uint64_t>(unzigzag(u));
    if (dod) {
      delta_ += step;
      m_ += delta_;
    } else {
      m_ += step;
    }
    out[i] = static_cast<double>(static_cast<std::int64_t>(m_)) / scale_;
  }
  return true;
}

bool ValueDecoder::next_xor(double* out, unsigned n) {
  unsigned i = 0;
  if (done_ == 0) {
    out[i++] = std::bit_cast<double>(prev_bits_);
    ++done_;
  }
  for (; i < n; ++i, ++done_) {
    if (bits_.read_bit()) {
      if (bits_.read_bit()) {
        leading_ = static_cast<unsigned>(bits_.read(kLeadingBits));
        unsigned significant = static_cast<unsigned>(bits_.read(kSignificantBits));
        if (significant == 0) significant = 64;
        if (leading_ + significant > 64) return fail("XOR window wider than 64 bits");
        trailing_ = 64 - leading_ - significant;
        have_window_ = true;
      } else if (!have_window_) {
        return fail("XOR window reused before one was set");
      }
      const unsigned significant = 64 - leading_ - trailing_;
      prev_bits_ ^= bits_.read(significant) << trailing_;
    }
    if (bits_.overrun()) return fail("value stream truncated");
    out[i] = std::bit_cast<double>(prev_bits_);
  }
  return true;
}

bool ValueDecoder::finish() {
  if (done_ != count_) return fail("value stream not fully read");
  if (bits_.overrun()) return fail("value stream truncated");
  if (!bits_.at_padded_end()) return fail("value stream has trailing bytes");
  return true;
}

}  // namespace citypulse::tsdb
