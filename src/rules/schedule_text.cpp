#include "rules/schedule_text.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rules/local_calendar.h"

namespace citypulse::rules {
namespace {

constexpr int kMinutesPerDay = 1440;

struct DayName {
  std::string_view short_name, long_name;
};
constexpr std::array<DayName, 7> kDays{{{"Mon", "Monday"},
                                        {"Tue", "Tuesday"},
                                        {"Wed", "Wednesday"},
                                        {"Thu", "Thursday"},
                                        {"Fri", "Friday"},
                                        {"Sat", "Saturday"},
                                        {"Sun", "Sunday"}}};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_letter(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) != 0;
}
// Whether two words are the same but for case.
bool same_word(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// A block as written: start and end in minutes of the day; end may be
// before start (over midnight).
struct WrittenBlock {
  int start = 0;
  int end = 0;
};

// One pass over the text, left to right, each clause applied as it is read
// so that a conflict is reported where the later clause says it.
class ScheduleParser {
 public:
  explicit ScheduleParser(std::string_view text) : text_(text) {}

  Result<Schedule> run() {
    if (text_.size() > kMaxScheduleLength)
      return error_at(kMaxScheduleLength,
                      fmt::format("a schedule is at most {} characters", kMaxScheduleLength));
    bool any = false;
    for (;;) {
      skip_space();
      if (at_ == text_.size()) break;
      if (text_[at_] == ';') {  // an empty clause
        ++at_;
        continue;
      }
      if (auto ok = clause(); !ok) return std::unexpected(ok.error());
      any = true;
      skip_space();
      if (at_ == text_.size()) break;
      if (text_[at_] != ';') return error("expected ';' or the end");
      ++at_;
    }
    if (!any)
      return error_at(0, "the schedule is empty: give days and hours, e.g. Mon 07:00-18:00");
    auto schedule = Schedule::make(std::move(week_), std::move(exceptions_));
    // What make() refuses is checked above, with its position; should it
    // still refuse, the whole text is at fault.
    if (!schedule) return error_at(0, schedule.error().message);
    return schedule;
  }

 private:
  std::unexpected<Error> error(std::string what) const { return error_at(at_, std::move(what)); }
  static std::unexpected<Error> error_at(std::size_t at, std::string what) {
    return fail(ErrorCode::bad_request, fmt::format("at {}: {}", at, what),
                fmt::format("/schedule/{}", at));
  }

  void skip_space() {
    while (at_ < text_.size() &&
           (text_[at_] == ' ' || text_[at_] == '\t' || text_[at_] == '\n' || text_[at_] == '\r'))
      ++at_;
  }
  bool take(char c) {
    skip_space();
    if (at_ < text_.size() && text_[at_] == c) {
      ++at_;
      return true;
    }
    return false;
  }
  // The run of letters from `at_` (not consumed).
  std::string_view word() const {
    std::size_t end = at_;
    while (end < text_.size() && is_letter(text_[end])) ++end;
    return text_.substr(at_, end - at_);
  }
  bool digit_next() const { return at_ < text_.size() && is_digit(text_[at_]); }
  // Reads `count` digits exactly, as a number.
  std::optional<int> digits(std::size_t count) {
    int n = 0;
    for (std::size_t i = 0; i < count; ++i, ++at_) {
      if (at_ >= text_.size() || !is_digit(text_[at_])) return std::nullopt;
      n = n * 10 + (text_[at_] - '0');
    }
    return n;
  }

  Status clause() {
    skip_space();
    if (digit_next()) return date_clause();
    std::array<bool, 7> days{};
    if (auto ok = day_list(days); !ok) return ok;
    skip_space();
    const std::size_t hours_at = at_;
    std::vector<WrittenBlock> blocks;
    auto closed = hours(blocks);
    if (!closed) return std::unexpected(closed.error());
    for (std::size_t d = 0; d < days.size(); ++d) {
      if (!days[d]) continue;
      if (*closed ? own_hours_[d] : closed_[d])
        return error_at(hours_at,
                        fmt::format("{} is named closed and given hours", kDays[d].long_name));
      (*closed ? closed_ : own_hours_)[d] = true;
      for (const auto& b : blocks) {
        week_[d].push_back({b.start, b.end > b.start ? b.end : kMinutesPerDay});
        // Over midnight: the rest belongs to the next weekday.
        if (b.end < b.start && b.end > 0) week_[(d + 1) % 7].push_back({0, b.end});
      }
    }
    return {};
  }

  Status date_clause() {
    const std::size_t date_at = at_;
    const auto year = digits(4);
    const bool dash1 = year && at_ < text_.size() && text_[at_++] == '-';
    const auto month = dash1 ? digits(2) : std::nullopt;
    const bool dash2 = month && at_ < text_.size() && text_[at_++] == '-';
    const auto day = dash2 ? digits(2) : std::nullopt;
    if (!day || digit_next())
      return error_at(date_at, "expected a day (Mon-Sun) or a date as YYYY-MM-DD");
    const auto name = text_.substr(date_at, at_ - date_at);
    if (!date_exists(*year, *month, *day))
      return error_at(date_at, fmt::format("{} is no date", name));
    const auto serial = days_from_date(*year, *month, *day);
    if (std::find(exception_days_.begin(), exception_days_.end(), serial) != exception_days_.end())
      return error_at(date_at, fmt::format("{} is given twice", name));
    exception_days_.push_back(serial);
    skip_space();
    const std::size_t hours_at = at_;
    std::vector<WrittenBlock> blocks;
    auto closed = hours(blocks);
    if (!closed) return std::unexpected(closed.error());
    ScheduleException e{{*year, *month, *day}, {}};
    for (const auto& b : blocks) {
      if (b.end < b.start && b.end > 0)
        return error_at(hours_at, fmt::format("a block of {} cannot run past midnight; give the "
                                              "next date hours of its own",
                                              name));
      e.blocks.push_back({b.start, b.end > b.start ? b.end : kMinutesPerDay});
    }
    exceptions_.push_back(std::move(e));
    return {};
  }

  // Days as "Mon-Fri,Sun" into `days`.
  Status day_list(std::array<bool, 7>& days) {
    do {
      const auto first = day();
      if (!first) return std::unexpected(first.error());
      int last = *first;
      if (take('-')) {
        const auto to = day();
        if (!to) return std::unexpected(to.error());
        last = *to;
      }
      // A span that wraps (Fri-Mon) runs over the weekend.
      for (int d = *first;; d = (d + 1) % 7) {
        days[static_cast<std::size_t>(d)] = true;
        if (d == last) break;
      }
    } while (take(','));
    return {};
  }

  Result<int> day() {
    skip_space();
    const auto name = word();
    for (std::size_t d = 0; d < kDays.size(); ++d)
      if (same_word(name, kDays[d].short_name) || same_word(name, kDays[d].long_name)) {
        at_ += name.size();
        return static_cast<int>(d);
      }
    return error("expected a day (Mon-Sun) or a date as YYYY-MM-DD");
  }

  // "closed" (true), or blocks into `blocks` (false).
  Result<bool> hours(std::vector<WrittenBlock>& blocks) {
    skip_space();
    if (const auto closed = word(); same_word(closed, "closed")) {
      at_ += closed.size();
      return true;
    }
    if (!digit_next()) return error("expected hours such as 07:00-18:00, or closed");
    for (;;) {
      skip_space();
      const std::size_t block_at = at_;
      const auto from = time(false);
      if (!from) return std::unexpected(from.error());
      if (!take('-')) return error("expected '-' and the block's end, as in 07:00-18:00");
      const auto to = time(true);
      if (!to) return std::unexpected(to.error());
      if (*from == *to) return error_at(block_at, "a block must not end where it starts");
      blocks.push_back({*from, *to});
      const bool comma = take(',');
      skip_space();
      if (digit_next()) continue;
      if (comma) return error("expected another block after ','");
      return false;
    }
  }

  // "HH:MM" in minutes of the day; 24:00 (1440) only as an end.
  Result<int> time(bool end) {
    skip_space();
    const std::size_t start = at_;
    std::size_t hour_digits = 0;
    int hour = 0;
    while (at_ < text_.size() && is_digit(text_[at_]) && hour_digits < 2) {
      hour = hour * 10 + (text_[at_++] - '0');
      ++hour_digits;
    }
    const bool colon = hour_digits > 0 && at_ < text_.size() && text_[at_++] == ':';
    const auto minute = colon ? digits(2) : std::nullopt;
    if (!minute || digit_next()) return error_at(start, "expected a time as HH:MM");
    if (hour == 24 && *minute == 0) {
      if (!end) return error_at(start, "24:00 ends a block; a block starting at midnight is 00:00");
      return kMinutesPerDay;
    }
    if (hour > 23 || *minute > 59)
      return error_at(start, fmt::format("{} is no time of day (00:00-23:59, and 24:00 as an end)",
                                         text_.substr(start, at_ - start)));
    return hour * 60 + *minute;
  }

  std::string_view text_;
  std::size_t at_ = 0;
  std::array<std::vector<ScheduleBlock>, 7> week_;
  std::array<bool, 7> closed_{};     // a weekday named closed
  std::array<bool, 7> own_hours_{};  // a weekday given blocks of its own
  std::vector<ScheduleException> exceptions_;
  std::vector<std::int64_t> exception_days_;  // their dates, to find one given twice
};

}  // namespace

Result<Schedule> parse_schedule(std::string_view text) {
  return ScheduleParser(text).run();
}

}  // namespace citypulse::rules
