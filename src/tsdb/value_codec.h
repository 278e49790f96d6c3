// The value stream of a chunk. Meters and sensors report decimals (12.3 kWh,
// 21.45 °C) that a double holds only approximately, so their XOR patterns are
// noisy; the integers behind them are not. When every value of the chunk is
// exactly m / 10^d for one d in 0..9 — bit for bit, as the decoder computes it
// — the integers m are coded as deltas or deltas of deltas, whichever is
// smaller, zig-zagged and block-packed (bit_stream.h). Anything else (NaN,
// infinities, -0.0, denormals, values with more digits) falls back to
// Gorilla's XOR coding, which is lossless for every bit pattern.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "tsdb/bit_stream.h"
#include "tsdb/sample.h"

namespace citypulse::tsdb {

// Numbers are stored in the chunk header (two bits); never reuse one.
enum class ValueEncoding : std::uint8_t {
  decimal_delta = 0,  // d, m0, then zig-zagged m[i] - m[i-1]
  decimal_dod = 1,    // d, m0, m1 - m0, then zig-zagged deltas of deltas
  xor_float = 2,      // Gorilla: each value's bits XOR the previous value's
};
inline constexpr std::uint8_t kMaxValueEncoding = 2;

// Appends the stream for the values of `samples` (non-empty) to `out`, in the
// encoding that is smallest for them; returns that encoding.
ValueEncoding encode_values(std::span<const Sample> samples, std::string& out);

// The d of the decimal encodings, if one fits every value: the smallest d in
// 0..9 with static_cast<double>(m) / 10^d bit-identical to each value.
// Exposed for tests.
bool find_decimal_scale(std::span<const Sample> samples, unsigned& d);

// Decodes a stream written by encode_values, a batch at a time.
class ValueDecoder {
 public:
  // `stream` must outlive the decoder; `encoding` and `count` come from the
  // chunk header (an encoding number above kMaxValueEncoding is the caller's
  // to reject).
  ValueDecoder(std::string_view stream, ValueEncoding encoding, std::uint32_t count);

  // The next `n` values into `out`. False when the stream is corrupt; error()
  // says why. Every bit pattern a corrupt stream yields is still a double, so
  // a stream that decodes to the wrong values is caught by the chunk's
  // checksum, not here.
  bool next(double* out, unsigned n);

  // After all `count` values: whether the stream ended where it should.
  bool finish();

  const char* error() const { return error_; }

 private:
  bool fail(const char* why) {
    error_ = why;
    return false;
  }
  bool start();
  bool next_decimal(double* out, unsigned n);
  bool next_xor(double* out, unsigned n);

  BitReader bits_;
  PackedReader packed_;
  ValueEncoding encoding_;
  std::uint32_t count_;
  std::uint32_t done_ = 0;
  // Decimal encodings: the scale, the last integer and delta (modulo 2^64).
  double scale_ = 1;
  std::uint64_t m_ = 0;
  std::uint64_t delta_ = 0;
  // XOR encoding: the last value's bits and the window of meaningful bits.
  std::uint64_t prev_bits_ = 0;
  unsigned leading_ = 0;
  unsigned trailing_ = 0;
  bool have_window_ = false;
  const char* error_ = nullptr;
};

}  // namespace citypulse::tsdb
