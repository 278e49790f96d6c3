// Fuzz target for the rollup block decoder (libFuzzer entry point; replayed
// over deterministic mutations by tests/unit/tsdb_rollup_fuzz_replay_test.cpp
// in the default g++ build).
//
// A finding, besides a crash or a sanitizer report: a broken promise of
// rollup_codec.h — an error that is not io "corrupt rollup block: ...", a
// success with no rollups or starts that do not increase, counts below one,
// first or last times before the bucket start, or rollups that do not
// survive being encoded and decoded again.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "tsdb/crc32c.h"
#include "tsdb/rollup_codec.h"

namespace {

using citypulse::tsdb::Rollup;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

// Rollup::operator== compares doubles, so NaN != NaN; compare the bits.
bool same_bits(const std::vector<Rollup>& a, const std::vector<Rollup>& b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(Rollup)) == 0);
}

void decode_one(std::string_view bytes) {
  std::vector<Rollup> out;
  const auto status = citypulse::tsdb::decode_rollup_block(bytes, out);
  if (!status) {
    check(status.error().code == citypulse::ErrorCode::io &&
          status.error().message.starts_with("corrupt rollup block: "));
    return;
  }
  check(!out.empty());
  for (std::size_t i = 0; i < out.size(); ++i) {
    check(out[i].count >= 1 && out[i].first_t >= out[i].start && out[i].last_t >= out[i].start);
    if (i > 0) check(out[i - 1].start < out[i].start);
  }
  std::vector<Rollup> again;
  check(citypulse::tsdb::decode_rollup_block(citypulse::tsdb::encode_rollup_block(out), again)
            .has_value());
  check(same_bits(again, out));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  decode_one(bytes);
  // With the checksum made to match, so mutations reach the streams.
  if (size >= 4) {
    std::string sealed(bytes);
    const std::uint32_t crc = citypulse::tsdb::crc32c(std::string_view(sealed).substr(4));
    for (int i = 0; i < 4; ++i) sealed[i] = static_cast<char>(crc >> (8 * i));
    decode_one(sealed);
  }
  return 0;
}
