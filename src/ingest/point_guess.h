// guess_point: a first guess at what an unmapped key of a provisioning
// device measures, for a person to confirm before the point goes live.
//
// The key is cut into words at '_', '-', '.', '/', ':', blanks, brackets and
// camelCase boundaries ("airTemp" → air, temp; "energyKWh" → energy, KWh;
// '%' is a word of its own), at most the first kMaxKeyBytes bytes and
// kMaxWords words. Words are compared lowered, also without trailing digits
// ("temp2"). Evidence, strongest first; within one strength the last word
// wins, because keys put the head noun last ("flow_temp" is a temperature):
// 1. a status word: door, window, alarm, state, status, on, off, onoff, open,
//    closed, occupied, presence, contact, motion, fault, leak → quantity
//    "state", kind "status" ("power_on" is a boolean, not a power);
// 2. a quantity word: temperature/temp/tmp, humidity/hum/rh, co2, voc/tvoc,
//    occupancy/occ/people/pir, power, energy, volume, flow, pressure/press,
//    position/pos/valve/damper, illuminance/lux/lum, voltage/volt, amp(s),
//    frequency/freq, speed; or a radio diagnostic (rssi, snr, rsrp, rsrq, lqi,
//    sf, dbm, db) or direction/dir, which the vocabulary has no unit for:
//    "state", unit "", never confident, so that someone maps it by hand;
// 3. a unit word canonical_unit() recognises that belongs to one quantity
//    only ("kwh", "ppm", "lx", "°C"; "energy_kwh" → kWh); mw, mwh and mj
//    (mW or MW?) name power or energy but never make a guess confident;
// 4. a one-letter abbreviation: t (temperature), p (power), i (current); a
//    one-letter unit (c, f, w, v, a, l, K, %), only as the last word ("tempF",
//    "BatV": elsewhere it is more likely a name, "zone_a_temp"); a unit of
//    several quantities ("pct");
// 5. a context word: battery/bat/batt/soc (ratio: a battery level in %),
//    water/gas (volume), wind (speed), light (illuminance), current, count
//    (occupancy), heat/elec/electricity/consumption (energy);
// 6. meter (energy; "water_meter" is a volume).
// "%" alone means ratio, "K" alone temperature.
//
// The unit: a unit hint canonical_unit() recognises wins; then a unit word of
// the key (ignored, as a name, when of another dimension than the quantity).
// Used when it is a unit of the quantity; when it is of the same
// dimension but not one of the quantity's units ("voc" in ppm), the guess
// takes the quantity's first unit and the caller converts with
// unit_conversion(). A recognised hint of another dimension overrides the key
// ("temperature" with hint "kWh" is energy). Otherwise the quantity's default
// unit: kWh for energy (what meters count), the first of units_of() for the
// rest. An empty hint says nothing; an unrecognised one ("dBm") is ignored.
// When the key says nothing, a recognised hint decides the quantity.
// Nothing recognised: quantity "state", unit "", kind "sensor".
//
// Always: quantity is one of quantities(), unit one of units_of(quantity),
// kind "sensor" or "status".
//
// confident: the evidence names the quantity (strengths 1 to 3; or a weaker
// word confirmed by a unit of the quantity in the hint, or in the key when a
// word also names the quantity: "battery_pct" but not "pct"; or no key word
// and a hint that belongs to one quantity), the unit is the one the device
// uses (no conversion, the key's unit word and the hint agree), and no hint
// was ignored or overruled. Radio diagnostics and unknown keys never are.
//
// Bounded work for any bytes in key and hint; no exceptions; allocates only
// the result's strings and, for a unit of another dimension than the
// quantity, unit_conversion()'s error message.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace citypulse::ingest {

struct PointGuess {
  std::string quantity;  // one of quantities()
  std::string unit;      // one of units_of(quantity)
  std::string kind;      // "sensor" or "status"
  bool confident = false;
};

inline constexpr std::size_t kMaxKeyBytes = 256;
inline constexpr std::size_t kMaxWords = 32;

PointGuess guess_point(std::string_view key, std::optional<std::string_view> unit_hint);

}  // namespace citypulse::ingest
