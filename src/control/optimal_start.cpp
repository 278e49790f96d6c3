#include "control/optimal_start.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>

#include "model/json_fields.h"

namespace citypulse::control {
namespace {

constexpr double kHeating = -1;  // colder outside: slower warm-up, so b <= 0
constexpr double kCooling = +1;  // hotter outside: slower cool-down, so b >= 0

bool finite(std::initializer_list<double> values) {
  return std::all_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); });
}

boost::json::object fit_to_json(const RecoveryFit& f) {
  return {{"weight", f.weight}, {"sum_x", f.sum_x},   {"sum_y", f.sum_y},
          {"sum_xx", f.sum_xx}, {"sum_xy", f.sum_xy}, {"observations", f.observations}};
}

Result<RecoveryFit> fit_from_json(const JsonFields& parent, std::string_view name) {
  RecoveryFit fit;
  if (!parent.has(name)) return fit;
  auto fields = JsonFields::of(*parent.get(name),
                               {"weight", "sum_x", "sum_y", "sum_xx", "sum_xy", "observations"},
                               parent.pointer(name));
  if (!fields) return fail(fields.error());
  for (auto [member, value, min] :
       {std::tuple{"weight", &fit.weight, 0.0}, std::tuple{"sum_x", &fit.sum_x, -1e12},
        std::tuple{"sum_y", &fit.sum_y, 0.0}, std::tuple{"sum_xx", &fit.sum_xx, 0.0},
        std::tuple{"sum_xy", &fit.sum_xy, -1e12}}) {
    auto v = fields->number(member, true, min, 1e12);
    if (!v) return fail(v.error());
    *value = **v;
  }
  auto n = fields->integer("observations", true, 0, std::int64_t{1} << 53);
  if (!n) return fail(n.error());
  fit.observations = **n;
  return fit;
}

}  // namespace

Status validate(const OptimalStartConfig& c) {
  const auto bad = [](std::string_view member, std::string message) {
    return fail(ErrorCode::invalid, std::move(message), fmt::format("/config/{}", member));
  };
  if (!finite({c.default_minutes_per_kelvin, c.min_minutes_per_kelvin, c.max_minutes_per_kelvin,
               c.max_lead_minutes, c.forgetting, c.min_outdoor_spread, c.min_recovery_kelvin}))
    return fail(ErrorCode::invalid, "every setting must be a finite number", "/config");
  if (!(c.min_minutes_per_kelvin > 0))
    return bad("min_minutes_per_kelvin", "the least minutes per kelvin must be above 0");
  if (c.max_minutes_per_kelvin < c.min_minutes_per_kelvin)
    return bad("max_minutes_per_kelvin", "the most minutes per kelvin is below the least");
  if (c.default_minutes_per_kelvin < c.min_minutes_per_kelvin ||
      c.default_minutes_per_kelvin > c.max_minutes_per_kelvin)
    return bad("default_minutes_per_kelvin",
               "the default minutes per kelvin is outside the bounds");
  if (c.max_lead_minutes < 0 || c.max_lead_minutes > 1440)
    return bad("max_lead_minutes", "the longest lead is 0 to 1440 minutes");
  if (!(c.forgetting > 0) || c.forgetting > 1)
    return bad("forgetting", "forgetting is a factor in (0, 1]");
  if (c.min_observations < 1) return bad("min_observations", "at least 1 observation");
  if (c.min_outdoor_spread < 0) return bad("min_outdoor_spread", "the spread is not negative");
  if (c.min_recovery_kelvin < 0)
    return bad("min_recovery_kelvin", "the least recovery is not negative");
  return {};
}

Result<OptimalStart> OptimalStart::make(OptimalStartConfig config) {
  if (auto ok = validate(config); !ok) return fail(ok.error());
  OptimalStart model;
  model.config_ = config;
  return model;
}

Status OptimalStart::observe(RecoveryFit& fit, const RecoveryObservation& o, double direction) {
  if (!finite({o.start_temp, o.target_temp, o.outdoor_temp, o.minutes}))
    return fail(ErrorCode::invalid, "a recovery's temperatures and minutes must be finite");
  if (!(o.minutes > 0)) return fail(ErrorCode::invalid, "a recovery takes more than 0 minutes");
  // direction: +1 heating (target above start), −1 cooling.
  const double kelvin = (o.target_temp - o.start_temp) * direction;
  if (kelvin < config_.min_recovery_kelvin || kelvin <= 0)
    return fail(ErrorCode::invalid,
                fmt::format("a recovery of {:.2f} K tells too little (at least {} K {})", kelvin,
                            config_.min_recovery_kelvin, direction > 0 ? "up" : "down"));
  const double y = std::clamp(o.minutes / kelvin, config_.min_minutes_per_kelvin,
                              config_.max_minutes_per_kelvin);
  const double x = o.outdoor_temp;
  const double keep = config_.forgetting;
  fit.weight = fit.weight * keep + 1;
  fit.sum_x = fit.sum_x * keep + x;
  fit.sum_y = fit.sum_y * keep + y;
  fit.sum_xx = fit.sum_xx * keep + x * x;
  fit.sum_xy = fit.sum_xy * keep + x * y;
  ++fit.observations;
  return {};
}

Status OptimalStart::observe_warmup(const RecoveryObservation& warmup) {
  return observe(warmup_, warmup, +1);
}

