// School holidays: a realistic ministry iCalendar file (time zone block, folded and escaped
// summaries, date and midnight date-time forms, DURATION, a one-day event, a cancelled one, an
// alarm), its CRLF twin, broken files refused at their line, and the JSON form with its pointers.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "control/school_holidays.h"
#include "control/school_holidays_ics.h"
#include "core/calendar.h"

namespace citypulse::control {
namespace {

std::int64_t day(int y, unsigned m, unsigned d) {
  return days_from_civil(y, m, d);
}

// As a ministry publishes it, with the quirks RFC 5545 allows.
const std::string kBw2026 = R"(BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Kultusministerium Baden-Wuerttemberg//Ferientermine//DE
CALSCALE:GREGORIAN
METHOD:PUBLISH
X-WR-CALNAME:Schulferien Baden-Württemberg 2026
X-WR-TIMEZONE:Europe/Berlin
BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
TZNAME:CEST
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
TZNAME:CET
END:STANDARD
END:VTIMEZONE
BEGIN:VEVENT
UID:osterferien-2026@km-bw.de
DTSTAMP:20250915T080000Z
DTSTART;VALUE=DATE:20260330
DTEND;VALUE=DATE:20260412
SUMMARY:Osterferien Baden-Württemberg
TRANSP:TRANSPARENT
END:VEVENT
BEGIN:VEVENT
UID:pfingstferien-2026@km-bw.de
DTSTAMP:20250915T080000Z
DTSTART;VALUE=DATE:20260526
DTEND;VALUE=DATE:20260606
SUMMARY;LANGUAGE=de:Pfingstferien
END:VEVENT
BEGIN:VEVENT
UID:sommerferien-2026@km-bw.de
DTSTAMP:20250915T080000Z
DTSTART;VALUE=DATE:20260730
DTEND;VALUE=DATE:20260913
SUMMARY:Sommerferien Baden-Württemberg\, Schuljahr
  2025/26
BEGIN:VALARM
ACTION:DISPLAY
TRIGGER:-P1D
DURATION:PT15M
END:VALARM
END:VEVENT
begin:vevent
uid:herbstferien-2026@km-bw.de
dtstart;tzid=Europe/Berlin:20261026T000000
dtend;tzid=Europe/Berlin:20261031T000000
summary:Herbstferien
end:vevent
BEGIN:VEVENT
UID:weihnachtsferien-2026@km-bw.de
DTSTART;VALUE=DATE:20261223
DURATION:P16D
SUMMARY:Weihnachtsferien
END:VEVENT
BEGIN:VEVENT
UID:beweglich-2026@km-bw.de
DTSTART;VALUE=DATE:20260515
SUMMARY:Beweglicher Ferientag
END:VEVENT
BEGIN:VEVENT
UID:abgesagt-2026@km-bw.de
DTSTART;VALUE=DATE:20260601
DTEND;VALUE=DATE:20260603
SUMMARY:Verschoben
STATUS:CANCELLED
END:VEVENT
END:VCALENDAR
)";

std::string crlf(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

void expect_bw_2026(const SchoolHolidays& h) {
  const std::vector<SchoolHolidayPeriod> expected = {
      {"Osterferien Baden-Württemberg", day(2026, 3, 30), day(2026, 4, 11)},
      {"Beweglicher Ferientag", day(2026, 5, 15), day(2026, 5, 15)},
      {"Pfingstferien", day(2026, 5, 26), day(2026, 6, 5)},
      {"Sommerferien Baden-Württemberg, Schuljahr 2025/26", day(2026, 7, 30), day(2026, 9, 12)},
      {"Herbstferien", day(2026, 10, 26), day(2026, 10, 30)},
      {"Weihnachtsferien", day(2026, 12, 23), day(2027, 1, 7)},
  };
  EXPECT_EQ(h.periods(), expected);
}

TEST(ControlSchoolHolidays, ReadsAMinistryCalendar) {
  auto h = school_holidays_from_ics(kBw2026);
  ASSERT_TRUE(h) << h.error().message;
  expect_bw_2026(*h);
  // Lookups: the first and last days are in, the days around them are not.
  EXPECT_EQ(h->on(day(2026, 3, 29)), nullptr);
  ASSERT_NE(h->on(day(2026, 3, 30)), nullptr);
  EXPECT_EQ(h->on(day(2026, 4, 11))->name, "Osterferien Baden-Württemberg");
  EXPECT_EQ(h->on(day(2026, 4, 12)), nullptr);
  EXPECT_EQ(h->on(day(2026, 6, 2))->name, "Pfingstferien");  // the cancelled event is no holiday
  EXPECT_EQ(h->on(day(2027, 1, 7))->name, "Weihnachtsferien");
  EXPECT_EQ(h->on(day(2027, 1, 8)), nullptr);
}

TEST(ControlSchoolHolidays, CrlfAndByteOrderMarkReadTheSame) {
  auto h = school_holidays_from_ics("\xEF\xBB\xBF" + crlf(kBw2026));
  ASSERT_TRUE(h) << h.error().message;
  expect_bw_2026(*h);
}

// The error of a file that is kBw2026 with one line replaced (1-based).
Error error_with_line(std::size_t number, const std::string& replacement) {
  std::string text;
  std::size_t at = 0, n = 0;
  while (at < kBw2026.size()) {
    const auto end = kBw2026.find('\n', at);
    ++n;
    text += n == number ? replacement : kBw2026.substr(at, end - at);
    text += '\n';
    at = end + 1;
  }
  auto h = school_holidays_from_ics(text);
  EXPECT_FALSE(h) << "line " << number << " as " << replacement;
  return h ? Error{} : h.error();
}

std::size_t line_of(const std::string& needle) {
  std::size_t n = 1;
  for (std::size_t i = 0; i < kBw2026.find(needle); ++i) n += kBw2026[i] == '\n';
  return n;
}

TEST(ControlSchoolHolidays, BrokenFilesAreRefusedAtTheirLine) {
  const auto check = [](const std::string& needle, const std::string& replacement,
                        const std::string& words) {
    const auto line = line_of(needle);
    const auto e = error_with_line(line, replacement);
    EXPECT_EQ(e.code, ErrorCode::bad_request);
    EXPECT_EQ(e.field, "/line/" + std::to_string(line)) << replacement;
    EXPECT_NE(e.message.find(words), std::string::npos) << e.message;
  };
  check("DTEND;VALUE=DATE:20260412", "DTEND;VALUE=DATE:20260330", "not after DTSTART");
  check("DTEND;VALUE=DATE:20260412", "DTEND;VALUE=DATE:20260230", "not a date");
  check("DTSTART;VALUE=DATE:20260526", "DTSTART:20260526T080000", "whole days");
  check("DURATION:P16D", "DURATION:PT16H", "whole days");
  check("SUMMARY;LANGUAGE=de:Pfingstferien", "RRULE:FREQ=YEARLY", "recurring");
  check("TRANSP:TRANSPARENT", "TRANSPARENT", "NAME:VALUE");
  check("END:VTIMEZONE", "END:VEVENT", "does not close");
  check("BEGIN:VCALENDAR", "BEGIN:VEVENT", "VCALENDAR");
  // An event without SUMMARY or DTSTART is named by its BEGIN line.
  const auto begin = line_of("UID:pfingstferien") - 1;
  EXPECT_EQ(error_with_line(line_of("SUMMARY;LANGUAGE=de"), "X-NOTE:none").field,
            "/line/" + std::to_string(begin));
  EXPECT_EQ(error_with_line(line_of("DTSTART;VALUE=DATE:20260526"), "X-NOTE:none").field,
            "/line/" + std::to_string(begin));
  // A summary in Latin-1 (ü as one byte) is named at its event.
  const auto latin1 =
      error_with_line(line_of("SUMMARY:Osterferien"), "SUMMARY:Osterferien Baden-W\xFCrttemberg");
  EXPECT_EQ(latin1.field, "/line/" + std::to_string(line_of("UID:osterferien") - 1));
  EXPECT_NE(latin1.message.find("UTF-8"), std::string::npos) << latin1.message;
  // A summer holiday of half a year is no school holiday.
  EXPECT_NE(error_with_line(line_of("DTEND;VALUE=DATE:20260913"), "DTEND;VALUE=DATE:20270201")
                .message.find("at most 120 days"),
            std::string::npos);
}

TEST(ControlSchoolHolidays, TruncatedEmptyAndForeignFilesAreRefused) {
  auto truncated = school_holidays_from_ics(kBw2026.substr(0, kBw2026.find("END:VCALENDAR")));
  ASSERT_FALSE(truncated);
  EXPECT_NE(truncated.error().message.find("ends inside VCALENDAR"), std::string::npos);
  auto empty = school_holidays_from_ics("BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n");
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message.find("no events"), std::string::npos);
  EXPECT_FALSE(school_holidays_from_ics(""));
  EXPECT_FALSE(school_holidays_from_ics("name,first,last\nHerbst,2026-10-26,2026-10-30\n"));
  EXPECT_FALSE(school_holidays_from_ics(std::string(kMaxIcsBytes + 1, ' ')));
}

TEST(ControlSchoolHolidays, JsonRoundTrip) {
  const auto json = boost::json::parse(R"([
    {"name": "Herbstferien", "first_day": "2026-10-26", "last_day": "2026-10-30"},
    {"name": "Osterferien", "first_day": "2026-03-30", "last_day": "2026-04-11"},
    {"name": "Brückentag", "first_day": "2026-10-30", "last_day": "2026-10-30"}])");
  auto h = school_holidays_from_json(json);
  ASSERT_TRUE(h) << h.error().message;
  ASSERT_EQ(h->periods().size(), 3u);
  EXPECT_EQ(h->periods()[0].name, "Osterferien");             // ordered by first day
  EXPECT_EQ(h->on(day(2026, 10, 30))->name, "Herbstferien");  // overlaps are fine
  auto again = school_holidays_from_json(to_json(*h));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->periods(), h->periods());
}

