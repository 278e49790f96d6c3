#include "sim/occupancy.h"

#include <array>

namespace citypulse::sim {
namespace {

using Day = std::array<double, 24>;

// Hour by hour, from midnight.
constexpr Day kClosed{};
constexpr Day kSchoolDay{0,   0,   0,   0,   0,   0, 0, 0.3, 0.95, 1.0, 1.0, 1.0,
                         1.0, 0.6, 0.4, 0.3, 0.1, 0, 0, 0,   0,    0,   0,   0};
constexpr Day kKindergartenDay{0,   0,   0,   0,   0,   0,    0, 0.4, 0.9, 1.0, 1.0, 1.0,
                               0.9, 0.8, 0.7, 0.6, 0.3, 0.05, 0, 0,   0,   0,   0,   0};
constexpr Day kOfficeDay{0,   0,   0,    0,   0,   0,   0.05, 0.4,  0.8, 0.9, 0.9, 0.85,
                         0.6, 0.8, 0.85, 0.8, 0.6, 0.3, 0.1,  0.05, 0,   0,   0,   0};
constexpr Day kPublicDay{0,   0,   0,   0,   0,   0,   0,   0.1, 0.3, 0.5,  0.7, 0.8,
                         0.7, 0.7, 0.8, 0.8, 0.7, 0.6, 0.5, 0.4, 0.2, 0.05, 0,   0};
constexpr Day kSportsEvening{0,   0,   0,   0,   0,   0,   0,   0,   0.6, 0.8, 0.8, 0.8,
                             0.6, 0.3, 0.4, 0.5, 0.7, 0.9, 1.0, 1.0, 0.9, 0.5, 0,   0};
constexpr Day kWeekendLeisure{0,   0,   0,   0,   0,   0,   0,   0, 0.2, 0.5, 0.7, 0.8,
                              0.7, 0.7, 0.8, 0.8, 0.7, 0.5, 0.2, 0, 0,   0,   0,   0};
constexpr Day kManned{0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.5, 0.8, 1.0, 1.0, 1.0, 1.0,
                      1.0, 1.0, 1.0, 1.0, 1.0, 0.8, 0.5, 0.4, 0.3, 0.3, 0.3, 0.3};

const Day& day_of(std::string_view type, DayKind kind) {
  const bool working = kind == DayKind::working;
  const bool weekday = working || kind == DayKind::school_holiday;
  if (type == "primary_school" || type == "secondary_school" || type == "school")
    return working ? kSchoolDay : kClosed;
  if (type == "kindergarten") return weekday ? kKindergartenDay : kClosed;
  if (type == "sports_hall") return weekday ? kSportsEvening : kWeekendLeisure;
  if (type == "swimming_pool")
    return kind == DayKind::public_holiday ? kWeekendLeisure
                                           : (weekday ? kPublicDay : kWeekendLeisure);
  if (type == "library" || type == "museum" || type == "community_centre")
    return kind == DayKind::public_holiday ? kClosed : (weekday ? kPublicDay : kWeekendLeisure);
  if (type == "fire_station") return kManned;
  return weekday ? kOfficeDay : kClosed;  // town hall, offices, depot and the rest
}

}  // namespace

double occupancy_share(std::string_view building_type, DayKind kind, int hour) {
  if (hour < 0 || hour > 23) return 0;
  return day_of(building_type, kind)[static_cast<std::size_t>(hour)];
}

}  // namespace citypulse::sim
