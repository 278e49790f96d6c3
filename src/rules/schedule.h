// A weekly schedule in local time — a school's term-time hours, an office's
// opening hours — with exception dates (a holiday closed all day, a day
// with hours of its own). It answers one question: is it active at a
// wall-clock time (core/timezone.h's to_local form)? The rule set uses one
// to make a rule watch only within it (rule_set.h).
//
// - Each weekday (0 Monday .. 6 Sunday) has blocks [start, end) in minutes
//   of the local day, 0 <= start < end <= 1440; a block over midnight is
//   two blocks, one each day. Blocks may overlap or touch: they are merged.
// - An exception replaces its date's blocks: none means closed all day.
// - The wall-clock time decides, so a daylight-saving change moves nothing:
//   "07:00 to 18:00" stays that on the clocks on the wall (on the day the
//   clocks skip an hour, a block in that hour is shorter by it).
//
// Made once and then read only: active() and next_inactive() allocate
// nothing.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/result.h"
#include "core/time.h"

namespace citypulse::rules {

struct ScheduleBlock {
  int start_minute = 0;  // of the local day, 0-1439
  int end_minute = 0;    // exclusive, 1-1440
  bool operator==(const ScheduleBlock&) const = default;
};

struct LocalDate {
  int year = 1970;
  int month = 1;  // 1-12
  int day = 1;    // 1-31
};

struct ScheduleException {
  LocalDate date;
  std::vector<ScheduleBlock> blocks;  // none: closed all day
};

class Schedule {
 public:
  // Never active.
  Schedule() = default;

  // `week[0]` is Monday's blocks. bad_request (naming the weekday or the
  // date) for a block out of 0-1440 or not longer than zero, a date that
  // does not exist, or a date given twice.
  static Result<Schedule> make(std::array<std::vector<ScheduleBlock>, 7> week,
                               std::vector<ScheduleException> exceptions = {});

  // Whether the wall-clock time `wall` is within a block of its day.
  bool active(TimeMs wall) const;

  // The earliest wall-clock time at or after `wall` that is not active
  // (`wall` itself when it is not); none when the schedule stays active
  // for the next eight days (ask again later).
  std::optional<TimeMs> next_inactive(TimeMs wall) const;

  // The blocks of a day (days since 1970-01-01), merged, in order.
  std::span<const ScheduleBlock> blocks_on(std::int64_t day) const;

 private:
  struct Exception {
    std::int64_t day;
    std::vector<ScheduleBlock> blocks;
  };
  std::array<std::vector<ScheduleBlock>, 7> week_;
  std::vector<Exception> exceptions_;  // ordered by day
};

}  // namespace citypulse::rules
