// School holidays from an iCalendar file (RFC 5545) as the German ministries of education and
// the holiday portals publish them: one VEVENT per break,
//
//   BEGIN:VEVENT
//   DTSTART;VALUE=DATE:20261026
//   DTEND;VALUE=DATE:20261031        exclusive (RFC 5545 3.6.1): the last day is 2026-10-30
//   SUMMARY:Herbstferien Baden-Württemberg
//   END:VEVENT
//
// What is read:
//  - lines end in CRLF or LF; a line starting with a space or tab continues the one before
//    (RFC 5545 3.1, unfolding); a UTF-8 byte order mark is skipped;
//  - DTSTART: a DATE (VALUE=DATE or eight digits) or a DATE-TIME at midnight ("T000000", with
//    or without TZID or "Z"), taken as that day; any other time of day is refused, since school
//    holidays are whole days;
//  - the end: DTEND (exclusive, same forms; must be after DTSTART), else DURATION "P<n>D" or
//    "P<n>W", else one day (RFC 5545 3.6.1 for a DATE start);
//  - SUMMARY, unescaped (\\ \; \, \n), is the period's name;
//  - STATUS:CANCELLED events are skipped; other components (VTIMEZONE, VALARM inside an event)
//    and other properties are ignored.
// Refused (bad_request, the message and the field "/line/<n>" naming the 1-based line): no
// VCALENDAR around the events, BEGIN/END that do not match, a property line without ':', an
// event without DTSTART or SUMMARY, an unreadable date, a recurring event (RRULE, RDATE: a break
// does not repeat), a period that school_holiday_problem() refuses, no events at all, more than
// kMaxSchoolHolidayPeriods events, and a file over kMaxIcsBytes (field empty).
#pragma once

#include <cstddef>
#include <string_view>

#include "control/school_holidays.h"
#include "core/result.h"

namespace citypulse::control {

inline constexpr std::size_t kMaxIcsBytes = 1 << 20;

Result<SchoolHolidays> school_holidays_from_ics(std::string_view text);

}  // namespace citypulse::control
