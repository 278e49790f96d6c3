// Unit tests of core/timezone and core/calendar: offsets and wall-time conversion against facts
// checked with `zdump -v` (tzdata 2025b), local-calendar buckets around DST changes, the POSIX TZ
// footer forms on hand-made TZif files, load errors, corrupt and truncated files, and random
// invariants cross-checked against glibc's own reading of the same files.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/calendar.h"
#include "core/time.h"
#include "core/timezone.h"

namespace citypulse {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kHour = 3'600'000;
constexpr std::int64_t kMinute = 60'000;
constexpr std::int64_t kDay = 86'400'000;

constexpr CalendarStep kHourly{CalendarUnit::hour, 1};
constexpr CalendarStep kSixHours{CalendarUnit::hour, 6};
constexpr CalendarStep kDaily{CalendarUnit::day, 1};
constexpr CalendarStep kWeekly{CalendarUnit::week, 1};
constexpr CalendarStep kMonthly{CalendarUnit::month, 1};
constexpr CalendarStep kQuarterly{CalendarUnit::month, 3};
constexpr CalendarStep kYearly{CalendarUnit::year, 1};

// An RFC 3339 instant; with a "Z" suffix also used to write a wall-clock time.
TimeMs at(const char* text) {
  auto t = parse_rfc3339(text);
  if (!t) {
    ADD_FAILURE() << "bad instant in the test: " << text;
    return 0;
  }
  return *t;
}

// For readable failure messages.
std::string show(TimeMs t) {
  return format_rfc3339(t);
}

Timezone zone(const char* name) {
  auto z = Timezone::load(name);
  if (!z) {
    ADD_FAILURE() << "cannot load " << name << ": " << z.error().message;
    return Timezone::utc();
  }
  return *z;
}

// Sets (or unsets) an environment variable for the life of the guard.
class EnvGuard {
 public:
  EnvGuard(const char* name, const std::optional<std::string>& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value->c_str(), 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~EnvGuard() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// A fresh temporary folder, removed with its contents.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "citypulse-tz-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

  void write(const std::string& name, const std::string& bytes) const {
    fs::create_directories((path_ / name).parent_path());
    std::ofstream out(path_ / name, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }

 private:
  fs::path path_;
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// ---------------------------------------------------------------------------------------------
// A TZif v2 writer for hand-made zones (RFC 8536 section 3), so footer forms and corrupt files
// can be tested without depending on what some zone happens to contain.

struct LocalTimeType {
  std::int32_t utoff_seconds;
  bool is_dst;
};

void put32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xff));
}
void put64(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xff));
}

void put_header(std::string& out, char version, std::uint32_t timecnt, std::uint32_t typecnt,
                std::uint32_t charcnt, std::uint32_t leapcnt = 0) {
  out += "TZif";
  out.push_back(version);
  out.append(15, '\0');
  put32(out, 0);  // isutcnt
  put32(out, 0);  // isstdcnt
  put32(out, leapcnt);
  put32(out, timecnt);
  put32(out, typecnt);
  put32(out, charcnt);
}

std::string make_tzif(const std::vector<std::int64_t>& transitions_seconds,
                      const std::vector<std::uint8_t>& transition_types,
                      const std::vector<LocalTimeType>& types, const std::string& footer,
                      char version = '2') {
  std::string out;
  // A minimal but valid v1 block (one type, no transitions): readers of v2+ skip it.
  put_header(out, version, 0, 1, 4);
  put32(out, 0);
  out += '\0';
  out += '\0';
  out += std::string("UTC\0", 4);
  const std::string chars("ABC\0", 4);
  put_header(out, version, static_cast<std::uint32_t>(transitions_seconds.size()),
             static_cast<std::uint32_t>(types.size()), static_cast<std::uint32_t>(chars.size()));
  for (auto t : transitions_seconds) put64(out, static_cast<std::uint64_t>(t));
  for (auto type : transition_types) out.push_back(static_cast<char>(type));
  for (const auto& type : types) {
    put32(out, static_cast<std::uint32_t>(type.utoff_seconds));
    out.push_back(type.is_dst ? 1 : 0);
    out.push_back(0);
  }
  out += chars;
  out += '\n';
  out += footer;
  out += '\n';
  return out;
}

// A zone with no transitions and only a footer rule, loaded from a temporary TZDIR.
class FooterZone {
 public:
  explicit FooterZone(const std::string& footer, std::int32_t type0_seconds = 0)
      : tzdir_("TZDIR", dir_.path().string()) {
    dir_.write("Test/Footer", make_tzif({}, {}, {{type0_seconds, false}}, footer));
    result_ = Timezone::load("Test/Footer");
  }
  const Result<Timezone>& result() const { return result_; }

 private:
  TempDir dir_;
  EnvGuard tzdir_;
  Result<Timezone> result_;
};

// ---------------------------------------------------------------------------------------------
// UTC and Europe/Berlin

TEST(Timezone, UtcNeedsNoTzdata) {
  TempDir empty;
  EnvGuard tzdir("TZDIR", empty.path().string());
  for (const char* name : {"UTC", "Etc/UTC"}) {
    auto z = Timezone::load(name);
    ASSERT_TRUE(z.has_value()) << name;
    EXPECT_EQ(z->name(), name);
    EXPECT_EQ(z->offset_at(at("2026-07-01T12:00:00Z")), 0);
    EXPECT_EQ(z->to_utc(at("2026-07-01T12:00:00Z")), at("2026-07-01T12:00:00Z"));
    EXPECT_TRUE(z->offsets_are_multiples_of(kHour));
  }
  EXPECT_EQ(Timezone::utc().name(), "UTC");
  EXPECT_EQ(Timezone().name(), "UTC");
  EXPECT_EQ(calendar_floor(Timezone::utc(), kDaily, at("2026-07-01T12:34:56.789Z")),
            at("2026-07-01T00:00:00Z"));
}

TEST(Timezone, BerlinOffsetsAndExactTransitions) {
  const Timezone berlin = zone("Europe/Berlin");
  EXPECT_EQ(berlin.name(), "Europe/Berlin");
  EXPECT_EQ(berlin.offset_at(at("2026-01-15T12:00:00Z")), 1 * kHour);
  EXPECT_EQ(berlin.offset_at(at("2026-07-15T12:00:00Z")), 2 * kHour);
  const TimeMs spring = at("2026-03-29T01:00:00Z");
  EXPECT_EQ(berlin.offset_at(spring - 1), 1 * kHour);
  EXPECT_EQ(berlin.offset_at(spring), 2 * kHour);
  const TimeMs autumn = at("2026-10-25T01:00:00Z");
  EXPECT_EQ(berlin.offset_at(autumn - 1), 2 * kHour);
  EXPECT_EQ(berlin.offset_at(autumn), 1 * kHour);
  EXPECT_EQ(berlin.to_local(spring), at("2026-03-29T03:00:00Z"));
  EXPECT_TRUE(berlin.offsets_are_multiples_of(kHour));
}

