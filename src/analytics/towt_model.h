// The time-of-week-and-temperature (TOWT) baseline model of a meter's hourly energy.
//
// After Mathieu, Price, Kiliccote and Piette (LBNL, 2011) and CalTRACK's hourly method:
//
//   E(h) = α[how(h)] + Σ_j β[mode(h)][j] · T_j(h)  (+ the optional terms below)
//
// - α: one level per hour of the week (168 indicators, Monday 00:00 first, from the
//   naive local time), no separate intercept.
// - T_j: the outdoor temperature split into K segments (K = 6) at K − 1 knots
//   B_1 < … < B_{K−1}: T_1 = min(T, B_1), T_j = max(0, min(T, B_j) − B_{j−1}),
//   T_K = max(0, T − B_{K−1}); so Σ β_j T_j is continuous and piecewise linear in T
//   with slope β_j in segment j. The knots are the training temperatures' K-quantiles
//   (equal-count segments) unless fixed knots are given.
// - mode: occupied or unoccupied, each with its own temperature slopes (the LBNL model).
//   Detected from the data: the 168 hour-of-week mean loads are split into two groups by
//   the threshold that minimises the within-group sum of squares (an exact 1-D two-means);
//   hours above it are occupied. When the two groups' means differ by less than
//   `min_mode_contrast` of the typical (median) hour-of-week load, the building has no
//   schedule worth the name and every hour is one mode.
//
// Outside the temperatures a mode was trained on, its response is held flat: an hour's
// temperature (and T24) is clamped to the range of that mode's training hours before the
// terms are formed. A segment the mode's hours barely reach has a slope fitted on a handful
// of hours, and carried on beyond them it can take a forecast anywhere; flat is never
// further off than the edge of what was seen. (On the Cambridge buildings, whose test years
// stay within their training ranges almost everywhere, it changes no figure.)
//
// Optional terms (see TowtOptions; measured on the Cambridge buildings, docs/analytics.md):
// - closure days (on by default): the kinds of UK holiday (uk_calendar.h: the Christmas
//   closure, Good Friday, Easter Monday, each bank holiday) on which the training data
//   show the building closed — a weekday of that kind whose mean load is nearer that of
//   the Sundays than that of the same weekday in the four weeks either side votes
//   "closed", the majority decides — get 24
//   hour-of-day levels of their own in place of their hour-of-week levels, and the
//   unoccupied temperature slopes. Kinds the building works through stay ordinary days;
// - daily temperature (on by default): per mode, heating and cooling degrees of the mean
//   temperature of the last 24 hours against a balance point (15 °C), max(0, 15 − T24)
//   and max(0, T24 − 15): the load of a building with thermal mass (and of night storage
//   heaters) follows the day's weather as well as the hour's;
// - separate temperature slopes on weekends (off: no measurable gain);
// - exponentially more weight on recent weeks, a half-life in weeks (off: it helps the
//   erratic building and hurts one whose load grew, see the docs);
// - a time-of-year term, sine and cosine harmonics of the day of the year (off: it
//   competes with the temperature terms and raised the held-out error).
//
// The fit is weighted least squares on the hours where both the energy and the
// temperature are present (NaN = missing), by the normal equations XᵀWX β = XᵀWy: each
// row of X has at most a few dozen non-zeros (one indicator, a few temperature
// components), so XᵀWX (about 200 × 200) is built in O(n · nnz²) instead of the O(n · p²)
// a QR of the dense 8,760 × 200 X would cost, and solved by LDLᵀ. A small ridge
// (`ridge` × the mean diagonal of XᵀWX) makes that solvable when the data do not
// determine every column: a segment no training temperature falls in, an hour of the week
// with no reading, the first segment constant where every temperature is above B_1. A
// column without data then gets a 0 coefficient; the ridge is far too small to bias the
// others measurably. The columns are indicators and temperatures of order 10, so squaring
// the condition number in the normal equations costs no accuracy that matters here.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <optional>
#include <span>
#include <vector>

#include "analytics/local_hour.h"
#include "core/result.h"

