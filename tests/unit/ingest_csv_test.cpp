// The CSV readings reader: every timestamp form, header detection, line
// endings, missing values, bad rows named by line, empty input, batching.
#include <gtest/gtest.h>

#include <sstream>

#include "ingest/csv_readings.h"

namespace citypulse::ingest {
namespace {

struct Read {
  std::vector<TimedReading> readings;
  std::optional<Error> error;
  std::int64_t missing = 0;
  bool header = false;
};

Read read_all(const std::string& text, std::size_t max = 3,
              CsvReadingsReader::Options options = {}) {
  std::istringstream in(text);
  CsvReadingsReader reader(in, options);
  Read out;
  std::vector<TimedReading> batch;
  for (;;) {
    auto more = reader.next(batch, max);
    if (!more) {
      out.error = more.error();
      break;
    }
    if (!*more) break;
    EXPECT_LE(batch.size(), max);
    out.readings.insert(out.readings.end(), batch.begin(), batch.end());
  }
  out.missing = reader.missing();
  out.header = reader.had_header();
  return out;
}

constexpr TimeMs k2026 = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

TEST(CsvReadings, EveryTimestampForm) {
  const auto r = read_all(
      "2026-01-01T00:00:00Z,1\n"
      "2026-01-01T01:00:00.250+01:00,2\n"
      "2026-01-01 00:00:01,3\n"
      "2026-01-01 00:00:02.5,4\n"
      "1767225600003,5\n"
      "-1000,6\n");
  ASSERT_FALSE(r.error) << r.error->message;
  ASSERT_EQ(r.readings.size(), 6u);
  EXPECT_EQ(r.readings[0], (TimedReading{k2026, 1}));
  EXPECT_EQ(r.readings[1], (TimedReading{k2026 + 250, 2}));
  EXPECT_EQ(r.readings[2], (TimedReading{k2026 + 1000, 3}));
  EXPECT_EQ(r.readings[3], (TimedReading{k2026 + 2500, 4}));
  EXPECT_EQ(r.readings[4], (TimedReading{k2026 + 3, 5}));
  EXPECT_EQ(r.readings[5], (TimedReading{-1000, 6}));
  EXPECT_FALSE(r.header);
}

TEST(CsvReadings, ValuesKeepTheirDigits) {
  const auto r = read_all("1,0.1\n2,-12.75\n3,1e3\n4,+2.5\n5, 7 \n6,\"8.5\"\n");
  ASSERT_FALSE(r.error) << r.error->message;
  ASSERT_EQ(r.readings.size(), 6u);
  EXPECT_EQ(r.readings[0].second, 0.1);
  EXPECT_EQ(r.readings[1].second, -12.75);
  EXPECT_EQ(r.readings[2].second, 1000.0);
  EXPECT_EQ(r.readings[3].second, 2.5);
  EXPECT_EQ(r.readings[4].second, 7.0);
  EXPECT_EQ(r.readings[5].second, 8.5);
}

TEST(CsvReadings, ANonNumericFirstLineIsAHeader) {
  auto r = read_all("datetime,equipment load [kWh]\n2017-01-01 00:00:00,126.5\n");
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_TRUE(r.header);
  ASSERT_EQ(r.readings.size(), 1u);
  EXPECT_EQ(r.readings[0].second, 126.5);
  // With a byte order mark before it, too.
  r = read_all("\xEF\xBB\xBFtimestamp,value\r\n5,1\r\n");
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_TRUE(r.header);
  EXPECT_EQ(r.readings.size(), 1u);
  // Without a header the first line is data.
  r = read_all("5,1\n6,2\n");
  EXPECT_FALSE(r.header);
  EXPECT_EQ(r.readings.size(), 2u);
  // Only the first line may be a header.
  r = read_all("t,v\nt,v\n");
  ASSERT_TRUE(r.error);
  EXPECT_NE(r.error->message.find("line 2"), std::string::npos) << r.error->message;
}

TEST(CsvReadings, CrlfLfBlankLinesAndNoFinalNewline) {
  const auto r = read_all("t,v\r\n1,1\r\n\r\n2,2\n\n3,3");
  ASSERT_FALSE(r.error) << r.error->message;
  ASSERT_EQ(r.readings.size(), 3u);
  EXPECT_EQ(r.readings[2], (TimedReading{3, 3}));
}

TEST(CsvReadings, EmptyValuesAreMissingAndCounted) {
  const auto r = read_all("1,\n2,5\n3, \r\n4,\"\"\n5,0\n");
  ASSERT_FALSE(r.error) << r.error->message;
  ASSERT_EQ(r.readings.size(), 2u);
  EXPECT_EQ(r.readings[0], (TimedReading{2, 5}));
  EXPECT_EQ(r.readings[1], (TimedReading{5, 0}));
  EXPECT_EQ(r.missing, 3);
  const auto z = read_all("1,0\n2,5\n3,0.0\n", 3, {.zero_is_missing = true});
  ASSERT_FALSE(z.error) << z.error->message;
  ASSERT_EQ(z.readings.size(), 1u);
  EXPECT_EQ(z.missing, 2);
}

TEST(CsvReadings, BadRowsNameTheirLine) {
  struct Case {
    std::string text;
    std::string expected;  // in the message
  };
  const std::vector<Case> cases = {
      {"t,v\n1,1\n2\n", "line 3: expected 'timestamp,value'"},
      {"1,1\n2,abc\n", "line 2: 'abc' is not a finite decimal number"},
      {"1,1\n2,1.5x\n", "line 2: '1.5x'"},
      {"1,nan\n", "line 1: 'nan' is not a finite"},
      {"1,1,1\n", "line 1: expected 2 fields"},
      {"1,1\r\n2026-13-01 00:00:00,1\r\n", "line 2: '2026-13-01 00:00:00' is not a timestamp"},
      {"2026-01-01T00:00:00,1\n", "line 1: '2026-01-01T00:00:00' is not a timestamp"},
      {"2026-02-30 00:00:00,1\n", "line 1:"},
      {"99999999999999999999,1\n", "line 1:"},
      {"1,1\n,1\n", "line 2: the timestamp is empty"},
      {"1,1\n-,1\n", "line 2:"},
  };
  for (const auto& c : cases) {
    const auto r = read_all(c.text);
    ASSERT_TRUE(r.error) << c.text;
    EXPECT_EQ(r.error->code, ErrorCode::bad_request) << c.text;
    EXPECT_NE(r.error->message.find(c.expected), std::string::npos)
        << c.text << " -> " << r.error->message;
  }
}

TEST(CsvReadings, AFailedReaderStaysFailed) {
  std::istringstream in("1,1\n2,x\n3,3\n");
  CsvReadingsReader reader(in);
  std::vector<TimedReading> batch;
  EXPECT_FALSE(reader.next(batch, 10));
  EXPECT_TRUE(batch.empty());
  EXPECT_FALSE(reader.next(batch, 10));
}

TEST(CsvReadings, EmptyInputHasNoReadings) {
  for (const std::string text : {"", "\n", "\r\n\r\n", "timestamp,value\n"}) {
    const auto r = read_all(text);
    ASSERT_FALSE(r.error) << r.error->message;
    EXPECT_TRUE(r.readings.empty());
  }
}

TEST(CsvReadings, LongInputCrossesBufferBoundaries) {
  std::string text = "timestamp,value\n";
  constexpr int kRows = 300'000;  // several MiB: many buffer refills
  for (int i = 0; i < kRows; ++i)
    text += std::to_string(k2026 + i * 60'000ll) + "," + std::to_string(i) + ".5\r\n";
  const auto r = read_all(text, 4096);
  ASSERT_FALSE(r.error) << r.error->message;
  ASSERT_EQ(r.readings.size(), static_cast<std::size_t>(kRows));
  for (int i = 0; i < kRows; ++i)
    ASSERT_EQ(r.readings[i], (TimedReading{k2026 + i * 60'000ll, i + 0.5})) << i;
}

TEST(CsvReadings, AnOverlongLineFails) {
  const auto r = read_all("1,1\n" + std::string(CsvReadingsReader::kMaxLine + 10, '1') + ",1\n");
  ASSERT_TRUE(r.error);
  EXPECT_NE(r.error->message.find("line 2: longer than"), std::string::npos) << r.error->message;
}

}  // namespace
}  // namespace citypulse::ingest
