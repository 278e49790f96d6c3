// Runs the WAL reader's fuzz entry (fuzz/wal_reader_fuzz.cpp) over a few
// thousand segments made by the real writer and then damaged the ways disks
// and crashes damage them: flipped bits, cuts, garbage and zeros at the end,
// lengths that claim gigabytes. The entry aborts when recovery breaks one of
// its promises (saying which on stderr), which fails this test; the sanitizer
// build catches overruns. The seed is fixed, so a failure reproduces.

// The entry is compiled into this test under its own name, so that other
// fuzz entries can be linked into the same test binary.
#define LLVMFuzzerTestOneInput wal_reader_fuzz_entry
#include "../../fuzz/wal_reader_fuzz.cpp"
#undef LLVMFuzzerTestOneInput

#include <gtest/gtest.h>

#include <random>

#include "tsdb/wal.h"

namespace citypulse::tsdb {
namespace {

namespace fs = std::filesystem;

// Segments written by Wal itself, and where their records start.
struct Seed {
  std::string bytes;
  std::vector<std::uint64_t> records;  // offsets
};

std::vector<Seed> make_seeds(const fs::path& root) {
  std::vector<Seed> seeds;
  std::mt19937_64 rng(7);
  const std::vector<std::pair<int, std::size_t>> shapes = {{0, 0}, {1, 1}, {30, 200}, {6, 5000}};
  for (std::size_t s = 0; s < shapes.size(); ++s) {
    const auto [count, max_size] = shapes[s];
    WalOptions options;
    options.dir = root / ("seed-" + std::to_string(s));
    Seed seed;
    {
      auto wal = Wal::open(options);
      EXPECT_TRUE(wal);
      if (!wal) return seeds;
      for (int i = 0; i < count; ++i) {
        std::string payload(max_size == 0 ? 0 : rng() % (max_size + 1), '\0');
        for (char& c : payload) c = static_cast<char>(rng());
        seed.records.push_back(
            (*wal)
                ->append(static_cast<std::uint8_t>(rng()), std::move(payload), false, nullptr)
                .offset);
      }
      EXPECT_TRUE((*wal)->sync());
    }
    seed.bytes = read_file(options.dir / wal::segment_file_name(wal::kFirstSegment));
    seeds.push_back(std::move(seed));
  }
  return seeds;
}

class Mutator {
 public:
  explicit Mutator(std::uint64_t seed) : rng_(seed) {}

  std::string mutate(const Seed& seed) {
    std::string bytes = seed.bytes;
    const int steps = 1 + static_cast<int>(below(3));
    for (int i = 0; i < steps; ++i) mutate_once(seed, bytes);
    return bytes;
  }

 private:
  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : rng_() % n; }

  void mutate_once(const Seed& seed, std::string& bytes) {
    switch (below(7)) {
      case 0:  // bit flips anywhere, header included
        for (int i = 1 + static_cast<int>(below(4)); i > 0 && !bytes.empty(); --i) {
          bytes[below(bytes.size())] ^= static_cast<char>(1u << below(8));
        }
        break;
      case 1:  // a crash: cut anywhere
        bytes.resize(below(bytes.size() + 1));
        break;
      case 2: {  // garbage after the end
        const std::uint64_t n = 1 + below(64);
        for (std::uint64_t i = 0; i < n; ++i) bytes.push_back(static_cast<char>(rng_()));
        break;
      }
      case 3:  // zeros after the end, as a file system that grew the size first leaves them
        bytes.append(1 + below(100), '\0');
        break;
      case 4: {  // a bogus length in a record header
        if (seed.records.empty()) break;
        const std::uint64_t at = seed.records[below(seed.records.size())];
        if (at + 4 > bytes.size()) break;
        const std::uint64_t left = bytes.size() - at;
        const std::uint32_t lengths[] = {0xFFFFFFFFu,
                                         wal::kMaxPayloadBytes,
                                         wal::kMaxPayloadBytes + 1,
                                         48u << 20,
                                         static_cast<std::uint32_t>(left),
                                         static_cast<std::uint32_t>(below(1000))};
        wal::put_u32(bytes.data() + at, lengths[below(std::size(lengths))]);
        break;
      }
      case 5: {  // a record header of bogus length appended at the end
        char header[wal::kRecordHeaderSize] = {};
        wal::put_u32(header, below(2) ? 0xFFFFFFF0u : static_cast<std::uint32_t>(below(1 << 20)));
        wal::put_u32(header + 4, static_cast<std::uint32_t>(rng_()));
        bytes.append(header, sizeof header);
        break;
      }
      case 6: {  // a stray write: a run of bytes overwritten
        if (bytes.empty()) break;
        const std::uint64_t at = below(bytes.size());
        const std::uint64_t n = std::min<std::uint64_t>(1 + below(32), bytes.size() - at);
        const char fill = below(2) ? '\0' : static_cast<char>(rng_());
        for (std::uint64_t i = 0; i < n; ++i) bytes[at + i] = fill;
        break;
      }
    }
  }

  std::mt19937_64 rng_;
};

TEST(WalFuzzReplay, MutatedSegmentsKeepRecoveryPromises) {
  std::string pattern = (fs::temp_directory_path() / "cp_wal_fuzz_seeds_XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  const fs::path root = pattern;
  const std::vector<Seed> seeds = make_seeds(root);
  std::error_code ec;
  fs::remove_all(root, ec);
  ASSERT_EQ(seeds.size(), 4u);

  // The seeds themselves: each replays whole.
  for (const Seed& seed : seeds) {
    EXPECT_EQ(wal_reader_fuzz_entry(reinterpret_cast<const uint8_t*>(seed.bytes.data()),
                                    seed.bytes.size()),
              0);
  }
  Mutator mutator(20240611);
  constexpr int kInputs = 3000;
  for (int i = 0; i < kInputs; ++i) {
    const Seed& seed = seeds[static_cast<std::size_t>(i) % seeds.size()];
    const std::string input = mutator.mutate(seed);
    ASSERT_EQ(wal_reader_fuzz_entry(reinterpret_cast<const uint8_t*>(input.data()), input.size()),
              0);
  }
}

}  // namespace
}  // namespace citypulse::tsdb
