#include "tsdb/crc32c.h"

#include <array>
#include <bit>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace citypulse::tsdb {
namespace {

// The Castagnoli polynomial 0x1EDC6F41, bit-reversed: the CRC is computed
// LSB first, as iSCSI (RFC 3720 §B.4), ext4 and LevelDB do.
constexpr std::uint32_t kPoly = 0x82F63B78;

// Slice-by-8 (Intel, "A Systematic Approach to Building High Performance
// Software-based CRC Generators", 2006): table k holds the CRC of a byte
// followed by k zero bytes, so eight bytes are folded with eight lookups.
using Tables = std::array<std::array<std::uint32_t, 256>, 8>;

constexpr Tables make_tables() {
  Tables t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int bit = 0; bit < 8; ++bit) c = (c >> 1) ^ ((c & 1) ? kPoly : 0);
    t[0][i] = c;
  }
  for (std::size_t k = 1; k < 8; ++k) {
    for (std::size_t i = 0; i < 256; ++i) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xff];
  }
  return t;
}

constexpr Tables kTables = make_tables();

std::uint64_t load_le64(const unsigned char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}

// `crc` here is the register, before the final inversion.
std::uint32_t crc_table(const unsigned char* p, std::size_t n, std::uint32_t crc) {
  for (; n >= 8; n -= 8, p += 8) {
    const std::uint64_t w = load_le64(p) ^ crc;
    crc = kTables[7][w & 0xff] ^ kTables[6][(w >> 8) & 0xff] ^ kTables[5][(w >> 16) & 0xff] ^
          kTables[4][(w >> 24) & 0xff] ^ kTables[3][(w >> 32) & 0xff] ^
          kTables[2][(w >> 40) & 0xff] ^ kTables[1][(w >> 48) & 0xff] ^ kTables[0][w >> 56];
  }
  for (; n > 0; --n, ++p) crc = (crc >> 8) ^ kTables[0][(crc ^ *p) & 0xff];
  return crc;
}

#if defined(__x86_64__)
// The SSE 4.2 crc32 instruction computes exactly this polynomial, 8 bytes per
// instruction. Compiled for SSE 4.2 only here, and called only after cpuid
// said the CPU has it, so the binary still runs on older CPUs.
__attribute__((target("sse4.2"))) std::uint32_t crc_sse42(const unsigned char* p, std::size_t n,
                                                          std::uint32_t crc) {
  std::uint64_t c = crc;
  for (; n >= 8; n -= 8, p += 8) c = _mm_crc32_u64(c, load_le64(p));
  auto c32 = static_cast<std::uint32_t>(c);
  for (; n > 0; --n, ++p) c32 = _mm_crc32_u8(c32, *p);
  return c32;
}
#endif

using CrcFn = std::uint32_t (*)(const unsigned char*, std::size_t, std::uint32_t);

CrcFn pick() {
#if defined(__x86_64__)
  if (__builtin_cpu_supports("sse4.2")) return crc_sse42;
#endif
  return crc_table;
}

}  // namespace

std::uint32_t crc32c(std::string_view data, std::uint32_t crc) {
  static const CrcFn fn = pick();
  // The stored value is the register inverted; invert back to continue.
  return ~fn(reinterpret_cast<const unsigned char*>(data.data()), data.size(), ~crc);
}

// The table path whatever the CPU, so tests can hold both paths to the same
// values. Not in the header: nothing but tests has a reason to call it.
std::uint32_t crc32c_portable(std::string_view data, std::uint32_t crc);
std::uint32_t crc32c_portable(std::string_view data, std::uint32_t crc) {
  return ~crc_table(reinterpret_cast<const unsigned char*>(data.data()), data.size(), ~crc);
}

}  // namespace citypulse::tsdb
