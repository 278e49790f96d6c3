#include "control/school_holidays_ics.h"

#include <fmt/format.h>

#include <optional>
#include <string>
#include <vector>

#include "control/day_text.h"
#include "core/calendar.h"
#include "core/text.h"

namespace citypulse::control {
namespace {

// One content line after unfolding, with the physical line it started on.
struct ContentLine {
  std::size_t line = 0;
  std::string text;
};

std::vector<ContentLine> unfold(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::vector<ContentLine> lines;
  std::size_t number = 0;
  while (!text.empty()) {
    const auto end = text.find('\n');
    std::string_view physical = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    ++number;
    if (physical.ends_with('\r')) physical.remove_suffix(1);
    if (!lines.empty() && !physical.empty() && (physical[0] == ' ' || physical[0] == '\t')) {
      lines.back().text.append(physical.substr(1));
      continue;
    }
    if (trim(physical).empty()) continue;
    lines.push_back({number, std::string(physical)});
  }
  return lines;
}

// Names and parameters are case-insensitive (RFC 5545 3.1); ASCII only.
std::string upper_ascii(std::string_view text) {
  std::string out(text);
  for (auto& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

// NAME;PARAM=VALUE;...:VALUE — the name upper-cased; the parameters are not needed (a value of
// eight digits is a DATE whether or not VALUE=DATE says so).
struct Property {
  std::string name;
  std::string value;
};

std::optional<Property> split_property(const std::string& line) {
  // The value starts at the first ':' outside a quoted parameter value ("TZID=\"a:b\"").
  bool quoted = false;
  std::size_t colon = std::string::npos;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '"') quoted = !quoted;
    if (line[i] == ':' && !quoted) {
      colon = i;
      break;
    }
  }
  if (colon == std::string::npos) return std::nullopt;
  const std::size_t name_end = std::min(colon, line.find(';'));
  Property p;
  p.name = upper_ascii(std::string_view(line).substr(0, name_end));
  p.value = line.substr(colon + 1);
  return p;
}

// RFC 5545 3.3.11: \\ \; \, \n \N.
std::string unescape_text(std::string_view value) {
  std::string out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '\\' || i + 1 == value.size()) {
      out.push_back(value[i]);
      continue;
    }
    const char next = value[++i];
    out.push_back(next == 'n' || next == 'N' ? ' ' : next);
  }
  return std::string(trim(out));
}

// A DATE "YYYYMMDD" or a DATE-TIME at midnight "YYYYMMDDT000000[Z]", as a day number.
std::optional<std::int64_t> ics_day(std::string_view value, std::string* problem) {
  value = trim(value);
  if (value.size() > 8) {
    if (value != fmt::format("{}T000000", value.substr(0, 8)) &&
        value != fmt::format("{}T000000Z", value.substr(0, 8))) {
      *problem = fmt::format("'{}' is not a date: school holidays are whole days", value);
      return std::nullopt;
    }
    value = value.substr(0, 8);
  }
  const auto day = value.size() == 8
                       ? parse_day(fmt::format("{}-{}-{}", value.substr(0, 4), value.substr(4, 2),
                                               value.substr(6, 2)))
                       : std::nullopt;
  if (!day) *problem = fmt::format("'{}' is not a date YYYYMMDD that exists", value);
  return day;
}

// "P<n>D" or "P<n>W" as days; nullopt for anything else.
std::optional<std::int64_t> ics_duration_days(std::string_view value) {
  value = trim(value);
  if (value.size() < 3 || value.size() > 6 || value[0] != 'P') return std::nullopt;
  const char unit = value.back();
  if (unit != 'D' && unit != 'W') return std::nullopt;
  std::int64_t n = 0;
  for (char c : value.substr(1, value.size() - 2)) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  if (n == 0) return std::nullopt;
  return unit == 'W' ? n * 7 : n;
}

// The properties of the event being read.
struct EventDraft {
  std::size_t begin_line = 0;
  std::optional<Property> start, end, duration, summary;
  std::size_t start_line = 0, end_line = 0, duration_line = 0;
  bool cancelled = false;
};

std::unexpected<Error> error_at(std::size_t line, std::string what) {
  return fail(ErrorCode::bad_request, fmt::format("line {}: {}", line, what),
              fmt::format("/line/{}", line));
}

