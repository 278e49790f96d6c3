#include "ingest/point_guess.h"

#include <algorithm>
#include <array>

#include "core/text.h"
#include "ingest/units.h"
#include "model/vocabulary.h"

namespace citypulse::ingest {
namespace {

using namespace std::string_view_literals;

// Higher is stronger; the header's list, numbered from the other end.
enum class Strength { none, meter, context, letter, unique_unit, quantity, status };

struct Word {
  std::string_view text;  // lowered
  std::string_view quantity;
  Strength strength;
  bool doubtful = false;  // never part of a confident guess
};

constexpr std::array kWords = {
    Word{"door", "state", Strength::status},
    Word{"window", "state", Strength::status},
    Word{"alarm", "state", Strength::status},
    Word{"state", "state", Strength::status},
    Word{"status", "state", Strength::status},
    Word{"on", "state", Strength::status},
    Word{"off", "state", Strength::status},
    Word{"onoff", "state", Strength::status},
    Word{"open", "state", Strength::status},
    Word{"closed", "state", Strength::status},
    Word{"occupied", "state", Strength::status},
    Word{"presence", "state", Strength::status},
    Word{"contact", "state", Strength::status},
    Word{"motion", "state", Strength::status},
    Word{"fault", "state", Strength::status},
    Word{"leak", "state", Strength::status},

    Word{"temperature", "temperature", Strength::quantity},
    Word{"temp", "temperature", Strength::quantity},
    Word{"tmp", "temperature", Strength::quantity},
    Word{"humidity", "humidity", Strength::quantity},
    Word{"hum", "humidity", Strength::quantity},
    Word{"rh", "humidity", Strength::quantity},
    Word{"co2", "co2", Strength::quantity},
    Word{"voc", "voc", Strength::quantity},
    Word{"tvoc", "voc", Strength::quantity},
    Word{"occupancy", "occupancy", Strength::quantity},
    Word{"occ", "occupancy", Strength::quantity},
    Word{"people", "occupancy", Strength::quantity},
    Word{"pir", "occupancy", Strength::quantity},
    Word{"power", "power", Strength::quantity},
    Word{"energy", "energy", Strength::quantity},
    Word{"volume", "volume", Strength::quantity},
    Word{"flow", "volume_flow", Strength::quantity},
    Word{"pressure", "pressure", Strength::quantity},
    Word{"press", "pressure", Strength::quantity},
    Word{"position", "position", Strength::quantity},
    Word{"pos", "position", Strength::quantity},
    Word{"valve", "position", Strength::quantity},
    Word{"damper", "position", Strength::quantity},
    Word{"illuminance", "illuminance", Strength::quantity},
    Word{"lux", "illuminance", Strength::quantity},
    Word{"lum", "illuminance", Strength::quantity},
    Word{"voltage", "voltage", Strength::quantity},
    Word{"volt", "voltage", Strength::quantity},
    Word{"amp", "current", Strength::quantity},
    Word{"amps", "current", Strength::quantity},
    Word{"frequency", "frequency", Strength::quantity},
    Word{"freq", "frequency", Strength::quantity},
    Word{"speed", "speed", Strength::quantity},
    // Radio link quality (dBm, dB) and directions (degrees) have no unit in
    // the vocabulary; claiming the key keeps weaker words from mislabelling
    // it ("wind_direction" is not a speed).
    Word{"rssi", "state", Strength::quantity, true},
    Word{"snr", "state", Strength::quantity, true},
    Word{"rsrp", "state", Strength::quantity, true},
    Word{"rsrq", "state", Strength::quantity, true},
    Word{"lqi", "state", Strength::quantity, true},
    Word{"sf", "state", Strength::quantity, true},
    Word{"dbm", "state", Strength::quantity, true},
    Word{"db", "state", Strength::quantity, true},
    Word{"direction", "state", Strength::quantity, true},
    Word{"dir", "state", Strength::quantity, true},

    Word{"t", "temperature", Strength::letter},
    Word{"p", "power", Strength::letter},
    Word{"i", "current", Strength::letter},

    // Words that say what is measured about, more than what is measured:
    // "battery" alone is a level in % (LoRaWAN decoders also send volts, as
    // "BatV"), "current" is as often "the current temperature".
    Word{"battery", "ratio", Strength::context},
    Word{"bat", "ratio", Strength::context},
    Word{"batt", "ratio", Strength::context},
    Word{"soc", "ratio", Strength::context},
    Word{"water", "volume", Strength::context},
    Word{"gas", "volume", Strength::context},
    Word{"wind", "speed", Strength::context},
    Word{"light", "illuminance", Strength::context},
    Word{"current", "current", Strength::context},
    Word{"count", "occupancy", Strength::context},
    Word{"heat", "energy", Strength::context},
    Word{"elec", "energy", Strength::context},
    Word{"electricity", "energy", Strength::context},
    Word{"consumption", "energy", Strength::context},
    Word{"meter", "energy", Strength::meter},
};

// Units that case-folding cannot tell apart (mW or MW), for the words
// canonical_unit() leaves unrecognised: the quantity is clear, the scale is not.
constexpr std::array kAmbiguousUnits = {
    Word{"mw", "power", Strength::unique_unit, true},
    Word{"mwh", "energy", Strength::unique_unit, true},
    Word{"mj", "energy", Strength::unique_unit, true},
};

bool is_separator(char c) {
  switch (c) {
    case '_':
    case '-':
    case '.':
    case '/':
    case ':':
    case ' ':
    case '\t':
    case '(':
    case ')':
    case '[':
    case ']':
    case '{':
    case '}':
      return true;
    default:
      return false;
  }
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_lower(char c) {
  return c >= 'a' && c <= 'z';
}
bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}

template <std::size_t N>
const Word* find_word(const std::array<Word, N>& table, std::string_view text) {
  for (const auto& w : table)
    if (iequals_ascii(w.text, text)) return &w;
  return nullptr;
}

bool has(std::span<const std::string_view> units, std::string_view unit) {
  return std::find(units.begin(), units.end(), unit) != units.end();
}

struct UnitQuantity {
  std::string_view quantity;
  bool unique = false;  // no other quantity has the unit
};

// The quantity a unit alone points to. "%" is humidity, position and ratio
// alike: ratio, the one that claims nothing more.
UnitQuantity quantity_of(std::string_view unit) {
  UnitQuantity out;
  int holders = 0;
  for (const auto q : quantities()) {
    if (!has(units_of(q), unit)) continue;
    if (holders++ == 0) out.quantity = q;
  }
  if (unit == "%") out.quantity = "ratio";
  out.unique = holders == 1;
  return out;
}

bool same_dimension(std::string_view a, std::string_view b) {
  return unit_conversion(a, b).has_value();
}

// Meters count kWh; a default of Wh or J would be off by 1000 or more.
std::string_view default_unit(std::string_view quantity, std::span<const std::string_view> units) {
  if (quantity == "energy" && has(units, "kWh")) return "kWh";
  return units.front();
}

struct Evidence {
  Strength strength = Strength::none;
  std::string_view quantity;
  bool doubtful = false;
  std::optional<std::string_view> unit;  // set when the word is a unit
};

Evidence evaluate(std::string_view word, bool last) {
  const Word* w = find_word(kWords, word);
  if (!w) {
    auto stem = word;
    while (!stem.empty() && is_digit(stem.back())) stem.remove_suffix(1);
    if (!stem.empty() && stem.size() < word.size()) w = find_word(kWords, stem);
  }
  if (w) return {w->strength, w->quantity, w->doubtful, std::nullopt};
  const auto unit = canonical_unit(word);
  if (!unit) w = find_word(kAmbiguousUnits, word);
  if (w) return {w->strength, w->quantity, w->doubtful, std::nullopt};
  if (!unit || unit->empty()) return {};
  const bool one_letter = word.size() == 1;
  if (one_letter && !last) return {};
  const auto [quantity, unique] = quantity_of(*unit);
  return {unique && !one_letter ? Strength::unique_unit : Strength::letter, quantity, false, unit};
}

PointGuess unknown() {
  return {"state", "", "sensor", false};
}

}  // namespace

PointGuess guess_point(std::string_view key, std::optional<std::string_view> unit_hint) {
  key = key.substr(0, std::min(key.size(), kMaxKeyBytes));
  std::array<std::string_view, kMaxWords> words;
  std::size_t count = 0, start = 0;
  auto flush = [&](std::size_t end) {
    if (end > start && count < kMaxWords) words[count++] = key.substr(start, end - start);
    start = end;
  };
  for (std::size_t i = 0; i < key.size(); ++i) {
    const char c = key[i];
    if (is_separator(c) || c == '%') {
      flush(i);
      start = i + 1;
      if (c == '%' && count < kMaxWords) words[count++] = key.substr(i, 1);
    } else if (is_upper(c) && i > start && (is_lower(key[i - 1]) || is_digit(key[i - 1]))) {
      flush(i);
    }
  }
  flush(key.size());

  std::array<Evidence, kMaxWords> evidence;
  Evidence best;
  std::optional<std::string_view> key_unit;
  bool doubtful = false;
  for (std::size_t i = 0; i < count; ++i) {
    const auto& e = evidence[i] = evaluate(words[i], i + 1 == count);
    if (e.unit) key_unit = e.unit;
    doubtful = doubtful || e.doubtful;
    if (e.strength != Strength::none && e.strength >= best.strength) best = e;
  }
  // A unit confirms a weak guess when a word, not only the unit, names the
  // quantity ("battery_pct", not "pct").
  bool named_by_word = false;
  for (std::size_t i = 0; i < count; ++i)
    named_by_word = named_by_word || (!evidence[i].unit && evidence[i].strength != Strength::none &&
                                      evidence[i].quantity == best.quantity);

  std::optional<std::string_view> hint;
  bool hint_ignored = false;
  if (unit_hint) {
    const auto u = canonical_unit(*unit_hint);
    hint_ignored = !u;
    if (u && !u->empty()) hint = u;
  }

  if (best.strength == Strength::none) {
    if (!hint) return unknown();
    const auto [quantity, unique] = quantity_of(*hint);
    return {std::string(quantity), std::string(*hint), "sensor", unique};
  }

  std::string_view quantity = best.quantity;
  auto units = units_of(quantity);
  if (units.empty()) return unknown();  // a word table out of step with the vocabulary
  // A unit word of another dimension is more likely a name than a unit.
  if (key_unit && !same_dimension(*key_unit, units.front())) key_unit.reset();
  const auto device_unit = hint ? hint : key_unit;

  std::string_view unit = default_unit(quantity, units);
  bool converted = false, overruled = false, confirmed = false;
  if (device_unit && has(units, *device_unit)) {
    unit = *device_unit;
    confirmed = hint || named_by_word;
  } else if (device_unit && same_dimension(*device_unit, units.front())) {
    unit = units.front();
    converted = true;
  } else if (hint) {
    quantity = quantity_of(*hint).quantity;
    units = units_of(quantity);
    unit = *hint;
    overruled = true;
  }
  const bool disagree = hint && key_unit && *hint != *key_unit;

  PointGuess guess{std::string(quantity), std::string(unit),
                   best.strength == Strength::status && !overruled ? "status" : "sensor", false};
  guess.confident = !doubtful && !converted && !overruled && !disagree && !hint_ignored &&
                    (best.strength >= Strength::unique_unit || confirmed);
  if (!has(units, guess.unit)) return unknown();  // cannot happen; keeps the header's promise
  return guess;
}

}  // namespace citypulse::ingest
