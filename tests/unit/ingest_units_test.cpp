// Units and point guesses: aliases and what case-folding must not merge,
// exact conversions and their errors, the table against the vocabulary, and
// guesses for real device keys with the invariant that a guess's unit is one
// of its quantity's units.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "ingest/point_guess.h"
#include "ingest/units.h"
#include "model/vocabulary.h"

namespace citypulse::ingest {
namespace {

bool is_unit_of(std::string_view quantity, std::string_view unit) {
  const auto units = units_of(quantity);
  return std::find(units.begin(), units.end(), unit) != units.end();
}

bool is_vocabulary_unit(std::string_view unit) {
  for (const auto q : quantities())
    if (is_unit_of(q, unit)) return true;
  return false;
}

double convert(std::string_view from, std::string_view to, double v) {
  const auto c = unit_conversion(from, to);
  EXPECT_TRUE(c) << from << " -> " << to << ": " << c.error().message;
  return c ? c->apply(v) : std::nan("");
}

TEST(Units, EveryVocabularySpellingIsItsOwnCanonicalForm) {
  for (const auto q : quantities())
    for (const auto u : units_of(q)) {
      EXPECT_EQ(canonical_unit(u), u) << q;
      const auto identity = unit_conversion(u, u);
      ASSERT_TRUE(identity) << u;
      EXPECT_EQ(identity->scale, 1.0);
      EXPECT_EQ(identity->offset, 0.0);
    }
}

TEST(Units, DeviceSpellingsMapToTheVocabulary) {
  const std::vector<std::pair<std::string_view, std::string_view>> cases = {
      {"C", "°C"},          {"degC", "°C"},  {"celsius", "°C"}, {"°c", "°C"},       {"deg C", "°C"},
      {"Deg_C", "°C"},      {"℃", "°C"},     {" °C\t", "°C"},   {"F", "°F"},        {"degF", "°F"},
      {"Fahrenheit", "°F"}, {"kelvin", "K"}, {"K", "K"},        {"kwh", "kWh"},     {"KWH", "kWh"},
      {"KWh", "kWh"},       {"kw", "kW"},    {"KW", "kW"},      {"w", "W"},         {"Wh", "Wh"},
      {"m3", "m³"},         {"m^3", "m³"},   {"M3", "m³"},      {"m3/h", "m³/h"},   {"L", "l"},
      {"litre", "l"},       {"liter", "l"},  {"L/s", "l/s"},    {"L/min", "l/min"}, {"%RH", "%"},
      {"percent", "%"},     {"% rh", "%"},   {"lux", "lx"},     {"LX", "lx"},       {"PPM", "ppm"},
      {"ppb", "ppb"},       {"hPa", "mbar"}, {"kpa", "kPa"},    {"BAR", "bar"},     {"hz", "Hz"},
      {"v", "V"},           {"amps", "A"},   {"GJ", "GJ"},      {"gj", "GJ"},       {"kj", "kJ"},
      {"MW", "MW"},         {"MWh", "MWh"},  {"MJ", "MJ"},      {"", ""},           {"  ", ""},
  };
  for (const auto& [text, unit] : cases) {
    const auto got = canonical_unit(text);
    ASSERT_TRUE(got) << "'" << text << "'";
    EXPECT_EQ(*got, unit) << "'" << text << "'";
    EXPECT_TRUE(*got == "" || is_vocabulary_unit(*got)) << *got;
  }
}

TEST(Units, CaseIsNotFoldedWhereItChangesTheUnit) {
  // mW or MW, mWh or MWh, mJ or MJ: no guessing a factor of 10^9.
  for (std::string_view text : {"mw", "mW", "Mw", "mwh", "mWh", "MWH", "mj", "mJ", "k", "MPa"})
    EXPECT_FALSE(canonical_unit(text)) << text;
  // Outside the vocabulary.
  for (std::string_view text : {"dBm", "dB", "rpm", "°", "foo", "kWhh", "W/m²", "µg/m³"})
    EXPECT_FALSE(canonical_unit(text)) << text;
  // Long and odd bytes are just not units.
  EXPECT_FALSE(canonical_unit(std::string(10'000, 'k')));
  EXPECT_FALSE(canonical_unit(std::string_view("k\0Wh", 4)));
  EXPECT_FALSE(canonical_unit("\xff\xfe"));
}

TEST(Units, TemperaturesRoundTrip) {
  EXPECT_NEAR(convert("°C", "°F", 20), 68, 1e-9);
  EXPECT_NEAR(convert("°F", "K", 68), 293.15, 1e-9);
  EXPECT_NEAR(convert("K", "°C", 293.15), 20, 1e-9);
  EXPECT_NEAR(convert("°C", "K", -273.15), 0, 1e-9);
  EXPECT_NEAR(convert("°F", "°C", -40), -40, 1e-9);
  EXPECT_NEAR(convert("K", "°F", 0), -459.67, 1e-9);
  // The integer form of the factors gives these exactly, not only nearly.
  const auto c_to_f = unit_conversion("°C", "°F");
  ASSERT_TRUE(c_to_f);
  EXPECT_EQ(c_to_f->scale, 1.8);
  EXPECT_EQ(c_to_f->offset, 32.0);
  EXPECT_EQ(c_to_f->apply(100), 212.0);
}

TEST(Units, LinearConversionsWithinADimension) {
  EXPECT_DOUBLE_EQ(convert("MWh", "GJ", 1), 3.6);
  EXPECT_DOUBLE_EQ(convert("kWh", "MJ", 1), 3.6);
  EXPECT_DOUBLE_EQ(convert("Wh", "J", 1), 3600);
  EXPECT_DOUBLE_EQ(convert("GJ", "kWh", 1), 1e9 / 3.6e6);
  EXPECT_DOUBLE_EQ(convert("kWh", "Wh", 1.5), 1500);
  EXPECT_DOUBLE_EQ(convert("MW", "kW", 2), 2000);
  EXPECT_DOUBLE_EQ(convert("W", "kW", 250), 0.25);
  EXPECT_DOUBLE_EQ(convert("m³", "l", 1), 1000);
  EXPECT_DOUBLE_EQ(convert("m³/h", "l/s", 1), 1000.0 / 3600);
  EXPECT_DOUBLE_EQ(convert("l/s", "l/min", 1), 60);
  EXPECT_DOUBLE_EQ(convert("l/min", "m³/h", 1), 0.06);
  EXPECT_DOUBLE_EQ(convert("bar", "kPa", 1), 100);
  EXPECT_DOUBLE_EQ(convert("mbar", "Pa", 1), 100);
  EXPECT_DOUBLE_EQ(convert("kPa", "mbar", 1), 10);
  EXPECT_DOUBLE_EQ(convert("ppm", "ppb", 1), 1000);
  // Conversions have no offset outside temperature.
  for (auto [from, to] : {std::pair{"kWh", "GJ"}, {"l/s", "m³/h"}, {"bar", "Pa"}})
    EXPECT_EQ(unit_conversion(from, to)->offset, 0.0) << from << to;
}

TEST(Units, OtherDimensionsAndUnknownUnitsAreInvalid) {
  auto c = unit_conversion("kWh", "°C");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, ErrorCode::invalid);
  EXPECT_EQ(c.error().message, "cannot convert 'kWh' to '°C'");
  for (auto [from, to] : {std::pair{"kW", "kWh"},
                          {"%", "ppm"},
                          {"", "%"},
                          {"count", ""},
                          {"m³", "m³/h"},
                          {"Pa", "m/s"},
                          {"V", "A"},
                          {"l", "l/s"}}) {
    c = unit_conversion(from, to);
    ASSERT_FALSE(c) << from << " -> " << to;
    EXPECT_EQ(c.error().code, ErrorCode::invalid);
    EXPECT_NE(c.error().message.find(std::string("'") + from + "'"), std::string::npos);
    EXPECT_NE(c.error().message.find(std::string("'") + to + "'"), std::string::npos);
  }
  EXPECT_TRUE(unit_conversion("", ""));
  // Aliases are canonical_unit()'s job, not conversion's.
  c = unit_conversion("kwh", "kWh");
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("'kwh'"), std::string::npos);
  c = unit_conversion("°C", std::string(1000, 'x'));
  ASSERT_FALSE(c);
  EXPECT_LT(c.error().message.size(), 100u);
}

struct Expected {
  std::string_view key;
  std::optional<std::string_view> hint;
  std::string_view quantity, unit, kind;
  bool confident;
};

void expect_guess(const Expected& e) {
  const auto g = guess_point(e.key, e.hint);
  const std::string what = std::string(e.key) + " / " + std::string(e.hint.value_or("(no hint)"));
  EXPECT_EQ(g.quantity, e.quantity) << what;
  EXPECT_EQ(g.unit, e.unit) << what;
  EXPECT_EQ(g.kind, e.kind) << what;
  EXPECT_EQ(g.confident, e.confident) << what;
}

TEST(PointGuess, RealisticKeys) {
  const std::vector<Expected> cases = {
      {"temperature", {}, "temperature", "°C", "sensor", true},
      {"temp", {}, "temperature", "°C", "sensor", true},
      {"airTemp", {}, "temperature", "°C", "sensor", true},
      {"room_temp_c", {}, "temperature", "°C", "sensor", true},
      {"tempF", {}, "temperature", "°F", "sensor", true},
      {"Temp2", {}, "temperature", "°C", "sensor", true},
      {"flow_temp", {}, "temperature", "°C", "sensor", true},
      {"zone_a_temp", {}, "temperature", "°C", "sensor", true},
      {"t_air", {}, "temperature", "°C", "sensor", false},
      {"humidity", {}, "humidity", "%", "sensor", true},
      {"humidity%", {}, "humidity", "%", "sensor", true},
      {"RH", {}, "humidity", "%", "sensor", true},
      {"co2", {}, "co2", "ppm", "sensor", true},
      {"CO2Level", {}, "co2", "ppm", "sensor", true},
      {"tvoc", {}, "voc", "ppb", "sensor", true},
      {"tvoc_ppm", {}, "voc", "ppb", "sensor", false},  // needs a conversion
      {"people_count", {}, "occupancy", "count", "sensor", true},
      {"batteryLevel", {}, "ratio", "%", "sensor", false},
      {"battery_pct", {}, "ratio", "%", "sensor", true},
      {"BatV", {}, "voltage", "V", "sensor", false},
      {"battery_voltage", {}, "voltage", "V", "sensor", true},
      {"energy_kwh", {}, "energy", "kWh", "sensor", true},
      {"energyKWh", {}, "energy", "kWh", "sensor", true},
      {"Energy.MWh", {}, "energy", "MWh", "sensor", true},
      {"energy_mwh", {}, "energy", "kWh", "sensor", false},  // mWh or MWh?
      {"energy", {}, "energy", "kWh", "sensor", true},
      {"kwh", {}, "energy", "kWh", "sensor", true},
      {"meter", {}, "energy", "kWh", "sensor", false},
      {"water_meter", {}, "volume", "m³", "sensor", false},
      {"gas_m3", {}, "volume", "m³", "sensor", true},
      {"power_w", {}, "power", "W", "sensor", true},
      {"activePowerKW", {}, "power", "kW", "sensor", true},
      {"power_on", {}, "state", "", "status", true},
      {"water_flow", {}, "volume_flow", "m³/h", "sensor", true},
      {"supply-pressure", {}, "pressure", "Pa", "sensor", true},
      {"pressure_bar", {}, "pressure", "bar", "sensor", true},
      {"valve_pos", {}, "position", "%", "sensor", true},
      {"damper", {}, "position", "%", "sensor", true},
      {"lux", {}, "illuminance", "lx", "sensor", true},
      {"light_w", {}, "power", "W", "sensor", false},
      {"voltage", {}, "voltage", "V", "sensor", true},
      {"current_a", {}, "current", "A", "sensor", true},
      {"currentTemperature", {}, "temperature", "°C", "sensor", true},
      {"grid/freq", {}, "frequency", "Hz", "sensor", true},
      {"wind_speed", {}, "speed", "m/s", "sensor", true},
      {"wind_direction", {}, "state", "", "sensor", false},
      {"door", {}, "state", "", "status", true},
      {"window_open", {}, "state", "", "status", true},
      {"occupied", {}, "state", "", "status", true},
      {"rssi", {}, "state", "", "sensor", false},
      {"lora.snr", {}, "state", "", "sensor", false},
      {"foo", {}, "state", "", "sensor", false},
      {"", {}, "state", "", "sensor", false},
  };
  for (const auto& e : cases) expect_guess(e);
}

TEST(PointGuess, AUnitHintWins) {
  const std::vector<Expected> cases = {
      // It picks the unit among the quantity's units...
      {"temperature", "°F", "temperature", "°F", "sensor", true},
      {"temp", "degF", "temperature", "°F", "sensor", true},
      {"room_temp_c", "K", "temperature", "K", "sensor", false},  // the key said °C
      {"power", "kW", "power", "kW", "sensor", true},
      {"t_air", "C", "temperature", "°C", "sensor", true},  // confirms a weak word
      {"battery", "%", "ratio", "%", "sensor", true},
      // ...needs a conversion to one of them...
      {"voc", "ppm", "voc", "ppb", "sensor", false},
      // ...or, of another dimension, overrules the key.
      {"temperature", "kWh", "energy", "kWh", "sensor", false},
      {"door", "°C", "temperature", "°C", "sensor", false},
      // When the key says nothing, the hint decides the quantity.
      {"value", "kWh", "energy", "kWh", "sensor", true},
      {"foo", "ppm", "co2", "ppm", "sensor", true},
      {"x", "%", "ratio", "%", "sensor", false},  // humidity? position?
      {"x", "K", "temperature", "K", "sensor", false},
      {"ch1", "m3/h", "volume_flow", "m³/h", "sensor", true},
      // An empty hint says nothing; an unknown one is ignored, with doubt.
      {"temperature", "", "temperature", "°C", "sensor", true},
      {"door", "", "state", "", "status", true},
      {"temperature", "dBm", "temperature", "°C", "sensor", false},
      {"rssi", "dBm", "state", "", "sensor", false},
      {"power", "mW", "power", "W", "sensor", false},
      {"foo", "furlong", "state", "", "sensor", false},
  };
  for (const auto& e : cases) expect_guess(e);
}

TEST(PointGuess, EveryGuessIsInTheVocabulary) {
  std::vector<std::string> keys = {
      "temperature",
      "temp",
      "airTemp",
      "room_temp_c",
      "humidity",
      "co2",
      "batteryLevel",
      "energy_kwh",
      "power_w",
      "valve_pos",
      "lux",
      "rssi",
      "foo",
      "Temp_°F",
      "mw",
      "MWh",
      "%",
      "K",
      "a",
      "zone_a",
      "l",
      "pct",
      "count",
      "occ",
      "pir",
      "press_pa",
      "flow_l_s",
      "voltage_battery",
      "heat_meter",
      "elec_consumption",
      "soc",
      "i",
      "p",
      "t",
      "Hz",
      "CO2_ppm",
      "VOCIndex",
      "x.y.z",
      "__--..//",
      "ÄÖÜ_temp",
      "température",
      "\xff\xfe\x00",
  };
  // Every word of the vocabulary and every unit spelling, alone and in pairs.
  std::vector<std::string> words(quantities().begin(), quantities().end());
  for (const auto q : quantities())
    for (const auto u : units_of(q)) words.emplace_back(u);
  for (const auto& a : words) {
    keys.push_back(a);
    for (const auto& b : words) keys.push_back(a + "_" + b);
  }
  keys.push_back(std::string(100'000, 't'));
  keys.push_back(std::string(5'000, '_') + "temp");
  std::string many;
  for (int i = 0; i < 1000; ++i) many += "temp_kwh_";
  keys.push_back(many);

  const std::vector<std::optional<std::string_view>> hints = {
      std::nullopt, "", "%", "K", "kWh", "°F", "m3", "bogus", "count"};
  std::size_t checked = 0;
  for (const auto& key : keys)
    for (const auto& hint : hints) {
      const auto g = guess_point(key, hint);
      const auto qs = quantities();
      ASSERT_NE(std::find(qs.begin(), qs.end(), g.quantity), qs.end()) << key << ": " << g.quantity;
      ASSERT_TRUE(is_unit_of(g.quantity, g.unit)) << key << ": " << g.quantity << " " << g.unit;
      ASSERT_TRUE(g.kind == "sensor" || g.kind == "status") << key << ": " << g.kind;
      if (g.kind == "status") {
        EXPECT_EQ(g.quantity, "state") << key;
      }
      ++checked;
    }
  EXPECT_GT(checked, 10'000u);
}

}  // namespace
}  // namespace citypulse::ingest
