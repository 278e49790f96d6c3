// Optimal start: how long before occupancy a zone's plant must start so that the zone reaches its
// occupied setpoint when the people arrive, learned per zone from its own warm-ups (and, for
// cooling, its cool-downs).
//
// The model: the minutes a zone needs per kelvin of recovery are a straight line in the outdoor
// temperature, rate(T_out) = a + b·T_out, so
//     lead = rate(T_out) · (setpoint − zone temperature)        (heating; 0 when already warm)
// clamped to [0, max_lead_minutes]. Each observed recovery gives one point (T_out, minutes / K);
// the line is the weighted least-squares fit through them, with exponential forgetting: at each
// new observation the weight of every earlier one is multiplied by `forgetting` (0.95: the last
// ~20 recoveries count), so the model follows the seasons and a retrofit. Guards:
//  - until min_observations recoveries were seen, rate = default_minutes_per_kelvin;
//  - when the outdoor temperatures seen spread less than min_outdoor_spread (weighted standard
//    deviation), the slope is not trusted: rate = the weighted mean;
//  - a slope of the unphysical sign (heating faster in the cold; cooling faster in the heat,
//    both from noise) is dropped the same way;
//  - rate is clamped to [min_minutes_per_kelvin, max_minutes_per_kelvin].
// Cool-down (pre-cooling to a cooling setpoint) is the same model, learned separately.
//
// The learned state and the configuration serialise to JSON (to_json / from_json), so a restart
// loses nothing. Not thread-safe; one per zone.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>

#include "core/result.h"
#include "core/time.h"

namespace citypulse::control {

struct OptimalStartConfig {
  double default_minutes_per_kelvin = 20;  // a medium-weight building before any data
  double min_minutes_per_kelvin = 1;
  double max_minutes_per_kelvin = 180;
  double max_lead_minutes = 240;
  double forgetting = 0.95;          // (0, 1]: the weight an observation keeps at each new one
  int min_observations = 3;          // before the learned rate replaces the default
  double min_outdoor_spread = 2.0;   // K, before the slope in outdoor temperature is used
  double min_recovery_kelvin = 0.5;  // smaller recoveries are refused as observations
  bool operator==(const OptimalStartConfig&) const = default;
};

// invalid (field the member's JSON pointer) for non-finite values, bounds out of order (0 <
// min_minutes_per_kelvin <= default <= max_minutes_per_kelvin), max_lead_minutes outside 0..1440,
// forgetting outside (0, 1], min_observations < 1, a negative spread or recovery.
Status validate(const OptimalStartConfig& config);

// One recovery as seen: from start_temp, the zone reached target_temp after `minutes`, while
// the outdoor temperature averaged outdoor_temp.
struct RecoveryObservation {
  double start_temp = 0;
  double target_temp = 0;
  double outdoor_temp = 0;
  double minutes = 0;
};

// The fit for one direction: discounted sums of weight, x = outdoor, y = minutes per kelvin.
struct RecoveryFit {
  double weight = 0, sum_x = 0, sum_y = 0, sum_xx = 0, sum_xy = 0;
  std::int64_t observations = 0;  // all ever seen
  bool operator==(const RecoveryFit&) const = default;
};

class OptimalStart {
 public:
  // With the defaults and nothing learned.
  OptimalStart() = default;
  // invalid as validate() says.
  static Result<OptimalStart> make(OptimalStartConfig config);

  // Learns from a warm-up (target above start). invalid, learning nothing, when a value is not
  // finite, minutes <= 0, or the rise is under min_recovery_kelvin. A warm-up slower or faster than
  // the rate bounds allow is kept, clamped to them: a plant that was off for part of it says
  // little, but it does say "slow".
  Status observe_warmup(const RecoveryObservation& warmup);
  // The same for a cool-down (target below start).
  Status observe_cooldown(const RecoveryObservation& cooldown);

  // Minutes the plant must start before occupancy to heat from zone_temp to setpoint at this
  // outdoor temperature; 0 when zone_temp >= setpoint; at most max_lead_minutes. Non-finite input
  // gives max_lead_minutes (start early rather than late).
  double lead_time(double zone_temp, double setpoint, double outdoor_temp) const;
  // The same for cooling down to a cooling setpoint; 0 when zone_temp <= setpoint.
  double cooldown_lead_time(double zone_temp, double setpoint, double outdoor_temp) const;

  // The model's minutes per kelvin at an outdoor temperature, bounds applied.
  double warmup_minutes_per_kelvin(double outdoor_temp) const;
  double cooldown_minutes_per_kelvin(double outdoor_temp) const;

  const OptimalStartConfig& config() const { return config_; }
  const RecoveryFit& warmup_fit() const { return warmup_; }
  const RecoveryFit& cooldown_fit() const { return cooldown_; }

  // {"config": {...}, "warmup": {...}, "cooldown": {...}}; from_json reads it back equal (the
  // sums to within a unit in the last place: Boost.JSON 1.81 does not parse doubles exactly), and
  // fails with invalid (with the JSON pointer) on anything else: missing members, negative
  // weights or counts, a config validate() refuses. A document without "warmup"/"cooldown" is a
  // model that has learned nothing yet.
  boost::json::object to_json() const;
  static Result<OptimalStart> from_json(const boost::json::value& json);

 private:
  double rate(const RecoveryFit& fit, double outdoor_temp, double physical_sign) const;
  Status observe(RecoveryFit& fit, const RecoveryObservation& o, double direction);

  OptimalStartConfig config_;
  RecoveryFit warmup_;
  RecoveryFit cooldown_;
};

// When the plant must start for a zone occupied at `occupied_at` with `lead_minutes` of lead:
// occupied_at minus the lead rounded up to a whole minute (a write a few seconds early is harmless,
// late is not).
TimeMs plant_start_time(TimeMs occupied_at, double lead_minutes);

}  // namespace citypulse::control
