// The chunk container: a fixed header, then the timestamp, value and quality
// streams, each byte-aligned. docs/storage.md ("Chunk format") is the byte
// layout; the stream codecs are in timestamp_codec, value_codec and
// quality_codec.
#include "tsdb/chunk_codec.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstring>

#include "tsdb/crc32c.h"
#include "tsdb/quality_codec.h"
#include "tsdb/timestamp_codec.h"
#include "tsdb/value_codec.h"
#include "tsdb/varint.h"

namespace citypulse::tsdb {
namespace {

// The fixed header; every field little-endian. Keep in step with the table in
// docs/storage.md — the static_assert below fails when a field is added here
// without the documented size changing with it.
constexpr std::size_t kCrcOffset = 0;       // u32: CRC-32C of every byte after this field
constexpr std::size_t kVersionOffset = 4;   // u8: kFormatVersion
constexpr std::size_t kEncodingOffset = 5;  // u8: value encoding, quality bit, reserved zeros
constexpr std::size_t kCountOffset = 6;     // u16: samples, 1..65,535
constexpr std::size_t kFirstOffset = 8;     // i64: first timestamp
constexpr std::size_t kLastOffset = 16;     // i64: last timestamp
constexpr std::size_t kHeaderSize = 24;
static_assert(kHeaderSize == kLastOffset + 8, "a header field was added without its size");
static_assert(kHeaderSize == 24, "docs/storage.md, Chunk format: the header is 24 bytes");

// Bumped when the layout changes; a decoder rejects versions it does not know
// rather than guessing.
constexpr std::uint8_t kFormatVersion = 1;

// Encoding byte: bits 0-1 the ValueEncoding, bit 2 set when a quality stream
// follows, bits 3-7 zero (so a future flag is not silently ignored).
constexpr std::uint8_t kValueEncodingMask = 0x03;
constexpr std::uint8_t kQualityBit = 0x04;
constexpr std::uint8_t kReservedMask = 0xf8;

constexpr std::uint32_t kMaxCount = 65535;

// Stream lengths are LEB128 varints; 4 bytes (2^28) is far above the largest
// stream 65,535 samples can produce (~700 KB), so a longer one is corrupt.
constexpr std::size_t kMaxLengthBytes = 4;

// Samples decoded per step of the interleaved decode: large enough that the
// per-call cost of the three stream decoders vanishes, small enough to stay
// on the stack.
constexpr unsigned kBatch = 256;

std::unexpected<Error> corrupt(std::string_view what) {
  return fail(ErrorCode::io, "corrupt chunk: " + std::string(what));
}

template <class T>
T load_le(std::string_view bytes, std::size_t offset) {
  T v;
  std::memcpy(&v, bytes.data() + offset, sizeof v);
  if constexpr (std::endian::native == std::endian::big) v = std::byteswap(v);
  return v;
}

template <class T>
void store_le(std::string& bytes, std::size_t offset, T v) {
  if constexpr (std::endian::native == std::endian::big) v = std::byteswap(v);
  std::memcpy(bytes.data() + offset, &v, sizeof v);
}

struct Header {
  ChunkInfo info;
  ValueEncoding values = ValueEncoding::decimal_delta;
  bool has_qualities = false;
};

Result<Header> read_header(std::string_view bytes) {
  if (bytes.size() < kHeaderSize) return corrupt("shorter than its header");
  // The checksum first: a flipped bit anywhere, the count included, fails
  // here, before any field is believed or anything allocated for it.
  if (crc32c(bytes.substr(kCrcOffset + 4)) != load_le<std::uint32_t>(bytes, kCrcOffset)) {
    return corrupt("checksum mismatch");
  }
  if (static_cast<std::uint8_t>(bytes[kVersionOffset]) != kFormatVersion) {
    return corrupt("unknown format version");
  }
  const auto encoding = static_cast<std::uint8_t>(bytes[kEncodingOffset]);
  if ((encoding & kReservedMask) != 0) return corrupt("reserved header bits set");
  if ((encoding & kValueEncodingMask) > kMaxValueEncoding) return corrupt("unknown value encoding");
  Header h;
  h.values = static_cast<ValueEncoding>(encoding & kValueEncodingMask);
  h.has_qualities = (encoding & kQualityBit) != 0;
  h.info.count = load_le<std::uint16_t>(bytes, kCountOffset);
  h.info.first_t = load_le<std::int64_t>(bytes, kFirstOffset);
  h.info.last_t = load_le<std::int64_t>(bytes, kLastOffset);
  if (h.info.count == 0) return corrupt("no samples");
  if (h.info.count == 1 ? h.info.first_t != h.info.last_t : h.info.first_t >= h.info.last_t) {
    return corrupt("first and last timestamps disagree with the count");
  }
  return h;
}

}  // namespace

std::string encode_chunk(std::span<const Sample> samples) {
  assert(!samples.empty() && samples.size() <= kMaxCount);
  assert(std::adjacent_find(samples.begin(), samples.end(), [](const Sample& a, const Sample& b) {
           return a.t >= b.t;
         }) == samples.end());
  if (samples.empty()) return {};  // not a chunk; decoding it fails rather than crashing

  std::string timestamps, values, qualities;
  encode_timestamps(samples, timestamps);
  const ValueEncoding value_encoding = encode_values(samples, values);
  const bool has_qualities = !all_good(samples);
  if (has_qualities) encode_qualities(samples, qualities);

  std::string chunk(kHeaderSize, '\0');
  chunk.reserve(kHeaderSize + 8 + timestamps.size() + values.size() + qualities.size());
  chunk[kVersionOffset] = static_cast<char>(kFormatVersion);
  chunk[kEncodingOffset] = static_cast<char>(static_cast<std::uint8_t>(value_encoding) |
                                             (has_qualities ? kQualityBit : 0));
  store_le(chunk, kCountOffset, static_cast<std::uint16_t>(samples.size()));
  store_le(chunk, kFirstOffset, samples.front().t);
  store_le(chunk, kLastOffset, samples.back().t);
  // The quality stream is what remains, so it needs no length.
  put_varint(timestamps.size(), chunk);
  put_varint(values.size(), chunk);
  chunk += timestamps;
  chunk += values;
  chunk += qualities;
  store_le(chunk, kCrcOffset, crc32c(std::string_view(chunk).substr(kCrcOffset + 4)));
  return chunk;
}

Result<ChunkInfo> read_chunk_info(std::string_view bytes) {
  auto header = read_header(bytes);
  if (!header) return fail(header.error());
  return header->info;
}

Status decode_chunk(std::string_view bytes, std::vector<Sample>& out) {
  auto header = read_header(bytes);
  if (!header) return fail(header.error());
  const std::uint32_t count = header->info.count;

  std::size_t pos = kHeaderSize, timestamp_bytes = 0, value_bytes = 0;
  if (!get_varint(bytes, pos, timestamp_bytes, kMaxLengthBytes) ||
      !get_varint(bytes, pos, value_bytes, kMaxLengthBytes)) {
    return corrupt("stream lengths truncated or overlong");
  }
  const std::size_t rest = bytes.size() - pos;
  if (timestamp_bytes > rest || value_bytes > rest - timestamp_bytes) {
    return corrupt("stream lengths exceed the chunk");
  }
  TimestampDecoder timestamps(bytes.substr(pos, timestamp_bytes), header->info.first_t, count);
  ValueDecoder values(bytes.substr(pos + timestamp_bytes, value_bytes), header->values, count);
  QualityDecoder qualities(bytes.substr(pos + timestamp_bytes + value_bytes), header->has_qualities,
                           count);

  // The streams are decoded together, a batch at a time, and `out` grows with
  // what they actually yield: a count the streams cannot back fails at the
  // first batch that runs dry, not after allocating the whole count. On any
  // failure `out` is cut back to what it held.
  const std::size_t base = out.size();
  auto undo = [&](const char* why) {
    out.resize(base);
    return corrupt(why);
  };
  Timestamp ts[kBatch];
  double vs[kBatch];
  std::uint8_t qs[kBatch];
  for (std::uint32_t done = 0; done < count;) {
    const unsigned n = std::min<std::uint32_t>(kBatch, count - done);
    if (!timestamps.next(ts, n)) return undo(timestamps.error());
    if (!values.next(vs, n)) return undo(values.error());
    if (!qualities.next(qs, n)) return undo(qualities.error());
    const std::size_t at = out.size();
    out.resize(at + n);
    for (unsigned i = 0; i < n; ++i) out[at + i] = Sample{ts[i], vs[i], qs[i]};
    done += n;
  }
  if (!timestamps.finish(header->info.last_t)) return undo(timestamps.error());
  if (!values.finish()) return undo(values.error());
  if (!qualities.finish()) return undo(qualities.error());
  return {};
}

}  // namespace citypulse::tsdb
