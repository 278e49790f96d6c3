// Fuzz target for the chunk decoder (libFuzzer entry point; also replayed over
// a deterministic corpus by tests/unit/tsdb_fuzz_replay_test.cpp, since the
// default build is g++ without libFuzzer).
//
// What counts as a finding, besides a crash or a sanitizer report: any broken
// promise of chunk_codec.h — a failure that appended something, an error that
// is not ErrorCode::io "corrupt chunk: ...", a success whose samples disagree
// with the header or are not strictly increasing, or samples that do not
// survive being encoded and decoded again.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "tsdb/chunk_codec.h"
#include "tsdb/crc32c.h"

namespace {

using citypulse::ErrorCode;
using citypulse::tsdb::Sample;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

// Sample::operator== compares values as doubles, so NaN != NaN; the codec
// promises the bits.
bool same_bits(const std::vector<Sample>& a, const std::vector<Sample>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].t != b[i].t || a[i].quality != b[i].quality ||
        std::bit_cast<std::uint64_t>(a[i].v) != std::bit_cast<std::uint64_t>(b[i].v)) {
      return false;
    }
  }
  return true;
}

bool is_corrupt_error(const citypulse::Error& e) {
  return e.code == ErrorCode::io && e.message.starts_with("corrupt chunk: ");
}

void decode_one(std::string_view bytes) {
  const Sample sentinel{-7, 1.5, 9};
  std::vector<Sample> out{sentinel};
  const auto status = citypulse::tsdb::decode_chunk(bytes, out);
  const auto info = citypulse::tsdb::read_chunk_info(bytes);
  if (!info) check(is_corrupt_error(info.error()));
  if (!status) {
    check(is_corrupt_error(status.error()));
    check(out.size() == 1 && out[0] == sentinel);
    return;
  }
  // A chunk that decodes has a header that reads, and agrees with it.
  check(info.has_value());
  check(out.size() == 1 + std::size_t{info->count} && out[0] == sentinel);
  check(out[1].t == info->first_t && out.back().t == info->last_t);
  for (std::size_t i = 2; i < out.size(); ++i) check(out[i - 1].t < out[i].t);
  // Whatever decodes is valid input for the encoder and must round trip.
  const std::vector<Sample> samples(out.begin() + 1, out.end());
  std::vector<Sample> again;
  check(citypulse::tsdb::decode_chunk(citypulse::tsdb::encode_chunk(samples), again).has_value());
  check(same_bits(again, samples));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // As given: almost every mutation stops at the checksum, which is right but
  // tests little else.
  decode_one(bytes);
  // With the checksum (the first 4 bytes, over the rest: docs/storage.md) made
  // to match, so the mutations reach the header fields and the stream decoders.
  if (size >= 4) {
    std::string sealed(bytes);
    const std::uint32_t crc = citypulse::tsdb::crc32c(std::string_view(sealed).substr(4));
    const unsigned char le[4] = {
        static_cast<unsigned char>(crc), static_cast<unsigned char>(crc >> 8),
        static_cast<unsigned char>(crc >> 16), static_cast<unsigned char>(crc >> 24)};
    std::memcpy(sealed.data(), le, 4);
    decode_one(sealed);
  }
  return 0;
}
