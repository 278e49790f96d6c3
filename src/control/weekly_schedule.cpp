#include "control/weekly_schedule.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "control/day_text.h"
#include "core/calendar.h"

namespace citypulse::control {
namespace {

constexpr std::int64_t kMinuteMs = 60'000;
constexpr std::int64_t kDayMs = 86'400'000;
// Instants beyond ±2^55 ms mean nothing to a zone (timezone.h); clamping to them first keeps the
// window arithmetic from overflowing.
constexpr TimeMs kInstantLimit = TimeMs{1} << 55;

constexpr std::array<std::string_view, kModes> kModeNames{"occupied", "standby", "unoccupied"};
constexpr std::array<std::string_view, 7> kWeekdayKeys{"mon", "tue", "wed", "thu",
                                                       "fri", "sat", "sun"};
constexpr std::array<std::string_view, 4> kSourceNames{"weekday", "exception", "public_holiday",
                                                       "school_holiday"};

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

// 0 Monday .. 6 Sunday (core counts from Sunday).
int weekday_of(std::int64_t day) {
  return static_cast<int>((weekday_from_days(day) + 6) % 7);
}

std::string block_text(const TimeBlock& b) {
  return fmt::format("{}-{}", format_time_of_day(b.start_minute), format_time_of_day(b.end_minute));
}

// Checks blocks in the order given (so errors name the index the document has), then sorts them.
Status check_blocks(std::vector<TimeBlock>& blocks, const std::string& at) {
  if (blocks.size() > kMaxBlocksPerDay)
    return fail(ErrorCode::invalid, fmt::format("at most {} blocks a day", kMaxBlocksPerDay), at);
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const auto& b = blocks[i];
    if (b.start_minute < 0 || b.start_minute >= kMinutesPerDay)
      return fail(ErrorCode::invalid, "a block starts from 00:00 to 23:59",
                  fmt::format("{}/{}/start", at, i));
    if (b.end_minute <= b.start_minute || b.end_minute > kMinutesPerDay)
      return fail(ErrorCode::invalid,
                  fmt::format("the end {} is not after the start {} (a block over midnight is two "
                              "blocks, one each day; the day ends at 24:00)",
                              format_time_of_day(std::clamp(b.end_minute, 0, kMinutesPerDay)),
                              format_time_of_day(b.start_minute)),
                  fmt::format("{}/{}/end", at, i));
    for (std::size_t j = 0; j < i; ++j)
      if (blocks[j].start_minute < b.end_minute && b.start_minute < blocks[j].end_minute)
        return fail(ErrorCode::invalid,
                    fmt::format("block {} ({}) overlaps block {} ({})", i, block_text(b), j,
                                block_text(blocks[j])),
                    fmt::format("{}/{}", at, i));
  }
  std::sort(blocks.begin(), blocks.end(),
            [](const TimeBlock& a, const TimeBlock& b) { return a.start_minute < b.start_minute; });
  return {};
}

Status check_rule(DayRule& rule, const std::string& at) {
  switch (rule.kind) {
    case DayRule::Kind::blocks:
      return check_blocks(rule.blocks, at + "/blocks");
    case DayRule::Kind::as_weekday:
      if (rule.weekday < 0 || rule.weekday > 6)
        return fail(ErrorCode::invalid, "'as' names a weekday: mon, tue, wed, thu, fri, sat, sun",
                    at + "/as");
      return {};
    case DayRule::Kind::mode:
      return {};
  }
  return {};
}

Status check_setpoints(const Setpoints& s, const std::string& at) {
  const auto finite = [](std::optional<double> v) { return !v || std::isfinite(*v); };
  if (!std::isfinite(s.setpoint) || !finite(s.heating) || !finite(s.cooling))
    return fail(ErrorCode::invalid, "setpoints must be finite numbers", at);
  if (s.heating && s.cooling && !(*s.heating < *s.cooling))
    return fail(ErrorCode::invalid,
                fmt::format("the cooling setpoint {} must be above the heating setpoint {}",
                            *s.cooling, *s.heating),
                at + "/cooling");
  if (s.heating && s.setpoint < *s.heating)
    return fail(
        ErrorCode::invalid,
        fmt::format("the setpoint {} is below the heating setpoint {}", s.setpoint, *s.heating),
        at + "/setpoint");
  if (s.cooling && s.setpoint > *s.cooling)
    return fail(
        ErrorCode::invalid,
        fmt::format("the setpoint {} is above the cooling setpoint {}", s.setpoint, *s.cooling),
        at + "/setpoint");
  return {};
}

Status check_exceptions(std::vector<ExceptionDays>& exceptions) {
  if (exceptions.size() > kMaxExceptions)
    return fail(ErrorCode::invalid, fmt::format("at most {} exceptions", kMaxExceptions),
                "/exceptions");
  for (std::size_t i = 0; i < exceptions.size(); ++i) {
    auto& e = exceptions[i];
    const std::string at = fmt::format("/exceptions/{}", i);
    if (e.last_day < e.first_day)
      return fail(ErrorCode::invalid,
                  fmt::format("the last day {} is before the first day {}", format_day(e.last_day),
                              format_day(e.first_day)),
                  at + "/last_day");
    if (e.last_day - e.first_day + 1 > kMaxExceptionDays)
      return fail(ErrorCode::invalid,
                  fmt::format("an exception spans at most {} days", kMaxExceptionDays),
                  at + "/last_day");
    if (auto ok = check_rule(e.rule, at); !ok) return ok;
  }
  // Overlaps: sort the indices by first day, then each must end before the next begins; the one
  // given later in the document is the one at fault.
  std::vector<std::size_t> order(exceptions.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return exceptions[a].first_day < exceptions[b].first_day;
  });
  for (std::size_t k = 1; k < order.size(); ++k) {
    const auto a = order[k - 1], b = order[k];
    if (exceptions[b].first_day <= exceptions[a].last_day) {
      const auto later = std::max(a, b), earlier = std::min(a, b);
      return fail(ErrorCode::invalid,
                  fmt::format("exception {} ({} to {}) overlaps exception {} ({} to {})", later,
                              format_day(exceptions[later].first_day),
                              format_day(exceptions[later].last_day), earlier,
                              format_day(exceptions[earlier].first_day),
                              format_day(exceptions[earlier].last_day)),
                  fmt::format("/exceptions/{}", later));
    }
  }
  std::sort(exceptions.begin(), exceptions.end(),
            [](const auto& a, const auto& b) { return a.first_day < b.first_day; });
  return {};
}

}  // namespace

