#include "ingest/csv_readings.h"

#include <fmt/format.h>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

#include "core/calendar.h"

namespace citypulse::ingest {
namespace {

// Big reads keep the per-row cost to parsing; must exceed kMaxLine so that a
// line of kMaxLine bytes always fits once the buffer is compacted.
constexpr std::size_t kBufferBytes = 1 << 20;
static_assert(kBufferBytes > CsvReadingsReader::kMaxLine + 1);

// 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z: what the text forms can
// express, so every form accepts the same instants.
constexpr TimeMs kEarliest = -62'167'219'200'000;
constexpr TimeMs kLatest = 253'402'300'799'999;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Blanks, then one pair of double quotes (spreadsheets quote every field).
std::string_view field(std::string_view s) {
  s = trim(s);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = trim(s.substr(1, s.size() - 2));
  return s;
}

// A prefix of the offending text for messages, so a huge line stays readable.
std::string quoted(std::string_view s) {
  constexpr std::size_t kShown = 40;
  return s.size() <= kShown ? fmt::format("'{}'", s) : fmt::format("'{}...'", s.substr(0, kShown));
}

int digits(std::string_view s, std::size_t at, std::size_t n) {
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (!is_digit(s[i])) return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

// "YYYY-MM-DD HH:MM:SS[.fff]" without a zone, as UTC; nullopt when `s` is not
// exactly that (the caller then tries RFC 3339).
std::optional<TimeMs> parse_utc_datetime(std::string_view s) {
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':')
    return std::nullopt;
  int ms = 0;
  if (s.size() > 19) {
    if (s[19] != '.' || s.size() == 20 || s.size() > 29) return std::nullopt;
    for (std::size_t i = 20; i < s.size(); ++i) {
      if (!is_digit(s[i])) return std::nullopt;
      if (i < 23) ms = ms * 10 + (s[i] - '0');  // digits past milliseconds are truncated
    }
    for (std::size_t n = s.size() - 20; n < 3; ++n) ms *= 10;
  }
  const int y = digits(s, 0, 4), mo = digits(s, 5, 2), d = digits(s, 8, 2);
  const int h = digits(s, 11, 2), mi = digits(s, 14, 2), se = digits(s, 17, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 ||
      se > 60)
    return std::nullopt;
  if (static_cast<unsigned>(d) > days_in_month(y, static_cast<unsigned>(mo))) return std::nullopt;
  const std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return ((days * 24 + h) * 60 + mi) * 60'000 + se * 1000ll + ms;
}

}  // namespace

Result<TimeMs> parse_csv_timestamp(std::string_view s) {
  auto bad = [&](std::string_view why) {
    return fail(ErrorCode::bad_request, fmt::format("{} is not a timestamp ({})", quoted(s), why));
  };
  if (s.empty()) return fail(ErrorCode::bad_request, "the timestamp is empty");
  const bool numeric =
      std::all_of(s.begin() + (s.front() == '-' ? 1 : 0), s.end(), is_digit) && s != "-";
  if (numeric) {
    TimeMs t = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), t);
    if (r.ec != std::errc{} || r.ptr != s.data() + s.size() || t < kEarliest || t > kLatest)
      return bad("epoch milliseconds out of the years 0000..9999");
    return t;
  }
  if (auto t = parse_utc_datetime(s)) return *t;
  auto t = parse_rfc3339(s);
  if (!t)
    return bad(
        "expected RFC 3339 such as 2026-01-01T00:00:00Z, 'YYYY-MM-DD HH:MM:SS' in UTC, or epoch "
        "milliseconds");
  return t;
}

CsvReadingsReader::CsvReadingsReader(std::istream& in, Options options)
    : in_(in), options_(options), buffer_(kBufferBytes) {}

