// Runs the rollup block decoder's fuzz entry (fuzz/rollup_block_fuzz.cpp)
// over thousands of deterministic mutations of real blocks — flipped bits,
// overwritten and boundary bytes, cuts, insertions, splices — each also with
// its checksum re-sealed so the damage reaches the streams. The entry traps
// on any broken promise, which fails this test binary; the sanitizer build
// catches overruns.
#define LLVMFuzzerTestOneInput rollup_block_fuzz_entry
#include "../../fuzz/rollup_block_fuzz.cpp"
#undef LLVMFuzzerTestOneInput

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace citypulse::tsdb {
namespace {

int run(const std::string& input) {
  return rollup_block_fuzz_entry(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
}

std::vector<std::string> seed_blocks() {
  std::mt19937_64 rng(5);
  std::vector<std::string> seeds;
  for (int kind = 0; kind < 6; ++kind) {
    std::vector<Sample> s;
    Timestamp t = 1'767'225'600'000;
    const int n = kind == 5 ? 1 : 200 + static_cast<int>(rng() % 3000);
    for (int i = 0; i < n; ++i) {
      t += kind % 2 ? 3'600'000 : 1 + static_cast<Timestamp>(rng() % 900'000);
      const double v = kind == 3   ? std::ldexp(static_cast<double>(rng()), -30)
                       : kind == 4 ? (i % 50 == 0 ? std::nan("") : i * 0.5)
                                   : static_cast<double>(rng() % 10'000) / 10;
      s.push_back({t, v, 0});
    }
    seeds.push_back(encode_rollup_block(rollups_of(s, kHourMs)));
  }
  return seeds;
}

TEST(RollupFuzzReplay, ThousandsOfMutatedBlocks) {
  const auto seeds = seed_blocks();
  for (const auto& s : seeds) ASSERT_EQ(run(s), 0);
  std::mt19937_64 rng(0xB10C);
  for (int i = 0; i < 4000; ++i) {
    std::string input = seeds[rng() % seeds.size()];
    const int rounds = 1 + static_cast<int>(rng() % 4);
    for (int r = 0; r < rounds && !input.empty(); ++r) {
      const std::size_t at = rng() % input.size();
      switch (rng() % 6) {
        case 0:
          input[at] = static_cast<char>(input[at] ^ (1u << (rng() % 8)));
          break;
        case 1:
          input[at] = static_cast<char>(rng());
          break;
        case 2:
          input[at] = static_cast<char>((rng() % 2) ? 0xff : 0x80);
          break;
        case 3:
          input.resize(at);
          break;
        case 4:
          input.insert(at, std::string(1 + rng() % 8, static_cast<char>(rng())));
          break;
        default: {
          const auto& other = seeds[rng() % seeds.size()];
          input = input.substr(0, at) + other.substr(rng() % other.size());
        }
      }
    }
    ASSERT_EQ(run(input), 0);
  }
}

}  // namespace
}  // namespace citypulse::tsdb