std::string_view mode_name(Mode mode) {
  return kModeNames[static_cast<std::size_t>(mode)];
}

std::optional<Mode> parse_mode(std::string_view name) {
  const auto i = std::find(kModeNames.begin(), kModeNames.end(), name);
  if (i == kModeNames.end()) return std::nullopt;
  return static_cast<Mode>(i - kModeNames.begin());
}

std::string_view weekday_key(int weekday) {
  return kWeekdayKeys[static_cast<std::size_t>(weekday)];
}

std::optional<int> parse_weekday_key(std::string_view key) {
  const auto i = std::find(kWeekdayKeys.begin(), kWeekdayKeys.end(), key);
  if (i == kWeekdayKeys.end()) return std::nullopt;
  return static_cast<int>(i - kWeekdayKeys.begin());
}

std::string_view day_source_name(DaySource source) {
  return kSourceNames[static_cast<std::size_t>(source)];
}

Result<WeeklySchedule> WeeklySchedule::make(ScheduleSpec spec) {
  auto zone = Timezone::load(spec.timezone);
  // Whatever the zone's trouble (unknown, malformed name, unreadable file), it is this field's.
  if (!zone) return fail(ErrorCode::invalid, zone.error().message, "/timezone");
  for (int m = 0; m < kModes; ++m)
    if (auto ok =
            check_setpoints(spec.setpoints[static_cast<std::size_t>(m)],
                            fmt::format("/modes/{}", kModeNames[static_cast<std::size_t>(m)]));
        !ok)
      return fail(ok.error());
  for (int d = 0; d < 7; ++d)
    if (auto ok = check_blocks(spec.week[static_cast<std::size_t>(d)],
                               fmt::format("/days/{}", weekday_key(d)));
        !ok)
      return fail(ok.error());
  if (auto ok = check_exceptions(spec.exceptions); !ok) return fail(ok.error());
  if (auto ok = check_rule(spec.holidays.public_holidays, "/holidays/public"); !ok)
    return fail(ok.error());
  if (spec.holidays.school_holidays)
    if (auto ok = check_rule(*spec.holidays.school_holidays, "/holidays/school"); !ok)
      return fail(ok.error());
  return WeeklySchedule(std::move(spec), std::move(*zone));
}

bool WeeklySchedule::is_public_holiday(std::int64_t day) const {
  const auto& rule = spec_.holidays;
  if (!rule.state) return false;
  const auto kind = public_holiday_on(*rule.state, day);
  return kind && std::find(rule.omit.begin(), rule.omit.end(), *kind) == rule.omit.end();
}

std::pair<const DayRule*, DaySource> WeeklySchedule::rule_of(std::int64_t day) const {
  const auto& exceptions = spec_.exceptions;
  auto it =
      std::upper_bound(exceptions.begin(), exceptions.end(), day,
                       [](std::int64_t d, const ExceptionDays& e) { return d < e.first_day; });
  if (it != exceptions.begin() && std::prev(it)->last_day >= day)
    return {&std::prev(it)->rule, DaySource::exception};
  if (is_public_holiday(day)) return {&spec_.holidays.public_holidays, DaySource::public_holiday};
  if (spec_.holidays.school_holidays && weekday_of(day) < 5 &&
      spec_.holidays.school_holiday_periods.on(day))
    return {&*spec_.holidays.school_holidays, DaySource::school_holiday};
  return {nullptr, DaySource::weekday};
}