TEST(Timezone, BerlinWallTimesSkippedAndRepeated) {
  const Timezone berlin = zone("Europe/Berlin");
  // Ordinary wall times.
  EXPECT_EQ(berlin.to_utc(at("2026-07-01T12:00:00Z")), at("2026-07-01T10:00:00Z"));
  EXPECT_EQ(berlin.to_utc(at("2026-01-01T00:00:00Z")), at("2025-12-31T23:00:00Z"));
  // 02:00..03:00 on 2026-03-29 never happens: it maps to the transition, 01:00Z.
  EXPECT_EQ(berlin.to_utc(at("2026-03-29T02:00:00Z")), at("2026-03-29T01:00:00Z"));
  EXPECT_EQ(berlin.to_utc(at("2026-03-29T02:30:00Z")), at("2026-03-29T01:00:00Z"));
  EXPECT_EQ(berlin.to_utc(at("2026-03-29T01:59:59.999Z")), at("2026-03-29T00:59:59.999Z"));
  EXPECT_EQ(berlin.to_utc(at("2026-03-29T03:00:00Z")), at("2026-03-29T01:00:00Z"));
  // 02:00..03:00 on 2026-10-25 happens twice: the earlier one, in CEST.
  EXPECT_EQ(berlin.to_utc(at("2026-10-25T02:30:00Z")), at("2026-10-25T00:30:00Z"));
  EXPECT_EQ(berlin.to_utc(at("2026-10-25T02:00:00Z")), at("2026-10-25T00:00:00Z"));
  EXPECT_EQ(berlin.to_utc(at("2026-10-25T03:00:00Z")), at("2026-10-25T02:00:00Z"));
  // During the repeat the clocks show 02:30 again, but they had already reached 02:59:59.999.
  EXPECT_EQ(berlin.to_local(at("2026-10-25T01:30:00Z")), at("2026-10-25T02:30:00Z"));
  EXPECT_EQ(berlin.latest_wall_time(at("2026-10-25T01:30:00Z")), at("2026-10-25T02:59:59.999Z"));
  EXPECT_EQ(berlin.latest_wall_time(at("2026-10-25T02:00:00Z")), at("2026-10-25T03:00:00Z"));
}

TEST(Calendar, BerlinDaysAroundDstAre23And25Hours) {
  const Timezone berlin = zone("Europe/Berlin");
  const TimeMs spring_day = calendar_floor(berlin, kDaily, at("2026-03-29T12:00:00Z"));
  EXPECT_EQ(show(spring_day), show(at("2026-03-28T23:00:00Z")));
  EXPECT_EQ(show(calendar_next(berlin, kDaily, spring_day)), show(at("2026-03-29T22:00:00Z")));
  const TimeMs autumn_day = calendar_floor(berlin, kDaily, at("2026-10-25T12:00:00Z"));
  EXPECT_EQ(show(autumn_day), show(at("2026-10-24T22:00:00Z")));
  EXPECT_EQ(show(calendar_next(berlin, kDaily, autumn_day)), show(at("2026-10-25T23:00:00Z")));
  // The repeated hour belongs to the 25-hour day.
  EXPECT_EQ(calendar_floor(berlin, kDaily, at("2026-10-25T01:30:00Z")), autumn_day);

  // Walking the days of March 2026 from the first: 31 buckets, one of them 23 h.
  TimeMs day = calendar_floor(berlin, kDaily, at("2026-03-01T00:00:00Z"));
  EXPECT_EQ(day, at("2026-02-28T23:00:00Z"));
  std::vector<std::int64_t> lengths;
  while (day < at("2026-03-31T22:00:00Z")) {
    const TimeMs next = calendar_next(berlin, kDaily, day);
    lengths.push_back(next - day);
    day = next;
  }
  ASSERT_EQ(lengths.size(), 31u);
  for (std::size_t i = 0; i < lengths.size(); ++i) {
    EXPECT_EQ(lengths[i], i == 28 ? 23 * kHour : 24 * kHour) << "March " << i + 1;
  }
}

TEST(Calendar, BerlinWeeksMonthsQuartersYears) {
  const Timezone berlin = zone("Europe/Berlin");
  // Sunday 2026-03-29 lies in the ISO week from Monday 2026-03-23 (CET) to Monday 2026-03-30
  // (CEST): 167 hours.
  const TimeMs week = calendar_floor(berlin, kWeekly, at("2026-03-29T12:00:00Z"));
  EXPECT_EQ(show(week), show(at("2026-03-22T23:00:00Z")));
  EXPECT_EQ(show(calendar_next(berlin, kWeekly, week)), show(at("2026-03-29T22:00:00Z")));
  // A Monday just after local midnight is in its own week.
  EXPECT_EQ(calendar_floor(berlin, kWeekly, at("2026-03-29T22:00:00Z")),
            at("2026-03-29T22:00:00Z"));
  EXPECT_EQ(calendar_floor(berlin, kWeekly, at("2026-03-29T21:59:59.999Z")), week);

  const TimeMs january = calendar_floor(berlin, kMonthly, at("2026-01-20T08:00:00Z"));
  EXPECT_EQ(show(january), show(at("2025-12-31T23:00:00Z")));
  EXPECT_EQ(show(calendar_next(berlin, kMonthly, january)), show(at("2026-01-31T23:00:00Z")));
  // March starts in CET and ends in CEST.
  const TimeMs march = calendar_floor(berlin, kMonthly, at("2026-03-15T00:00:00Z"));
  EXPECT_EQ(show(march), show(at("2026-02-28T23:00:00Z")));
  EXPECT_EQ(show(calendar_next(berlin, kMonthly, march)), show(at("2026-03-31T22:00:00Z")));
  // December to January crosses the year.
  EXPECT_EQ(show(calendar_next(berlin, kMonthly, at("2026-11-30T23:00:00Z"))),
            show(at("2026-12-31T23:00:00Z")));

  const TimeMs q2 = calendar_floor(berlin, kQuarterly, at("2026-05-10T00:00:00Z"));
  EXPECT_EQ(show(q2), show(at("2026-03-31T22:00:00Z")));
  EXPECT_EQ(show(calendar_next(berlin, kQuarterly, q2)), show(at("2026-06-30T22:00:00Z")));
  const TimeMs q4 = calendar_floor(berlin, kQuarterly, at("2026-11-30T00:00:00Z"));
  EXPECT_EQ(show(q4), show(at("2026-09-30T22:00:00Z")));
  EXPECT_EQ(show(calendar_next(berlin, kQuarterly, q4)), show(at("2026-12-31T23:00:00Z")));
  // 00:30 local on January 1 is still 2025 in UTC, but already Q1 2026 in Berlin.
  EXPECT_EQ(calendar_floor(berlin, kQuarterly, at("2025-12-31T23:30:00Z")),
            at("2025-12-31T23:00:00Z"));
  const CalendarStep half_year{CalendarUnit::month, 6};
  EXPECT_EQ(calendar_floor(berlin, half_year, at("2026-10-01T00:00:00Z")),
            at("2026-06-30T22:00:00Z"));

  const TimeMs year = calendar_floor(berlin, kYearly, at("2026-06-01T00:00:00Z"));
  EXPECT_EQ(show(year), show(at("2025-12-31T23:00:00Z")));
  EXPECT_EQ(show(calendar_next(berlin, kYearly, year)), show(at("2026-12-31T23:00:00Z")));
}

