// Runs the chunk decoder's fuzz target (fuzz/chunk_decoder_fuzz.cpp) over a
// few thousand deterministic mutations of valid chunks, so `make test` (g++,
// no libFuzzer) exercises it on every run, under ASan/UBSan in that build.
// The target traps on any broken promise; a trap here fails the test binary.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "tsdb/chunk_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace citypulse::tsdb {
namespace {

int run_target(const std::string& input) {
  return LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
}

// Valid chunks of every encoding and stream shape, as a fuzzer's seed corpus.
std::vector<std::string> seed_chunks() {
  std::mt19937_64 rng(42);
  std::vector<std::string> seeds;
  const Timestamp start = 1'704'067'200'000;
  for (int kind = 0; kind < 8; ++kind) {
    std::vector<Sample> s;
    Timestamp t = start;
    const int n = kind == 7 ? 1 : 40 + static_cast<int>(rng() % 200);
    for (int i = 0; i < n; ++i) {
      t += kind % 2 == 0 ? 60'000 : 1 + static_cast<Timestamp>(rng() % 120'000);
      double v = 0;
      switch (kind) {
        case 0:
          v = 21.5;
          break;  // constant
        case 1:
          v = static_cast<double>(rng() % 10'000) / 10;
          break;  // one decimal
        case 2:
          v = 1000 + i * 2.5;
          break;  // counter
        case 3:
          v = std::bit_cast<double>(rng() >> 1);
          break;  // XOR
        case 4:
          v = i % 10 == 0 ? std::nan("") : static_cast<double>(i);
          break;  // XOR, mostly ints
        default:
          v = static_cast<double>(rng() % 100'000) / 1000;
          break;
      }
      const auto quality = static_cast<std::uint8_t>(kind >= 5 ? (i / 17) % 3 : 0);
      s.push_back({t, v, quality});
    }
    seeds.push_back(encode_chunk(s));
  }
  return seeds;
}

// A small mutator in the spirit of libFuzzer's: bit flips, byte overwrites
// (random and boundary values), truncation, insertion, erasure, duplication
// and splices of two valid chunks.
std::string mutate(std::string input, const std::vector<std::string>& seeds, std::mt19937_64& rng) {
  const int rounds = 1 + static_cast<int>(rng() % 4);
  for (int r = 0; r < rounds; ++r) {
    const std::size_t size = input.size();
    const std::size_t at = size == 0 ? 0 : rng() % size;
    switch (rng() % 8) {
      case 0:
        if (size > 0) input[at] = static_cast<char>(input[at] ^ (1u << (rng() % 8)));
        break;
      case 1:
        if (size > 0) input[at] = static_cast<char>(rng());
        break;
      case 2: {
        static constexpr char kBoundary[] = {0, 1, 0x7f, static_cast<char>(0x80),
                                             static_cast<char>(0xff)};
        if (size > 0) input[at] = kBoundary[rng() % 5];
        break;
      }
      case 3:
        input.resize(size == 0 ? 0 : rng() % size);
        break;
      case 4: {
        std::string bytes(1 + rng() % 8, '\0');
        for (char& c : bytes) c = static_cast<char>(rng());
        input.insert(size == 0 ? 0 : rng() % (size + 1), bytes);
        break;
      }
      case 5:
        if (size > 0) input.erase(at, 1 + rng() % 8);
        break;
      case 6:
        if (size > 0) input.insert(at, input.substr(at, 1 + rng() % 16));
        break;
      default: {
        const std::string& other = seeds[rng() % seeds.size()];
        input = input.substr(0, size == 0 ? 0 : rng() % (size + 1)) +
                other.substr(rng() % other.size());
        break;
      }
    }
  }
  return input;
}

TEST(ChunkFuzzReplay, SeedsPassTheTarget) {
  for (const std::string& seed : seed_chunks()) EXPECT_EQ(run_target(seed), 0);
}

TEST(ChunkFuzzReplay, ThousandsOfMutatedChunks) {
  const std::vector<std::string> seeds = seed_chunks();
  std::mt19937_64 rng(0xC17E);
  for (int i = 0; i < 4000; ++i) {
    const std::string input = mutate(seeds[rng() % seeds.size()], seeds, rng);
    ASSERT_EQ(run_target(input), 0) << "mutation " << i;
  }
}

TEST(ChunkFuzzReplay, EdgeInputs) {
  for (const std::string& input :
       {std::string(), std::string(1, '\0'), std::string(4, '\0'), std::string(24, '\0'),
        std::string(24, '\xff'), std::string(64, '\xff'), std::string(100, '\0')}) {
    EXPECT_EQ(run_target(input), 0);
  }
}

}  // namespace
}  // namespace citypulse::tsdb
