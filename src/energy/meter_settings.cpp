#include "energy/meter_settings.h"

#include <fmt/format.h>

#include <boost/json.hpp>

#include "core/time.h"
#include "model/json_fields.h"

namespace citypulse::energy {
namespace {

constexpr std::int64_t kMinuteMs = 60'000;

Result<analytics::GasConversion> parse_gas(const boost::json::value& v) {
  auto f = JsonFields::of(v, {"correction_factor", "calorific_value_kwh_m3"}, "/gas");
  if (!f) return std::unexpected(f.error());
  analytics::GasConversion gas;
  auto z = f->number("correction_factor", false, 0.5, 1.5);
  if (!z) return std::unexpected(z.error());
  auto hs = f->number("calorific_value_kwh_m3", false, 5, 15);
  if (!hs) return std::unexpected(hs.error());
  gas.correction_factor = z->value_or(gas.correction_factor);
  gas.calorific_value_kwh_m3 = hs->value_or(gas.calorific_value_kwh_m3);
  return gas;
}

Result<std::vector<analytics::MeterReplacement>> parse_replacements(const boost::json::value& v) {
  if (!v.is_array() || v.get_array().size() > 1000)
    return fail(ErrorCode::invalid, "'replacements' must be an array of at most 1000",
                "/replacements");
  std::vector<analytics::MeterReplacement> out;
  for (std::size_t i = 0; i < v.get_array().size(); ++i) {
    auto f = JsonFields::of(v.get_array()[i], {"at", "old_final", "new_start"},
                            fmt::format("/replacements/{}", i));
    if (!f) return std::unexpected(f.error());
    auto at = f->instant("at");
    if (!at) return std::unexpected(at.error());
    if (!*at) return fail(ErrorCode::invalid, "missing required field 'at'", f->pointer("at"));
    auto old_final = f->number("old_final", true, 0);
    if (!old_final) return std::unexpected(old_final.error());
    auto new_start = f->number("new_start", false, 0);
    if (!new_start) return std::unexpected(new_start.error());
    if (!out.empty() && **at <= out.back().at)
      return fail(ErrorCode::invalid, "replacements must be in time order, one per instant",
                  f->pointer("at"));
    out.push_back({.at = **at, .old_final = **old_final, .new_start = new_start->value_or(0)});
  }
  return out;
}

}  // namespace

Result<MeterSettings> parse_meter_settings(const boost::json::value& document, const Point& point) {
  auto f = JsonFields::of(
      document, {"kind", "medium", "wrap_value", "rollover_band", "gap_policy", "max_gap_minutes",
                 "max_rate", "interval_minutes", "gas", "replacements"});
  if (!f) return std::unexpected(f.error());
  MeterSettings m;
  auto kind_name = f->text("kind", true, 40);
  if (!kind_name) return std::unexpected(kind_name.error());
  auto kind = analytics::parse_meter_kind(**kind_name);
  if (!kind) return fail(ErrorCode::invalid, kind.error().message, "/kind");
  auto medium_name = f->text("medium", true, 40);
  if (!medium_name) return std::unexpected(medium_name.error());
  auto medium = analytics::parse_medium(**medium_name);
  if (!medium) return fail(ErrorCode::invalid, medium.error().message, "/medium");
  m.spec.kind = *kind;
  m.spec.medium = *medium;
  m.spec.unit = point.unit;
  if (const auto* gas = f->get("gas"); gas && !gas->is_null()) {
    auto g = parse_gas(*gas);
    if (!g) return std::unexpected(g.error());
    m.spec.gas = *g;
  }

  auto& o = m.options;
  auto wrap = f->number("wrap_value", false, 0);
  if (!wrap) return std::unexpected(wrap.error());
  o.wrap_value = wrap->value_or(0);
  auto band = f->number("rollover_band", false, 0.001, 0.5);
  if (!band) return std::unexpected(band.error());
  o.rollover_band = band->value_or(o.rollover_band);
  auto policy = f->text("gap_policy", false, 20);
  if (!policy) return std::unexpected(policy.error());
  if (*policy && **policy != "spread" && **policy != "unknown")
    return fail(ErrorCode::invalid, "'gap_policy' must be spread or unknown", "/gap_policy");
  o.gap_policy = *policy && **policy == "unknown" ? analytics::GapPolicy::unknown
                                                  : analytics::GapPolicy::spread;
  auto gap = f->integer("max_gap_minutes", false, 1, 7 * 24 * 60);
  if (!gap) return std::unexpected(gap.error());
  o.max_gap_ms = gap->value_or(o.max_gap_ms / kMinuteMs) * kMinuteMs;
  auto rate = f->number("max_rate", false, 0);
  if (!rate) return std::unexpected(rate.error());
  o.max_rate = rate->value_or(0);
  auto interval = f->integer("interval_minutes", false, 1, 24 * 60);
  if (!interval) return std::unexpected(interval.error());
  o.interval_ms = interval->value_or(15) * kMinuteMs;
  if (const auto* r = f->get("replacements"); r && !r->is_null()) {
    auto replacements = parse_replacements(*r);
    if (!replacements) return std::unexpected(replacements.error());
    o.replacements = std::move(*replacements);
  }
  if (!o.replacements.empty() && m.spec.kind != analytics::MeterKind::counter)
    return fail(ErrorCode::invalid, "only counters have replacements", "/replacements");

  auto factor = analytics::accounting_factor(m.spec);
  if (!factor)
    return fail(
        ErrorCode::invalid,
        fmt::format("the point's unit '{}' does not fit: {}", point.unit, factor.error().message),
        factor.error().field == "gas" ? "/gas" : "/kind");
  m.factor = *factor;
  return m;
}

boost::json::object meter_settings_json(const MeterSettings& m) {
  static constexpr std::string_view kKinds[] = {"counter", "interval_energy", "power"};
  boost::json::object o;
  o["kind"] = kKinds[static_cast<int>(m.spec.kind)];
  o["medium"] = analytics::medium_name(m.spec.medium);
  o["wrap_value"] = m.options.wrap_value;
  o["rollover_band"] = m.options.rollover_band;
  o["gap_policy"] = m.options.gap_policy == analytics::GapPolicy::unknown ? "unknown" : "spread";
  o["max_gap_minutes"] = m.options.max_gap_ms / kMinuteMs;
  o["max_rate"] = m.options.max_rate;
  o["interval_minutes"] = m.options.interval_ms / kMinuteMs;
  if (m.spec.medium == analytics::Medium::gas)
    o["gas"] = {{"correction_factor", m.spec.gas.correction_factor},
                {"calorific_value_kwh_m3", m.spec.gas.calorific_value_kwh_m3}};
  boost::json::array replacements;
  for (const auto& r : m.options.replacements)
    replacements.push_back(
        {{"at", format_rfc3339(r.at)}, {"old_final", r.old_final}, {"new_start", r.new_start}});
  o["replacements"] = std::move(replacements);
  return o;
}

}  // namespace citypulse::energy