TEST(Calendar, BerlinHourBucketsAcrossTransitions) {
  const Timezone berlin = zone("Europe/Berlin");
  auto walk = [&](CalendarStep step, TimeMs from, int count) {
    std::vector<std::string> starts;
    TimeMs t = calendar_floor(berlin, step, from);
    for (int i = 0; i < count; ++i) {
      starts.push_back(show(t));
      t = calendar_next(berlin, step, t);
    }
    return starts;
  };
  // Spring: local 02:00 never happens, so its bucket is empty and skipped.
  EXPECT_EQ(walk(kHourly, at("2026-03-28T23:30:00Z"), 4),
            (std::vector<std::string>{"2026-03-28T23:00:00.000Z", "2026-03-29T00:00:00.000Z",
                                      "2026-03-29T01:00:00.000Z", "2026-03-29T02:00:00.000Z"}));
  // Autumn: local 02:00 lasts two hours (both passes through it).
  EXPECT_EQ(walk(kHourly, at("2026-10-24T23:30:00Z"), 4),
            (std::vector<std::string>{"2026-10-24T23:00:00.000Z", "2026-10-25T00:00:00.000Z",
                                      "2026-10-25T02:00:00.000Z", "2026-10-25T03:00:00.000Z"}));
  EXPECT_EQ(calendar_floor(berlin, kHourly, at("2026-10-25T01:30:00Z")),
            at("2026-10-25T00:00:00Z"));
  // Six-hour buckets at local 00, 06, 12, 18: the night bucket is 5 h in spring, 7 h in autumn.
  EXPECT_EQ(walk(kSixHours, at("2026-03-29T01:30:00Z"), 3),
            (std::vector<std::string>{"2026-03-28T23:00:00.000Z", "2026-03-29T04:00:00.000Z",
                                      "2026-03-29T10:00:00.000Z"}));
  EXPECT_EQ(walk(kSixHours, at("2026-10-25T01:30:00Z"), 3),
            (std::vector<std::string>{"2026-10-24T22:00:00.000Z", "2026-10-25T05:00:00.000Z",
                                      "2026-10-25T11:00:00.000Z"}));
}

TEST(Calendar, BerlinYearOfHoursAndDaysCoversTheYearExactly) {
  const Timezone berlin = zone("Europe/Berlin");
  const TimeMs from = at("2025-12-31T23:00:00Z");
  const TimeMs to = at("2026-12-31T23:00:00Z");
  for (const auto& [step, expected] : {std::pair{kHourly, 8759}, std::pair{kDaily, 365},
                                       std::pair{kMonthly, 12}, std::pair{kQuarterly, 4}}) {
    int buckets = 0;
    TimeMs t = calendar_floor(berlin, step, from);
    ASSERT_EQ(t, from);
    while (t < to) {
      const TimeMs next = calendar_next(berlin, step, t);
      ASSERT_GT(next, t);
      ASSERT_EQ(calendar_floor(berlin, step, next), next) << show(next);
      t = next;
      ++buckets;
    }
    EXPECT_EQ(t, to);
    // 8760 hours of wall clock, less the one skipped in March.
    EXPECT_EQ(buckets, expected);
  }
}

// ---------------------------------------------------------------------------------------------
// Other zones

TEST(Timezone, NewYork) {
  const Timezone ny = zone("America/New_York");
  EXPECT_EQ(ny.offset_at(at("2026-01-15T12:00:00Z")), -5 * kHour);
  EXPECT_EQ(ny.offset_at(at("2026-07-15T12:00:00Z")), -4 * kHour);
  EXPECT_EQ(ny.offset_at(at("2026-03-08T07:00:00Z") - 1), -5 * kHour);
  EXPECT_EQ(ny.offset_at(at("2026-03-08T07:00:00Z")), -4 * kHour);
  EXPECT_EQ(ny.offset_at(at("2026-11-01T06:00:00Z") - 1), -4 * kHour);
  EXPECT_EQ(ny.offset_at(at("2026-11-01T06:00:00Z")), -5 * kHour);
  EXPECT_EQ(ny.to_utc(at("2026-03-08T02:30:00Z")), at("2026-03-08T07:00:00Z"));
  EXPECT_EQ(ny.to_utc(at("2026-11-01T01:30:00Z")), at("2026-11-01T05:30:00Z"));
  const TimeMs day = calendar_floor(ny, kDaily, at("2026-03-08T12:00:00Z"));
  EXPECT_EQ(show(day), show(at("2026-03-08T05:00:00Z")));
  EXPECT_EQ(show(calendar_next(ny, kDaily, day)), show(at("2026-03-09T04:00:00Z")));
  EXPECT_TRUE(ny.offsets_are_multiples_of(kHour));
}

TEST(Timezone, KolkataIsHalfAnHourOff) {
  const Timezone kolkata = zone("Asia/Kolkata");
  EXPECT_EQ(kolkata.offset_at(at("2026-05-01T00:00:00Z")), 5 * kHour + 30 * kMinute);
  EXPECT_FALSE(kolkata.offsets_are_multiples_of(kHour));
  EXPECT_TRUE(kolkata.offsets_are_multiples_of(30 * kMinute));
  EXPECT_FALSE(kolkata.offsets_are_multiples_of(0));
  EXPECT_EQ(calendar_floor(kolkata, kDaily, at("2026-05-01T00:00:00Z")),
            at("2026-04-30T18:30:00Z"));
  EXPECT_EQ(calendar_floor(kolkata, kHourly, at("2026-05-01T00:00:00Z")),
            at("2026-04-30T23:30:00Z"));
  EXPECT_FALSE(zone("Asia/Kathmandu").offsets_are_multiples_of(30 * kMinute));
}

