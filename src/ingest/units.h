// Units of incoming readings: what devices write, mapped to the vocabulary's
// spelling (model/vocabulary.h, units_of()), and exact linear conversions
// between the vocabulary's units of one dimension.
//
// Pure functions of their arguments: no allocation except an error's message,
// no exceptions, any bytes accepted. Returned string_views point into static
// storage and live forever.
#pragma once

#include <optional>
#include <string_view>

#include "core/result.h"

namespace citypulse::ingest {

// The vocabulary's spelling of `text` (blanks around it ignored), or nullopt
// when it names no vocabulary unit. Accepted:
// - every vocabulary spelling exactly ("°C", "kWh", "m³/h", "MW", "mbar", ...);
//   the empty text is the state's unit "";
// - common device spellings, case-insensitively and ignoring inner blanks and
//   '_': "C", "degC", "deg C", "celsius", "°c", "℃", "F", "fahrenheit",
//   "kelvin", "kwh", "KW", "m3", "m^3", "m3/h", "L", "litre", "liter", "%RH",
//   "percent", "pct", "lux", "hPa" (= "mbar"), ...
// Case is folded only where no other unit differs from it by case alone:
// "kwh" is kWh, but "mw" (mW or MW), "mwh" and "mj" are nullopt; only exact
// "MW", "MWh", "MJ" (and "K": a lone "k" is a prefix) are recognised. Units
// outside the vocabulary ("mW", "dBm", "dB", "°", "rpm") are nullopt, not
// errors: the caller decides what an unknown unit means.
std::optional<std::string_view> canonical_unit(std::string_view text);

// value_in_to = value_in_from * scale + offset.
struct UnitConversion {
  double scale = 1, offset = 0;
  double apply(double v) const { return v * scale + offset; }
};

// The conversion from `from` to `to`, both vocabulary spellings (canonical_unit's
// results; aliases are not accepted here). Equal units give the identity
// exactly. Within a dimension: temperature °C/K/°F (absolute temperatures,
// with offsets: a temperature_difference is only ever in K), power W/kW/MW,
// energy Wh/kWh/MWh/J/kJ/MJ/GJ (1 Wh = 3600 J), volume m³/l, volume flow
// m³/h, l/s, l/min, pressure Pa/kPa/bar/mbar, amount fraction ppm/ppb. Scale
// and offset are each computed from exact integers with one rounding, so
// e.g. 1 MWh → 3.6 GJ and °C → °F (×1.8 + 32) are as exact as a double allows.
// Errors (invalid): a unit that is not a vocabulary spelling; units of
// different dimensions ("cannot convert 'kWh' to '°C'"); "" converts only to "".
Result<UnitConversion> unit_conversion(std::string_view from, std::string_view to);

}  // namespace citypulse::ingest
