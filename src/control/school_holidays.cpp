#include "control/school_holidays.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>

#include "control/day_text.h"
#include "control/holiday_calendar.h"
#include "core/calendar.h"
#include "core/utf8.h"
#include "model/json_fields.h"

namespace citypulse::control {

std::optional<std::string> school_holiday_problem(const SchoolHolidayPeriod& period) {
  if (period.name.empty()) return "the name is empty";
  if (!well_formed_utf8(period.name))
    return "the name is not UTF-8 text (a file in Latin-1 must be saved as UTF-8)";
  if (period.name.size() > kMaxSchoolHolidayName)
    return fmt::format("the name is longer than {} bytes", kMaxSchoolHolidayName);
  if (period.last_day < period.first_day)
    return fmt::format("the last day {} is before the first day {}", format_day(period.last_day),
                       format_day(period.first_day));
  if (period.last_day - period.first_day + 1 > kMaxSchoolHolidayDays)
    return fmt::format("{} days from {} to {}: a school holiday is at most {} days",
                       period.last_day - period.first_day + 1, format_day(period.first_day),
                       format_day(period.last_day), kMaxSchoolHolidayDays);
  const auto first_year = civil_from_days(period.first_day).year;
  const auto last_year = civil_from_days(period.last_day).year;
  if (first_year < kFirstHolidayYear || last_year > kLastHolidayYear)
    return fmt::format("{} to {} is outside the years {} to {}", format_day(period.first_day),
                       format_day(period.last_day), kFirstHolidayYear, kLastHolidayYear);
  return std::nullopt;
}

Result<SchoolHolidays> SchoolHolidays::make(std::vector<SchoolHolidayPeriod> periods) {
  if (periods.size() > kMaxSchoolHolidayPeriods)
    return fail(ErrorCode::invalid,
                fmt::format("at most {} school holiday periods", kMaxSchoolHolidayPeriods));
  for (std::size_t i = 0; i < periods.size(); ++i)
    if (auto problem = school_holiday_problem(periods[i]))
      return fail(ErrorCode::invalid,
                  fmt::format("school holiday {} ('{}'): {}", i, periods[i].name, *problem),
                  fmt::format("/{}", i));
  std::stable_sort(periods.begin(), periods.end(), [](const auto& a, const auto& b) {
    return a.first_day != b.first_day ? a.first_day < b.first_day : a.last_day < b.last_day;
  });
  SchoolHolidays holidays;
  holidays.periods_ = std::move(periods);
  return holidays;
}

const SchoolHolidayPeriod* SchoolHolidays::on(std::int64_t day) const {
  // Periods are short (kMaxSchoolHolidayDays): only those starting that long before can cover.
  auto it = std::lower_bound(
      periods_.begin(), periods_.end(), day - kMaxSchoolHolidayDays,
      [](const SchoolHolidayPeriod& p, std::int64_t first) { return p.first_day < first; });
  for (; it != periods_.end() && it->first_day <= day; ++it)
    if (it->last_day >= day) return &*it;
  return nullptr;
}

Result<SchoolHolidays> school_holidays_from_json(const boost::json::value& json,
                                                 const std::string& prefix) {
  if (!json.is_array())
    return fail(ErrorCode::invalid, "school holidays must be an array of periods", prefix);
  const auto& array = json.get_array();
  if (array.size() > kMaxSchoolHolidayPeriods)
    return fail(ErrorCode::invalid,
                fmt::format("at most {} school holiday periods", kMaxSchoolHolidayPeriods), prefix);
  std::vector<SchoolHolidayPeriod> periods;
  periods.reserve(array.size());
  for (std::size_t i = 0; i < array.size(); ++i) {
    const std::string at = fmt::format("{}/{}", prefix, i);
    auto fields = JsonFields::of(array[i], {"name", "first_day", "last_day"}, at);
    if (!fields) return fail(fields.error());
    auto name = fields->text("name", true, kMaxSchoolHolidayName);
    if (!name) return fail(name.error());
    SchoolHolidayPeriod period{**name, 0, 0};
    for (auto [member, day] :
         {std::pair{"first_day", &period.first_day}, std::pair{"last_day", &period.last_day}}) {
      auto text = fields->text(member, true, 10);
      if (!text) return fail(text.error());
      auto parsed = parse_day(**text);
      if (!parsed)
        return fail(
            ErrorCode::invalid,
            fmt::format("'{}' must be a date YYYY-MM-DD that exists, not '{}'", member, **text),
            fields->pointer(member));
      *day = *parsed;
    }
    if (auto problem = school_holiday_problem(period))
      return fail(ErrorCode::invalid, fmt::format("school holiday '{}': {}", period.name, *problem),
                  period.last_day < period.first_day ? fields->pointer("last_day") : at);
    periods.push_back(std::move(period));
  }
  return SchoolHolidays::make(std::move(periods));
}

boost::json::array to_json(const SchoolHolidays& holidays) {
  boost::json::array out;
  for (const auto& p : holidays.periods())
    out.push_back(boost::json::object{{"name", p.name},
                                      {"first_day", format_day(p.first_day)},
                                      {"last_day", format_day(p.last_day)}});
  return out;
}

}  // namespace citypulse::control
