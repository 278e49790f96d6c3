// The timestamp stream of a chunk: delta-of-delta, zig-zagged and
// block-packed (bit_stream.h). The first timestamp is in the chunk header, not
// here. A regular interval gives deltas of deltas that are all zero, which
// cost one zero-run code per chunk; a jittery one costs a few bits a sample.
//
// Arithmetic is modulo 2^64, so any strictly increasing int64 timestamps round
// trip, including INT64_MIN followed by INT64_MAX.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "tsdb/bit_stream.h"
#include "tsdb/sample.h"

namespace citypulse::tsdb {

// Appends the stream for `samples` (non-empty, strictly increasing times) to
// `out`. A single sample has an empty stream.
void encode_timestamps(std::span<const Sample> samples, std::string& out);

// Decodes a stream written by encode_timestamps, a batch at a time.
class TimestampDecoder {
 public:
  // `stream` must outlive the decoder; `first` and `count` come from the
  // chunk header.
  TimestampDecoder(std::string_view stream, Timestamp first, std::uint32_t count);

  // The next `n` timestamps into `out`. False when the stream is corrupt,
  // including when a timestamp is not greater than the one before it (which
  // no encoder writes); error() then says why.
  bool next(Timestamp* out, unsigned n);

  // After all `count` timestamps: whether the stream ended where it should
  // and the last timestamp is `last`.
  bool finish(Timestamp last);

  const char* error() const { return error_; }

 private:
  bool fail(const char* why) {
    error_ = why;
    return false;
  }

  BitReader bits_;
  PackedReader dods_;
  std::uint32_t count_;
  std::uint32_t done_ = 0;
  std::uint64_t prev_;       // the last timestamp, as unsigned for wrapping sums
  std::uint64_t delta_ = 0;  // the last difference, modulo 2^64
  const char* error_ = nullptr;
};

}  // namespace citypulse::tsdb