Status CsvReadingsReader::fill() {
  // Compact: the unread tail moves to the front, then one big read after it.
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  in_.read(buffer_.data() + end_, static_cast<std::streamsize>(buffer_.size() - end_));
  const auto got = in_.gcount();
  end_ += static_cast<std::size_t>(got);
  if (in_.bad()) return fail(ErrorCode::io, fmt::format("reading line {} failed", line_ + 1));
  if (in_.eof()) eof_ = true;
  return {};
}

Result<std::optional<std::string_view>> CsvReadingsReader::next_line() {
  for (;;) {
    const char* from = buffer_.data() + begin_;
    const auto* nl = static_cast<const char*>(std::memchr(from, '\n', end_ - begin_));
    std::size_t length = 0;
    if (nl != nullptr) {
      length = static_cast<std::size_t>(nl - from);
      begin_ += length + 1;
    } else if (eof_) {
      if (begin_ == end_) return std::optional<std::string_view>{};
      length = end_ - begin_;  // the last line has no terminator
      begin_ = end_;
    } else if (end_ - begin_ > kMaxLine) {
      return fail(ErrorCode::bad_request,
                  fmt::format("line {}: longer than {} bytes", line_ + 1, kMaxLine));
    } else {
      if (auto s = fill(); !s) return std::unexpected(s.error());
      continue;
    }
    if (length > kMaxLine)
      return fail(ErrorCode::bad_request,
                  fmt::format("line {}: longer than {} bytes", line_ + 1, kMaxLine));
    ++line_;
    std::string_view line(from, length);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line_ == 1 && line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);
    return std::optional<std::string_view>{line};
  }
}

Result<std::optional<TimedReading>> CsvReadingsReader::parse_row(std::string_view line) {
  auto bad = [&](std::string message) {
    return fail(ErrorCode::bad_request, fmt::format("line {}: {}", line_, message));
  };
  const auto comma = line.find(',');
  if (comma == std::string_view::npos)
    return bad(fmt::format("expected 'timestamp,value', found {}", quoted(line)));
  const auto rest = line.substr(comma + 1);
  if (rest.find(',') != std::string_view::npos)
    return bad(fmt::format("expected 2 fields 'timestamp,value', found more in {}", quoted(line)));
  auto t = parse_csv_timestamp(field(line.substr(0, comma)));
  if (!t) return bad(t.error().message);
  const auto text = field(rest);
  if (text.empty()) {
    ++missing_;
    return std::optional<TimedReading>{};
  }
  double v = 0;
  // from_chars refuses a leading '+', which some exporters write.
  const char* first = text.data() + (text.front() == '+' && text.size() > 1 ? 1 : 0);
  const char* last = text.data() + text.size();
  const auto r = std::from_chars(first, last, v);
  if (r.ec != std::errc{} || r.ptr != last || !std::isfinite(v))
    return bad(fmt::format("{} is not a finite decimal number", quoted(text)));
  if (options_.zero_is_missing && v == 0) {
    ++missing_;
    return std::optional<TimedReading>{};
  }
  return std::optional<TimedReading>{TimedReading{*t, v}};
}

Result<bool> CsvReadingsReader::next(std::vector<TimedReading>& batch, std::size_t max) {
  batch.clear();
  if (failed_) return std::unexpected(*failed_);
  auto failed = [&](Error e) -> Result<bool> {
    failed_ = e;
    batch.clear();
    return std::unexpected(std::move(e));
  };
  while (batch.size() < max) {
    auto line = next_line();
    if (!line) return failed(line.error());
    if (!*line) break;
    const auto text = trim(**line);
    if (text.empty()) continue;
    // Every timestamp form starts with a digit or '-': anything else on the
    // first line is a header.
    if (line_ == 1 && text.front() != '-' && !is_digit(text.front())) {
      had_header_ = true;
      continue;
    }
    auto row = parse_row(text);
    if (!row) return failed(row.error());
    if (*row) batch.push_back(**row);
  }
  readings_ += static_cast<std::int64_t>(batch.size());
  return !batch.empty();
}

}  // namespace citypulse::ingest
