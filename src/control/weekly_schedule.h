// A zone's or an equipment's weekly schedule: which mode it is in — occupied, standby,
// unoccupied — and so which setpoints hold, at every instant; the scheduler writes the setpoints
// at each change (transitions()) and the API reads and writes the document (weekly_schedule_json.h,
// docs/control.md).
//
// A local day (in the schedule's IANA time zone) is planned from exactly one rule, the first of:
//  1. an exception covering the day (a date or a range of dates; they never overlap);
//  2. the holiday rule's public-holiday treatment, when the day is a public holiday of the chosen
//     state (holiday_calendar.h) whose kind is not omitted — any weekday, Saturdays and Sundays
//     too, as shops and offices treat them;
//  3. the holiday rule's school-holiday treatment, when the day is Monday to Friday and within
//     an imported school holiday (school_holidays.h) — weekends keep their own pattern;
//  4. the weekday's blocks.
// A rule is a list of blocks, a whole-day mode, or "as" another weekday (that weekday's blocks,
// never its exceptions or holidays). Outside the blocks the schedule's default mode holds.
//
// Time: blocks are on the wall clock, [start, end) in minutes of the local day, and a wall-clock
// boundary happens at the UTC instant Timezone::to_utc gives it: the first instant the clocks
// show that time or later. So
//  - on the spring-forward day (Berlin: 02:00 → 03:00) a boundary in the skipped hour happens at
//    03:00: a block starting 02:30 starts at 03:00, a block wholly inside the hour does not
//    happen, and a mode change at 02:00 and another at 02:30 are one change at 03:00 to the later
//    mode;
//  - on the fall-back day (03:00 → 02:00) a boundary in the repeated hour happens once, at its
//    first occurrence (in summer time); during the repeated hour the mode stays what it was at
//    the end of the first pass — the clocks showing 02:15 again does not bring 02:15's mode back.
// Equivalently: the mode at instant t is the plan's mode at Timezone::latest_wall_time(t).
// Because to_utc is non-decreasing and latest_wall_time is its exact inverse, the changes
// partition the UTC time line: mode_at and transitions() always agree, and windows [a, b), [b, c)
// report every change exactly once.
//
// Made once and read only; a WeeklySchedule may be shared between threads. Evaluation allocates
// (a day's plan) but never touches the file system.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "control/holiday_calendar.h"
#include "control/school_holidays.h"
#include "core/result.h"
#include "core/time.h"
#include "core/timezone.h"