TEST(Timezone, LordHoweHasHalfHourDst) {
  const Timezone lord_howe = zone("Australia/Lord_Howe");
  EXPECT_EQ(lord_howe.offset_at(at("2026-01-15T00:00:00Z")), 11 * kHour);
  EXPECT_EQ(lord_howe.offset_at(at("2026-07-15T00:00:00Z")), 10 * kHour + 30 * kMinute);
  EXPECT_EQ(lord_howe.offset_at(at("2026-04-04T15:00:00Z") - 1), 11 * kHour);
  EXPECT_EQ(lord_howe.offset_at(at("2026-04-04T15:00:00Z")), 10 * kHour + 30 * kMinute);
  EXPECT_EQ(lord_howe.offset_at(at("2026-10-03T15:30:00Z") - 1), 10 * kHour + 30 * kMinute);
  EXPECT_EQ(lord_howe.offset_at(at("2026-10-03T15:30:00Z")), 11 * kHour);
  // 02:00..02:30 on 2026-10-04 is skipped; 01:30..02:00 on 2026-04-05 is repeated.
  EXPECT_EQ(lord_howe.to_utc(at("2026-10-04T02:15:00Z")), at("2026-10-03T15:30:00Z"));
  EXPECT_EQ(lord_howe.to_utc(at("2026-04-05T01:45:00Z")), at("2026-04-04T14:45:00Z"));
  EXPECT_FALSE(lord_howe.offsets_are_multiples_of(kHour));
  EXPECT_TRUE(lord_howe.offsets_are_multiples_of(30 * kMinute));
  // The local hour from 02:00 on 2026-10-04 lasts half an hour.
  const TimeMs hour = calendar_floor(lord_howe, kHourly, at("2026-10-03T15:45:00Z"));
  EXPECT_EQ(show(hour), show(at("2026-10-03T15:30:00Z")));
  EXPECT_EQ(show(calendar_next(lord_howe, kHourly, hour)), show(at("2026-10-03T16:00:00Z")));
}

TEST(Timezone, FarFutureFollowsTheFooterRule) {
  const Timezone berlin = zone("Europe/Berlin");
  EXPECT_EQ(berlin.offset_at(at("2100-07-01T00:00:00Z")), 2 * kHour);
  EXPECT_EQ(berlin.offset_at(at("2100-01-15T00:00:00Z")), 1 * kHour);
  EXPECT_EQ(berlin.offset_at(at("2100-03-28T01:00:00Z") - 1), 1 * kHour);
  EXPECT_EQ(berlin.offset_at(at("2100-03-28T01:00:00Z")), 2 * kHour);
  EXPECT_EQ(berlin.offset_at(at("2100-10-31T01:00:00Z") - 1), 2 * kHour);
  EXPECT_EQ(berlin.offset_at(at("2100-10-31T01:00:00Z")), 1 * kHour);
  EXPECT_EQ(berlin.to_utc(at("2100-03-28T02:30:00Z")), at("2100-03-28T01:00:00Z"));
  EXPECT_EQ(berlin.to_utc(at("2100-10-31T02:30:00Z")), at("2100-10-31T00:30:00Z"));
  const TimeMs day = calendar_floor(berlin, kDaily, at("2100-03-28T12:00:00Z"));
  EXPECT_EQ(show(day), show(at("2100-03-27T23:00:00Z")));
  EXPECT_EQ(show(calendar_next(berlin, kDaily, day)), show(at("2100-03-28T22:00:00Z")));

  const Timezone ny = zone("America/New_York");
  EXPECT_EQ(ny.offset_at(at("2100-07-01T00:00:00Z")), -4 * kHour);
  EXPECT_EQ(ny.offset_at(at("2100-03-14T07:00:00Z") - 1), -5 * kHour);
  EXPECT_EQ(ny.offset_at(at("2100-03-14T07:00:00Z")), -4 * kHour);
  EXPECT_EQ(ny.offset_at(at("2100-11-07T06:00:00Z") - 1), -4 * kHour);
  EXPECT_EQ(ny.offset_at(at("2100-11-07T06:00:00Z")), -5 * kHour);

  // Santiago's footer uses a v3 rule time of 24:00 ("M9.1.6/24": Saturday 24:00 = Sunday 00:00).
  const Timezone santiago = zone("America/Santiago");
  EXPECT_EQ(santiago.offset_at(at("2100-09-05T04:00:00Z") - 1), -4 * kHour);
  EXPECT_EQ(santiago.offset_at(at("2100-09-05T04:00:00Z")), -3 * kHour);
  EXPECT_EQ(santiago.offset_at(at("2100-04-04T03:00:00Z") - 1), -3 * kHour);
  EXPECT_EQ(santiago.offset_at(at("2100-04-04T03:00:00Z")), -4 * kHour);
}

TEST(Timezone, BeforeTheFirstTransitionIsLocalMeanTime) {
  // zdump: Berlin LMT +0:53:28 until 1893-04-01, New York -4:56:02 until 1883-11-18, Kolkata
  // +5:53:28 until 1854-06-28.
  EXPECT_EQ(zone("Europe/Berlin").offset_at(at("1850-06-01T00:00:00Z")), 3208 * 1000);
  EXPECT_EQ(zone("America/New_York").offset_at(at("1850-06-01T00:00:00Z")), -17762 * 1000);
  EXPECT_EQ(zone("Asia/Kolkata").offset_at(at("1850-06-01T00:00:00Z")), 21208 * 1000);
  const Timezone berlin = zone("Europe/Berlin");
  EXPECT_EQ(berlin.to_utc(at("1850-06-01T00:53:28Z")), at("1850-06-01T00:00:00Z"));
  EXPECT_EQ(calendar_floor(berlin, kDaily, at("1850-06-01T12:00:00Z")), at("1850-05-31T23:06:32Z"));
  // And the earliest and latest instants do not break anything.
  EXPECT_EQ(berlin.offset_at(std::numeric_limits<TimeMs>::min()), 3208 * 1000);
  const std::int64_t last = berlin.offset_at(std::numeric_limits<TimeMs>::max());
  EXPECT_TRUE(last == kHour || last == 2 * kHour) << last;
  for (TimeMs t : {std::numeric_limits<TimeMs>::min(), std::numeric_limits<TimeMs>::max()}) {
    (void)berlin.to_utc(t);
    (void)berlin.latest_wall_time(t);
    (void)calendar_next(berlin, kYearly, calendar_floor(berlin, kYearly, t));
  }
}

