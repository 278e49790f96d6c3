// Bit-level reading and writing for the chunk streams, and the one integer
// coding both timestamps and values use: zig-zag plus block-packed sequences.
// docs/storage.md ("Chunk format") is the specification of what these write;
// the bit order is MSB first, as in Gorilla and Prometheus' chunkenc.
//
// BitReader is the only place chunk bytes are read bit by bit, so it is where
// hostile input is contained: every read is bounds-checked, and a read past the
// end returns zero bits and sets a sticky flag instead of touching memory.
// Callers decode a bounded number of items (the chunk's count), then check
// overrun() once, so no loop depends on the input to terminate.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace citypulse::tsdb {

// Small signed numbers to small unsigned ones (0, -1, 1, -2 → 0, 1, 2, 3), so a
// delta's magnitude, not its sign bit, decides how many bits it needs.
constexpr std::uint64_t zigzag(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
constexpr std::int64_t unzigzag(std::uint64_t u) {
  return static_cast<std::int64_t>((u >> 1) ^ (~(u & 1) + 1));
}

// Appends bits to a byte string. Nothing reaches `out` until finish().
class BitWriter {
 public:
  // `out` must outlive the writer; bits are appended after what it holds.
  explicit BitWriter(std::string& out) : out_(out) {}

  // The low `nbits` (0..64) bits of `value`, most significant first. Bits of
  // `value` above `nbits` are ignored.
  void write(std::uint64_t value, unsigned nbits);
  void write_bit(bool bit) { write(bit ? 1 : 0, 1); }

  // Pads the last byte with zero bits and flushes it. The writer must not be
  // used afterwards.
  void finish();

  // Bits written so far, padding excluded.
  std::uint64_t bits_written() const { return bits_; }

 private:
  std::string& out_;
  std::uint64_t acc_ = 0;  // pending bits, in the low `pending_` bits
  unsigned pending_ = 0;   // always < 32 between calls
  std::uint64_t bits_ = 0;
};

// Reads bits from a byte string without ever reading outside it.
class BitReader {
 public:
  // `bytes` must outlive the reader.
  explicit BitReader(std::string_view bytes)
      : data_(reinterpret_cast<const unsigned char*>(bytes.data())), size_bits_(bytes.size() * 8) {}

  // The next `nbits` (0..64) bits as an unsigned number. Past the end: zero
  // bits, and overrun() becomes true for good.
  std::uint64_t read(unsigned nbits);
  bool read_bit() { return read(1) != 0; }

  // Consumes consecutive one bits, at most `limit` (≤ 32) of them, and the
  // zero that ends them when there are fewer than `limit`. Returns how many
  // ones: a unary number whose length the caller bounds.
  unsigned read_unary(unsigned limit);

  bool overrun() const { return overrun_; }
  std::uint64_t bits_left() const { return size_bits_ - pos_; }

  // True when what is left is the zero padding of the last byte and nothing
  // more: a stream that ends anywhere else was not written by BitWriter.
  bool at_padded_end() const;

 private:
  // At least the next 57 bits, aligned to the top; zeros past the end.
  std::uint64_t peek() const;
  void skip(std::uint64_t nbits);

  const unsigned char* data_;
  std::uint64_t size_bits_;
  std::uint64_t pos_ = 0;
  bool overrun_ = false;
};

// Bits needed to write `v` (0 for 0, 64 for values with the top bit set).
unsigned bit_width64(std::uint64_t v);

// A number with its own length: 7 bits of width w (0..64), then w bits. For the
// one or two leading values of a stream that would swell the first block.
void write_sized(BitWriter& out, std::uint64_t v);
std::uint64_t sized_bits(std::uint64_t v);
// False (and nothing sensible in `v`) when the width is over 64 or the bits
// ran out.
bool read_sized(BitReader& in, std::uint64_t& v);

// Block-packed sequences of unsigned (usually zig-zagged) numbers, in blocks
// of kBlockValues; each block picks the cheapest of a fixed width, a Rice
// code, or a run of all-zero blocks (docs/storage.md has the block codes).
inline constexpr unsigned kBlockValues = 32;

// Appends `values` (any length, including 0) to `out`.
void write_packed(BitWriter& out, std::span<const std::uint64_t> values);

// What write_packed would write, in bits, without writing: for choosing
// between encodings before committing to one.
std::uint64_t packed_bits(std::span<const std::uint64_t> values);

// Reads back a sequence of known length one value at a time, a block at a
// time underneath, so a decoder can interleave several streams.
class PackedReader {
 public:
  // `in` must outlive this reader; `count` is the length of the sequence.
  PackedReader(BitReader& in, std::uint32_t count) : in_(in), remaining_(count) {}

  // The next value. False once the input is corrupt (a reserved block code, a
  // run longer than the sequence, bits exhausted) or the sequence is over;
  // `v` is then meaningless.
  bool next(std::uint64_t& v) {
    if (index_ == filled_ && !fill()) return false;
    v = block_[index_++];
    return true;
  }

 private:
  bool fill();

  BitReader& in_;
  std::uint32_t remaining_;        // values not yet decoded into block_
  std::uint32_t zero_blocks_ = 0;  // blocks still owed by a zero-run code
  unsigned index_ = 0;
  unsigned filled_ = 0;
  std::uint64_t block_[kBlockValues] = {};
};

}  // namespace citypulse::tsdb
