// Schedules as people type them into a rule (docs/alarms.md, "Schedules"):
//
//   Mon-Fri 07:00-18:00; Sat 08:00-12:00; 2026-12-24 closed; 2026-12-31 08:00-12:00
//
//   schedule := clause { ";" clause }       empty clauses (a trailing ";") are skipped
//   clause   := days hours | date hours
//   days     := span { "," span }           Mon,Wed  Mon-Fri,Sun
//   span     := day [ "-" day ]             Fri-Mon runs over the weekend
//   day      := Mon Tue Wed Thu Fri Sat Sun, or the full name, in any case
//   date     := YYYY-MM-DD                   an exception: replaces that date's hours
//   hours    := "closed" | block { [","] block }
//   block    := time "-" time                [start, end) on the wall clock
//   time     := H:MM | HH:MM                 00:00-23:59, and 24:00 as an end
//
// Spaces, tabs and line breaks may stand between any two tokens.
// - A weekday named in several clauses has all their blocks (merged).
//   "closed" on a weekday says it has no hours of its own; naming it
//   closed and giving it hours too is a mistake. A weekday named nowhere
//   is closed.
// - A block whose end is before its start runs over midnight: 22:00-06:00
//   on Monday is 22:00-24:00 on Monday and 00:00-06:00 on Tuesday (Sunday's
//   runs into Monday); an end of 00:00 is midnight. A date's block cannot
//   run over midnight — an exception is one date, and the next one's hours
//   would otherwise change unseen — so it is refused.
// - An exception replaces all of its date's blocks, the morning part of
//   the night before's block included.
// - Times are on the wall clock (schedule.h): a daylight-saving change
//   moves nothing.
//
// parse_schedule() returns the schedule, or bad_request for the first
// mistake with its 0-based character offset in the message ("at 12: ...")
// and in Error::field as "/schedule/12": an unknown day, a malformed time
// or date, a date that does not exist or is given twice, a block of no
// length, 24:00 as a start, a weekday closed and open, an empty schedule,
// text longer than kMaxScheduleLength (at that offset). Nothing is kept of
// `text` after the call.
#pragma once

#include <cstddef>
#include <string_view>

#include "core/result.h"
#include "rules/schedule.h"

namespace citypulse::rules {

inline constexpr std::size_t kMaxScheduleLength = 2000;

Result<Schedule> parse_schedule(std::string_view text);

}  // namespace citypulse::rules
