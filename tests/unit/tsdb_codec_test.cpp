// Unit tests of the chunk codec (src/tsdb/chunk_codec.h) and its parts: the
// CRC, the bit streams, lossless round trips of awkward timestamps and values,
// corrupt and hostile input, the byte layout against docs/storage.md, and the
// compression of the real Cambridge electricity data when it is present.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <random>
#include <sstream>

#include "tsdb/bit_stream.h"
#include "tsdb/chunk_codec.h"
#include "tsdb/crc32c.h"
#include "tsdb/value_codec.h"

namespace citypulse::tsdb {

// The table path of crc32c.cpp, whatever the CPU (a test hook, not in the header).
std::uint32_t crc32c_portable(std::string_view data, std::uint32_t crc);

namespace {

constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr Timestamp kJan2024 = 1'704'067'200'000;

// Header fields at the offsets docs/storage.md gives (and LayoutMatchesDoc checks).
constexpr std::size_t kHeaderSize = 24;
std::uint8_t encoding_byte(const std::string& chunk) {
  return static_cast<std::uint8_t>(chunk[5]);
}
ValueEncoding value_encoding(const std::string& chunk) {
  return static_cast<ValueEncoding>(encoding_byte(chunk) & 3);
}

// Recomputes the checksum, so a mutation reaches the parser behind it.
std::string sealed(std::string chunk) {
  if (chunk.size() < 4) return chunk;
  const std::uint32_t crc = crc32c(std::string_view(chunk).substr(4));
  for (int i = 0; i < 4; ++i) chunk[i] = static_cast<char>(crc >> (8 * i));
  return chunk;
}

std::uint64_t bits_of(double v) {
  return std::bit_cast<std::uint64_t>(v);
}

// Bitwise comparison that names the first difference.
void expect_same(const std::vector<Sample>& got, const std::vector<Sample>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(got[i].t, want[i].t) << "sample " << i;
    ASSERT_EQ(bits_of(got[i].v), bits_of(want[i].v)) << "sample " << i << ": " << want[i].v;
    ASSERT_EQ(got[i].quality, want[i].quality) << "sample " << i;
  }
}

// Encodes, decodes, checks bit-identity and the header; returns the chunk.
std::string round_trip(const std::vector<Sample>& samples) {
  std::string chunk = encode_chunk(samples);
  std::vector<Sample> got;
  auto status = decode_chunk(chunk, got);
  EXPECT_TRUE(status.has_value()) << status.error().message;
  expect_same(got, samples);
  auto info = read_chunk_info(chunk);
  EXPECT_TRUE(info.has_value());
  if (info) {
    EXPECT_EQ(info->count, samples.size());
    EXPECT_EQ(info->first_t, samples.front().t);
    EXPECT_EQ(info->last_t, samples.back().t);
  }
  return chunk;
}

std::vector<Sample> with_values(const std::vector<double>& values, Timestamp start = kJan2024,
                                Timestamp step = 60'000) {
  std::vector<Sample> s;
  for (std::size_t i = 0; i < values.size(); ++i) {
    s.push_back({start + static_cast<Timestamp>(i) * step, values[i], 0});
  }
  return s;
}

std::vector<Sample> with_times(const std::vector<Timestamp>& times) {
  std::vector<Sample> s;
  for (std::size_t i = 0; i < times.size(); ++i) s.push_back({times[i], 20.5 + double(i % 7), 0});
  return s;
}

// --- CRC-32C ---------------------------------------------------------------

TEST(Crc32c, StandardValues) {
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(crc32c(""), 0u);
  // RFC 3720 §B.4 test vectors.
  std::string zeros(32, '\0'), ones(32, '\xff'), up(32, '\0'), down(32, '\0');
  for (int i = 0; i < 32; ++i) {
    up[i] = static_cast<char>(i);
    down[i] = static_cast<char>(31 - i);
  }
  EXPECT_EQ(crc32c(zeros), 0x8A9136AAu);
  EXPECT_EQ(crc32c(ones), 0x62A8AB43u);
  EXPECT_EQ(crc32c(up), 0x46DD794Eu);
  EXPECT_EQ(crc32c(down), 0x113FDB5Cu);
  EXPECT_EQ(crc32c_portable("123456789", 0), 0xE3069283u);
}

TEST(Crc32c, ContinuesAndAgreesAcrossPathsLengthsAndAlignments) {
  std::mt19937_64 rng(7);
  std::string data(1000, '\0');
  for (char& c : data) c = static_cast<char>(rng());
  for (std::size_t offset = 0; offset < 9; ++offset) {
    for (std::size_t len : {0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 500, 991}) {
      const std::string_view part = std::string_view(data).substr(offset, len);
      const std::uint32_t whole = crc32c(part);
      ASSERT_EQ(whole, crc32c_portable(part, 0)) << offset << "+" << len;
      for (std::size_t split : {std::size_t{0}, len / 3, len}) {
        ASSERT_EQ(crc32c(part.substr(split), crc32c(part.substr(0, split))), whole);
      }
    }
  }
}

// --- bit streams -------------------------------------------------------------

TEST(BitStream, ZigZagMapsSmallMagnitudesToSmallNumbers) {
  EXPECT_EQ(zigzag(0), 0u);
  EXPECT_EQ(zigzag(-1), 1u);
  EXPECT_EQ(zigzag(1), 2u);
  EXPECT_EQ(zigzag(kMax), ~std::uint64_t{1});
  EXPECT_EQ(zigzag(kMin), ~std::uint64_t{0});
  for (std::int64_t v :
       {std::int64_t{0}, std::int64_t{-1}, std::int64_t{5}, kMin, kMax, kMin + 1}) {
    EXPECT_EQ(unzigzag(zigzag(v)), v);
  }
}

TEST(BitStream, WritesAndReadsEveryWidth) {
  std::mt19937_64 rng(1);
  std::vector<std::pair<std::uint64_t, unsigned>> items;
  for (int i = 0; i < 5000; ++i) {
    const unsigned width = static_cast<unsigned>(rng() % 65);
    const std::uint64_t v = width == 64 ? rng() : rng() & ((std::uint64_t{1} << width) - 1);
    items.push_back({v, width});
  }
  std::string bytes;
  BitWriter writer(bytes);
  std::uint64_t total = 0;
  for (auto [v, w] : items) {
    writer.write(v, w);
    total += w;
  }
  writer.finish();
  EXPECT_EQ(bytes.size(), (total + 7) / 8);
  BitReader reader(bytes);
  for (auto [v, w] : items) ASSERT_EQ(reader.read(w), v);
  EXPECT_FALSE(reader.overrun());
  EXPECT_TRUE(reader.at_padded_end());
}

TEST(BitStream, ReaderStopsAtTheEndAndStaysStopped) {
  const std::string bytes = "\xAB\xCD";
  BitReader reader(bytes);
  EXPECT_EQ(reader.read(12), 0xABCu);
  EXPECT_FALSE(reader.overrun());
  EXPECT_EQ(reader.read(8), 0u);  // only 4 bits left
  EXPECT_TRUE(reader.overrun());
  EXPECT_EQ(reader.read(1), 0u);
  EXPECT_EQ(reader.read(64), 0u);
  EXPECT_TRUE(reader.overrun());

  BitReader empty(std::string_view{});
  EXPECT_EQ(empty.read_unary(32), 0u);
  EXPECT_TRUE(empty.overrun());

  const std::string ones(16, '\xff');
  BitReader unary(ones);
  EXPECT_EQ(unary.read_unary(16), 16u);  // bounded, whatever the input holds
  EXPECT_EQ(unary.bits_left(), 128u - 16u);
}

std::vector<std::uint64_t> packed_round_trip(const std::vector<std::uint64_t>& values) {
  std::string bytes;
  BitWriter writer(bytes);
  write_packed(writer, values);
  EXPECT_EQ(writer.bits_written(), packed_bits(values));
  writer.finish();
  BitReader reader(bytes);
  PackedReader packed(reader, static_cast<std::uint32_t>(values.size()));
  std::vector<std::uint64_t> got;
  std::uint64_t v = 0;
  while (packed.next(v)) got.push_back(v);
  EXPECT_TRUE(reader.at_padded_end());
  return got;
}

TEST(BitStream, PackedSequencesRoundTrip) {
  std::mt19937_64 rng(2);
  std::vector<std::vector<std::uint64_t>> cases = {{}, {0}, {1}, {~std::uint64_t{0}}};
  for (std::size_t zeros : {31, 32, 33, 64, 95, 96, 97, 200, 65535}) {
    cases.push_back(std::vector<std::uint64_t>(zeros, 0));
    auto with_tail = cases.back();
    with_tail.push_back(5);
    cases.push_back(with_tail);
  }
  for (int c = 0; c < 60; ++c) {
    std::vector<std::uint64_t> values(rng() % 300);
    const unsigned width = static_cast<unsigned>(rng() % 65);
    for (auto& v : values) {
      const unsigned kind = rng() % 10;
      if (kind == 0)
        v = 0;
      else if (kind == 1)
        v = rng();  // an outlier: Rice escapes
      else
        v = width == 64 ? rng() : rng() & ((std::uint64_t{1} << width) - 1);
    }
    cases.push_back(values);
  }
  for (const auto& values : cases) ASSERT_EQ(packed_round_trip(values), values);
}

TEST(BitStream, ZeroRunsCostAlmostNothing) {
  const std::vector<std::uint64_t> zeros(65535, 0);
  EXPECT_LE(packed_bits(zeros), 20u);
}

// --- timestamps --------------------------------------------------------------

TEST(ChunkTimestamps, RegularIntervalCostsAlmostNothing) {
  std::vector<Sample> s;
  for (int i = 0; i < 10'000; ++i) s.push_back({kJan2024 + i * 60'000LL, 42.0, 0});
  const std::string chunk = round_trip(s);
  EXPECT_LE(chunk.size(), 48u);  // header, two lengths, and a few bytes of streams
}

