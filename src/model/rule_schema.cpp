#include "model/rule_schema.h"

#include <array>

#include "model/alarm.h"
#include "model/schema_impl.h"
#include "model/vocabulary.h"

namespace citypulse {
namespace {

using F = FieldType;

constexpr std::string_view kTypes[] = {"threshold_high", "threshold_low", "bounds",
                                       "rate_of_change", "flatline",      "stale",
                                       "expression",     "anomaly"};
constexpr std::string_view kStatuses[] = {"enabled", "disabled"};
constexpr std::string_view kDirections[] = {"rise", "fall", "either"};

struct TypeParameters {
  std::string_view type;
  std::span<const std::string_view> parameters;  // the ones it takes
  std::span<const std::string_view> required;
};

constexpr std::string_view kThreshold[] = {"threshold", "deadband", "on_delay_s", "off_delay_s"};
constexpr std::string_view kLimit[] = {"threshold"};
constexpr std::string_view kBounds[] = {"min_value", "max_value"};
constexpr std::string_view kRate[] = {"max_change", "window_s", "direction"};
constexpr std::string_view kRateRequired[] = {"max_change", "window_s"};
constexpr std::string_view kFlatline[] = {"tolerance", "duration_s"};
constexpr std::string_view kDuration[] = {"duration_s"};
constexpr std::string_view kStale[] = {"interval_factor", "duration_s"};
constexpr std::string_view kExpression[] = {"expression"};
constexpr std::string_view kAnomaly[] = {"sigmas", "weeks", "duration_s", "min_sigma"};
constexpr std::string_view kAnomalyRequired[] = {"sigmas"};

constexpr TypeParameters kTypeParameters[] = {
    {"threshold_high", kThreshold, kLimit},
    {"threshold_low", kThreshold, kLimit},
    {"bounds", kBounds, {}},
    {"rate_of_change", kRate, kRateRequired},
    {"flatline", kFlatline, kDuration},
    {"stale", kStale, {}},
    {"expression", kExpression, kExpression},
    {"anomaly", kAnomaly, kAnomalyRequired},
};

// Every parameter field, whichever type takes it.
constexpr std::string_view kAllParameters[] = {
    "threshold",  "deadband", "on_delay_s", "off_delay_s", "min_value",  "max_value",
    "max_change", "window_s", "direction",  "tolerance",   "duration_s", "interval_factor",
    "expression", "sigmas",   "weeks",      "min_sigma"};

// The points an expression names are its own; it takes no scope beyond a
// building (the alarms' and the access rules').
constexpr std::string_view kScopeFields[] = {"space_id", "equipment_id", "point_id", "device_id",
                                             "quantity"};

bool has(std::span<const std::string_view> names, std::string_view name) {
  for (auto n : names)
    if (n == name) return true;
  return false;
}

// Whether the field holds a value (an empty text is no value).
bool given(const Rule& r, std::string_view name) {
  const auto* f = find_field(rule_schema(), name);
  return std::visit(
      [&](auto member) -> bool {
        const auto& v = r.*member;
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, std::string>)
          return !v.empty();
        else if constexpr (requires { v.has_value(); })
          return v.has_value();
        else
          return true;
      },
      f->member);
}

Status check_rule(const Rule& r) {
  const TypeParameters* type = nullptr;
  for (const auto& t : kTypeParameters)
    if (t.type == r.type) type = &t;
  if (!type) return fail(ErrorCode::invalid, "'type' is not a rule type", "/type");
  for (auto p : kAllParameters)
    if (given(r, p) && !has(type->parameters, p))
      return fail(ErrorCode::invalid,
                  fmt::format("'{}' does not apply to a {} rule; it takes: {}", p, r.type,
                              fmt::join(type->parameters, ", ")),
                  fmt::format("/{}", p));
  for (auto p : type->required)
    if (!given(r, p))
      return fail(ErrorCode::invalid, fmt::format("a {} rule needs '{}'", r.type, p),
                  fmt::format("/{}", p));
  if (r.type == "expression") {
    for (auto s : kScopeFields)
      if (given(r, s))
        return fail(ErrorCode::invalid,
                    fmt::format("'{}' does not apply to an expression rule: its points are the "
                                "ones the expression names",
                                s),
                    fmt::format("/{}", s));
  } else if (!r.building_id && !r.space_id && !r.equipment_id && !r.point_id && !r.device_id &&
             r.quantity.empty()) {
    return fail(ErrorCode::invalid,
                "a rule needs a scope: a point_id, or a building_id, space_id, equipment_id, "
                "device_id or quantity its points share",
                "/point_id");
  }
  if (r.min_value && r.max_value && *r.min_value >= *r.max_value)
    return fail(ErrorCode::invalid, "'min_value' must be less than 'max_value'", "/min_value");
  if (r.type == "stale" && !r.interval_factor && !r.duration_s)
    return fail(ErrorCode::invalid,
                "a stale rule needs 'interval_factor' (times each point's expected interval), "
                "'duration_s', or both (for points without an expected interval)",
                "/interval_factor");
  return {};
}

constexpr std::int64_t kWeek = 7 * 86'400;

const FieldSpec<Rule> kRuleFields[] = {
    {.name = "name",
     .type = F::text,
     .member = &Rule::name,
     .required = true,
     .min = 1,
     .max = 200},
    {.name = "description", .type = F::text, .member = &Rule::description, .max = 2000},
    {.name = "type",
     .type = F::choice,
     .member = &Rule::type,
     .required = true,
     .choices = kTypes,
     .description = "The condition: a limit, the point's bounds, a rate of change, a flat value, "
                    "silence, or an expression over several points."},
    {.name = "severity",
     .type = F::choice,
     .member = &Rule::severity,
     .choices = severity_names(),
     .description = "The severity of the alarms it raises."},
    {.name = "status",
     .type = F::choice,
     .member = &Rule::status,
     .choices = kStatuses,
     .description = "A disabled rule raises nothing and closes its open alarms."},
    {.name = "building_id",
     .type = F::ref,
     .member = &Rule::building_id,
     .ref = "buildings",
     .description = "Watch the points of this building."},
    {.name = "space_id",
     .type = F::ref,
     .member = &Rule::space_id,
     .ref = "spaces",
     .rule = RefRule::same_building,
     .description = "Watch the points of this space."},
    {.name = "equipment_id",
     .type = F::ref,
     .member = &Rule::equipment_id,
     .ref = "equipment",
     .rule = RefRule::same_building,
     .description = "Watch the points of this equipment."},
    {.name = "point_id",
     .type = F::ref,
     .member = &Rule::point_id,
     .ref = "points",
     .rule = RefRule::same_building,
     .description = "Watch this point."},
    {.name = "device_id",
     .type = F::ref,
     .member = &Rule::device_id,
     .ref = "devices",
     .description = "Watch the points this device's channels feed."},
    {.name = "quantity",
     .type = F::choice,
     .member = &Rule::quantity,
     .choices = quantities(),
     .description = "Watch only points of this quantity."},
    {.name = "threshold",
     .type = F::number,
     .member = &Rule::threshold,
     .description = "threshold_high / threshold_low: the limit, in the point's unit."},
    {.name = "deadband",
     .type = F::number,
     .member = &Rule::deadband,
     .min = 0,
     .description = "How far back inside the threshold a value must be for the condition to end."},
    {.name = "on_delay_s",
     .type = F::integer,
     .member = &Rule::on_delay_s,
     .min = 0,
     .max = kWeek,
     .description = "How long the condition must hold before an alarm is raised."},
    {.name = "off_delay_s",
     .type = F::integer,
     .member = &Rule::off_delay_s,
     .min = 0,
     .max = kWeek,
     .description = "How long it must be gone before the alarm returns."},
    {.name = "min_value",
     .type = F::number,
     .member = &Rule::min_value,
     .description = "bounds: the lowest acceptable value; default the point's min_value."},
    {.name = "max_value",
     .type = F::number,
     .member = &Rule::max_value,
     .description = "bounds: the highest acceptable value; default the point's max_value."},
    {.name = "max_change",
     .type = F::number,
     .member = &Rule::max_change,
     .min = 0,
     .description = "rate_of_change: the largest acceptable change within window_s."},
    {.name = "window_s", .type = F::integer, .member = &Rule::window_s, .min = 1, .max = kWeek},
    {.name = "direction",
     .type = F::choice,
     .member = &Rule::direction,
     .choices = kDirections,
     .description = "rate_of_change: which way counts (default either)."},
    {.name = "tolerance",
     .type = F::number,
     .member = &Rule::tolerance,
     .min = 0,
     .description = "flatline: how far a value may wander and still count as stuck."},
    {.name = "duration_s",
     .type = F::integer,
     .member = &Rule::duration_s,
     .min = 1,
     .max = 31 * 86'400,
     .description = "flatline: how long stuck; stale: how long silent when the point has no "
                    "expected interval; anomaly: how long off before an alarm."},
    {.name = "interval_factor",
     .type = F::number,
     .member = &Rule::interval_factor,
     .min = 1,
     .max = 1000,
     .description = "stale: silent for this many of the point's expected intervals."},
    {.name = "expression",
     .type = F::text,
     .member = &Rule::expression,
     .max = 4096,
     .description = "expression: a condition over points p<id> (docs/alarms.md)."},
    {.name = "sigmas",
     .type = F::number,
     .member = &Rule::sigmas,
     .min = 0.5,
     .max = 100,
     .description = "anomaly: how many robust sigmas (1.4826 × MAD) off the point's median for "
                    "the hour of the week is an anomaly."},
    {.name = "weeks",
     .type = F::integer,
     .member = &Rule::weeks,
     .min = 1,
     .max = 52,
     .description = "anomaly: the weeks of hourly history the profile is fitted on (default 4)."},
    {.name = "min_sigma",
     .type = F::number,
     .member = &Rule::min_sigma,
     .min = 0,
     .description = "anomaly: the smallest sigma, in the point's unit, so a flat history does "
                    "not make every wiggle an anomaly."},
    {.name = "schedule",
     .type = F::text,
     .member = &Rule::schedule,
     .max = 2000,
     .description = "Watch only within these local hours, e.g. 'Mon-Fri 07:00-18:00; "
                    "2026-12-24 closed' (docs/alarms.md); empty: always."},
    {.name = "message",
     .type = F::text,
     .member = &Rule::message,
     .max = 500,
     .description = "The alarm's text; may use {rule}, {point}, {value}, {unit}, {threshold}."},
    {.name = "action",
     .type = F::text,
     .member = &Rule::action,
     .max = 2000,
     .description = "What an operator should do about the alarm."},
    {.name = "tags", .type = F::tags, .member = &Rule::tags},
};

}  // namespace

std::span<const std::string_view> rule_types() {
  return kTypes;
}

std::span<const std::string_view> rule_parameters(std::string_view type) {
  for (const auto& t : kTypeParameters)
    if (t.type == type) return t.parameters;
  return {};
}

const Schema<Rule>& rule_schema() {
  static const Schema<Rule> s{"rule",
                              "rules",
                              "A condition over points that raises alarms (docs/alarms.md).",
                              TenantField::explicit_,
                              kRuleFields,
                              check_rule};
  return s;
}

template Result<Rule> decode(const boost::json::value&, const Schema<Rule>&, DecodeMode,
                             const Rule*);
template boost::json::object encode(const Rule&, const Schema<Rule>&);
template boost::json::object json_schema(const Schema<Rule>&);
template std::vector<std::string_view> filter_names(const Schema<Rule>&);

}  // namespace citypulse
