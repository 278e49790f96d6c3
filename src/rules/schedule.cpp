#include "rules/schedule.h"

#include <fmt/format.h>

#include <algorithm>

#include "rules/local_calendar.h"

namespace citypulse::rules {
namespace {

constexpr int kMinutesPerDay = 1440;
constexpr std::array<std::string_view, 7> kWeekdays{"Monday", "Tuesday",  "Wednesday", "Thursday",
                                                    "Friday", "Saturday", "Sunday"};

// Checks and merges a day's blocks in place; `what` names the day.
Status normalize(std::vector<ScheduleBlock>& blocks, const std::string& what) {
  for (const auto& b : blocks)
    if (b.start_minute < 0 || b.end_minute > kMinutesPerDay || b.start_minute >= b.end_minute)
      return fail(ErrorCode::bad_request,
                  fmt::format("{}: a block is start < end within 0-1440 minutes, not {}-{}", what,
                              b.start_minute, b.end_minute),
                  "blocks");
  std::sort(blocks.begin(), blocks.end(),
            [](const auto& a, const auto& b) { return a.start_minute < b.start_minute; });
  std::vector<ScheduleBlock> merged;
  for (const auto& b : blocks) {
    if (!merged.empty() && b.start_minute <= merged.back().end_minute)
      merged.back().end_minute = std::max(merged.back().end_minute, b.end_minute);
    else
      merged.push_back(b);
  }
  blocks = std::move(merged);
  return {};
}

}  // namespace

Result<Schedule> Schedule::make(std::array<std::vector<ScheduleBlock>, 7> week,
                                std::vector<ScheduleException> exceptions) {
  Schedule s;
  for (std::size_t d = 0; d < week.size(); ++d) {
    if (auto ok = normalize(week[d], std::string(kWeekdays[d])); !ok) return fail(ok.error());
    s.week_[d] = std::move(week[d]);
  }
  for (auto& e : exceptions) {
    const auto name = fmt::format("{:04}-{:02}-{:02}", e.date.year, e.date.month, e.date.day);
    if (!date_exists(e.date.year, e.date.month, e.date.day))
      return fail(ErrorCode::bad_request, fmt::format("{} is no date", name), "exceptions");
    if (auto ok = normalize(e.blocks, name); !ok) return fail(ok.error());
    s.exceptions_.push_back(
        {days_from_date(e.date.year, e.date.month, e.date.day), std::move(e.blocks)});
  }
  std::sort(s.exceptions_.begin(), s.exceptions_.end(),
            [](const auto& a, const auto& b) { return a.day < b.day; });
  const auto twice =
      std::adjacent_find(s.exceptions_.begin(), s.exceptions_.end(),
                         [](const auto& a, const auto& b) { return a.day == b.day; });
  if (twice != s.exceptions_.end())
    return fail(ErrorCode::bad_request, "a date has two exceptions", "exceptions");
  return s;
}

std::span<const ScheduleBlock> Schedule::blocks_on(std::int64_t day) const {
  const auto e = std::lower_bound(exceptions_.begin(), exceptions_.end(), day,
                                  [](const Exception& x, std::int64_t d) { return x.day < d; });
  if (e != exceptions_.end() && e->day == day) return e->blocks;
  return week_[static_cast<std::size_t>(local_day(day * kDayMs).weekday)];
}

bool Schedule::active(TimeMs wall) const {
  const auto day = local_day(wall);
  const auto minute = static_cast<int>(day.in_day_ms / kMinuteMs);
  for (const auto& b : blocks_on(day.day))
    if (b.start_minute <= minute && minute < b.end_minute) return true;
  return false;
}

std::optional<TimeMs> Schedule::next_inactive(TimeMs wall) const {
  if (!active(wall)) return wall;
  const auto start = local_day(wall);
  auto minute = static_cast<int>(start.in_day_ms / kMinuteMs);
  // Merged blocks: the end of the block holding `minute` is inactive,
  // unless it is midnight and the next day begins with a block.
  for (std::int64_t day = start.day; day <= start.day + 8; ++day, minute = 0) {
    const auto blocks = blocks_on(day);
    const auto holding = std::find_if(blocks.begin(), blocks.end(), [&](const auto& b) {
      return b.start_minute <= minute && minute < b.end_minute;
    });
    if (holding == blocks.end()) return day * kDayMs + minute * kMinuteMs;
    if (holding->end_minute < kMinutesPerDay) return day * kDayMs + holding->end_minute * kMinuteMs;
  }
  return std::nullopt;
}

}  // namespace citypulse::rules
