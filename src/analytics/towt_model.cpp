#include "analytics/towt_model.h"

#include <Eigen/Dense>
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <numbers>
#include <optional>

#include "analytics/quantile.h"
#include "analytics/uk_calendar.h"

namespace citypulse::analytics {
namespace {

constexpr int kClosureColumns = 24;
constexpr int kNearbyWeeks = 4;

}  // namespace

std::optional<OccupiedHours> detect_occupied_hours(std::span<const double> hour_of_week_means,
                                                   double min_mode_contrast) {
  std::vector<double> means;
  for (const double mean : hour_of_week_means) {
    if (!std::isnan(mean)) means.push_back(mean);
  }
  std::sort(means.begin(), means.end());
  // The split of the sorted means into a low and a high group with the least within-group
  // sum of squares, by prefix sums.
  const std::size_t n = means.size();
  std::vector<double> prefix(n + 1, 0.0), prefix_sq(n + 1, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    prefix[i + 1] = prefix[i] + means[i];
    prefix_sq[i + 1] = prefix_sq[i] + means[i] * means[i];
  }
  auto within = [&](std::size_t a, std::size_t b) {  // [a, b)
    const double s = prefix[b] - prefix[a], k = static_cast<double>(b - a);
    return prefix_sq[b] - prefix_sq[a] - s * s / k;
  };
  double best = std::numeric_limits<double>::infinity();
  std::size_t split = 0;
  for (std::size_t i = 1; i < n; ++i) {
    const double w = within(0, i) + within(i, n);
    if (w < best) best = w, split = i;
  }
  if (split == 0) return std::nullopt;
  const double low = prefix[split] / split;
  const double high = (prefix[n] - prefix[split]) / (n - split);
  const double typical = sorted_quantile(means, 0.5);
  if (!(typical > 0) || (high - low) < min_mode_contrast * typical) return std::nullopt;
  const double threshold = (means[split - 1] + means[split]) / 2;
  OccupiedHours occupied{};
  for (std::size_t h = 0; h < occupied.size() && h < hour_of_week_means.size(); ++h) {
    const double mean = hour_of_week_means[h];
    occupied[h] = std::isnan(mean) || mean > threshold;
  }
  return occupied;
}

TowtOptions TowtOptions::plain_reference() {
  TowtOptions o;
  o.occupancy_modes = false;
  o.closure_days = false;
  o.weekend_temperature = false;
  o.recent_half_life_weeks = 0;
  o.annual_harmonics = 0;
  o.daily_temperature = false;
  return o;
}

TowtOptions TowtOptions::recommended() {
  return TowtOptions{};
}

int TowtModel::columns() const {
  const int modes = two_modes_ ? 2 : 1;
  const int day_types = options_.weekend_temperature ? 2 : 1;
  return kHoursPerWeek + (options_.closure_days ? kClosureColumns : 0) +
         modes * day_types * options_.temperature_segments + 2 * options_.annual_harmonics +
         (options_.daily_temperature ? 2 * modes : 0);
}

bool TowtModel::usable(const HourlyObservation& o) const {
  return std::isfinite(o.energy) && std::isfinite(o.temperature) &&
         (!options_.daily_temperature || std::isfinite(o.temperature_24h));
}

void fill_temperature_24h(std::span<HourlyObservation> hours) {
  // A window over the observations of the last 24 hours, moved along in time order.
  std::size_t first = 0;
  double sum = 0;
  int present = 0;
  for (std::size_t i = 0; i < hours.size(); ++i) {
    if (std::isfinite(hours[i].temperature)) sum += hours[i].temperature, ++present;
    while (hours[first].hour <= hours[i].hour - 24) {
      if (std::isfinite(hours[first].temperature)) sum -= hours[first].temperature, --present;
      ++first;
    }
    hours[i].temperature_24h =
        present >= 12 ? sum / present : std::numeric_limits<double>::quiet_NaN();
  }
}

void TowtModel::row(LocalHour hour, double temperature, double temperature_24h,
                    std::vector<Term>& out) const {
  out.clear();
  const int how = hour_of_week(hour);
  const bool closed = closed_on(local_day(hour));
  int column = kHoursPerWeek;
  if (options_.closure_days) {
    out.push_back({closed ? column + hour_of_day(hour) : how, 1.0});
    column += kClosureColumns;
  } else {
    out.push_back({how, 1.0});
  }
  // The temperature block of this hour: mode first, then weekday or weekend.
  const int mode = two_modes_ && (closed || !occupied_[how]) ? 1 : 0;
  temperature = temperature_range_[mode].clamp(temperature);
  temperature_24h = daily_range_[mode].clamp(temperature_24h);
  const int day_types = options_.weekend_temperature ? 2 : 1;
  const int weekend = options_.weekend_temperature && (closed || how >= 5 * 24) ? 1 : 0;
  const int segments = options_.temperature_segments;
  const int block = column + (mode * day_types + weekend) * segments;
  double below = -std::numeric_limits<double>::infinity();
  for (int j = 0; j < segments; ++j) {
    const double upper = j + 1 < segments ? knots_[j] : std::numeric_limits<double>::infinity();
    double v;
    if (j == 0) {
      v = std::min(temperature, upper);
    } else {
      v = std::max(0.0, std::min(temperature, upper) - below);
    }
    if (v != 0) out.push_back({block + j, v});
    below = upper;
  }
  column += (two_modes_ ? 2 : 1) * day_types * segments;
  if (options_.annual_harmonics > 0) {
    // The day of the year as an angle; 365.25 days a turn so leap years do not jump.
    const auto date = date_of(hour);
    const double day = static_cast<double>(local_day(hour) - days_from_civil(date.year, 1, 1)) +
                       hour_of_day(hour) / 24.0;
    const double angle = 2 * std::numbers::pi * day / 365.25;
    for (int k = 1; k <= options_.annual_harmonics; ++k) {
      out.push_back({column++, std::sin(k * angle)});
      out.push_back({column++, std::cos(k * angle)});
    }
  }
  if (options_.daily_temperature) {
    const int at = column + 2 * mode;
    const double base = options_.daily_balance_point;
    if (temperature_24h < base) out.push_back({at, base - temperature_24h});
    if (temperature_24h > base) out.push_back({at + 1, temperature_24h - base});
  }
}

Result<TowtModel> TowtModel::fit(std::span<const HourlyObservation> training,
                                 const TowtOptions& options) {
  if (options.temperature_segments < 1 || options.temperature_segments > 20) {
    return fail(ErrorCode::invalid, "temperature segments must be 1..20");
  }
  if (!options.fixed_knots.empty()) {
    if (static_cast<int>(options.fixed_knots.size()) != options.temperature_segments - 1 ||
        !std::is_sorted(options.fixed_knots.begin(), options.fixed_knots.end()) ||
        std::adjacent_find(options.fixed_knots.begin(), options.fixed_knots.end()) !=
            options.fixed_knots.end()) {
      return fail(ErrorCode::invalid, "fixed knots must be segments − 1 increasing values");
    }
  }
  if (options.annual_harmonics < 0 || options.recent_half_life_weeks < 0 || options.ridge < 0) {
    return fail(ErrorCode::invalid, "negative harmonics, half-life or ridge");
  }
  TowtModel m;
  m.options_ = options;
  std::vector<double> temperatures;
  LocalHour last = std::numeric_limits<LocalHour>::min();
  for (const auto& o : training) {
    if (!m.usable(o)) continue;
    temperatures.push_back(o.temperature);
    last = std::max(last, o.hour);
  }
  if (temperatures.empty()) return fail(ErrorCode::invalid, "no training hour has data");

  // Knots: fixed, or at the K-quantiles of the training temperatures.
  if (!options.fixed_knots.empty()) {
    m.knots_ = options.fixed_knots;
  } else {
    std::sort(temperatures.begin(), temperatures.end());
    for (int j = 1; j < options.temperature_segments; ++j) {
      m.knots_.push_back(sorted_quantile(temperatures, double(j) / options.temperature_segments));
    }
  }

  if (options.closure_days) m.detect_closures(training);

  // Modes: two-means on the hour-of-week mean loads (closure days left out, they are
  // not what the schedule looks like).
  if (options.occupancy_modes) {
    std::vector<double> sum(kHoursPerWeek, 0.0);
    std::vector<int> count(kHoursPerWeek, 0);
    for (const auto& o : training) {
      if (!m.usable(o) || m.closed_on(local_day(o.hour))) continue;
      sum[hour_of_week(o.hour)] += o.energy;
      ++count[hour_of_week(o.hour)];
    }
    std::vector<double> mean_of(kHoursPerWeek, std::numeric_limits<double>::quiet_NaN());
    for (int h = 0; h < kHoursPerWeek; ++h) {
      if (count[h] > 0) mean_of[h] = sum[h] / count[h];
    }
    if (const auto occupied = detect_occupied_hours(mean_of, options.min_mode_contrast)) {
      m.two_modes_ = true;
      m.occupied_.assign(occupied->begin(), occupied->end());
    }
  }

  // Each mode's temperature ranges, which predictions are held within.
  {
    std::array<Range, 2> t, d;
    for (auto& r : t)
      r = {std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()};
    d = t;
    for (const auto& o : training) {
      if (!m.usable(o)) continue;
      const int how = hour_of_week(o.hour);
      const int mode =
          m.two_modes_ && (m.closed_on(local_day(o.hour)) || !m.occupied_[how]) ? 1 : 0;
      t[mode].low = std::min(t[mode].low, o.temperature);
      t[mode].high = std::max(t[mode].high, o.temperature);
      if (!std::isnan(o.temperature_24h)) {
        d[mode].low = std::min(d[mode].low, o.temperature_24h);
        d[mode].high = std::max(d[mode].high, o.temperature_24h);
      }
    }
    for (int mode = 0; mode < 2; ++mode) {
      if (t[mode].low <= t[mode].high) m.temperature_range_[mode] = t[mode];
      if (d[mode].low <= d[mode].high) m.daily_range_[mode] = d[mode];
    }
  }

  // Weighted normal equations from the sparse rows.
  const int p = m.columns();
  Eigen::MatrixXd xtx = Eigen::MatrixXd::Zero(p, p);
  Eigen::VectorXd xty = Eigen::VectorXd::Zero(p);
  std::vector<Term> terms;
  const double decay = options.recent_half_life_weeks > 0
                           ? std::log(2.0) / (options.recent_half_life_weeks * 168)
                           : 0.0;
  for (const auto& o : training) {
    if (!m.usable(o)) continue;
    ++m.training_hours_;
    const double w = decay > 0 ? std::exp(-decay * static_cast<double>(last - o.hour)) : 1.0;
    m.row(o.hour, o.temperature, o.temperature_24h, terms);
    for (const auto& a : terms) {
      xty[a.column] += w * a.value * o.energy;
      for (const auto& b : terms) xtx(a.column, b.column) += w * a.value * b.value;
    }
  }
  for (int j = 0; j < p; ++j) m.parameters_ += xtx(j, j) > 0 ? 1 : 0;
  if (m.training_hours_ <= static_cast<std::size_t>(m.parameters_)) {
    return fail(ErrorCode::invalid, "too few training hours (" + std::to_string(m.training_hours_) +
                                        ") for " + std::to_string(m.parameters_) + " parameters");
  }
  const double scale = xtx.diagonal().mean();
  xtx.diagonal().array() += options.ridge * scale;
  const Eigen::LDLT<Eigen::MatrixXd> solver(xtx);
  if (solver.info() != Eigen::Success) {
    return fail(ErrorCode::internal, "the normal equations could not be solved");
  }
  const Eigen::VectorXd beta = solver.solve(xty);
  if (!beta.allFinite()) return fail(ErrorCode::internal, "the fit is not finite");
  m.coefficients_.assign(beta.data(), beta.data() + p);
  return m;
}

bool TowtModel::closed_on(std::int64_t day) const {
  return options_.closure_days && closes_on_[static_cast<int>(uk_holiday(day))];
}

void TowtModel::detect_closures(std::span<const HourlyObservation> training) {
  // Mean energy an hour per day, for days with most of their hours present.
  std::map<std::int64_t, std::pair<double, int>> days;
  for (const auto& o : training) {
    if (!usable(o)) continue;
    auto& d = days[local_day(o.hour)];
    d.first += o.energy;
    ++d.second;
  }
  auto level = [&](std::int64_t day) -> std::optional<double> {
    const auto d = days.find(day);
    if (d == days.end() || d->second.second < 20) return std::nullopt;
    return d->second.first / d->second.second;
  };
  // The mean level of the ordinary days (no holiday of any kind) among `day` ± k weeks.
  auto nearby = [&](std::int64_t day) -> std::optional<double> {
    double sum = 0;
    int count = 0;
    for (int k = -kNearbyWeeks; k <= kNearbyWeeks; ++k) {
      const auto other = day + 7 * k;
      const auto l = level(other);
      if (k == 0 || !l || uk_holiday(other) != UkHoliday::none) continue;
      sum += *l;
      ++count;
    }
    if (count == 0) return std::nullopt;
    return sum / count;
  };
  // Each weekday of a holiday kind compares its level with the same weekday and with
  // Sunday in the weeks around it (not over the year: a mild May Monday is below the
  // year's mean Monday whether the building closes or not).
  std::array<int, kUkHolidayKinds> votes{};
  for (const auto& [day, d] : days) {
    const auto kind = static_cast<int>(uk_holiday(day));
    const int dow = day_of_week(day * 24);
    if (kind == 0 || dow >= 5) continue;
    const auto here = level(day);
    const auto usual = nearby(day);
    const auto sunday = nearby(day + (6 - dow));
    if (!here || !usual || !sunday) continue;
    votes[kind] += std::abs(*here - *sunday) < std::abs(*here - *usual) ? 1 : -1;
  }
  for (int k = 1; k < kUkHolidayKinds; ++k) closes_on_[k] = votes[k] > 0;
}

double TowtModel::predict(LocalHour hour, double temperature, double temperature_24h) const {
  if (!std::isfinite(temperature) ||
      (options_.daily_temperature && !std::isfinite(temperature_24h))) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  std::vector<Term> terms;
  row(hour, temperature, temperature_24h, terms);
  double sum = 0;
  for (const auto& t : terms) sum += coefficients_[t.column] * t.value;
  return sum;
}

std::vector<double> TowtModel::predict(std::span<const HourlyObservation> hours) const {
  std::vector<double> out;
  out.reserve(hours.size());
  for (const auto& o : hours) out.push_back(predict(o.hour, o.temperature, o.temperature_24h));
  return out;
}

}  // namespace citypulse::analytics
