// CRC-32C (Castagnoli), the checksum of WAL records: hardware instructions
// where the CPU has them (SSE 4.2), a table otherwise; both give the same value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace citypulse::tsdb {

// The CRC of `data`, continuing from `crc` (0 to start).
std::uint32_t crc32c(std::string_view data, std::uint32_t crc = 0);

}  // namespace citypulse::tsdb