TEST(ControlSchoolHolidays, JsonErrorsNameTheirPointer) {
  const auto error = [](const char* text) {
    auto h = school_holidays_from_json(boost::json::parse(text), "/school_holidays");
    EXPECT_FALSE(h) << text;
    return h ? Error{} : h.error();
  };
  EXPECT_EQ(error(R"({"name": "x"})").field, "/school_holidays");
  EXPECT_EQ(error(R"([{"name": "a", "first_day": "2026-10-26", "last_day": "2026-10-30"},
                      {"name": "b", "first_day": "2026-02-30", "last_day": "2026-03-01"}])")
                .field,
            "/school_holidays/1/first_day");
  EXPECT_EQ(error(R"([{"name": "a", "first_day": "2026-10-26", "last_day": "2026-10-20"}])").field,
            "/school_holidays/0/last_day");
  EXPECT_EQ(error(R"([{"name": "a", "first_day": "2026-10-26"}])").field,
            "/school_holidays/0/last_day");
  EXPECT_EQ(error(R"([{"name": "", "first_day": "2026-10-26", "last_day": "2026-10-27"}])").field,
            "/school_holidays/0/name");
  EXPECT_EQ(error(R"([{"name": "a", "first": "2026-10-26", "last_day": "2026-10-27"}])").field,
            "/school_holidays/0/first");
  EXPECT_EQ(error(R"([{"name": "a", "first_day": "2026-01-01", "last_day": "2026-12-31"}])").field,
            "/school_holidays/0");
  EXPECT_EQ(error(R"([{"name": "a", "first_day": "1990-10-26", "last_day": "1990-10-27"}])").field,
            "/school_holidays/0");
}

}  // namespace
}  // namespace citypulse::control