DayPlan WeeklySchedule::plan_of(std::int64_t day) const {
  const auto [rule, source] = rule_of(day);
  DayPlan plan;
  plan.source = source;
  if (rule && rule->kind == DayRule::Kind::mode) {
    plan.segments.push_back({0, kMinutesPerDay, rule->mode});
    return plan;
  }
  const auto& blocks = !rule                                     ? spec_.week[weekday_of(day)]
                       : rule->kind == DayRule::Kind::as_weekday ? spec_.week[rule->weekday]
                                                                 : rule->blocks;
  // Blocks are sorted and disjoint: fill the gaps with the default mode, merge equal neighbours.
  const auto add = [&plan](int start, int end, Mode mode) {
    if (end <= start) return;
    if (!plan.segments.empty() && plan.segments.back().mode == mode)
      plan.segments.back().end_minute = end;
    else
      plan.segments.push_back({start, end, mode});
  };
  int at = 0;
  for (const auto& b : blocks) {
    add(at, b.start_minute, spec_.default_mode);
    add(b.start_minute, b.end_minute, b.mode);
    at = b.end_minute;
  }
  add(at, kMinutesPerDay, spec_.default_mode);
  return plan;
}

Mode WeeklySchedule::mode_at(TimeMs t) const {
  const TimeMs wall = zone_.latest_wall_time(t);
  const std::int64_t day = floor_div(wall, kDayMs);
  const auto minute = static_cast<int>((wall - day * kDayMs) / kMinuteMs);
  for (const auto& s : plan_of(day).segments)
    if (minute < s.end_minute) return s.mode;
  return spec_.default_mode;  // not reached: the segments end at 1440
}

Setpoints WeeklySchedule::setpoint_at(TimeMs t) const {
  return setpoints_of(mode_at(t));
}

Result<std::vector<Transition>> WeeklySchedule::transitions(TimeMs from, TimeMs to) const {
  from = std::clamp(from, -kInstantLimit, kInstantLimit);
  to = std::clamp(to, -kInstantLimit, kInstantLimit);
  std::vector<Transition> out;
  if (to <= from) return out;
  if (to - from > kMaxTransitionWindowMs)
    return fail(ErrorCode::invalid, fmt::format("a window of transitions is at most {} days",
                                                kMaxTransitionWindowMs / kDayMs));
  // A boundary at wall time b happens at to_utc(b), which is in [from, to) exactly when
  // latest_wall_time(from - 1) < b <= latest_wall_time(to - 1) (timezone.h: to_utc(b) <= t iff
  // latest_wall_time(t) >= b).
  const TimeMs wall_before = zone_.latest_wall_time(from - 1);
  const TimeMs wall_last = zone_.latest_wall_time(to - 1);
  struct Boundary {
    TimeMs at;
    Mode mode;
    DaySource source;
  };
  std::vector<Boundary> boundaries;
  for (std::int64_t day = floor_div(wall_before, kDayMs); day <= floor_div(wall_last, kDayMs);
       ++day) {
    const auto plan = plan_of(day);
    for (const auto& s : plan.segments) {
      const TimeMs wall = day * kDayMs + s.start_minute * kMinuteMs;
      if (wall > wall_before && wall <= wall_last)
        boundaries.push_back({zone_.to_utc(wall), s.mode, plan.source});
    }
  }
  // Boundaries that fall on one instant (those in a skipped hour) are one change, to the mode of
  // the last of them; a boundary into the mode already in force (midnight between two days in
  // the same mode) is no change.
  Mode current = mode_at(from - 1);
  for (std::size_t i = 0; i < boundaries.size(); ++i) {
    const auto& b = boundaries[i];
    if (i + 1 < boundaries.size() && boundaries[i + 1].at == b.at) continue;
    if (b.mode == current) continue;
    current = b.mode;
    out.push_back({b.at, b.mode, setpoints_of(b.mode), b.source});
  }
  return out;
}

std::optional<Transition> WeeklySchedule::next_change_to(Mode mode, TimeMs from,
                                                         TimeMs horizon_ms) const {
  from = std::clamp(from, -kInstantLimit, kInstantLimit);
  horizon_ms = std::clamp(horizon_ms, TimeMs{0}, kMaxTransitionWindowMs);
  auto changes = transitions(from, from + horizon_ms);
  if (!changes) return std::nullopt;
  for (const auto& c : *changes)
    if (c.mode == mode) return c;
  return std::nullopt;
}

}  // namespace citypulse::control