TEST(Calendar, MidnightSkippedByDstStartsTheDayAtTheFirstValidInstant) {
  // Havana 2026-03-08: 00:00 CST jumps to 01:00 CDT (05:00Z).
  const Timezone havana = zone("America/Havana");
  const TimeMs march7 = calendar_floor(havana, kDaily, at("2026-03-07T12:00:00Z"));
  EXPECT_EQ(show(march7), show(at("2026-03-07T05:00:00Z")));
  const TimeMs march8 = calendar_next(havana, kDaily, march7);
  EXPECT_EQ(show(march8), show(at("2026-03-08T05:00:00Z")));
  EXPECT_EQ(calendar_floor(havana, kDaily, at("2026-03-08T12:00:00Z")), march8);
  EXPECT_EQ(show(calendar_next(havana, kDaily, march8)), show(at("2026-03-09T04:00:00Z")));
  EXPECT_EQ(havana.to_utc(at("2026-03-08T00:00:00Z")), march8);

  // Santiago 2026-09-06: 00:00 -04 jumps to 01:00 -03 (04:00Z). Its autumn change sets Sunday
  // 00:00 back to Saturday 23:00, so Saturday 2026-04-04 lasts 25 hours.
  const Timezone santiago = zone("America/Santiago");
  const TimeMs september6 = calendar_floor(santiago, kDaily, at("2026-09-06T12:00:00Z"));
  EXPECT_EQ(show(september6), show(at("2026-09-06T04:00:00Z")));
  EXPECT_EQ(show(calendar_next(santiago, kDaily, at("2026-09-05T04:00:00Z"))), show(september6));
  const TimeMs april4 = calendar_floor(santiago, kDaily, at("2026-04-05T03:30:00Z"));
  EXPECT_EQ(show(april4), show(at("2026-04-04T03:00:00Z")));
  EXPECT_EQ(show(calendar_next(santiago, kDaily, april4)), show(at("2026-04-05T04:00:00Z")));
  // A month starting on a skipped midnight: September 2026 starts 2026-09-01T04:00Z (no change
  // there), but a week starting Monday 2026-09-07 follows the shifted Sunday normally.
  EXPECT_EQ(calendar_floor(santiago, kWeekly, at("2026-09-06T12:00:00Z")),
            at("2026-08-31T04:00:00Z"));
}

TEST(Calendar, SkippedDayIsAnEmptyBucket) {
  // Samoa skipped 2011-12-30 entirely: Thursday 23:59:59 -10 was followed by Saturday 00:00 +14.
  const Timezone apia = zone("Pacific/Apia");
  const TimeMs december29 = calendar_floor(apia, kDaily, at("2011-12-29T20:00:00Z"));
  EXPECT_EQ(show(december29), show(at("2011-12-29T10:00:00Z")));
  const TimeMs december31 = calendar_next(apia, kDaily, december29);
  EXPECT_EQ(show(december31), show(at("2011-12-30T10:00:00Z")));
  EXPECT_EQ(calendar_floor(apia, kDaily, december31), december31);
  EXPECT_EQ(show(calendar_next(apia, kDaily, december31)), show(at("2011-12-31T10:00:00Z")));
}

TEST(Timezone, NegativeDstInDublin) {
  // tzdata models Irish time as IST (+1) standard with a "negative DST" of GMT in winter.
  const Timezone dublin = zone("Europe/Dublin");
  EXPECT_EQ(dublin.offset_at(at("2100-01-15T00:00:00Z")), 0);
  EXPECT_EQ(dublin.offset_at(at("2100-07-15T00:00:00Z")), kHour);
  EXPECT_EQ(dublin.offset_at(at("2100-03-28T01:00:00Z") - 1), 0);
  EXPECT_EQ(dublin.offset_at(at("2100-03-28T01:00:00Z")), kHour);
}

// ---------------------------------------------------------------------------------------------
// Footer rule forms, on hand-made files

TEST(TimezoneFooter, FixedOffsetWithAngleBracketNames) {
  FooterZone footer("<+0545>-5:45");
  ASSERT_TRUE(footer.result().has_value()) << footer.result().error().message;
  const Timezone& z = *footer.result();
  EXPECT_EQ(z.offset_at(at("2026-01-01T00:00:00Z")), 5 * kHour + 45 * kMinute);
  EXPECT_EQ(z.offset_at(at("1900-01-01T00:00:00Z")), 5 * kHour + 45 * kMinute);
  FooterZone seconds("LMT-0:53:28");
  ASSERT_TRUE(seconds.result().has_value()) << seconds.result().error().message;
  EXPECT_EQ(seconds.result()->offset_at(0), 3208 * 1000);
}

TEST(TimezoneFooter, JulianDayWithoutLeapDay) {
  // J60 is March 1 in every year; J300 is October 27.
  FooterZone footer("XST3XDT,J60/2,J300/2");
  ASSERT_TRUE(footer.result().has_value()) << footer.result().error().message;
  const Timezone& z = *footer.result();
  for (const char* start : {"2024-03-01T05:00:00Z", "2025-03-01T05:00:00Z"}) {
    EXPECT_EQ(z.offset_at(at(start) - 1), -3 * kHour) << start;
    EXPECT_EQ(z.offset_at(at(start)), -2 * kHour) << start;
  }
  for (const char* end : {"2024-10-27T04:00:00Z", "2025-10-27T04:00:00Z"}) {
    EXPECT_EQ(z.offset_at(at(end) - 1), -2 * kHour) << end;
    EXPECT_EQ(z.offset_at(at(end)), -3 * kHour) << end;
  }
}

TEST(TimezoneFooter, ZeroBasedDayCountsLeapDay) {
  // Day 59 (from 0) is February 29 in a leap year and March 1 otherwise.
  FooterZone footer("XST3XDT,59/2,299/2");
  ASSERT_TRUE(footer.result().has_value()) << footer.result().error().message;
  const Timezone& z = *footer.result();
  for (const char* start : {"2024-02-29T05:00:00Z", "2025-03-01T05:00:00Z"}) {
    EXPECT_EQ(z.offset_at(at(start) - 1), -3 * kHour) << start;
    EXPECT_EQ(z.offset_at(at(start)), -2 * kHour) << start;
  }
}

