// The compressed form of a run of samples of one series (a chunk), as stored
// on disk. docs/storage.md ("Chunk format") describes the byte layout; this
// header is the contract.
//
// Timestamps: delta-of-delta, zig-zagged and bit-packed in blocks of 32 like
// the values' integers (below), so a regular interval costs a few bytes per
// chunk whatever its length, and jitter a few bits per sample. Values: when
// every value of the chunk is m / 10^d for integers m and one d in 0..9
// (bit-identically: the decoder computes exactly m / 10^d), the integers are
// encoded as deltas or deltas of deltas (whichever is smaller for the chunk),
// zig-zagged and bit-packed in blocks; long constant runs cost almost
// nothing. Otherwise (NaN, infinities, -0.0, values with many digits) the
// values fall back to Gorilla XOR encoding. Quality bytes are run-length
// encoded; an all-good chunk spends nothing on them (a header bit says so).
//
// A chunk checks itself: its header starts with a CRC-32C of everything
// after it, verified before any other field is believed.
//
// Lossless: decode(encode(s)) == s, value bits included (NaN payloads, -0.0).
// Sizes on real meter data: docs/storage.md.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "tsdb/sample.h"

namespace citypulse::tsdb {

// What a chunk's header says, readable without decoding the samples.
struct ChunkInfo {
  std::uint32_t count = 0;
  Timestamp first_t = 0;
  Timestamp last_t = 0;
};

// Encodes `samples`, which must be non-empty, at most 65,535, with strictly
// increasing timestamps (the caller's invariant; checked only in debug builds).
// Any int64 timestamps and any double bit patterns are fine.
std::string encode_chunk(std::span<const Sample> samples);

// Appends the samples of `bytes` to `out`. Any malformed or truncated input —
// including input crafted to be hostile — fails with ErrorCode::io (message:
// "corrupt chunk: <what>") and leaves `out` as it was (its capacity may have
// grown); it never reads out of bounds or loops forever. A damaged count fails
// the checksum before anything is allocated; a count forged behind a matching
// checksum costs memory in proportion to the samples the streams yield before
// one runs dry, not to the count claimed. Chunks that decode have strictly
// increasing timestamps from first_t to last_t, as many as the count says.
Status decode_chunk(std::string_view bytes, std::vector<Sample>& out);

// The header alone, without decoding the samples; the same error rules. It
// needs the whole chunk all the same, since it verifies the checksum.
Result<ChunkInfo> read_chunk_info(std::string_view bytes);

}  // namespace citypulse::tsdb
