// TZif reading follows RFC 8536 ("The Time Zone Information Format (TZif)"); section numbers in
// the comments below refer to it. POSIX TZ footer strings follow POSIX.1-2017 section 8.3 with
// the RFC 8536 section 3.3.1 extensions (signed transition hours up to 167).
#include "core/timezone.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <limits>
#include <mutex>
#include <optional>
#include <system_error>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "core/calendar.h"

namespace citypulse {

namespace {

constexpr std::int64_t kMsPerSecond = 1000;
constexpr std::int64_t kMsPerHour = 3'600'000;
constexpr std::int64_t kMsPerDay = 86'400'000;

// Instants are clamped to ±2^55 ms (±1.1 million years): far beyond any real data, and far enough
// inside int64 that adding offsets, a day or a few years of rule arithmetic cannot overflow.
// zic writes a "big bang" transition at -2^59 s, which this clamp also tames.
constexpr TimeMs kTimeLimit = TimeMs{1} << 55;
constexpr TimeMs kBeginningOfTime = std::numeric_limits<TimeMs>::min();
constexpr TimeMs kEndOfTime = std::numeric_limits<TimeMs>::max();

TimeMs clamp_time(TimeMs t) {
  return std::clamp(t, -kTimeLimit, kTimeLimit);
}

// Wall times given to to_utc stay two days (more than any offset) inside the instant range, so
// the UTC instants it visits never reach the clamp, where spans would stop making progress.
constexpr TimeMs kWallTimeLimit = kTimeLimit - 2 * kMsPerDay;

TimeMs seconds_to_clamped_ms(std::int64_t seconds) {
  if (seconds <= -kTimeLimit / kMsPerSecond) return -kTimeLimit;
  if (seconds >= kTimeLimit / kMsPerSecond) return kTimeLimit;
  return seconds * kMsPerSecond;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// RFC 8536 section 3.2 recommends UT offsets in -89999..93599 s (just over a day either way);
// holding files to it bounds how far a wall time can be from its UTC instant, which to_utc and
// latest_wall_time rely on.
constexpr std::int64_t kMinOffsetSeconds = -89'999;
constexpr std::int64_t kMaxOffsetSeconds = 93'599;

// A tzfile is a few KiB (America/New_York, fat: 3.5 KiB); anything far larger is not one, and
// must not make us allocate whatever a corrupt header claims.
constexpr std::size_t kMaxZoneFileBytes = 1 << 20;

}  // namespace

// ---------------------------------------------------------------------------------------------
// POSIX TZ rules (the TZif footer): the zone's behaviour after its last stored transition.

namespace {

// One of the two yearly transitions, e.g. "M3.5.0/2" (last Sunday of March, 02:00 local).
struct PosixTransition {
  enum class Form {
    julian_no_leap,  // "Jn": day n of 1..365, February 29 never counted
    zero_based,      // "n": day n of 0..365, February 29 counted
    month_week_day,  // "Mm.w.d": weekday d (0 = Sunday) of week w (5 = last) of month m
  };
  Form form = Form::month_week_day;
  int day = 0;  // Jn and n forms
  int month = 0, week = 0, weekday = 0;
  std::int64_t time_ms = 2 * kMsPerHour;  // wall time of that day, may be < 0 or >= 24 h (v3)
};

struct PosixRule {
  std::int64_t std_offset_ms = 0;  // east of UTC positive (POSIX writes the opposite sign)
  bool has_dst = false;
  std::int64_t dst_offset_ms = 0;
  PosixTransition dst_start;  // in standard time
  PosixTransition dst_end;    // in daylight time
};

// A cursor over the TZ string; every read checks the end first.
class TzStringReader {
 public:
  explicit TzStringReader(std::string_view text) : text_(text) {}
  bool at_end() const { return pos_ == text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  bool accept(char c) {
    if (peek() != c || at_end()) return false;
    ++pos_;
    return true;
  }

  // An abbreviation: "<+0530>" (alphanumerics and signs in angle brackets) or "CET" (letters);
  // at least three characters either way (POSIX).
  bool name() {
    std::size_t n = 0;
    if (accept('<')) {
      while (!at_end() &&
             (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '+' || peek() == '-')) {
        ++pos_;
        ++n;
      }
      return n >= 3 && accept('>');
    }
    while (!at_end() && std::isalpha(static_cast<unsigned char>(peek()))) {
      ++pos_;
      ++n;
    }
    return n >= 3;
  }

  // Up to max_digits decimal digits, at least one; value must not exceed max_value.
  std::optional<int> number(int max_digits, int max_value) {
    int value = 0, n = 0;
    while (n < max_digits && !at_end() && peek() >= '0' && peek() <= '9') {
      value = value * 10 + (peek() - '0');
      ++pos_;
      ++n;
    }
    if (n == 0 || value > max_value) return std::nullopt;
    return value;
  }

  // [+|-]hh[:mm[:ss]] in ms, hours up to max_hours. Used for offsets (24) and rule times (167).
  std::optional<std::int64_t> duration(int max_hours) {
    std::int64_t sign = 1;
    if (accept('-')) {
      sign = -1;
    } else {
      accept('+');
    }
    const auto hours = number(3, max_hours);
    if (!hours) return std::nullopt;
    std::int64_t ms = *hours * kMsPerHour;
    if (accept(':')) {
      const auto minutes = number(2, 59);
      if (!minutes) return std::nullopt;
      ms += *minutes * 60'000;
      if (accept(':')) {
        const auto seconds = number(2, 59);
        if (!seconds) return std::nullopt;
        ms += *seconds * kMsPerSecond;
      }
    }
    return sign * ms;
  }

  // date[/time]
  std::optional<PosixTransition> transition() {
    PosixTransition result;
    if (accept('J')) {
      const auto day = number(3, 365);
      if (!day || *day < 1) return std::nullopt;
      result.form = PosixTransition::Form::julian_no_leap;
      result.day = *day;
    } else if (accept('M')) {
      const auto month = number(2, 12);
      if (!month || *month < 1 || !accept('.')) return std::nullopt;
      const auto week = number(1, 5);
      if (!week || *week < 1 || !accept('.')) return std::nullopt;
      const auto weekday = number(1, 6);
      if (!weekday) return std::nullopt;
      result.month = *month;
      result.week = *week;
      result.weekday = *weekday;
    } else {
      const auto day = number(3, 365);
      if (!day) return std::nullopt;
      result.form = PosixTransition::Form::zero_based;
      result.day = *day;
    }
    if (accept('/')) {
      // RFC 8536 section 3.3.1: hours may be signed and go up to 167 (a week minus an hour).
      const auto time = duration(167);
      if (!time) return std::nullopt;
      result.time_ms = *time;
    }
    return result;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

// Parses "std offset [dst [offset] ,start[/time],end[/time]]". A DST name without rules is
// rejected: POSIX leaves its meaning to the implementation and zic never writes one.
std::optional<PosixRule> parse_posix_rule(std::string_view text) {
  TzStringReader in(text);
  PosixRule rule;
  if (!in.name()) return std::nullopt;
  const auto std_offset = in.duration(24);
  if (!std_offset) return std::nullopt;
  rule.std_offset_ms = -*std_offset;
  if (in.at_end()) return rule;
  if (!in.name()) return std::nullopt;
  rule.has_dst = true;
  rule.dst_offset_ms = rule.std_offset_ms + kMsPerHour;  // POSIX default: one hour ahead
  if (in.peek() != ',') {
    const auto dst_offset = in.duration(24);
    if (!dst_offset) return std::nullopt;
    rule.dst_offset_ms = -*dst_offset;
  }
  if (!in.accept(',')) return std::nullopt;
  const auto start = in.transition();
  if (!start || !in.accept(',')) return std::nullopt;
  const auto end = in.transition();
  if (!end || !in.at_end()) return std::nullopt;
  rule.dst_start = *start;
  rule.dst_end = *end;
  return rule;
}

// The wall-clock time (as ms since the epoch) at which `transition` happens in `year`.
TimeMs posix_transition_wall_time(const PosixTransition& transition, std::int64_t year) {
  std::int64_t day = 0;
  switch (transition.form) {
    case PosixTransition::Form::julian_no_leap:
      // Jn never counts February 29, so from March on it is one day behind in leap years.
      day = days_from_civil(year, 1, 1) + transition.day - 1 +
            (is_leap_year(year) && transition.day >= 60 ? 1 : 0);
      break;
    case PosixTransition::Form::zero_based:
      day = days_from_civil(year, 1, 1) + transition.day;
      break;
    case PosixTransition::Form::month_week_day: {
      const auto month = static_cast<unsigned>(transition.month);
      const std::int64_t first = days_from_civil(year, month, 1);
      const std::int64_t first_match =
          first + (transition.weekday - static_cast<int>(weekday_from_days(first)) + 7) % 7;
      day = first_match + 7 * (transition.week - 1);
      // Week 5 means the last such weekday, which may be the 4th.
      if (day >= first + days_in_month(year, month)) day -= 7;
      break;
    }
  }
  return day * kMsPerDay + transition.time_ms;
}

// The span of constant offset containing t under a rule, ignoring the transition table.
struct RuleSpan {
  TimeMs start;
  TimeMs end;
  std::int64_t offset_ms;
};

RuleSpan posix_rule_span(const PosixRule& rule, TimeMs t) {
  if (!rule.has_dst) return {kBeginningOfTime, kEndOfTime, rule.std_offset_ms};
  // Each year has a DST start (given in standard time) and a DST end (given in daylight time).
  // Rather than reason about hemispheres and about rule times of up to ±167 h that push a
  // transition into a neighbouring year, look at the ten transitions of the five years around t:
  // the latest at or before t decides, the earliest after t ends the span. Ties go to the one
  // listed later, so the "DST all year" form of section 3.3.1 (e.g. "EST5EDT,0/0,J365/25", whose
  // end of year Y is the start of year Y+1) stays in DST.
  const std::int64_t year = civil_from_days(floor_div(t + rule.std_offset_ms, kMsPerDay)).year;
  TimeMs last_time = kBeginningOfTime;
  bool last_is_dst = false;
  bool found = false;
  TimeMs next_time = kEndOfTime;
  for (std::int64_t y = year - 2; y <= year + 2; ++y) {
    const TimeMs changes[2] = {
        posix_transition_wall_time(rule.dst_start, y) - rule.std_offset_ms,
        posix_transition_wall_time(rule.dst_end, y) - rule.dst_offset_ms,
    };
    for (int i = 0; i < 2; ++i) {
      if (changes[i] <= t) {
        if (!found || changes[i] >= last_time) {
          last_time = changes[i];
          last_is_dst = i == 0;
          found = true;
        }
      } else {
        next_time = std::min(next_time, changes[i]);
      }
    }
  }
  return {last_time, next_time, last_is_dst ? rule.dst_offset_ms : rule.std_offset_ms};
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The decoded zone.

struct ZoneRules {
  std::string name;
  std::vector<TimeMs> transitions;     // strictly ascending UTC instants
  std::vector<std::int64_t> offsets;   // offsets[i] holds from transitions[i] on
  std::int64_t initial_offset_ms = 0;  // before the first transition: time type 0 (section 3.2)
  // After the last transition (or always, without transitions: section 3.3). Absent for TZif v1
  // and for an empty footer; then the last transition's offset holds forever.
  std::optional<PosixRule> footer;
  std::int64_t max_abs_offset_ms = 0;  // over every offset the zone can produce
};

namespace {

// ---------------------------------------------------------------------------------------------
// TZif (RFC 8536 section 3): header, v1 data block, then for v2+ a second header, a data block
// with 64-bit times, and the footer. We read the v1 block only from v1 files.

// Big-endian reads that cannot overrun: every read checks what is left first.
class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : bytes_(bytes) {}
  std::size_t remaining() const { return bytes_.size() - pos_; }
  bool skip(std::uint64_t n) {
    if (n > remaining()) return false;
    pos_ += static_cast<std::size_t>(n);
    return true;
  }
  bool read(std::size_t n, std::string_view& out) {
    if (n > remaining()) return false;
    out = bytes_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  bool u8(std::uint8_t& out) {
    if (remaining() < 1) return false;
    out = static_cast<std::uint8_t>(bytes_[pos_++]);
    return true;
  }
  bool u32(std::uint32_t& out) {
    if (remaining() < 4) return false;
    out = 0;
    for (int i = 0; i < 4; ++i) out = (out << 8) | static_cast<std::uint8_t>(bytes_[pos_++]);
    return true;
  }
  bool i32(std::int32_t& out) {
    std::uint32_t u;
    if (!u32(u)) return false;
    out = static_cast<std::int32_t>(u);  // two's complement, as the RFC stores it
    return true;
  }
  bool i64(std::int64_t& out) {
    if (remaining() < 8) return false;
    std::uint64_t u = 0;
    for (int i = 0; i < 8; ++i) u = (u << 8) | static_cast<std::uint8_t>(bytes_[pos_++]);
    out = static_cast<std::int64_t>(u);
    return true;
  }

 private:
  std::string_view bytes_;
  std::size_t pos_ = 0;
};

// Section 3.1: "TZif", a version byte, 15 unused bytes, six counts.
struct TzifHeader {
  char version = 0;  // '\0' for v1, else '2', '3', '4', ...
  std::uint32_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;

  // Bytes of the data block that follows, with time_size-byte transition and leap times.
  std::uint64_t data_bytes(std::uint64_t time_size) const {
    return std::uint64_t{timecnt} * time_size + timecnt + std::uint64_t{typecnt} * 6 + charcnt +
           std::uint64_t{leapcnt} * (time_size + 4) + isstdcnt + isutcnt;
  }
};
constexpr std::size_t kTzifHeaderBytes = 44;

std::optional<TzifHeader> read_header(ByteReader& in) {
  std::string_view magic, unused;
  TzifHeader h;
  std::uint8_t version;
  if (!in.read(4, magic) || magic != "TZif" || !in.u8(version) || !in.read(15, unused))
    return std::nullopt;
  h.version = static_cast<char>(version);
  if (!in.u32(h.isutcnt) || !in.u32(h.isstdcnt) || !in.u32(h.leapcnt) || !in.u32(h.timecnt) ||
      !in.u32(h.typecnt) || !in.u32(h.charcnt))
    return std::nullopt;
  return h;
}

// Reads one data block (section 3.2) into `zone`. Returns an empty string on success, else what
// is wrong, for the error message.
std::string read_data_block(ByteReader& in, const TzifHeader& h, int time_size, ZoneRules& zone) {
  if (h.typecnt == 0 || h.charcnt == 0) return "no local time types";
  if (h.isutcnt != 0 && h.isutcnt != h.typecnt) return "isutcnt is neither 0 nor typecnt";
  if (h.isstdcnt != 0 && h.isstdcnt != h.typecnt) return "isstdcnt is neither 0 nor typecnt";
  // Leap-second ("right/") zones count TAI-like seconds; CityPulse time is POSIX time, which
  // has no leap seconds, so their transitions would be off by up to half a minute.
  if (h.leapcnt != 0) return "leap-second zones (\"right/...\") are not supported";
  // All counts are checked against the bytes present before anything is allocated.
  if (h.data_bytes(static_cast<std::uint64_t>(time_size)) > in.remaining())
    return "data block is truncated";

  std::vector<std::int64_t> times(h.timecnt);
  for (auto& t : times) {
    if (time_size == 8) {
      if (!in.i64(t)) return "data block is truncated";
    } else {
      std::int32_t t32;
      if (!in.i32(t32)) return "data block is truncated";
      t = t32;
    }
  }
  for (std::size_t i = 1; i < times.size(); ++i) {
    if (times[i] <= times[i - 1]) return "transition times are not ascending";
  }
  std::vector<std::uint8_t> type_of_transition(h.timecnt);
  for (auto& type : type_of_transition) {
    if (!in.u8(type)) return "data block is truncated";
    if (type >= h.typecnt) return "a transition names a local time type that does not exist";
  }
  std::vector<std::int64_t> type_offsets(h.typecnt);
  for (auto& offset : type_offsets) {
    std::int32_t utoff;
    std::uint8_t isdst, desigidx;
    if (!in.i32(utoff) || !in.u8(isdst) || !in.u8(desigidx)) return "data block is truncated";
    if (utoff < kMinOffsetSeconds || utoff > kMaxOffsetSeconds)
      return fmt::format("UT offset {} s is out of range", utoff);
    if (isdst > 1) return "isdst is neither 0 nor 1";
    if (desigidx >= h.charcnt) return "abbreviation index is out of range";
    offset = std::int64_t{utoff} * kMsPerSecond;
  }
  // Abbreviations, standard/wall and UT/local indicators: only needed to interpret POSIX rules
  // without a footer, which we do not do.
  if (!in.skip(std::uint64_t{h.charcnt} + h.isstdcnt + h.isutcnt)) return "data block is truncated";

  zone.transitions.clear();
  zone.offsets.clear();
  zone.transitions.reserve(times.size());
  zone.offsets.reserve(times.size());
  for (std::size_t i = 0; i < times.size(); ++i) {
    const TimeMs at = seconds_to_clamped_ms(times[i]);
    const std::int64_t offset = type_offsets[type_of_transition[i]];
    // Clamping can merge the far-past "big bang" transitions; the later one wins.
    if (!zone.transitions.empty() && zone.transitions.back() == at) {
      zone.offsets.back() = offset;
      continue;
    }
    zone.transitions.push_back(at);
    zone.offsets.push_back(offset);
  }
  zone.initial_offset_ms = type_offsets[0];
  zone.max_abs_offset_ms = 0;
  for (const auto offset : type_offsets) {
    zone.max_abs_offset_ms = std::max(zone.max_abs_offset_ms, offset < 0 ? -offset : offset);
  }
  return {};
}

std::string parse_tzif(std::string_view bytes, ZoneRules& zone) {
  ByteReader in(bytes);
  const auto v1 = read_header(in);
  if (!v1) return "not a TZif file (no \"TZif\" header)";
  if (v1->version == '\0') {
    // Version 1: 32-bit times, no footer.
    auto problem = read_data_block(in, *v1, 4, zone);
    if (!problem.empty()) return problem;
    if (in.remaining() != 0) return "bytes after the data block";
    return {};
  }
  if (v1->version < '2') return "unknown TZif version";
  // Version 2 and later repeat everything with 64-bit times; the v1 block is only for old readers.
  if (!in.skip(v1->data_bytes(4))) return "version 1 data block is truncated";
  const auto v2 = read_header(in);
  if (!v2) return "no second TZif header";
  auto problem = read_data_block(in, *v2, 8, zone);
  if (!problem.empty()) return problem;

  // Section 3.3: the footer is a newline, a POSIX TZ string (maybe empty), a newline.
  std::string_view rest;
  in.read(in.remaining(), rest);
  if (rest.size() < 2 || rest.front() != '\n' || rest.back() != '\n') return "no footer";
  const std::string_view tz = rest.substr(1, rest.size() - 2);
  if (tz.find('\n') != std::string_view::npos) return "bytes after the footer";
  if (!tz.empty()) {
    zone.footer = parse_posix_rule(tz);
    if (!zone.footer) return fmt::format("footer \"{}\" is not a POSIX TZ rule", tz);
    for (const auto offset : {zone.footer->std_offset_ms, zone.footer->dst_offset_ms}) {
      zone.max_abs_offset_ms = std::max(zone.max_abs_offset_ms, offset < 0 ? -offset : offset);
    }
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// Names, files and the cache.

bool is_zone_name(std::string_view name) {
  if (name.empty() || name.size() > 255 || name.front() == '/' || name.back() == '/') return false;
  if (name.find("//") != std::string_view::npos) return false;
  // No '.' at all, so neither ".." nor "." can walk out of the zoneinfo folder.
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' ||
           c == '_' || c == '-' || c == '+';
  });
}

// Closes a file descriptor on every exit.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string errno_text(int error) {
  return std::error_code(error, std::generic_category()).message();
}

Result<std::string> read_zone_file(const std::string& path, std::string_view name) {
  auto unknown = [&] {
    return fail(ErrorCode::not_found, fmt::format("unknown time zone '{}'", name));
  };
  // O_NONBLOCK so that a FIFO planted in the folder cannot hang us; it is refused below.
  FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (file.get() < 0) {
    const int error = errno;
    if (error == ENOENT || error == ENOTDIR) return unknown();
    return fail(ErrorCode::io,
                fmt::format("cannot open time zone file {}: {}", path, errno_text(error)));
  }
  struct stat info;
  if (::fstat(file.get(), &info) != 0) {
    return fail(ErrorCode::io,
                fmt::format("cannot read time zone file {}: {}", path, errno_text(errno)));
  }
  if (S_ISDIR(info.st_mode)) return unknown();  // "Europe" is a folder, not a zone
  if (!S_ISREG(info.st_mode)) {
    return fail(ErrorCode::invalid, fmt::format("time zone file {} is not a regular file", path));
  }
  if (static_cast<std::uint64_t>(info.st_size) > kMaxZoneFileBytes) {
    return fail(ErrorCode::invalid,
                fmt::format("time zone file {} is too large to be a TZif file", path));
  }
  std::string bytes(static_cast<std::size_t>(info.st_size), '\0');
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::read(file.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return fail(ErrorCode::io,
                  fmt::format("cannot read time zone file {}: {}", path, errno_text(errno)));
    }
    if (n == 0) break;  // shrank while we read: parse what is there, which will likely fail
    done += static_cast<std::size_t>(n);
  }
  bytes.resize(done);
  return bytes;
}

std::shared_ptr<const ZoneRules> make_utc_rules(std::string name) {
  auto rules = std::make_shared<ZoneRules>();
  rules->name = std::move(name);
  return rules;
}

const std::shared_ptr<const ZoneRules>& utc_rules() {
  static const std::shared_ptr<const ZoneRules> rules = make_utc_rules("UTC");
  return rules;
}

struct ZoneCache {
  std::mutex mutex;
  // Keyed by file path, so a test (or an operator) pointing TZDIR elsewhere gets that folder's
  // zone.
  std::unordered_map<std::string, std::shared_ptr<const ZoneRules>> by_path;
};

ZoneCache& zone_cache() {
  static ZoneCache cache;
  return cache;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Timezone

Timezone::Timezone() : rules_(utc_rules()) {}

Timezone::Timezone(std::shared_ptr<const ZoneRules> rules) : rules_(std::move(rules)) {}

Timezone Timezone::utc() {
  return Timezone();
}

Result<Timezone> Timezone::load(std::string_view name) {
  if (name == "UTC") return Timezone();
  if (name == "Etc/UTC") {
    static const std::shared_ptr<const ZoneRules> rules = make_utc_rules("Etc/UTC");
    return Timezone(rules);
  }
  if (!is_zone_name(name)) {
    return fail(
        ErrorCode::bad_request,
        fmt::format("'{}' is not an IANA time zone name (like Europe/Berlin)", name.substr(0, 64)));
  }
  const char* tzdir = std::getenv("TZDIR");
  std::string path = tzdir != nullptr && *tzdir != '\0' ? tzdir : "/usr/share/zoneinfo";
  path += '/';
  path += name;

  ZoneCache& cache = zone_cache();
  // Held while reading: a zone is read once even when threads ask for it at the same time, and
  // loads are rare (configuration, first use of a building's zone) and take well under a ms.
  std::lock_guard lock(cache.mutex);
  if (auto found = cache.by_path.find(path); found != cache.by_path.end()) {
    return Timezone(found->second);
  }
  auto bytes = read_zone_file(path, name);
  if (!bytes) return fail(std::move(bytes.error()));
  auto rules = std::make_shared<ZoneRules>();
  rules->name = std::string(name);
  if (auto problem = parse_tzif(*bytes, *rules); !problem.empty()) {
    return fail(ErrorCode::invalid,
                fmt::format("time zone file {} is not valid TZif: {}", path, problem));
  }
  std::shared_ptr<const ZoneRules> shared = std::move(rules);
  cache.by_path.emplace(std::move(path), shared);
  return Timezone(std::move(shared));
}

const std::string& Timezone::name() const {
  return rules_->name;
}

Timezone::OffsetSpan Timezone::span_at(TimeMs t) const {
  t = clamp_time(t);
  const ZoneRules& zone = *rules_;
  const auto& transitions = zone.transitions;
  const std::size_t after = static_cast<std::size_t>(
      std::upper_bound(transitions.begin(), transitions.end(), t) - transitions.begin());
  if (after == 0) {
    if (!transitions.empty())
      return {kBeginningOfTime, transitions.front(), zone.initial_offset_ms};
    if (zone.footer) {
      const RuleSpan span = posix_rule_span(*zone.footer, t);
      return {span.start, span.end, span.offset_ms};
    }
    return {kBeginningOfTime, kEndOfTime, zone.initial_offset_ms};
  }
  if (after < transitions.size()) {
    return {transitions[after - 1], transitions[after], zone.offsets[after - 1]};
  }
  if (zone.footer) {
    const RuleSpan span = posix_rule_span(*zone.footer, t);
    return {std::max(span.start, transitions.back()), span.end, span.offset_ms};
  }
  return {transitions.back(), kEndOfTime, zone.offsets.back()};
}

std::int64_t Timezone::offset_at(TimeMs t) const {
  return span_at(t).offset_ms;
}

TimeMs Timezone::to_local(TimeMs t) const {
  t = clamp_time(t);
  return t + offset_at(t);
}

TimeMs Timezone::to_utc(TimeMs local) const {
  local = std::clamp(local, -kWallTimeLimit, kWallTimeLimit);
  // With every offset within ±W, the answer lies in [local - W, local + W]: before it the clocks
  // show less than `local`, at its end they show at least `local`. Walk the spans of constant
  // offset across that window; in each, wall time runs as UTC plus the span's offset, so the
  // first instant showing `local` or later is found by subtraction.
  const std::int64_t w = rules_->max_abs_offset_ms;
  TimeMs t = local - w;
  for (;;) {
    const OffsetSpan span = span_at(t);
    const TimeMs candidate = std::max(t, local - span.offset_ms);
    if (candidate < span.end) return candidate;
    t = span.end;
  }
}

TimeMs Timezone::latest_wall_time(TimeMs t) const {
  t = clamp_time(t);
  // Only spans within 2W before t can have shown a later wall time than t's: an instant before
  // t - 2W showed less than t - W, and t itself shows at least t - W. In each earlier span the
  // latest wall time is at its last millisecond.
  const std::int64_t w = rules_->max_abs_offset_ms;
  OffsetSpan span = span_at(t);
  TimeMs latest = t + span.offset_ms;
  // Spans clamped at -2^55 have nothing before them worth looking at (and would repeat forever).
  while (span.start > -kTimeLimit && span.start > t - 2 * w) {
    const TimeMs last_ms = span.start - 1;
    span = span_at(last_ms);
    latest = std::max(latest, last_ms + span.offset_ms);
  }
  return latest;
}

bool Timezone::offsets_are_multiples_of(std::int64_t unit_ms) const {
  if (unit_ms <= 0) return false;
  const ZoneRules& zone = *rules_;
  if (offset_at(0) % unit_ms != 0) return false;
  for (std::size_t i = 0; i < zone.transitions.size(); ++i) {
    if (zone.transitions[i] > 0 && zone.offsets[i] % unit_ms != 0) return false;
  }
  if (zone.footer) {
    if (zone.footer->std_offset_ms % unit_ms != 0) return false;
    if (zone.footer->has_dst && zone.footer->dst_offset_ms % unit_ms != 0) return false;
  }
  return true;
}

}  // namespace citypulse
