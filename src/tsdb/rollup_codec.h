// The stored form of a rollup block: the rollups of one series and tier whose
// buckets start within one block span (series_file.h), as one row.
//
// Layout (docs/storage.md, "Rollup block format"): u32 CRC-32C of every
// byte after it; u8 format version; u8 flags (zero; reserved); varint number
// of rollups (1..65,535); i64 first bucket start; the bucket starts as a
// timestamp stream (timestamp_codec.h, varint length first); then nine
// columns — count, sum, min, max, first, last, increase, and first_t and
// last_t as offsets from the bucket start — each a tag byte and, for tags
// 0..2, a value stream of that encoding (value_codec.h, varint length
// first); tag 16 + k says "the same values as column k", which is what min,
// max, first, last and sum are when every bucket holds one sample.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "tsdb/rollup.h"

namespace citypulse::tsdb {

// `rollups`: 1 to 65,535, ascending with distinct starts.
std::string encode_rollup_block(std::span<const Rollup> rollups);

// Replaces `out`. Malformed input fails with io ("corrupt rollup block: ...").
Status decode_rollup_block(std::string_view bytes, std::vector<Rollup>& out);

}  // namespace citypulse::tsdb
