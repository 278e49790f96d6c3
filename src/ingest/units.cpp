#include "ingest/units.h"

#include <fmt/format.h>

#include <array>
#include <string>
#include <utility>

#include "core/text.h"

namespace citypulse::ingest {
namespace {

using namespace std::string_view_literals;

enum class Dimension {
  none,  // "": a state has no unit
  temperature,
  percent,
  amount_fraction,  // ppm, ppb: parts of a gas mixture
  count,
  power,
  energy,
  volume,
  volume_flow,
  pressure,
  illuminance,
  voltage,
  current,
  frequency,
  speed,
};

// value_in_base = (value + zero / 100) * num / den. Integers (as doubles,
// exact below 2^53) so that a conversion's scale and offset are each one
// rounding of an exact ratio; zero in hundredths because 273.15 and 459.67
// are not doubles but 27315 and 45967 are.
struct Unit {
  std::string_view spelling;
  Dimension dimension;
  double num = 1, den = 1, zero = 0;
};

// Every unit of model/vocabulary.cpp (a test checks the two agree). Bases:
// K, ppb, J, W, l, l/h (so that every flow factor is an integer), Pa.
constexpr std::array kUnits = {
    Unit{""sv, Dimension::none},
    Unit{"°C"sv, Dimension::temperature, 1, 1, 27315},
    Unit{"K"sv, Dimension::temperature},
    Unit{"°F"sv, Dimension::temperature, 5, 9, 45967},  // (F + 459.67) * 5/9 = K
    Unit{"%"sv, Dimension::percent},
    Unit{"ppm"sv, Dimension::amount_fraction, 1000},
    Unit{"ppb"sv, Dimension::amount_fraction},
    Unit{"count"sv, Dimension::count},
    Unit{"W"sv, Dimension::power},
    Unit{"kW"sv, Dimension::power, 1e3},
    Unit{"MW"sv, Dimension::power, 1e6},
    Unit{"Wh"sv, Dimension::energy, 3600},
    Unit{"kWh"sv, Dimension::energy, 3.6e6},
    Unit{"MWh"sv, Dimension::energy, 3.6e9},
    Unit{"J"sv, Dimension::energy},
    Unit{"kJ"sv, Dimension::energy, 1e3},
    Unit{"MJ"sv, Dimension::energy, 1e6},
    Unit{"GJ"sv, Dimension::energy, 1e9},
    Unit{"m³"sv, Dimension::volume, 1000},
    Unit{"l"sv, Dimension::volume},
    Unit{"m³/h"sv, Dimension::volume_flow, 1000},
    Unit{"l/s"sv, Dimension::volume_flow, 3600},
    Unit{"l/min"sv, Dimension::volume_flow, 60},
    Unit{"Pa"sv, Dimension::pressure},
    Unit{"kPa"sv, Dimension::pressure, 1e3},
    Unit{"bar"sv, Dimension::pressure, 1e5},
    Unit{"mbar"sv, Dimension::pressure, 100},
    Unit{"lx"sv, Dimension::illuminance},
    Unit{"V"sv, Dimension::voltage},
    Unit{"A"sv, Dimension::current},
    Unit{"Hz"sv, Dimension::frequency},
    Unit{"m/s"sv, Dimension::speed},
};

// What devices write for a unit, lowered, without blanks and '_', separated
// by spaces. Only spellings that no two units share once lowered: "mw",
// "mwh", "mj" and "k" are missing on purpose (see the header). "ºc" has the
// masculine ordinal for the degree sign, a common typo; 1 hPa is exactly
// 1 mbar, so "hpa" is a name for mbar, not a conversion.
struct Aliases {
  std::string_view unit;
  std::string_view texts;
};

constexpr std::array kAliases = {
    Aliases{"°C", "c °c ºc ℃ degc degreec degreesc celsius degcelsius degreescelsius"},
    Aliases{"°F", "f °f ºf ℉ degf degreef degreesf fahrenheit degreesfahrenheit"},
    Aliases{"K", "kelvin °k"},
    Aliases{"%", "% percent pct %rh"},
    Aliases{"ppm", "ppm"},
    Aliases{"ppb", "ppb"},
    Aliases{"count", "count"},
    Aliases{"W", "w watt watts"},
    Aliases{"kW", "kw kilowatt kilowatts"},
    Aliases{"MW", "megawatt megawatts"},
    Aliases{"Wh", "wh"},
    Aliases{"kWh", "kwh kilowatthour kilowatthours"},
    Aliases{"J", "j joule joules"},
    Aliases{"kJ", "kj"},
    Aliases{"GJ", "gj"},
    Aliases{"m³", "m³ m3 m^3"},
    Aliases{"l", "l litre liter litres liters"},
    Aliases{"m³/h", "m³/h m3/h m^3/h m³/hr m3/hr"},
    Aliases{"l/s", "l/s"},
    Aliases{"l/min", "l/min"},
    Aliases{"Pa", "pa pascal"},
    Aliases{"kPa", "kpa"},
    Aliases{"bar", "bar"},
    Aliases{"mbar", "mbar millibar hpa"},
    Aliases{"lx", "lx lux"},
    Aliases{"V", "v volt volts"},
    Aliases{"A", "a amp amps ampere amperes"},
    Aliases{"Hz", "hz hertz"},
    Aliases{"m/s", "m/s"},
};

bool listed(std::string_view texts, std::string_view text) {
  while (!texts.empty()) {
    const auto space = texts.find(' ');
    if (texts.substr(0, space) == text) return true;
    texts = space == texts.npos ? std::string_view() : texts.substr(space + 1);
  }
  return false;
}

// Longer than any alias: longer text is no unit, and the work stays bounded.
constexpr std::size_t kMaxUnitBytes = 32;

const Unit* find_unit(std::string_view spelling) {
  for (const auto& u : kUnits)
    if (u.spelling == spelling) return &u;
  return nullptr;
}

// The unit's text for a message, cut short: it may come from a device.
std::string quoted(std::string_view s) {
  constexpr std::size_t kShown = 40;
  return s.size() <= kShown ? fmt::format("'{}'", s) : fmt::format("'{}...'", s.substr(0, kShown));
}

}  // namespace

std::optional<std::string_view> canonical_unit(std::string_view text) {
  text = trim(text);
  if (text.size() > kMaxUnitBytes) return std::nullopt;
  // Exact first, so that the spellings folding would merge ("MW") still match.
  if (const Unit* u = find_unit(text)) return u->spelling;

  std::array<char, kMaxUnitBytes> buffer{};
  std::size_t n = 0;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '_') continue;
    buffer[n++] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  }
  const std::string_view lowered(buffer.data(), n);
  for (const auto& a : kAliases)
    if (listed(a.texts, lowered)) return a.unit;
  return std::nullopt;
}

Result<UnitConversion> unit_conversion(std::string_view from, std::string_view to) {
  const Unit* a = find_unit(from);
  const Unit* b = find_unit(to);
  for (auto [unit, text] : {std::pair{a, from}, std::pair{b, to}})
    if (!unit) return fail(ErrorCode::invalid, fmt::format("unknown unit {}", quoted(text)));
  if (a == b) return UnitConversion{};
  if (a->dimension != b->dimension)
    return fail(ErrorCode::invalid,
                fmt::format("cannot convert {} to {}", quoted(from), quoted(to)));
  // to = (from + za/100) * na/da * db/nb - zb/100, multiplied out over one denominator.
  const double den = a->den * b->num;
  return UnitConversion{
      .scale = a->num * b->den / den,
      .offset = (a->zero * a->num * b->den - b->zero * a->den * b->num) / (100 * den),
  };
}

}  // namespace citypulse::ingest
