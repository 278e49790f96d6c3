// LEB128 varints, the length and run fields of the engine's stored formats
// (chunks, rollup blocks, quality runs): seven bits a byte, low bits first,
// the top bit set on every byte but the last.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace citypulse::tsdb {

inline void put_varint(std::uint64_t v, std::string& out) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

// Reads a varint at `pos`, advancing it; false when the bytes end first or it
// runs past `max_bytes` (a longer one is corrupt for the caller's field).
inline bool get_varint(std::string_view bytes, std::size_t& pos, std::size_t& v,
                       std::size_t max_bytes) {
  v = 0;
  for (std::size_t i = 0; i < max_bytes; ++i) {
    if (pos >= bytes.size()) return false;
    const auto byte = static_cast<std::uint8_t>(bytes[pos++]);
    v |= std::size_t{byte & 0x7fu} << (7 * i);
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

}  // namespace citypulse::tsdb
