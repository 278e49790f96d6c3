#include "tsdb/bit_stream.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstring>

namespace citypulse::tsdb {
namespace {

// Block codes, 7 bits at the start of every block (docs/storage.md).
constexpr unsigned kCodeBits = 7;
constexpr unsigned kMaxWidth = 64;   // codes 0..64: every value in that many bits
constexpr unsigned kRiceFirst = 65;  // codes 65..125: Rice code with k = code - 65
constexpr unsigned kMaxRiceK = 60;
constexpr unsigned kZeroRun = 126;  // this and following blocks are all zero
constexpr unsigned kRunBits = 11;   // run length - 1, in blocks: up to 2048 × 32 ≥ 65,535
constexpr std::uint32_t kMaxRunBlocks = 1u << kRunBits;
static_assert(kRiceFirst + kMaxRiceK < kZeroRun && kZeroRun < (1u << kCodeBits));

// A Rice quotient of kRiceEscape or more is written as kRiceEscape ones and the
// value with its own width instead, so one outlier costs ~30 bits, not
// thousands of ones — and no decoder loop runs longer than kRiceEscape bits.
constexpr unsigned kRiceEscape = 16;
constexpr unsigned kEscapeWidthBits = 6;  // width - 1 of an escaped value

constexpr std::uint64_t low_bits(std::uint64_t v, unsigned n) {
  return n >= 64 ? v : v & ((std::uint64_t{1} << n) - 1);
}

std::uint64_t rice_bits(std::uint64_t v, unsigned k) {
  const std::uint64_t q = v >> k;
  return q < kRiceEscape ? q + 1 + k : kRiceEscape + kEscapeWidthBits + bit_width64(v);
}

struct BlockChoice {
  unsigned code = 0;
  std::uint64_t bits = 0;  // including the code
};

// The cheapest code for one block that is not all zero (zero blocks are
// handled by the caller, which sees the runs).
BlockChoice choose(std::span<const std::uint64_t> block) {
  std::uint64_t any = 0;
  std::uint64_t mean = 0;  // sum of v / n: cannot overflow, close enough to pick k
  for (std::uint64_t v : block) {
    any |= v;
    mean += v / block.size();
  }
  const unsigned width = bit_width64(any);
  BlockChoice best{width, kCodeBits + std::uint64_t{width} * block.size()};
  // Rice pays for values near the mean with few bits and for outliers with a
  // longer unary part, which beats a width sized for the largest value when
  // the values are spread (as deltas of real meters are). The cost is roughly
  // convex in k, so walk downhill from log2 of the mean; a k at or above the
  // width never beats the fixed width.
  const unsigned k_end = std::min(width, kMaxRiceK + 1);
  if (k_end == 0) return best;
  auto rice = [&](unsigned k) {
    std::uint64_t bits = kCodeBits;
    for (std::uint64_t v : block) bits += rice_bits(v, k);
    return bits;
  };
  const unsigned start = std::min(bit_width64(mean), k_end - 1);
  unsigned k_best = start;
  std::uint64_t k_best_bits = rice(start);
  // Sparse outliers pull the mean up, so smaller k first; only when that does
  // not help, larger ones.
  for (unsigned k = start; k-- > 0;) {
    const std::uint64_t bits = rice(k);
    if (bits >= k_best_bits) break;
    k_best = k;
    k_best_bits = bits;
  }
  if (k_best == start) {
    for (unsigned k = start + 1; k < k_end; ++k) {
      const std::uint64_t bits = rice(k);
      if (bits >= k_best_bits) break;
      k_best = k;
      k_best_bits = bits;
    }
  }
  if (k_best_bits < best.bits) best = {kRiceFirst + k_best, k_best_bits};
  return best;
}

// How many all-zero blocks start at `from`, counting a short last block.
std::uint32_t zero_blocks_at(std::span<const std::uint64_t> values, std::size_t from) {
  std::uint32_t blocks = 0;
  for (std::size_t i = from; i < values.size() && blocks < kMaxRunBlocks; i += kBlockValues) {
    const auto block = values.subspan(i, std::min<std::size_t>(kBlockValues, values.size() - i));
    if (std::any_of(block.begin(), block.end(), [](std::uint64_t v) { return v != 0; })) break;
    ++blocks;
  }
  return blocks;
}

// A run code costs kCodeBits + kRunBits; a zero-width block kCodeBits each.
constexpr std::uint32_t kMinRunBlocks = (kCodeBits + kRunBits) / kCodeBits + 1;

// One walk over the blocks shared by writing and costing, so the two cannot
// disagree about which code a block gets.
template <class Emit>
void walk_blocks(std::span<const std::uint64_t> values, Emit&& emit) {
  std::size_t i = 0;
  while (i < values.size()) {
    const std::uint32_t zeros = zero_blocks_at(values, i);
    if (zeros >= kMinRunBlocks) {
      emit(kZeroRun, zeros, std::span<const std::uint64_t>{});
      i = std::min(values.size(), i + std::size_t{zeros} * kBlockValues);
      continue;
    }
    const auto block = values.subspan(i, std::min<std::size_t>(kBlockValues, values.size() - i));
    emit(zeros > 0 ? 0u : choose(block).code, 0u, block);
    i += block.size();
  }
}

}  // namespace

unsigned bit_width64(std::uint64_t v) {
  return static_cast<unsigned>(std::bit_width(v));
}

void BitWriter::write(std::uint64_t value, unsigned nbits) {
  assert(nbits <= 64);
  if (nbits > 32) {
    write(value >> 32, nbits - 32);
    nbits = 32;
  }
  value = low_bits(value, nbits);
  acc_ = (acc_ << nbits) | value;  // pending_ < 32 and nbits ≤ 32: fits in 64 bits
  pending_ += nbits;
  bits_ += nbits;
  if (pending_ >= 32) {
    pending_ -= 32;
    const auto word = static_cast<std::uint32_t>(acc_ >> pending_);
    const char bytes[4] = {static_cast<char>(word >> 24), static_cast<char>(word >> 16),
                           static_cast<char>(word >> 8), static_cast<char>(word)};
    out_.append(bytes, 4);
    acc_ = low_bits(acc_, pending_);
  }
}

void BitWriter::finish() {
  const unsigned pad = (8 - pending_ % 8) % 8;
  acc_ <<= pad;
  pending_ += pad;
  while (pending_ > 0) {
    pending_ -= 8;
    out_.push_back(static_cast<char>(acc_ >> pending_));
  }
  acc_ = 0;
}

std::uint64_t BitReader::peek() const {
  const std::uint64_t byte = pos_ >> 3;
  const std::uint64_t size = size_bits_ >> 3;
  std::uint64_t word = 0;
  if (byte + 8 <= size) {
    std::memcpy(&word, data_ + byte, 8);
    if constexpr (std::endian::native == std::endian::little) word = __builtin_bswap64(word);
  } else {
    // The slow path for the last 7 bytes: only bytes that exist are read.
    for (std::uint64_t i = 0; byte + i < size; ++i)
      word |= std::uint64_t{data_[byte + i]} << (56 - 8 * i);
  }
  return word << (pos_ & 7);
}

void BitReader::skip(std::uint64_t nbits) {
  if (nbits > size_bits_ - pos_) {
    overrun_ = true;
    pos_ = size_bits_;
    return;
  }
  pos_ += nbits;
}

std::uint64_t BitReader::read(unsigned nbits) {
  assert(nbits <= 64);
  if (nbits == 0) return 0;
  if (nbits > 56) {  // peek() guarantees 57 bits; split longer reads
    const std::uint64_t high = read(nbits - 32);
    return (high << 32) | read(32);
  }
  const std::uint64_t v = overrun_ ? 0 : peek() >> (64 - nbits);
  skip(nbits);
  return overrun_ ? 0 : v;
}

unsigned BitReader::read_unary(unsigned limit) {
  assert(limit <= 32);
  if (overrun_) return 0;
  const auto ones = static_cast<unsigned>(std::countl_one(peek()));
  if (ones >= limit) {
    skip(limit);
    return limit;
  }
  skip(ones + 1);
  return ones;
}

bool BitReader::at_padded_end() const {
  const std::uint64_t left = bits_left();
  return !overrun_ && left < 8 && (left == 0 || (peek() >> (64 - left)) == 0);
}

void write_sized(BitWriter& out, std::uint64_t v) {
  const unsigned width = bit_width64(v);
  out.write(width, kCodeBits);
  out.write(v, width);
}

std::uint64_t sized_bits(std::uint64_t v) {
  return kCodeBits + bit_width64(v);
}

bool read_sized(BitReader& in, std::uint64_t& v) {
  const auto width = static_cast<unsigned>(in.read(kCodeBits));
  if (width > kMaxWidth) return false;
  v = in.read(width);
  return !in.overrun();
}

void write_packed(BitWriter& out, std::span<const std::uint64_t> values) {
  walk_blocks(values, [&](unsigned code, std::uint32_t run, std::span<const std::uint64_t> block) {
    out.write(code, kCodeBits);
    if (code == kZeroRun) {
      out.write(run - 1, kRunBits);
    } else if (code <= kMaxWidth) {
      for (std::uint64_t v : block) out.write(v, code);
    } else {
      const unsigned k = code - kRiceFirst;
      for (std::uint64_t v : block) {
        const std::uint64_t q = v >> k;
        if (q < kRiceEscape) {
          // q ones, a terminating zero, then the k low bits.
          out.write(((std::uint64_t{1} << q) - 1) << 1, static_cast<unsigned>(q) + 1);
          out.write(v, k);
        } else {
          const unsigned width = bit_width64(v);
          out.write((std::uint64_t{1} << kRiceEscape) - 1, kRiceEscape);
          out.write(width - 1, kEscapeWidthBits);
          out.write(v, width);
        }
      }
    }
  });
}

std::uint64_t packed_bits(std::span<const std::uint64_t> values) {
  std::uint64_t bits = 0;
  walk_blocks(values, [&](unsigned code, std::uint32_t, std::span<const std::uint64_t> block) {
    bits += kCodeBits;
    if (code == kZeroRun) {
      bits += kRunBits;
    } else if (code <= kMaxWidth) {
      bits += std::uint64_t{code} * block.size();
    } else {
      for (std::uint64_t v : block) bits += rice_bits(v, code - kRiceFirst);
    }
  });
  return bits;
}

bool PackedReader::fill() {
  if (remaining_ == 0) return false;
  const unsigned n = std::min<std::uint32_t>(kBlockValues, remaining_);
  index_ = 0;
  filled_ = n;
  remaining_ -= n;
  if (zero_blocks_ > 0) {
    --zero_blocks_;
    std::fill_n(block_, n, 0);
    return true;
  }
  const auto code = static_cast<unsigned>(in_.read(kCodeBits));
  if (code <= kMaxWidth) {
    for (unsigned i = 0; i < n; ++i) block_[i] = in_.read(code);
  } else if (code < kZeroRun) {
    const unsigned k = code - kRiceFirst;
    for (unsigned i = 0; i < n; ++i) {
      const unsigned q = in_.read_unary(kRiceEscape);
      if (q < kRiceEscape) {
        block_[i] = (std::uint64_t{q} << k) | in_.read(k);
      } else {
        const auto width = static_cast<unsigned>(in_.read(kEscapeWidthBits)) + 1;
        block_[i] = in_.read(width);
      }
    }
  } else if (code == kZeroRun) {
    const auto run = static_cast<std::uint32_t>(in_.read(kRunBits)) + 1;
    // This block is the first of the run; the rest must exist.
    const std::uint32_t blocks_after = (remaining_ + kBlockValues - 1) / kBlockValues;
    if (run - 1 > blocks_after) return false;
    zero_blocks_ = run - 1;
    std::fill_n(block_, n, 0);
  } else {
    return false;  // code 127 is reserved
  }
  return !in_.overrun();
}

}  // namespace citypulse::tsdb
