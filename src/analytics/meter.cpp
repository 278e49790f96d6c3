#include "analytics/meter.h"

#include <array>
#include <cmath>
#include <string>

namespace citypulse::analytics {
namespace {

using namespace std::string_view_literals;

enum class Dimension { energy, volume, power };

struct UnitFactor {
  std::string_view name;
  Dimension dimension;
  double factor;  // to kWh, m³ or kW
};

constexpr std::array kUnits = {
    UnitFactor{"Wh"sv, Dimension::energy, 1e-3},
    UnitFactor{"kWh"sv, Dimension::energy, 1.0},
    UnitFactor{"MWh"sv, Dimension::energy, 1e3},
    UnitFactor{"J"sv, Dimension::energy, 1.0 / 3.6e6},
    UnitFactor{"kJ"sv, Dimension::energy, 1.0 / 3.6e3},
    UnitFactor{"MJ"sv, Dimension::energy, 1.0 / 3.6},
    UnitFactor{"GJ"sv, Dimension::energy, 1e3 / 3.6},
    UnitFactor{"m³"sv, Dimension::volume, 1.0},
    UnitFactor{"m3"sv, Dimension::volume, 1.0},
    UnitFactor{"l"sv, Dimension::volume, 1e-3},
    UnitFactor{"W"sv, Dimension::power, 1e-3},
    UnitFactor{"kW"sv, Dimension::power, 1.0},
    UnitFactor{"MW"sv, Dimension::power, 1e3},
};

constexpr std::array kKindNames = {"counter"sv, "interval_energy"sv, "power"sv};
constexpr std::array kMediumNames = {"electricity"sv, "heat"sv, "gas"sv, "water"sv};

bool positive_finite(double x) {
  return std::isfinite(x) && x > 0;
}

}  // namespace

Result<MeterKind> parse_meter_kind(std::string_view name) {
  for (std::size_t i = 0; i < kKindNames.size(); ++i)
    if (kKindNames[i] == name) return static_cast<MeterKind>(i);
  return fail(
      ErrorCode::invalid,
      "unknown meter kind '" + std::string(name) + "' (accepted: counter, interval_energy, power)",
      "kind");
}

Result<Medium> parse_medium(std::string_view name) {
  for (std::size_t i = 0; i < kMediumNames.size(); ++i)
    if (kMediumNames[i] == name) return static_cast<Medium>(i);
  return fail(
      ErrorCode::invalid,
      "unknown medium '" + std::string(name) + "' (accepted: electricity, heat, gas, water)",
      "medium");
}

std::string_view medium_name(Medium medium) {
  return kMediumNames[static_cast<std::size_t>(medium)];
}

std::string_view accounting_unit(Medium medium) {
  return medium == Medium::water ? "m³"sv : "kWh"sv;
}

Result<double> accounting_factor(const MeterSpec& spec) {
  const UnitFactor* unit = nullptr;
  for (const auto& u : kUnits)
    if (u.name == spec.unit) unit = &u;
  if (unit == nullptr)
    return fail(ErrorCode::invalid,
                "unknown meter unit '" + spec.unit +
                    "' (accepted: Wh, kWh, MWh, J, kJ, MJ, GJ, m³, W, kW, MW)",
                "unit");
  const std::string what = "a " + std::string(medium_name(spec.medium)) + " " +
                           std::string(kKindNames[static_cast<std::size_t>(spec.kind)]) + " in '" +
                           spec.unit + "'";
  const bool wants_power = spec.kind == MeterKind::power;
  if (wants_power != (unit->dimension == Dimension::power))
    return fail(ErrorCode::invalid,
                what + ": " +
                    (wants_power ? "a power series needs W, kW or MW"
                                 : "a counter or interval series needs an energy or volume unit"),
                "unit");
  if (spec.medium == Medium::water) {
    // Water is accounted in m³; it has no energy and no power.
    if (unit->dimension != Dimension::volume)
      return fail(ErrorCode::invalid, what + ": water is metered in m³", "unit");
    return unit->factor;
  }
  if (unit->dimension != Dimension::volume) return unit->factor;
  if (spec.medium != Medium::gas)
    return fail(ErrorCode::invalid,
                what + ": only gas and water are metered by volume (a heat meter counts energy)",
                "unit");
  if (!positive_finite(spec.gas.correction_factor) ||
      !positive_finite(spec.gas.calorific_value_kwh_m3))
    return fail(ErrorCode::invalid,
                "the gas correction factor and calorific value must be finite and positive", "gas");
  return spec.gas.correction_factor * spec.gas.calorific_value_kwh_m3;
}

double register_wrap(int digits, int decimals) {
  return std::pow(10.0, digits - decimals);
}

}  // namespace citypulse::analytics