namespace citypulse::analytics {

struct HourlyObservation {
  LocalHour hour = 0;
  double temperature = 0;  // outdoor air, °C; NaN when missing
  double energy = 0;       // energy in the hour; NaN when missing (ignored by predict)
  // The mean outdoor temperature of the 24 hours up to and including this one (the
  // building's thermal mass answers to it); needed when TowtOptions::daily_temperature
  // is on, NaN when not known. fill_temperature_24h() computes it from a series.
  double temperature_24h = std::numeric_limits<double>::quiet_NaN();
};

// Sets each observation's temperature_24h from the temperatures of the observations
// (in time order) within the 24 hours up to it: their mean when at least 12 are present,
// else NaN.
void fill_temperature_24h(std::span<HourlyObservation> hours);

// Which hours of the week a building is occupied, by hour of the week (0 = Monday 00:00).
using OccupiedHours = std::array<bool, kHoursPerWeek>;

// The occupancy modes' detection, for any caller that has the 168 hour-of-week mean loads
// (`hour_of_week_means`, NaN for an hour without data): the exact two-means split above, the
// hours above it occupied, and an hour without data occupied (its level is unknown anyway).
// nullopt when the building has no schedule worth the name: fewer than two hours have data,
// the typical (median) load is not positive, or the two groups' means differ by less than
// `min_mode_contrast` of it.
std::optional<OccupiedHours> detect_occupied_hours(std::span<const double> hour_of_week_means,
                                                   double min_mode_contrast);

struct TowtOptions {
  int temperature_segments = 6;
  std::vector<double> fixed_knots;  // temperature_segments − 1 increasing knots; empty: quantiles
  bool occupancy_modes = true;
  double min_mode_contrast = 0.1;
  bool closure_days = true;
  bool weekend_temperature = false;
  double recent_half_life_weeks = 0;  // 0: every training week weighs the same
  int annual_harmonics = 0;
  bool daily_temperature = true;
  double daily_balance_point = 15;  // °C
  double ridge = 1e-9;

  // The plain TOWT the bench compares against: ordinary least squares on 168 hour-of-week
  // indicators and one 6-segment piecewise-linear temperature response; no modes, no
  // closure days, no daily temperature, no weighting, no time-of-year.
  static TowtOptions plain_reference();
  // The model as recommended by the validation on the Cambridge buildings.
  static TowtOptions recommended();
};

class TowtModel {
 public:
  // Fails with invalid when options are inconsistent or fewer hours have data than the
  // model has columns with data.
  static Result<TowtModel> fit(std::span<const HourlyObservation> training,
                               const TowtOptions& options);

  // NaN when the temperature (or, with daily_temperature, the 24-hour mean) is missing.
  double predict(LocalHour hour, double temperature,
                 double temperature_24h = std::numeric_limits<double>::quiet_NaN()) const;
  std::vector<double> predict(std::span<const HourlyObservation> hours) const;

  // Coefficients the data determined (columns with at least one non-zero training value):
  // the p of the fit statistics' degrees of freedom.
  int parameters() const { return parameters_; }
  // Hours the fit used.
  std::size_t training_hours() const { return training_hours_; }
  bool occupied(int hour_of_week) const { return occupied_[hour_of_week]; }
  const std::vector<double>& knots() const { return knots_; }
  const TowtOptions& options() const { return options_; }

 private:
  TowtModel() = default;
  struct Term {
    int column;
    double value;
  };
  // The non-zero entries of an hour's row of X.
  void row(LocalHour hour, double temperature, double temperature_24h,
           std::vector<Term>& out) const;
  bool usable(const HourlyObservation& o) const;
  int columns() const;
  bool closed_on(std::int64_t day) const;
  // Which kinds of holiday (uk_calendar.h) this building closes on, by its training data.
  void detect_closures(std::span<const HourlyObservation> training);

  TowtOptions options_;
  std::vector<double> knots_;
  std::vector<bool> occupied_ = std::vector<bool>(kHoursPerWeek, true);
  bool two_modes_ = false;
  // Per mode (occupied, unoccupied): the training hours' temperature and T24 ranges.
  struct Range {
    double low = -std::numeric_limits<double>::infinity();
    double high = std::numeric_limits<double>::infinity();
    double clamp(double v) const { return std::isnan(v) ? v : std::clamp(v, low, high); }
  };
  std::array<Range, 2> temperature_range_, daily_range_;
  std::array<bool, 8> closes_on_{};  // by UkHoliday
  std::vector<double> coefficients_;
  int parameters_ = 0;
  std::size_t training_hours_ = 0;
};

}  // namespace citypulse::analytics