Status OptimalStart::observe_cooldown(const RecoveryObservation& cooldown) {
  return observe(cooldown_, cooldown, -1);
}

double OptimalStart::rate(const RecoveryFit& fit, double outdoor_temp, double physical_sign) const {
  const auto clamp = [this](double r) {
    return std::clamp(r, config_.min_minutes_per_kelvin, config_.max_minutes_per_kelvin);
  };
  if (fit.observations < config_.min_observations || !(fit.weight > 0))
    return config_.default_minutes_per_kelvin;
  const double mean_x = fit.sum_x / fit.weight;
  const double mean_y = fit.sum_y / fit.weight;
  const double var_x = std::max(0.0, fit.sum_xx / fit.weight - mean_x * mean_x);
  if (var_x < config_.min_outdoor_spread * config_.min_outdoor_spread || var_x <= 0)
    return clamp(mean_y);
  const double slope = (fit.sum_xy / fit.weight - mean_x * mean_y) / var_x;
  if (slope * physical_sign < 0) return clamp(mean_y);
  return clamp(mean_y + slope * (outdoor_temp - mean_x));
}

double OptimalStart::warmup_minutes_per_kelvin(double outdoor_temp) const {
  return rate(warmup_, outdoor_temp, kHeating);
}

double OptimalStart::cooldown_minutes_per_kelvin(double outdoor_temp) const {
  return rate(cooldown_, outdoor_temp, kCooling);
}

double OptimalStart::lead_time(double zone_temp, double setpoint, double outdoor_temp) const {
  if (!finite({zone_temp, setpoint, outdoor_temp})) return config_.max_lead_minutes;
  if (zone_temp >= setpoint) return 0;
  return std::min(config_.max_lead_minutes,
                  warmup_minutes_per_kelvin(outdoor_temp) * (setpoint - zone_temp));
}

double OptimalStart::cooldown_lead_time(double zone_temp, double setpoint,
                                        double outdoor_temp) const {
  if (!finite({zone_temp, setpoint, outdoor_temp})) return config_.max_lead_minutes;
  if (zone_temp <= setpoint) return 0;
  return std::min(config_.max_lead_minutes,
                  cooldown_minutes_per_kelvin(outdoor_temp) * (zone_temp - setpoint));
}

boost::json::object OptimalStart::to_json() const {
  const auto& c = config_;
  boost::json::object config{{"default_minutes_per_kelvin", c.default_minutes_per_kelvin},
                             {"min_minutes_per_kelvin", c.min_minutes_per_kelvin},
                             {"max_minutes_per_kelvin", c.max_minutes_per_kelvin},
                             {"max_lead_minutes", c.max_lead_minutes},
                             {"forgetting", c.forgetting},
                             {"min_observations", c.min_observations},
                             {"min_outdoor_spread", c.min_outdoor_spread},
                             {"min_recovery_kelvin", c.min_recovery_kelvin}};
  return {{"config", std::move(config)},
          {"warmup", fit_to_json(warmup_)},
          {"cooldown", fit_to_json(cooldown_)}};
}

Result<OptimalStart> OptimalStart::from_json(const boost::json::value& json) {
  auto doc = JsonFields::of(json, {"config", "warmup", "cooldown"});
  if (!doc) return fail(doc.error());
  OptimalStartConfig config;
  if (doc->has("config")) {
    auto fields = JsonFields::of(*doc->get("config"),
                                 {"default_minutes_per_kelvin", "min_minutes_per_kelvin",
                                  "max_minutes_per_kelvin", "max_lead_minutes", "forgetting",
                                  "min_observations", "min_outdoor_spread", "min_recovery_kelvin"},
                                 "/config");
    if (!fields) return fail(fields.error());
    for (auto [member, value] :
         {std::pair{"default_minutes_per_kelvin", &config.default_minutes_per_kelvin},
          std::pair{"min_minutes_per_kelvin", &config.min_minutes_per_kelvin},
          std::pair{"max_minutes_per_kelvin", &config.max_minutes_per_kelvin},
          std::pair{"max_lead_minutes", &config.max_lead_minutes},
          std::pair{"forgetting", &config.forgetting},
          std::pair{"min_outdoor_spread", &config.min_outdoor_spread},
          std::pair{"min_recovery_kelvin", &config.min_recovery_kelvin}}) {
      auto v = fields->number(member, false);
      if (!v) return fail(v.error());
      if (*v) *value = **v;
    }
    auto n = fields->integer("min_observations", false, 1, 1'000'000);
    if (!n) return fail(n.error());
    if (*n) config.min_observations = static_cast<int>(**n);
  }
  auto model = make(config);
  if (!model) return fail(model.error());
  auto warmup = fit_from_json(*doc, "warmup");
  if (!warmup) return fail(warmup.error());
  auto cooldown = fit_from_json(*doc, "cooldown");
  if (!cooldown) return fail(cooldown.error());
  model->warmup_ = *warmup;
  model->cooldown_ = *cooldown;
  return model;
}

TimeMs plant_start_time(TimeMs occupied_at, double lead_minutes) {
  if (!std::isfinite(lead_minutes) || lead_minutes <= 0) return occupied_at;
  return occupied_at - static_cast<TimeMs>(std::ceil(std::min(lead_minutes, 1e6))) * 60'000;
}

}  // namespace citypulse::control
