// The stored form of a rollup block: the rollups of one series and tier whose
// buckets start within one block span (series_file.h), as one row.
//
// Layout (docs/storage.md, "Rollup blocks"): u32 CRC-32C of every byte after
// it; u8 format version; u8 flags (bit 0: in raw, other bits zero); varint
// number of rollups. Unless in raw or empty: i64 first bucket start; the
// bucket starts as a timestamp stream (timestamp_codec.h, varint length
// first); then nine columns — count, sum, min, max, first, last, increase,
// and first_t and last_t as offsets from the bucket start — each a tag byte
// and, for tags 0..2, a value stream of that encoding (value_codec.h, varint
// length first); tag 16 + k says "the same values as column k", which is what
// min, max, first, last and sum are when every bucket holds one sample.
//
// In raw: every bucket holds exactly one sample and the raw chunks still hold
// them, so the block stores nothing but that fact; the rollups are the
// samples (readers take them from the chunks). Hourly data would otherwise be
// stored twice. The block is written out in full before the raw chunks go.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "tsdb/rollup.h"

namespace citypulse::tsdb {

struct RollupBlock {
  bool in_raw = false;
  std::vector<Rollup> rollups;  // ascending by start; empty when in_raw
};

// `block.rollups` ascending with distinct starts, at most 65,535 of them.
std::string encode_rollup_block(const RollupBlock& block);

// Replaces `out`. Malformed input fails with io ("corrupt rollup block: ...").
Status decode_rollup_block(std::string_view bytes, RollupBlock& out);

}  // namespace citypulse::tsdb
