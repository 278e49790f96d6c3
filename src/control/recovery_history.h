// Finding a zone's warm-ups and cool-downs in its history, to teach optimal start
// (optimal_start.h): where the plant was asked for comfort and how long the zone took to get there.
//
// A recovery starts at a sample where
//  - the setpoint stepped towards comfort by at least kSetpointStep (a setback ending: up for a
//    warm-up, down for a cool-down), or the plant went from off to on (plant_on false → true);
//  - and the zone was at least kMinRecoveryKelvin short of the new setpoint.
// It ends at the first instant the zone comes within kReachedKelvin of the setpoint (interpolated
// linearly between the two samples around it); the observation's target is setpoint ∓
// kReachedKelvin, so the kelvin and the minutes describe the same climb. It is dropped when,
// before that, the setpoint changes, the plant goes off, two samples are more than `max_gap_ms`
// apart (the data cannot say when it got there), or `max_minutes` pass (the plant could not make
// it — a sick plant, not a rate). The outdoor temperature is the mean over its samples.
//
// Samples must be ordered by time (later duplicates of an instant are skipped); nothing is kept
// after the call.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "control/optimal_start.h"
#include "core/time.h"

namespace citypulse::control {

struct ZoneSample {
  TimeMs at = 0;
  double zone_temp = 0;
  double outdoor_temp = 0;
  double setpoint = 0;           // the setpoint in force (heating or cooling, as asked)
  std::optional<bool> plant_on;  // when the history has it
};

enum class RecoveryDirection { warmup, cooldown };

inline constexpr double kSetpointStep = 0.5;       // K
inline constexpr double kMinRecoveryKelvin = 1.0;  // K
inline constexpr double kReachedKelvin = 0.2;      // K

std::vector<RecoveryObservation> find_recoveries(std::span<const ZoneSample> samples,
                                                 RecoveryDirection direction,
                                                 TimeMs max_gap_ms = 30 * 60'000,
                                                 double max_minutes = 480);

}  // namespace citypulse::control