namespace citypulse::control {

enum class Mode : std::uint8_t { occupied, standby, unoccupied };
inline constexpr int kModes = 3;

// "occupied", "standby", "unoccupied".
std::string_view mode_name(Mode mode);
std::optional<Mode> parse_mode(std::string_view name);

// 0 Monday .. 6 Sunday; "mon".."sun".
std::string_view weekday_key(int weekday);
std::optional<int> parse_weekday_key(std::string_view key);

// What a mode asks of the equipment. `setpoint` is the one value a thermostat or an AHU takes;
// `heating` and `cooling` are the comfort band's edges for equipment that heats below one and
// cools above the other. When given, heating < cooling and heating <= setpoint <= cooling.
struct Setpoints {
  double setpoint = 0;
  std::optional<double> heating;
  std::optional<double> cooling;
  bool operator==(const Setpoints&) const = default;
};

struct TimeBlock {
  int start_minute = 0;  // of the local day, 0..1439
  int end_minute = 0;    // exclusive, start_minute+1..1440
  Mode mode = Mode::occupied;
  bool operator==(const TimeBlock&) const = default;
};

inline constexpr std::size_t kMaxBlocksPerDay = 48;

// What a day does.
struct DayRule {
  enum class Kind : std::uint8_t { blocks, mode, as_weekday };
  Kind kind = Kind::blocks;
  std::vector<TimeBlock> blocks;  // kind blocks: non-overlapping; the default mode around them
  Mode mode = Mode::unoccupied;   // kind mode: all day
  int weekday = 6;                // kind as_weekday: 0 Monday .. 6 Sunday
  bool operator==(const DayRule&) const = default;
};

struct ExceptionDays {
  std::string name;            // optional, for people ("Christmas closure")
  std::int64_t first_day = 0;  // days since 1970-01-01
  std::int64_t last_day = 0;   // inclusive; at most kMaxExceptionDays after first_day
  DayRule rule;
  bool operator==(const ExceptionDays&) const = default;
};

inline constexpr std::size_t kMaxExceptions = 1000;
inline constexpr std::int64_t kMaxExceptionDays = 366;

struct HolidayRule {
  std::optional<GermanState> state;  // whose public holidays; none: no public holidays
  std::vector<HolidayKind> omit;     // public holidays of the state not kept (BY's Assumption)
  DayRule public_holidays{DayRule::Kind::as_weekday, {}, Mode::unoccupied, 6};  // as Sunday
  std::optional<DayRule> school_holidays;  // none: school holidays change nothing
  SchoolHolidays school_holiday_periods;
  bool operator==(const HolidayRule& o) const {
    return state == o.state && omit == o.omit && public_holidays == o.public_holidays &&
           school_holidays == o.school_holidays &&
           school_holiday_periods.periods() == o.school_holiday_periods.periods();
  }
};

// The schedule as a document says it; WeeklySchedule::make checks it.
struct ScheduleSpec {
  std::string timezone = "Europe/Berlin";  // IANA name
  Mode default_mode = Mode::unoccupied;
  std::array<Setpoints, kModes> setpoints;     // by Mode
  std::array<std::vector<TimeBlock>, 7> week;  // 0 Monday .. 6 Sunday
  std::vector<ExceptionDays> exceptions;       // any order; never overlapping
  HolidayRule holidays;
  bool operator==(const ScheduleSpec&) const = default;
};

// Which rule planned a day (for the audit of a write: "unoccupied: public holiday").
enum class DaySource : std::uint8_t { weekday, exception, public_holiday, school_holiday };
std::string_view day_source_name(DaySource source);

// A stretch of a planned day: [start_minute, end_minute) of the wall clock in one mode.
struct Segment {
  int start_minute = 0;
  int end_minute = 0;
  Mode mode = Mode::unoccupied;
  bool operator==(const Segment&) const = default;
};

struct DayPlan {
  std::vector<Segment> segments;  // from 0 to 1440, in order, neighbours in different modes
  DaySource source = DaySource::weekday;
};

// A change of mode at an instant.
struct Transition {
  TimeMs at = 0;  // UTC; the first instant in the new mode
  Mode mode = Mode::unoccupied;
  Setpoints setpoints;                    // the new mode's
  DaySource source = DaySource::weekday;  // the rule of the day whose boundary this is
  bool operator==(const Transition&) const = default;
};

inline constexpr std::int64_t kMaxTransitionWindowMs = 400LL * 86'400'000;

class WeeklySchedule {
 public:
  // Checks the spec and loads its time zone. invalid, with Error::field the JSON pointer of the
  // document's member at fault (weekly_schedule_json.h's layout, indices as given), for: a block
  // out of range, not longer than zero ("/days/mon/2/end"), overlapping an earlier block of its
  // day ("/days/mon/2"), more than kMaxBlocksPerDay blocks; setpoints out of order
  // ("/modes/occupied/cooling"); an exception that ends before it starts, spans more than
  // kMaxExceptionDays or overlaps another ("/exceptions/3"); more than kMaxExceptions; an as
  // weekday out of 0..6; a time zone Timezone::load refuses (field "/timezone", its message).
  // Blocks and exceptions are kept sorted.
  static Result<WeeklySchedule> make(ScheduleSpec spec);

  // The mode at UTC instant t (see the header comment for DST).
  Mode mode_at(TimeMs t) const;
  // The setpoints of mode_at(t).
  Setpoints setpoint_at(TimeMs t) const;

  // Every change of mode at an instant in [from, to), in order: the instants t where mode_at(t)
  // differs from mode_at(t - 1). Empty when to <= from. invalid when to - from exceeds
  // kMaxTransitionWindowMs (ask in pieces). Instants are taken within ±2^55 ms, as Timezone
  // takes them. A scheduler that remembers the end of the window it last applied asks for
  // [that end, now) after a restart and gets each change exactly once.
  Result<std::vector<Transition>> transitions(TimeMs from, TimeMs to) const;

  // The first change into `mode` at an instant in [from, from + horizon_ms), or nullopt; the
  // horizon is taken within 0..kMaxTransitionWindowMs. For optimal start: "occupied at 07:00".
  std::optional<Transition> next_change_to(Mode mode, TimeMs from, TimeMs horizon_ms) const;

  // The plan of a local day (days since 1970-01-01 of the zone's calendar).
  DayPlan plan_of(std::int64_t day) const;

  const ScheduleSpec& spec() const { return spec_; }
  const Timezone& zone() const { return zone_; }
  const Setpoints& setpoints_of(Mode mode) const {
    return spec_.setpoints[static_cast<std::size_t>(mode)];
  }

 private:
  WeeklySchedule(ScheduleSpec spec, Timezone zone)
      : spec_(std::move(spec)), zone_(std::move(zone)) {}
  // The rule that plans `day` (null: its weekday's blocks) and where it comes from.
  std::pair<const DayRule*, DaySource> rule_of(std::int64_t day) const;
  // Whether `day` counts as a public holiday under the holiday rule.
  bool is_public_holiday(std::int64_t day) const;

  ScheduleSpec spec_;
  Timezone zone_;
};

}  // namespace citypulse::control