TEST(TimezoneFooter, SignedAndLongRuleTimes) {
  // -1: Saturday 23:00 before the second Sunday of March (2026-03-08), in XST (-3) = 02:00Z.
  // 26: Monday 02:00 after the first Sunday of November (2026-11-01), in XDT (-2) = 04:00Z.
  FooterZone footer("XST3XDT,M3.2.0/-1,M11.1.0/26");
  ASSERT_TRUE(footer.result().has_value()) << footer.result().error().message;
  const Timezone& z = *footer.result();
  EXPECT_EQ(z.offset_at(at("2026-03-08T02:00:00Z") - 1), -3 * kHour);
  EXPECT_EQ(z.offset_at(at("2026-03-08T02:00:00Z")), -2 * kHour);
  EXPECT_EQ(z.offset_at(at("2026-11-02T04:00:00Z") - 1), -2 * kHour);
  EXPECT_EQ(z.offset_at(at("2026-11-02T04:00:00Z")), -3 * kHour);
  // 167 h: a week minus an hour after Sunday 2026-03-01 00:00 -> Saturday 2026-03-07 23:00.
  FooterZone long_time("XST3XDT,M3.1.0/167,M11.1.0");
  ASSERT_TRUE(long_time.result().has_value()) << long_time.result().error().message;
  EXPECT_EQ(long_time.result()->offset_at(at("2026-03-08T02:00:00Z") - 1), -3 * kHour);
  EXPECT_EQ(long_time.result()->offset_at(at("2026-03-08T02:00:00Z")), -2 * kHour);
}

TEST(TimezoneFooter, LastWeekdayOfMonth) {
  // M2.5.0: the last Sunday of February, 2026-02-22 (the 5th week does not exist in 2026).
  FooterZone footer("XST3XDT,M2.5.0,M11.1.0");
  ASSERT_TRUE(footer.result().has_value()) << footer.result().error().message;
  EXPECT_EQ(footer.result()->offset_at(at("2026-02-22T05:00:00Z") - 1), -3 * kHour);
  EXPECT_EQ(footer.result()->offset_at(at("2026-02-22T05:00:00Z")), -2 * kHour);
}

TEST(TimezoneFooter, DstAllYear) {
  // RFC 8536 section 3.3.1: DST all year, written as starting Jan 1 00:00 and ending Dec 31 at
  // 24:00 plus the DST amount.
  FooterZone footer("EST5EDT,0/0,J365/25");
  ASSERT_TRUE(footer.result().has_value()) << footer.result().error().message;
  const Timezone& z = *footer.result();
  for (const char* t : {"2026-01-01T05:00:00Z", "2026-01-01T04:59:59Z", "2026-07-01T00:00:00Z",
                        "2026-12-31T23:59:59Z", "2027-01-01T05:00:00Z", "2028-12-31T12:00:00Z"}) {
    EXPECT_EQ(z.offset_at(at(t)), -4 * kHour) << t;
  }
  EXPECT_EQ(calendar_floor(z, kYearly, at("2026-06-01T00:00:00Z")), at("2026-01-01T04:00:00Z"));
}

TEST(TimezoneFooter, BackwardTransitionAcrossABucketBoundary) {
  // Clocks go back from 02:30 XDT (-2) to 01:30 XST (-3) at 2026-11-01T04:30Z, so 01:30..02:30
  // repeats and the 02:00 boundary lies inside the repeat. Ten minutes after the change the
  // clocks show 01:40 again, but the 02:00 hour had already begun: the instant belongs to it.
  FooterZone footer("XST3XDT,M3.2.0,M11.1.0/2:30");
  ASSERT_TRUE(footer.result().has_value()) << footer.result().error().message;
  const Timezone& z = *footer.result();
  const TimeMs t = at("2026-11-01T04:40:00Z");
  EXPECT_EQ(z.to_local(t), at("2026-11-01T01:40:00Z"));
  EXPECT_EQ(z.latest_wall_time(t), at("2026-11-01T02:29:59.999Z"));
  const TimeMs hour = calendar_floor(z, kHourly, t);
  EXPECT_EQ(show(hour), show(at("2026-11-01T04:00:00Z")));
  EXPECT_EQ(show(calendar_next(z, kHourly, hour)), show(at("2026-11-01T06:00:00Z")));
  EXPECT_EQ(show(calendar_next(z, kHourly, at("2026-11-01T03:00:00Z"))), show(hour));
}

TEST(TimezoneFooter, MalformedRulesAreInvalid) {
  for (const char* bad :
       {"CET-1CEST", "C-1", "CET", "CET-25", "<+1>-1", "CET-1CEST,M13.1.0,M10.5.0",
        "CET-1CEST,M3.6.0,M10.5.0", "CET-1CEST,M3.5.7,M10.5.0", "CET-1CEST,M3.5.0/168,M10.5.0",
        "CET-1CEST,J0,J300", "CET-1CEST,366,300", "CET-1CEST,M3.5.0", "CET-1CEST,M3.5.0,M10.5.0x",
        "CET-1:60", "<+01-1"}) {
    FooterZone footer(bad);
    ASSERT_FALSE(footer.result().has_value()) << bad;
    EXPECT_EQ(footer.result().error().code, ErrorCode::invalid) << bad;
  }
}

// ---------------------------------------------------------------------------------------------
// Loading: errors, cache, corrupt files

TEST(TimezoneLoad, NamesThatAreNotZoneNames) {
  for (const char* bad :
       {"", "../etc/passwd", "/etc/passwd", "Europe/../../etc/passwd", "Europe//Berlin",
        "Europe/Berlin/", "Europe/Berlin\n", "Europe Berlin", "Europe/Berlin.bak"}) {
    auto z = Timezone::load(bad);
    ASSERT_FALSE(z.has_value()) << bad;
    EXPECT_EQ(z.error().code, ErrorCode::bad_request) << bad;
  }
}

TEST(TimezoneLoad, UnknownZones) {
  auto z = Timezone::load("Nowhere/Zone");
  ASSERT_FALSE(z.has_value());
  EXPECT_EQ(z.error().code, ErrorCode::not_found);
  EXPECT_NE(z.error().message.find("Nowhere/Zone"), std::string::npos) << z.error().message;
  // A folder of zones is not a zone, nor is a path through a zone file.
  for (const char* name : {"Europe", "Europe/Berlin/Mitte"}) {
    auto r = Timezone::load(name);
    ASSERT_FALSE(r.has_value()) << name;
    EXPECT_EQ(r.error().code, ErrorCode::not_found) << name;
  }
}