TEST(ChunkTimestamps, IrregularJitteredAndGappy) {
  std::mt19937_64 rng(3);
  std::vector<Timestamp> jitter, gaps;
  Timestamp a = kJan2024, b = kJan2024;
  for (int i = 0; i < 3000; ++i) {
    a += 60'000 + static_cast<Timestamp>(rng() % 2001) - 1000;
    jitter.push_back(a);
    b += (rng() % 50 == 0) ? 3'600'000 * static_cast<Timestamp>(1 + rng() % 48) : 900'000;
    gaps.push_back(b);
  }
  round_trip(with_times(jitter));
  round_trip(with_times(gaps));
}

TEST(ChunkTimestamps, NegativeAndHugeDeltas) {
  round_trip(with_times({-86'400'000, -1, 0, 1}));  // before the epoch
  round_trip(with_times({kMin, kMin + 1, -1, 0, kMax - 1, kMax}));
  round_trip(with_times({kMin, kMax}));  // one delta of 2^64 - 1
  round_trip(with_times({kMin, 0, kMax}));
  round_trip(with_times({0, kMax / 2, kMax / 2 + 1, kMax}));  // delta-of-delta ≈ -2^62
  round_trip(with_times({kMin, kMin + 1, kMax}));             // delta-of-delta ≈ 2^64
}

