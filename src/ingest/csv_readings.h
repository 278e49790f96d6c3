// CsvReadingsReader: the readings of one point from a CSV stream of
// `timestamp,value` rows, read in batches, streaming (memory is the read
// buffer and the caller's batch, whatever the length of the input).
//
// Accepted input:
// - An optional header: a first line that does not start like a timestamp
//   (a digit or '-') is taken as one and skipped. A UTF-8 byte order mark
//   before it is ignored.
// - Rows `timestamp,value`, each field optionally surrounded by blanks and
//   one pair of double quotes. Lines end with LF or CRLF; blank lines are
//   skipped.
// - timestamp: RFC 3339 (`2026-01-01T00:00:00Z`, fractions and offsets
//   allowed), `YYYY-MM-DD HH:MM:SS[.fff]` taken as UTC, or integer
//   milliseconds since the epoch; years 0000..9999 in every form.
// - value: a finite decimal number (std::from_chars' general format). An
//   empty value is a missing reading: skipped and counted in missing(); with
//   Options::zero_is_missing an exact 0 is one too (the Cambridge layout).
//
// Any other row fails with bad_request naming its line number and what was
// wrong; the reader then stays failed (next() fails again). A line longer
// than kMaxLine fails the same way, and a stream error fails with io.
//
// Not thread-safe; one reader per stream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/time.h"

namespace citypulse::ingest {

using TimedReading = std::pair<TimeMs, double>;

class CsvReadingsReader {
 public:
  struct Options {
    bool zero_is_missing = false;
  };
  static constexpr std::size_t kMaxLine = 64 * 1024;

  explicit CsvReadingsReader(std::istream& in) : CsvReadingsReader(in, Options{}) {}
  CsvReadingsReader(std::istream& in, Options options);

  // Replaces `batch`'s contents with up to `max` (> 0) readings, in file
  // order. True while it returned readings; false, with `batch` empty, at the
  // end of the input.
  Result<bool> next(std::vector<TimedReading>& batch, std::size_t max);

  std::int64_t lines() const { return line_; }         // lines read so far
  std::int64_t readings() const { return readings_; }  // readings returned so far
  std::int64_t missing() const { return missing_; }    // missing values skipped so far
  bool had_header() const { return had_header_; }

 private:
  // The next line without its terminator, valid until the next call;
  // nullopt at the end of the input.
  Result<std::optional<std::string_view>> next_line();
  Status fill();
  Result<std::optional<TimedReading>> parse_row(std::string_view line);

  std::istream& in_;
  Options options_;
  std::vector<char> buffer_;
  std::size_t begin_ = 0, end_ = 0;  // unread bytes: buffer_[begin_, end_)
  bool eof_ = false;
  std::optional<Error> failed_;
  std::int64_t line_ = 0, readings_ = 0, missing_ = 0;
  bool had_header_ = false;
};

// One timestamp in any of the forms above; bad_request (without a line
// number) otherwise. Exposed for tests and other importers.
Result<TimeMs> parse_csv_timestamp(std::string_view text);

}  // namespace citypulse::ingest
