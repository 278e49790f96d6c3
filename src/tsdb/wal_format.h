// The on-disk layout of the write-ahead log, in one place: the writer
// (wal_writer.cpp), the reader (wal_reader.cpp) and docs/storage.md ("WAL
// format") must agree with what is here. All integers are little-endian.
//
// Segment file "<16-digit decimal sequence>.wal", starting with a header:
//   magic[8] | version u32 | sequence u64 | crc32c u32 of the 20 bytes before
// then records back to back until the end of the file:
//   length u32 | crc32c u32 of type+payload | type u8 | payload[length]
//
// The type byte is under the CRC, so a flipped type is caught like a flipped
// payload byte. The length is not, but a wrong length makes the CRC run over
// the wrong bytes (a mismatch) or past the end of the file (a cut-short
// record); either ends the log. Type numbers belong to the layer above (the
// engine's record encoding); this layer stores them and never interprets them.
#pragma once

#include <algorithm>
#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace citypulse::tsdb::wal {

// The first bytes of every segment. The \r\n and \x1a catch a file that went
// through a text-mode copy, as in PNG's signature.
inline constexpr std::array<char, 8> kMagic = {'C', 'P', 'W', 'A', 'L', '\r', '\n', '\x1a'};

// Bumped for any change a reader of the previous version would misread. A
// reader refuses a segment of an unknown version (an error, not corruption:
// moving it aside would throw away data a newer build wrote).
inline constexpr std::uint32_t kFormatVersion = 1;

inline constexpr std::size_t kSegmentHeaderSize = 8 + 4 + 8 + 4;  // magic, version, sequence, crc
inline constexpr std::size_t kRecordHeaderSize = 4 + 4 + 1;       // length, crc, type
static_assert(kSegmentHeaderSize == 24,
              "docs/storage.md, WAL format: the segment header is 24 bytes");
static_assert(kRecordHeaderSize == 9, "docs/storage.md, WAL format: the record header is 9 bytes");

// The largest payload the writer accepts and the reader believes. The reader
// checks a length against this and against the bytes left in the file before
// it allocates anything, so a corrupt length never turns into a huge buffer.
inline constexpr std::uint32_t kMaxPayloadBytes = 64u << 20;
static_assert(kMaxPayloadBytes == 67'108'864, "docs/storage.md, WAL format: 64 MiB");

// Segment sequences start here, so WalPosition{} (segment 0) lies before
// every record of every log.
inline constexpr std::uint64_t kFirstSegment = 1;

inline void put_u32(char* out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>(v >> (8 * i));
}
inline void put_u64(char* out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(v >> (8 * i));
}
inline std::uint32_t get_u32(const char* in) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= std::uint32_t{static_cast<unsigned char>(in[i])} << (8 * i);
  return v;
}
inline std::uint64_t get_u64(const char* in) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= std::uint64_t{static_cast<unsigned char>(in[i])} << (8 * i);
  return v;
}

// "0000000000000042.wal": fixed width, so names sort like sequences.
inline std::string segment_file_name(std::uint64_t sequence) {
  std::string digits = std::to_string(sequence);
  return std::string(16 - std::min<std::size_t>(16, digits.size()), '0') + digits + ".wal";
}

// The sequence a file name starts with, if it is 16 digits and ".wal" — also
// for "<segment>.corrupt-<offset>" and "<segment>.tmp" when `exact` is false,
// which open() needs so that a new segment never reuses a moved-aside number.
inline std::optional<std::uint64_t> parse_segment_file_name(std::string_view name, bool exact) {
  if (name.size() < 20 || name.substr(16, 4) != ".wal") return std::nullopt;
  if (exact && name.size() != 20) return std::nullopt;
  std::uint64_t sequence = 0;
  auto [end, error] = std::from_chars(name.data(), name.data() + 16, sequence);
  if (error != std::errc{} || end != name.data() + 16) return std::nullopt;
  return sequence;
}

// Where recovery puts the bytes of `segment_name` from `offset` on.
inline std::string corrupt_file_name(std::string_view segment_name, std::uint64_t offset) {
  return std::string(segment_name) + ".corrupt-" + std::to_string(offset);
}

}  // namespace citypulse::tsdb::wal
