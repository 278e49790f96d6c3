#include "rules/anomaly.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "rules/local_calendar.h"

namespace citypulse::rules {
namespace {

// 1 / Φ⁻¹(3/4): scales a MAD to the standard deviation of normal values.
constexpr double kMadToSigma = 1.4826;

// The median of `values` (reordered); the mean of the two middle ones for
// an even count.
double median_of(std::vector<double>& values) {
  const auto n = values.size();
  const auto mid = values.begin() + static_cast<std::ptrdiff_t>(n / 2);
  std::nth_element(values.begin(), mid, values.end());
  if (n % 2 == 1) return *mid;
  const double below = *std::max_element(values.begin(), mid);
  return (below + *mid) / 2;
}

}  // namespace

int SeasonalProfile::bin_of(TimeMs wall) {
  const auto day = local_day(wall);
  return day.weekday * 24 + static_cast<int>(day.in_day_ms / kHourMs);
}

Result<SeasonalProfile> SeasonalProfile::fit(std::span<const Sample> hourly, int weeks, TimeMs now,
                                             const LocalTime& to_local, int min_samples) {
  if (weeks < 1 || weeks > 520)
    return fail(ErrorCode::bad_request,
                fmt::format("a profile covers 1 to 520 weeks, not {}", weeks), "weeks");
  if (min_samples < 1)
    return fail(ErrorCode::bad_request, "a profile's bins need at least 1 sample", "min_samples");
  const TimeMs from = now - weeks * kWeekMs;
  std::array<std::vector<double>, kBins> values;
  for (const auto& s : hourly) {
    if (s.t < from || s.t >= now || !std::isfinite(s.value)) continue;
    values[static_cast<std::size_t>(bin_of(to_local(s.t)))].push_back(s.value);
  }
  SeasonalProfile profile;
  profile.min_samples_ = min_samples;
  std::vector<double> deviations;
  for (std::size_t b = 0; b < values.size(); ++b) {
    auto& in_bin = values[b];
    if (in_bin.empty()) continue;
    const double median = median_of(in_bin);
    deviations.clear();
    for (double v : in_bin) deviations.push_back(std::abs(v - median));
    profile.bins_[b] = {median, median_of(deviations), static_cast<std::int32_t>(in_bin.size())};
  }
  return profile;
}

namespace {

// The profile of conditions given none, shared by all of them.
const std::shared_ptr<const SeasonalProfile>& unknown_profile() {
  static const auto unknown = std::make_shared<const SeasonalProfile>();
  return unknown;
}

}  // namespace

AnomalyCondition::AnomalyCondition(const AnomalyRule& rule, const SeasonalProfile& profile,
                                   LocalTime to_local)
    : AnomalyCondition(rule, std::make_shared<const SeasonalProfile>(profile),
                       std::move(to_local)) {}

AnomalyCondition::AnomalyCondition(const AnomalyRule& rule,
                                   std::shared_ptr<const SeasonalProfile> profile,
                                   LocalTime to_local)
    : rule_(rule),
      profile_(profile ? std::move(profile) : unknown_profile()),
      to_local_(std::move(to_local)) {}

void AnomalyCondition::refit(const SeasonalProfile& profile) {
  profile_ = std::make_shared<const SeasonalProfile>(profile);
}

void AnomalyCondition::take_state(const AnomalyCondition& older) {
  state_ = older.state_;
  newest_ = older.newest_;
  late_ignored_ = older.late_ignored_;
}

double AnomalyCondition::deviation(TimeMs t, double value) const {
  const int b = SeasonalProfile::bin_of(to_local_(t));
  if (!profile_->known(b)) return std::numeric_limits<double>::quiet_NaN();
  const auto& bin = profile_->bin(b);
  const double sigma = std::max(kMadToSigma * bin.mad, rule_.min_sigma);
  const double distance = std::abs(value - bin.median);
  // A history that never moved and no floor: any move at all is off.
  if (sigma == 0) return distance == 0 ? 0 : std::numeric_limits<double>::infinity();
  return distance / sigma;
}

bool AnomalyCondition::off(TimeMs t, double value) const {
  // NaN (an unknown bin) compares false: not off.
  return deviation(t, value) > rule_.k;
}

ConditionChanges AnomalyCondition::on_reading(TimeMs t, double value) {
  ConditionChanges out;
  if (!std::isfinite(value)) return out;
  if (newest_ && t < *newest_) {
    ++late_ignored_;
    return out;
  }
  // The value before this one held until now: the wait may have ended.
  if (auto started = state_.advance(t)) out.add(*started);
  newest_ = t;
  // Off waits for the minimum duration; back ends it at once.
  const bool is_off = off(t, value);
  if (auto change = state_.judge(is_off, t, value, is_off ? rule_.min_duration_ms : 0))
    out.add(*change);
  return out;
}

}  // namespace citypulse::rules