TEST(ChunkTimestamps, OneSampleAtEitherEnd) {
  round_trip({{kMin, 1.0, 0}});
  round_trip({{kMax, -1.0, 3}});
  round_trip({{kJan2024, 0.5, 0}});
}

TEST(ChunkTimestamps, MaximumCount) {
  std::mt19937_64 rng(4);
  std::vector<Sample> s;
  Timestamp t = kJan2024;
  for (int i = 0; i < 65'535; ++i) {
    t += 1 + static_cast<Timestamp>(rng() % 10'000);
    s.push_back(
        {t, static_cast<double>(rng() % 100'000) / 100, static_cast<std::uint8_t>(i % 3 == 0)});
  }
  round_trip(s);
}

// --- values ------------------------------------------------------------------

TEST(ChunkValues, DecimalsUseTheDecimalEncodings) {
  std::mt19937_64 rng(5);
  std::vector<double> one, two, ints, counter;
  double meter = 123'456.7;
  for (int i = 0; i < 1000; ++i) {
    one.push_back(static_cast<double>(2000 + static_cast<int>(rng() % 400)) / 10);   // 200.0..239.9
    two.push_back(static_cast<double>(1800 + static_cast<int>(rng() % 700)) / 100);  // 21.45 °C
    ints.push_back(static_cast<double>(400 + static_cast<int>(rng() % 50)));         // ppm
    meter = std::round((meter + 1.5 + static_cast<double>(rng() % 3) / 10) * 10) / 10;
    counter.push_back(meter);
  }
  for (const auto& values : {one, two, ints, counter}) {
    const std::string chunk = round_trip(with_values(values));
    EXPECT_NE(value_encoding(chunk), ValueEncoding::xor_float);
  }
  // A steadily rising meter is what deltas of deltas are for.
  std::vector<double> ramp;
  for (int i = 0; i < 1000; ++i) ramp.push_back(1000.0 + i * 2.5);
  EXPECT_EQ(value_encoding(round_trip(with_values(ramp))), ValueEncoding::decimal_dod);
  // Values that jump around a level are cheaper as plain deltas.
  EXPECT_EQ(value_encoding(round_trip(with_values(one))), ValueEncoding::decimal_delta);
}

TEST(ChunkValues, FindsTheCommonScale) {
  unsigned d = 99;
  ASSERT_TRUE(find_decimal_scale(with_values({1, 2.5, 3.25, 4.125}), d));
  EXPECT_EQ(d, 3u);
  ASSERT_TRUE(find_decimal_scale(with_values({0.1, 0.2, 0.3}), d));
  EXPECT_EQ(d, 1u);
  ASSERT_TRUE(find_decimal_scale(with_values({1e15, -3, 0}), d));
  EXPECT_EQ(d, 0u);
  ASSERT_TRUE(find_decimal_scale(with_values({0.000000001}), d));
  EXPECT_EQ(d, 9u);
  // Above 2^53 scaling can fail at one d and work at the next: 6.905771010558173e16
  // is exact at d = 0 and 2 but not 1, so with 0.5 (d = 1) the chunk needs d = 2;
  // 5.768823183302855e16 is exact at d = 0 only, so with 0.5 no d fits.
  ASSERT_TRUE(find_decimal_scale(with_values({6.905771010558173e16, 0.5}), d));
  EXPECT_EQ(d, 2u);
  EXPECT_FALSE(find_decimal_scale(with_values({5.768823183302855e16, 0.5}), d));
  round_trip(with_values({6.905771010558173e16, 0.5, 5.768823183302855e16}));
  EXPECT_FALSE(find_decimal_scale(with_values({0.1 + 0.2}), d));  // 0.30000000000000004
  EXPECT_FALSE(find_decimal_scale(with_values({1.0 / 3}), d));
  EXPECT_FALSE(find_decimal_scale(with_values({-0.0}), d));
  EXPECT_FALSE(find_decimal_scale(with_values({1e300}), d));
  EXPECT_FALSE(find_decimal_scale(with_values({1e-10}), d));
}

TEST(ChunkValues, MixedDecimalsShareTheLargestScale) {
  const std::string chunk = round_trip(with_values({1.5, 2.25, 3.125, 7, -0.5, 12.75}));
  EXPECT_NE(value_encoding(chunk), ValueEncoding::xor_float);
}

TEST(ChunkValues, ConstantRunsAndStepChanges) {
  std::vector<double> constant(5000, 21.5), steps;
  for (int i = 0; i < 5000; ++i) steps.push_back(i < 1500 ? 0.0 : i < 3500 ? 17.25 : -4.0);
  EXPECT_LE(round_trip(with_values(constant)).size(), 48u);
  EXPECT_LE(round_trip(with_values(steps)).size(), 80u);
}

TEST(ChunkValues, SpecialDoublesFallBackToXorAndKeepEveryBit) {
  const double nan_payload = std::bit_cast<double>(std::uint64_t{0x7ff8'0000'dead'beef});
  const double signalling = std::bit_cast<double>(std::uint64_t{0x7ff0'0000'0000'0001});
  const double negative_nan = std::bit_cast<double>(std::uint64_t{0xfff8'0000'0000'0000});
  const double inf = std::numeric_limits<double>::infinity();
  const double denormal = std::numeric_limits<double>::denorm_min();
  const std::vector<std::vector<double>> cases = {
      {std::nan(""), 1.5, nan_payload, signalling, negative_nan},
      {inf, -inf, 0.0, -0.0, 2.5},
      {-0.0},
      {denormal, -denormal, 2.2250738585072009e-308, std::numeric_limits<double>::min()},
      {1e300, -1e300, std::numeric_limits<double>::max(), std::numeric_limits<double>::lowest()},
      {0.1 + 0.2, 0.3, 0.1},  // one value that no d reproduces
      {1.0 / 3, 2.0 / 3, 1.0},
      {9.2e18, -9.2e18, 9.3e18},
  };
  for (const auto& values : cases) {
    const std::string chunk = round_trip(with_values(values));
    EXPECT_EQ(value_encoding(chunk), ValueEncoding::xor_float) << values[0];
  }
}

TEST(ChunkValues, ScaledIntegersNearTheLimitsWrapAndRoundTrip) {
  // The jump from near INT64_MAX to near INT64_MIN overflows int64 as a delta
  // and as a delta of deltas; the codec's modular arithmetic must not care.
  // (Doubles this large are 1024 apart, so the small steps are exact.)
  std::vector<double> values;
  for (int i = 0; i < 500; ++i) values.push_back(9.1e18 - i * 2048.0);
  for (int i = 0; i < 500; ++i) values.push_back(-9.1e18 + i * 3072.0);
  const std::string chunk = round_trip(with_values(values));
  EXPECT_NE(value_encoding(chunk), ValueEncoding::xor_float);
  round_trip(with_values({9.1e18, -9.1e18, 9.1e18, 0, -9.1e18}));  // XOR wins here; still exact
}

TEST(ChunkValues, ValuesWhoseScalingWouldNotRoundTrip) {
  // Each of these looks like a short decimal but 10^d scaling and dividing
  // back lands on a neighbouring double; the codec must find another d or
  // fall back, never store the neighbour.
  std::mt19937_64 rng(6);
  std::vector<double> values;
  for (int i = 0; i < 2000; ++i) {
    const double x = std::bit_cast<double>((rng() & 0x000f'ffff'ffff'ffff) | 0x3ff0'0000'0000'0000);
    values.push_back(std::nextafter(std::round(x * 100) / 100, 10.0));
  }
  round_trip(with_values(values));
  round_trip(with_values({0.1, 0.1 + 1e-17, 4.35, 4.35 * 100 / 100, 1.0000000000000002}));
}

// --- qualities ---------------------------------------------------------------

TEST(ChunkQualities, AllGoodHasNoQualityStream) {
  const std::string chunk = round_trip(with_values({1, 2, 3}));
  EXPECT_EQ(encoding_byte(chunk) & 4, 0);
}

TEST(ChunkQualities, RunsAndSingletonsRoundTrip) {
  std::vector<Sample> s = with_values(std::vector<double>(3000, 5.0));
  for (std::size_t i = 0; i < s.size(); ++i) {
    s[i].quality = i < 1000 ? 0 : i < 1200 ? 255 : static_cast<std::uint8_t>(i % 7);
  }
  EXPECT_NE(encoding_byte(round_trip(s)) & 4, 0);
  round_trip({{0, 1, 200}});
  std::vector<Sample> last_bad = with_values(std::vector<double>(300, 1.0));
  last_bad.back().quality = 1;
  round_trip(last_bad);
}

// --- corrupt and hostile input ---------------------------------------------

std::vector<std::vector<Sample>> sample_chunks() {
  std::mt19937_64 rng(8);
  std::vector<std::vector<Sample>> chunks;
  std::vector<Sample> decimals, xors, qualities;
  Timestamp t = kJan2024;
  for (int i = 0; i < 300; ++i) {
    t += 59'000 + static_cast<Timestamp>(rng() % 2000);
    decimals.push_back({t, static_cast<double>(rng() % 5000) / 10, 0});
    xors.push_back({t, std::bit_cast<double>(rng() >> 2), 0});
    qualities.push_back({t, 20.0 + static_cast<double>(i % 5), static_cast<std::uint8_t>(i / 40)});
  }
  chunks.push_back(decimals);
  chunks.push_back(xors);
  chunks.push_back(qualities);
  chunks.push_back({{kJan2024, 3.5, 1}});
  chunks.push_back(with_values(std::vector<double>(2000, 7.25)));
  return chunks;
}

void expect_corrupt_and_untouched(std::string_view bytes, const std::string& why) {
  const std::vector<Sample> before = {{1, 2.0, 3}, {4, 5.0, 6}};
  std::vector<Sample> out = before;
  auto status = decode_chunk(bytes, out);
  ASSERT_FALSE(status.has_value()) << why;
  EXPECT_EQ(status.error().code, ErrorCode::io) << why;
  EXPECT_TRUE(status.error().message.starts_with("corrupt chunk: ")) << status.error().message;
  EXPECT_EQ(out, before) << why;
}

TEST(ChunkCorruption, EveryTruncationFails) {
  for (const auto& samples : sample_chunks()) {
    const std::string chunk = encode_chunk(samples);
    for (std::size_t len = 0; len < chunk.size(); ++len) {
      const std::string_view cut = std::string_view(chunk).substr(0, len);
      expect_corrupt_and_untouched(cut, "truncated to " + std::to_string(len));
      EXPECT_FALSE(read_chunk_info(cut).has_value());
      // Behind a matching checksum, the streams themselves must notice.
      expect_corrupt_and_untouched(sealed(std::string(cut)),
                                   "sealed, truncated to " + std::to_string(len));
    }
  }
}

TEST(ChunkCorruption, ByteFlipsFailOrDecodeTheOriginal) {
  std::mt19937_64 rng(9);
  for (const auto& samples : sample_chunks()) {
    const std::string chunk = encode_chunk(samples);
    for (int trial = 0; trial < 400; ++trial) {
      std::string bad = chunk;
      const std::size_t at = rng() % bad.size();
      bad[at] = static_cast<char>(bad[at] ^ (1 + rng() % 255));
      std::vector<Sample> out;
      auto status = decode_chunk(bad, out);
      if (status) {
        expect_same(out, samples);
      } else {
        EXPECT_TRUE(out.empty());
      }
      // Behind a matching checksum anything may decode, but only as a valid
      // chunk: as many samples as the header says, in time order.
      const std::string resealed = sealed(bad);
      std::vector<Sample> any;
      auto sealed_status = decode_chunk(resealed, any);
      auto info = read_chunk_info(resealed);
      if (sealed_status) {
        ASSERT_TRUE(info.has_value());
        ASSERT_EQ(any.size(), info->count);
        for (std::size_t i = 1; i < any.size(); ++i) ASSERT_LT(any[i - 1].t, any[i].t);
      } else {
        EXPECT_TRUE(any.empty());
      }
    }
  }
}

TEST(ChunkCorruption, CountBeyondWhatTheBytesHoldFailsBeforeAllocating) {
  const std::string chunk = encode_chunk(sample_chunks()[0]);  // 300 irregular samples
  std::string bigger = chunk;
  bigger[6] = '\xff';  // count: 65,535
  bigger[7] = '\xff';
  std::vector<Sample> out;
  auto status = decode_chunk(bigger, out);
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().message, "corrupt chunk: checksum mismatch");
  EXPECT_EQ(out.capacity(), 0u);
  // Even with the checksum made to match, the streams run dry in the first
  // batch and nothing was allocated for the claimed count.
  status = decode_chunk(sealed(bigger), out);
  ASSERT_FALSE(status.has_value());
  EXPECT_LE(out.capacity(), 512u) << status.error().message;
  // A header alone claiming the maximum: fails without allocating anything.
  std::string header_only = chunk.substr(0, kHeaderSize);
  header_only[6] = header_only[7] = '\xff';
  expect_corrupt_and_untouched(sealed(header_only), "header only");
  EXPECT_TRUE(read_chunk_info(sealed(header_only)).has_value());  // the header alone is fine
}

TEST(ChunkCorruption, HeaderFieldsAreChecked) {
  const std::string chunk = encode_chunk(with_values({1, 2, 3}));
  auto with = [&](std::size_t at, char byte) {
    std::string bad = chunk;
    bad[at] = byte;
    return sealed(bad);
  };
  expect_corrupt_and_untouched(with(4, 2), "unknown version");
  expect_corrupt_and_untouched(with(5, 3), "value encoding 3");
  expect_corrupt_and_untouched(with(5, 8), "reserved bit");
  expect_corrupt_and_untouched(with(6, 0), "count low byte 0 → count 0");
  expect_corrupt_and_untouched(with(6, 1), "count 1 with first ≠ last");
  expect_corrupt_and_untouched(with(23, '\x80'), "last before first");
  expect_corrupt_and_untouched(with(16, 0), "last differs from the stream's");
  for (auto bad : {with(4, 2), with(5, 3), with(5, 8), with(6, 0), with(23, '\x80')}) {
    EXPECT_FALSE(read_chunk_info(bad).has_value());
  }
  // Trailing garbage, even behind a matching checksum, is not a chunk.
  expect_corrupt_and_untouched(sealed(chunk + '\0'), "a trailing byte");
}

TEST(ChunkCorruption, AppendsToWhatOutHolds) {
  std::vector<Sample> out = {{1, 1.0, 0}};
  const auto samples = with_values({4.5, 5.5});
  ASSERT_TRUE(decode_chunk(encode_chunk(samples), out).has_value());
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0], (Sample{1, 1.0, 0}));
  EXPECT_EQ(out[2], samples[1]);
}

// --- property test -------------------------------------------------------------

std::vector<Sample> random_chunk(std::mt19937_64& rng) {
  const std::size_t n = rng() % 20 == 0 ? 1 + rng() % 65'535 : 1 + rng() % 1500;
  std::vector<Sample> s(n);
  // Timestamps: regular, jittered, gappy or wild (anywhere in int64, sorted).
  const unsigned time_kind = rng() % 4;
  Timestamp t = static_cast<Timestamp>(rng() % 4'000'000'000'000) - 1'000'000'000'000;
  const Timestamp step = 1 + static_cast<Timestamp>(rng() % 3'600'000);
  if (time_kind == 3) {
    std::vector<std::uint64_t> raw(n);
    for (auto& r : raw) r = rng();
    std::sort(raw.begin(), raw.end());
    raw.erase(std::unique(raw.begin(), raw.end()), raw.end());
    s.resize(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i)
      s[i].t = static_cast<Timestamp>(raw[i] ^ (1ull << 63));
  } else {
    for (auto& x : s) {
      x.t = t;
      t += time_kind == 0 ? step
           : time_kind == 1
               ? std::max<Timestamp>(1, step + static_cast<Timestamp>(rng() % 201) - 100)
               : (rng() % 30 == 0 ? step * static_cast<Timestamp>(1 + rng() % 100) : step);
    }
  }
  // Values: decimals of one d, random walks, counters, constants, raw bits,
  // and sometimes a special value dropped in.
  const unsigned value_kind = rng() % 5;
  const unsigned d = rng() % 10;
  const double scale = std::pow(10.0, d);
  std::int64_t walk = static_cast<std::int64_t>(rng() % 100'000);
  for (auto& x : s) {
    switch (value_kind) {
      case 0:
        x.v = static_cast<double>(static_cast<std::int64_t>(rng() % 2'000'001) - 1'000'000) / scale;
        break;
      case 1:
        walk += static_cast<std::int64_t>(rng() % 201) - 100;
        x.v = static_cast<double>(walk) / scale;
        break;
      case 2:
        walk += static_cast<std::int64_t>(rng() % 50);
        x.v = static_cast<double>(walk) / scale;
        break;
      case 3:
        x.v = 17.5;
        break;
      default:
        x.v = std::bit_cast<double>(rng());
        break;
    }
    if (rng() % 500 == 0) {
      const double specials[] = {std::nan(""),
                                 -0.0,
                                 std::numeric_limits<double>::infinity(),
                                 1e300,
                                 std::numeric_limits<double>::denorm_min(),
                                 0.1 + 0.2};
      x.v = specials[rng() % 6];
    }
    x.quality = rng() % 4 == 0 ? static_cast<std::uint8_t>(rng() % 3) : 0;
  }
  if (rng() % 2)
    for (auto& x : s) x.quality = 0;
  return s;
}

TEST(ChunkProperty, RandomChunksRoundTripBitForBit) {
  std::mt19937_64 rng(20240101);
  for (int i = 0; i < 400; ++i) {
    const auto samples = random_chunk(rng);
    SCOPED_TRACE("chunk " + std::to_string(i) + ", " + std::to_string(samples.size()) + " samples");
    round_trip(samples);
    if (HasFatalFailure()) return;
  }
}

// --- the layout against docs/storage.md ------------------------------------

// The header table of "## Chunk format": field name → (offset, size).
std::map<std::string, std::pair<std::size_t, std::size_t>> documented_header() {
  std::ifstream doc(std::string(CITYPULSE_SOURCE_DIR) + "/docs/storage.md");
  std::map<std::string, std::pair<std::size_t, std::size_t>> fields;
  std::string line;
  bool in_section = false, in_table = false;
  while (std::getline(doc, line)) {
    if (line.starts_with("## ")) in_section = line == "## Chunk format";
    if (!in_section) continue;
    if (line.starts_with("| offset | size | field")) {
      in_table = true;
      continue;
    }
    if (!in_table || line.starts_with("|---")) continue;
    if (!line.starts_with("| ")) break;  // the end of the header table
    std::stringstream row(line);
    std::string bar, offset, size, name;
    row >> bar >> offset >> bar >> size >> bar >> name;
    fields[name] = {std::stoul(offset), std::stoul(size)};
  }
  return fields;
}

TEST(ChunkLayout, HeaderMatchesTheDocumentation) {
  const auto fields = documented_header();
  ASSERT_EQ(fields.size(), 6u) << "the header table of docs/storage.md was not found";
  std::size_t total = 0;
  for (const auto& [name, field] : fields) total += field.second;
  EXPECT_EQ(total, kHeaderSize);

  std::vector<Sample> s = with_values({1.5, 2.5, 1.5});
  s[1].quality = 2;
  const std::string chunk = encode_chunk(s);
  auto field = [&](const std::string& name) {
    const auto [offset, size] = fields.at(name);
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < size; ++i)
      v |= std::uint64_t{std::uint8_t(chunk[offset + i])} << (8 * i);
    return v;
  };
  EXPECT_EQ(field("crc"), crc32c(std::string_view(chunk).substr(fields.at("crc").second)));
  EXPECT_EQ(field("version"), 1u);
  EXPECT_EQ(field("encoding"), 4u | static_cast<unsigned>(ValueEncoding::decimal_delta));
  EXPECT_EQ(field("count"), 3u);
  EXPECT_EQ(static_cast<Timestamp>(field("first_t")), s.front().t);
  EXPECT_EQ(static_cast<Timestamp>(field("last_t")), s.back().t);
}

// --- the Cambridge electricity data (real meters) --------------------------

// Hourly "datetime,equipment load [kWh]" files; an exact 0 is a missing
// reading. Local naive timestamps are read as UTC: only their spacing matters.
std::vector<Sample> load_cambridge(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);  // the column names
  std::vector<Sample> s;
  while (std::getline(in, line)) {
    int y, mo, d, h, mi, sec;
    double v;
    if (std::sscanf(line.c_str(), "%d-%d-%d %d:%d:%d,%lf", &y, &mo, &d, &h, &mi, &sec, &v) != 7)
      continue;
    if (v == 0) continue;
    const auto days =
        std::chrono::sys_days(std::chrono::year(y) / mo / d).time_since_epoch().count();
    s.push_back(
        {((static_cast<Timestamp>(days) * 24 + h) * 60 + mi) * 60'000 + sec * 1000LL, v, 0});
  }
  return s;
}

TEST(ChunkCambridge, RealElectricityDataUnderOneAndAHalfBytesAPoint) {
  const std::filesystem::path dir =
      std::getenv("CITYPULSE_CAMBRIDGE_DIR")
          ? std::getenv("CITYPULSE_CAMBRIDGE_DIR")
          : std::string(CITYPULSE_SOURCE_DIR) + "/../shared/data/cambridge/electricity";
  if (!std::filesystem::is_directory(dir)) GTEST_SKIP() << "no Cambridge data at " << dir;
  std::size_t samples = 0, bytes = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".csv") continue;
    const auto series = load_cambridge(entry.path());
    for (std::size_t i = 0; i < series.size(); i += 1024) {
      const std::vector<Sample> part(series.begin() + i,
                                     series.begin() + std::min(series.size(), i + 1024));
      bytes += round_trip(part).size();
      samples += part.size();
    }
  }
  ASSERT_GT(samples, 0u);
  const double per_point = static_cast<double>(bytes) / static_cast<double>(samples);
  RecordProperty("bytes_per_point", std::to_string(per_point));
  EXPECT_LE(per_point, 1.5) << bytes << " bytes for " << samples << " samples";
}

}  // namespace
}  // namespace citypulse::tsdb
