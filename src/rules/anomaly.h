// An anomaly condition: a point's reading is far from what the point itself
// usually reads at that hour of the week — "k robust sigmas off its own
// seasonal profile for at least a duration". It needs no limit set by
// hand: a pool's pump drawing 40 kW at 3 a.m. on a Sunday is an anomaly if
// it draws 5 kW at that hour every other Sunday, not because 40 is high.
//
// The profile (SeasonalProfile) has 168 hour-of-week bins in the
// building's local time (Monday 00:00-00:59 is bin 0, Sunday 23:00 bin
// 167), so a daylight-saving change moves the bins with the clocks on the
// wall, as the building's use moves. Each bin holds the median and the
// median absolute deviation (MAD) of the values that fell in it over the
// last N weeks: both ignore a few wild values in the history, unlike a mean
// and a standard deviation.
//
// The condition, for a reading at t in bin b:
// - sigma(b) = max(1.4826 × MAD(b), rule.min_sigma). 1.4826 × MAD is the
//   standard deviation of normally distributed values; the floor min_sigma
//   (in the point's unit: its resolution or noise) keeps a history that
//   never moved (MAD 0) from making every tiny wiggle an anomaly. An
//   absolute floor rather than a fraction of the median, because medians
//   near zero (a room at 0 °C, a meter idle at night) are common.
// - Off: |value − median(b)| > k × sigma(b). A bin with fewer than the
//   profile's min_samples values is unknown: no reading in it is off, so
//   the condition stays quiet there and never fires on no data.
// - Starts when readings stay off for min_duration_ms, at the end of that
//   time (a value holds until the next reading, so due()/advance() end the
//   wait between readings, as a threshold's on-delay). Ends at the first
//   reading that is not off (back within k sigma, or in an unknown bin),
//   with no delay. A reading is judged against its own bin only.
// - A reading older than the newest one seen is ignored (late_ignored());
//   one at the same time replaces it. Values that are not finite are
//   ignored.
//
// refit() replaces the profile (the service fits a new one weekly) and
// keeps what is present or under way. No allocation per reading.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>

#include "core/result.h"
#include "core/time.h"
#include "rules/condition.h"
#include "rules/delayed_change.h"
#include "rules/sample_ring.h"

namespace citypulse::rules {

// The wall-clock time at a UTC instant (Timezone::to_local's form).
using LocalTime = std::function<TimeMs(TimeMs)>;

// One hour-of-week bin: the median and MAD of `samples` values.
struct ProfileBin {
  double median = 0;
  double mad = 0;
  std::int32_t samples = 0;
};

class SeasonalProfile {
 public:
  static constexpr int kBins = 168;

  // A profile with every bin unknown: the condition stays quiet.
  SeasonalProfile() = default;

  // The profile of `hourly` (hourly values of the point — means for a
  // temperature or a power, in the same terms as the readings the
  // condition will judge): only samples with now − weeks × 7 days <= t <
  // now count, each in the bin of to_local(t); values that are not finite
  // are left out. A bin with fewer than `min_samples` values stays unknown.
  // The samples need not be in order. bad_request when weeks is not 1-520
  // or min_samples is below 1. `to_local` is used during the call only.
  static Result<SeasonalProfile> fit(std::span<const Sample> hourly, int weeks, TimeMs now,
                                     const LocalTime& to_local, int min_samples = 3);

  // The bin of a wall-clock time: Monday 00:00-00:59 is 0.
  static int bin_of(TimeMs wall);

  const ProfileBin& bin(int b) const { return bins_[static_cast<std::size_t>(b)]; }
  bool known(int b) const { return bin(b).samples >= min_samples_ && min_samples_ > 0; }
  int min_samples() const { return min_samples_; }
  // Whether it came of fit(): a default one has no bin known.
  bool fitted() const { return min_samples_ > 0; }

 private:
  std::array<ProfileBin, kBins> bins_{};
  int min_samples_ = 0;  // 0: nothing fitted, every bin unknown
};

struct AnomalyRule {
  double k = 3;                      // > 0, robust sigmas
  std::int64_t min_duration_ms = 0;  // ≥ 0
  double min_sigma = 0;              // ≥ 0, in the point's unit
};

class AnomalyCondition {
 public:
  // `to_local` maps each reading's time to its bin; it is kept, and must
  // not allocate (it runs for every reading). The profile is copied.
  AnomalyCondition(const AnomalyRule& rule, const SeasonalProfile& profile, LocalTime to_local);
  // The same with a profile shared with the caller (a rule set holds many
  // conditions; a profile is 2.7 kB). Null: every bin unknown.
  AnomalyCondition(const AnomalyRule& rule, std::shared_ptr<const SeasonalProfile> profile,
                   LocalTime to_local);

  ConditionChanges on_reading(TimeMs t, double value);
  // The start whose duration ended by `now`, if any.
  std::optional<ConditionChange> advance(TimeMs now) { return state_.advance(now); }
  // When a wait under way ends, if one is.
  std::optional<TimeMs> due() const { return state_.due(); }

  // How many robust sigmas `value` at `t` is from its bin's median; NaN in
  // an unknown bin. What the condition compares with k (for messages and
  // tests).
  double deviation(TimeMs t, double value) const;

  // A new profile for the readings from now on; what is present or under
  // way stays.
  void refit(const SeasonalProfile& profile);
  const SeasonalProfile& profile() const { return *profile_; }

  // Takes over what `older` has started or under way, the newest reading's
  // time and the count of late readings, keeping this one's rule, profile
  // and clock: a rule set rebuilt keeps an unchanged rule's state while
  // the clock of the set it came from may be gone (rule_set.h, adopt()).
  void take_state(const AnomalyCondition& older);

  bool present() const { return state_.present(); }
  // Takes the condition as present without a reading (an open alarm found
  // at start), dropping a start under way: the next reading that does not
  // satisfy it ends it.
  void assume_present() { state_.assume_present(); }
  // Forgets that it started and any wait under way (condition.h).
  void clear(TimeMs) { state_.clear(); }
  std::int64_t late_ignored() const { return late_ignored_; }

 private:
  bool off(TimeMs t, double value) const;

  AnomalyRule rule_;
  std::shared_ptr<const SeasonalProfile> profile_;  // never null
  LocalTime to_local_;
  DelayedChange state_;
  std::optional<TimeMs> newest_;
  std::int64_t late_ignored_ = 0;
};

}  // namespace citypulse::rules