Result<std::optional<SchoolHolidayPeriod>> finish_event(const EventDraft& e) {
  if (e.cancelled) return std::optional<SchoolHolidayPeriod>{};
  if (!e.start) return error_at(e.begin_line, "the event has no DTSTART");
  if (!e.summary) return error_at(e.begin_line, "the event has no SUMMARY (its name)");
  std::string problem;
  const auto first = ics_day(e.start->value, &problem);
  if (!first) return error_at(e.start_line, "DTSTART " + problem);
  std::int64_t end = *first + 1;  // exclusive
  if (e.end) {
    const auto parsed = ics_day(e.end->value, &problem);
    if (!parsed) return error_at(e.end_line, "DTEND " + problem);
    if (*parsed <= *first)
      return error_at(e.end_line, fmt::format("DTEND {} is not after DTSTART {} (DTEND is the "
                                              "day after the last)",
                                              format_day(*parsed), format_day(*first)));
    end = *parsed;
  } else if (e.duration) {
    const auto days = ics_duration_days(e.duration->value);
    if (!days)
      return error_at(
          e.duration_line,
          fmt::format("DURATION '{}' is not whole days (P<n>D or P<n>W)", e.duration->value));
    end = *first + *days;
  }
  SchoolHolidayPeriod period{unescape_text(e.summary->value), *first, end - 1};
  if (auto bad = school_holiday_problem(period))
    return error_at(e.begin_line, fmt::format("event '{}': {}", period.name, *bad));
  return std::optional<SchoolHolidayPeriod>(std::move(period));
}

}  // namespace

Result<SchoolHolidays> school_holidays_from_ics(std::string_view text) {
  if (text.size() > kMaxIcsBytes)
    return fail(ErrorCode::bad_request,
                fmt::format("an iCalendar file is at most {} bytes", kMaxIcsBytes));
  const auto lines = unfold(text);
  std::vector<std::string> open;  // the components BEGIN has opened, innermost last
  std::optional<EventDraft> event;
  std::vector<SchoolHolidayPeriod> periods;
  bool calendar_seen = false;
  for (const auto& line : lines) {
    auto property = split_property(line.text);
    if (!property) return error_at(line.line, "a content line must be NAME:VALUE");
    const std::string component = upper_ascii(trim(property->value));
    if (property->name == "BEGIN") {
      if (open.empty() && component != "VCALENDAR")
        return error_at(line.line,
                        fmt::format("expected BEGIN:VCALENDAR, not BEGIN:{}", component));
      if (open.empty() && calendar_seen)
        return error_at(line.line, "a second VCALENDAR; one calendar a file");
      calendar_seen = true;
      if (component == "VEVENT") {
        if (open.back() != "VCALENDAR")
          return error_at(line.line, fmt::format("VEVENT inside {}", open.back()));
        event = EventDraft{line.line, {}, {}, {}, {}, 0, 0, 0, false};
      }
      open.push_back(component);
      continue;
    }
    if (open.empty())
      return error_at(line.line, fmt::format("{} outside BEGIN:VCALENDAR", property->name));
    if (property->name == "END") {
      if (component != open.back())
        return error_at(line.line,
                        fmt::format("END:{} does not close BEGIN:{}", component, open.back()));
      open.pop_back();
      if (component == "VEVENT") {
        auto period = finish_event(*event);
        if (!period) return fail(period.error());
        if (*period) {
          if (periods.size() == kMaxSchoolHolidayPeriods)
            return error_at(line.line,
                            fmt::format("more than {} events", kMaxSchoolHolidayPeriods));
          periods.push_back(std::move(**period));
        }
        event.reset();
      }
      continue;
    }
    if (!event || open.back() != "VEVENT") continue;  // calendar, time zone or alarm properties
    const auto& name = property->name;
    if (name == "RRULE" || name == "RDATE")
      return error_at(line.line,
                      "a recurring event (RRULE, RDATE): a school holiday does not "
                      "repeat, give each year's dates");
    if (name == "DTSTART") {
      event->start = std::move(property);
      event->start_line = line.line;
    } else if (name == "DTEND") {
      event->end = std::move(property);
      event->end_line = line.line;
    } else if (name == "DURATION") {
      event->duration = std::move(property);
      event->duration_line = line.line;
    } else if (name == "SUMMARY") {
      event->summary = std::move(property);
    } else if (name == "STATUS") {
      event->cancelled = iequals_ascii(trim(property->value), "CANCELLED");
    }
  }
  const std::size_t last_line = lines.empty() ? 1 : lines.back().line;
  if (!open.empty())
    return error_at(last_line,
                    fmt::format("the file ends inside {} (no END:{})", open.back(), open.back()));
  if (!calendar_seen) return error_at(1, "not an iCalendar file: no BEGIN:VCALENDAR");
  if (periods.empty()) return error_at(last_line, "the calendar has no events");
  return SchoolHolidays::make(std::move(periods));
}

}  // namespace citypulse::control
