// A building's school holidays: named periods of whole days, as each state's ministry of
// education publishes them per school year ("Herbstferien", 2026-10-26 to 2026-10-30). They
// differ by state and year and are set by decree, so they are imported (JSON here, iCalendar in
// school_holidays_ics.h), not computed. A schedule's holiday rule (weekly_schedule.h) treats
// their weekdays like another weekday or a mode.
//
// JSON form (docs/control.md, "School holidays"): an array of
//   {"name": "Herbstferien", "first_day": "2026-10-26", "last_day": "2026-10-30"}
// with both days inclusive. Periods may overlap or touch (a movable day inside a break): a day is
// a school holiday when any period covers it.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace citypulse::control {

inline constexpr std::size_t kMaxSchoolHolidayPeriods = 1000;  // decades of a state's breaks
inline constexpr std::int64_t kMaxSchoolHolidayDays = 120;     // summer is about 45
inline constexpr std::size_t kMaxSchoolHolidayName = 200;      // bytes of UTF-8

struct SchoolHolidayPeriod {
  std::string name;            // 1..kMaxSchoolHolidayName bytes
  std::int64_t first_day = 0;  // days since 1970-01-01
  std::int64_t last_day = 0;   // inclusive; >= first_day
  bool operator==(const SchoolHolidayPeriod&) const = default;
};

// What is wrong with a period, for people ("the last day is before the first"), or nullopt when
// it is fine: an empty, too long or not UTF-8 name, last before first, longer than
// kMaxSchoolHolidayDays, or a day outside the years 1995..2100 that schedules know holidays for.
std::optional<std::string> school_holiday_problem(const SchoolHolidayPeriod& period);

class SchoolHolidays {
 public:
  // None.
  SchoolHolidays() = default;

  // invalid when a period has a problem (field "/<index>", message naming it) or there are more
  // than kMaxSchoolHolidayPeriods. The periods are kept ordered by first day, then last day.
  static Result<SchoolHolidays> make(std::vector<SchoolHolidayPeriod> periods);

  // The first period (in the order above) that covers `day`, or null. The pointer lives as long as
  // this object is neither changed nor destroyed.
  const SchoolHolidayPeriod* on(std::int64_t day) const;

  const std::vector<SchoolHolidayPeriod>& periods() const { return periods_; }
  bool empty() const { return periods_.empty(); }

 private:
  std::vector<SchoolHolidayPeriod> periods_;
};

// The JSON array above; every error is invalid and names the JSON pointer of the bad member under
// `prefix` ("/holidays/school_holidays/3/last_day").
Result<SchoolHolidays> school_holidays_from_json(const boost::json::value& json,
                                                 const std::string& prefix = {});

// The JSON array, in the kept order; school_holidays_from_json reads it back equal.
boost::json::array to_json(const SchoolHolidays& holidays);

}  // namespace citypulse::control