TEST(TimezoneLoad, LeapSecondZonesAreRefused) {
  if (!fs::exists("/usr/share/zoneinfo/right/Europe/Berlin")) GTEST_SKIP() << "no right/ zones";
  auto z = Timezone::load("right/Europe/Berlin");
  ASSERT_FALSE(z.has_value());
  EXPECT_EQ(z.error().code, ErrorCode::invalid);
}

TEST(TimezoneLoad, CorruptFilesFailCleanly) {
  TempDir dir;
  EnvGuard tzdir("TZDIR", dir.path().string());
  const std::string good = make_tzif({0}, {1}, {{0, false}, {3600, false}}, "<+01>-1");
  ASSERT_TRUE(good.size() > 60);
  std::string descending = make_tzif({100, 50}, {0, 0}, {{0, false}}, "");
  std::string bad_type = make_tzif({100}, {7}, {{0, false}}, "");
  std::string huge_offset = make_tzif({}, {}, {{200'000, false}}, "");
  std::string huge_count;
  put_header(huge_count, '2', 0xffffffffu, 1, 1);
  std::string leap;
  put_header(leap, '\0', 0, 1, 4, 1);
  put32(leap, 0);
  leap.append("\0\0UTC\0", 6);
  leap.append(8, '\0');
  std::string v2_without_footer = good.substr(0, good.size() - 9);
  const std::vector<std::pair<std::string, std::string>> files = {
      {"Bad/Empty", ""},
      {"Bad/Text", "Europe/Berlin\n"},
      {"Bad/MagicOnly", "TZif"},
      {"Bad/Descending", descending},
      {"Bad/Type", bad_type},
      {"Bad/Offset", huge_offset},
      {"Bad/HugeCount", huge_count},
      {"Bad/Leap", leap},
      {"Bad/NoFooter", v2_without_footer},
      {"Bad/Trailing", good + "x"},
      {"Bad/Version", "TZif1" + good.substr(5)},
  };
  for (const auto& [name, bytes] : files) {
    dir.write(name, bytes);
    auto z = Timezone::load(name);
    ASSERT_FALSE(z.has_value()) << name;
    EXPECT_EQ(z.error().code, ErrorCode::invalid) << name << ": " << z.error().message;
    EXPECT_NE(z.error().message.find(name), std::string::npos) << z.error().message;
  }
  dir.write("Good/Zone", good);
  auto z = Timezone::load("Good/Zone");
  ASSERT_TRUE(z.has_value()) << z.error().message;
  EXPECT_EQ(z->offset_at(-1), 0);
  EXPECT_EQ(z->offset_at(0), kHour);

  // A v1 file (32-bit times, no footer) is read too.
  std::string v1;
  put_header(v1, '\0', 1, 2, 4);
  put32(v1, 1000);
  v1.push_back(1);
  put32(v1, 0);
  v1.append("\0\0", 2);
  put32(v1, static_cast<std::uint32_t>(-3600));
  v1.append("\0\0", 2);
  v1.append("ABC\0", 4);
  dir.write("Good/V1", v1);
  auto old = Timezone::load("Good/V1");
  ASSERT_TRUE(old.has_value()) << old.error().message;
  EXPECT_EQ(old->offset_at(999'999), 0);
  EXPECT_EQ(old->offset_at(1'000'000), -kHour);
  EXPECT_EQ(old->offset_at(at("2100-01-01T00:00:00Z")), -kHour);

  // Unreadable (as non-root) is io, not not_found.
  dir.write("Bad/Unreadable", good);
  fs::permissions(dir.path() / "Bad/Unreadable", fs::perms::none);
  if (::geteuid() != 0) {
    auto r = Timezone::load("Bad/Unreadable");
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::io) << r.error().message;
  }
}

TEST(TimezoneLoad, SecondLoadReadsNothing) {
  TempDir dir;
  EnvGuard tzdir("TZDIR", dir.path().string());
  const std::string berlin = read_file("/usr/share/zoneinfo/Europe/Berlin");
  ASSERT_FALSE(berlin.empty());
  dir.write("Cache/Berlin", berlin);
  auto first = Timezone::load("Cache/Berlin");
  ASSERT_TRUE(first.has_value()) << first.error().message;
  // Replace the file with garbage: a second load is served from the cache.
  dir.write("Cache/Berlin", "garbage");
  auto second = Timezone::load("Cache/Berlin");
  ASSERT_TRUE(second.has_value()) << second.error().message;
  EXPECT_EQ(second->offset_at(at("2026-07-01T00:00:00Z")), 2 * kHour);
  // Failures are not cached: the same name fails, then loads once the file is good.
  dir.write("Cache/Later", "garbage");
  EXPECT_FALSE(Timezone::load("Cache/Later").has_value());
  dir.write("Cache/Later", berlin);
  EXPECT_TRUE(Timezone::load("Cache/Later").has_value());
}

TEST(TimezoneLoad, EveryTruncationAndByteFlipOfARealFileIsHandled) {
  TempDir dir;
  EnvGuard tzdir("TZDIR", dir.path().string());
  const std::string original = read_file("/usr/share/zoneinfo/America/Santiago");
  ASSERT_GT(original.size(), 100u);
  // Every proper prefix misses at least the footer's final newline: always invalid.
  for (std::size_t n = 0; n < original.size(); ++n) {
    const std::string name = "Truncated/L" + std::to_string(n);
    dir.write(name, original.substr(0, n));
    auto z = Timezone::load(name);
    ASSERT_FALSE(z.has_value()) << n;
    ASSERT_EQ(z.error().code, ErrorCode::invalid) << n << ": " << z.error().message;
    fs::remove(dir.path() / name);
  }
  // A flipped byte may or may not make a valid file; a loaded zone must still behave.
  std::mt19937_64 random(7);
  int loaded = 0;
  for (std::size_t i = 0; i < original.size(); ++i) {
    std::string bytes = original;
    bytes[i] = static_cast<char>(bytes[i] ^ static_cast<char>(1 + random() % 255));
    const std::string name = "Flipped/B" + std::to_string(i);
    dir.write(name, bytes);
    auto z = Timezone::load(name);
    fs::remove(dir.path() / name);
    if (!z) {
      ASSERT_EQ(z.error().code, ErrorCode::invalid) << i << ": " << z.error().message;
      continue;
    }
    ++loaded;
    for (TimeMs t :
         {at("1900-01-01T00:00:00Z"), at("2026-04-05T03:30:00Z"), at("2150-09-05T12:00:00Z")}) {
      const TimeMs floor = calendar_floor(*z, kDaily, t);
      ASSERT_LE(floor, t) << i;
      ASSERT_GT(calendar_next(*z, kDaily, floor), t) << i;
      ASSERT_LE(z->to_utc(z->latest_wall_time(t)), t) << i;
    }
  }
  EXPECT_GT(loaded, 0);  // many bytes (abbreviations, the v1 block) do not matter
}

// ---------------------------------------------------------------------------------------------
// Steps and random invariants

TEST(Calendar, ValidSteps) {
  for (int n : {1, 2, 3, 4, 6, 8, 12}) EXPECT_TRUE(validate_step({CalendarUnit::hour, n})) << n;
  for (int n : {1, 2, 3, 4, 6, 12}) EXPECT_TRUE(validate_step({CalendarUnit::month, n})) << n;
  for (auto unit : {CalendarUnit::day, CalendarUnit::week, CalendarUnit::year})
    EXPECT_TRUE(validate_step({unit, 1}));
  for (CalendarStep bad :
       {CalendarStep{CalendarUnit::hour, 5}, CalendarStep{CalendarUnit::hour, 0},
        CalendarStep{CalendarUnit::hour, 24}, CalendarStep{CalendarUnit::day, 2},
        CalendarStep{CalendarUnit::week, 2}, CalendarStep{CalendarUnit::month, 5},
        CalendarStep{CalendarUnit::year, 10}, CalendarStep{static_cast<CalendarUnit>(42), 1}}) {
    auto s = validate_step(bad);
    ASSERT_FALSE(s.has_value()) << bad.n;
    EXPECT_EQ(s.error().code, ErrorCode::invalid);
    EXPECT_NE(s.error().message.find("8 or 12 hours"), std::string::npos) << s.error().message;
  }
  // An invalid n falls back to 1 instead of misbehaving.
  const Timezone utc = Timezone::utc();
  EXPECT_EQ(calendar_floor(utc, {CalendarUnit::hour, 5}, at("2026-01-01T07:30:00Z")),
            at("2026-01-01T07:00:00Z"));
}

TEST(Calendar, CivilDates) {
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);
  EXPECT_EQ(days_from_civil(1969, 12, 31), -1);
  EXPECT_EQ(weekday_from_days(0), 4u);                             // Thursday
  EXPECT_EQ(weekday_from_days(days_from_civil(2026, 3, 29)), 0u);  // Sunday
  EXPECT_EQ(weekday_from_days(days_from_civil(1900, 1, 1)), 1u);   // Monday
  for (std::int64_t d = -800'000; d <= 800'000; d += 997) {
    const CivilDate c = civil_from_days(d);
    ASSERT_EQ(days_from_civil(c.year, c.month, c.day), d);
    ASSERT_GE(c.day, 1u);
    ASSERT_LE(c.day, days_in_month(c.year, c.month));
  }
  EXPECT_EQ(days_in_month(2024, 2), 29u);
  EXPECT_EQ(days_in_month(2100, 2), 28u);
  EXPECT_EQ(days_in_month(2000, 2), 29u);
}

const char* const kZones[] = {
    "Europe/Berlin",    "America/New_York", "Asia/Kolkata",      "Australia/Lord_Howe",
    "America/Santiago", "America/Havana",   "Pacific/Apia",      "Europe/Dublin",
    "Asia/Kathmandu",   "America/St_Johns", "Africa/Casablanca", "Antarctica/Troll",
    "Europe/Moscow",    "Pacific/Chatham",  "Asia/Tehran",       "UTC",
};

TEST(Calendar, FloorAndNextBracketRandomInstants) {
  const CalendarStep steps[] = {kHourly,
                                {CalendarUnit::hour, 2},
                                {CalendarUnit::hour, 3},
                                {CalendarUnit::hour, 8},
                                kSixHours,
                                kDaily,
                                kWeekly,
                                kMonthly,
                                {CalendarUnit::month, 2},
                                kQuarterly,
                                {CalendarUnit::month, 12},
                                kYearly};
  const TimeMs from = at("1900-01-01T00:00:00Z");
  const TimeMs to = at("2200-01-01T00:00:00Z");
  std::mt19937_64 random(20260329);
  for (const char* name : kZones) {
    const Timezone z = zone(name);
    for (int i = 0; i < 1500; ++i) {
      const TimeMs t = from + static_cast<TimeMs>(random() % static_cast<std::uint64_t>(to - from));
      for (const CalendarStep& step : steps) {
        const TimeMs floor = calendar_floor(z, step, t);
        const TimeMs next = calendar_next(z, step, floor);
        ASSERT_LE(floor, t) << name << " " << show(t);
        ASSERT_LT(t, next) << name << " " << show(t);
        ASSERT_EQ(calendar_floor(z, step, floor), floor) << name << " " << show(t);
        ASSERT_EQ(calendar_floor(z, step, next), next) << name << " " << show(t);
        ASSERT_EQ(calendar_next(z, step, t), next) << name << " " << show(t);
      }
      // to_utc inverts latest_wall_time, and ordinary wall times round-trip.
      ASSERT_LE(z.to_utc(z.latest_wall_time(t)), t) << name << " " << show(t);
      ASSERT_GT(z.to_utc(z.latest_wall_time(t) + 1), t) << name << " " << show(t);
      // Away from transitions, wall time and UTC convert both ways.
      if (z.offset_at(t - 2 * kDay) == z.offset_at(t) &&
          z.offset_at(t + 2 * kDay) == z.offset_at(t)) {
        ASSERT_EQ(z.to_utc(z.to_local(t)), t) << name << " " << show(t);
      }
    }
  }
}

// glibc reads the same files with its own code: offsets must agree everywhere, including the
// footer rules beyond the table and the local mean time before it.
TEST(Timezone, OffsetsAgreeWithGlibc) {
  EnvGuard tzdir("TZDIR", std::nullopt);
  std::mt19937_64 random(1893);
  const std::int64_t from = -2'208'988'800;  // 1900-01-01, in seconds
  const std::int64_t to = 7'258'118'400;     // 2200-01-01
  for (const char* name : kZones) {
    const Timezone z = zone(name);
    {
      EnvGuard tz("TZ", std::string(":") + name);
      ::tzset();
      for (int i = 0; i < 3000; ++i) {
        const time_t seconds = static_cast<time_t>(
            from + static_cast<std::int64_t>(random() % static_cast<std::uint64_t>(to - from)));
        struct tm local;
        ASSERT_NE(::localtime_r(&seconds, &local), nullptr);
        ASSERT_EQ(z.offset_at(std::int64_t{seconds} * 1000), std::int64_t{local.tm_gmtoff} * 1000)
            << name << " " << show(std::int64_t{seconds} * 1000);
      }
    }
    ::tzset();
  }
}

}  // namespace
}  // namespace citypulse
