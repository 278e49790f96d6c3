// What the engine writes into WAL records (the log itself sees opaque
// payloads, wal.h). Record types are numbered here; never reuse a number.
//
// kSamples: [u8 flags][varint count] then per sample [zig-zag varint series
// delta][zig-zag varint time delta][u64 value bits LE][u8 quality], deltas
// against the previous sample of the record (the first against 0).
// kCheckpoint: empty; marks where a checkpoint began (replay ignores it).
// kDelete: [i64 series][i64 from][i64 to], little-endian: delete_range().
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "tsdb/engine.h"

namespace citypulse::tsdb {

inline constexpr std::uint8_t kRecordSamples = 1;
inline constexpr std::uint8_t kRecordCheckpoint = 2;
inline constexpr std::uint8_t kRecordDelete = 3;

inline constexpr std::uint8_t kBatchImport = 1;  // flag: bypasses the late-data window

std::string encode_sample_batch(std::span<const SeriesSample> batch, std::uint8_t flags);

// io ("corrupt WAL record: ...") when the payload is malformed; the CRC makes
// that a bug or a format mismatch, never a torn write.
Status decode_sample_batch(std::string_view payload, std::vector<SeriesSample>& out,
                           std::uint8_t& flags);

struct DeleteRecord {
  SeriesId series = 0;
  Timestamp from = 0, to = 0;
};
std::string encode_delete(const DeleteRecord& d);
Result<DeleteRecord> decode_delete(std::string_view payload);

}  // namespace citypulse::tsdb
