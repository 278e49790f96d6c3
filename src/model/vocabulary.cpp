#include "model/vocabulary.h"

#include <array>
#include <utility>

namespace citypulse {
namespace {

using namespace std::string_view_literals;

constexpr std::array kBuildingTypes = {
    "town_hall"sv,   "office"sv,       "primary_school"sv, "secondary_school"sv,
    "school"sv,      "kindergarten"sv, "sports_hall"sv,    "swimming_pool"sv,
    "library"sv,     "museum"sv,       "fire_station"sv,   "depot"sv,
    "community_centre"sv, "university"sv, "laboratory"sv, "hospital"sv,
    "residential"sv, "retail"sv,       "warehouse"sv,      "other"sv};

constexpr std::array kSpaceUsages = {
    "office"sv,   "classroom"sv, "meeting_room"sv, "gym"sv,       "pool_hall"sv,
    "changing_room"sv, "plant_room"sv, "server_room"sv, "kitchen"sv, "canteen"sv,
    "corridor"sv, "stairwell"sv, "toilet"sv,       "storage"sv,   "workshop"sv,
    "garage"sv,   "library_hall"sv, "exhibition"sv, "laboratory"sv, "living"sv,
    "other"sv};

constexpr std::array kEquipmentKinds = {
    "ahu"sv,       "boiler"sv,          "heat_pump"sv,   "chiller"sv,      "chp"sv,
    "district_heating_substation"sv,    "pump"sv,        "fan"sv,          "valve"sv,
    "damper"sv,    "radiator"sv,        "fan_coil"sv,    "thermostat"sv,   "meter"sv,
    "lighting_circuit"sv, "pv_inverter"sv, "battery"sv,  "ev_charger"sv,   "sensor"sv,
    "controller"sv, "pool_filter"sv,    "other"sv};

constexpr std::array kPointKinds = {"sensor"sv, "setpoint"sv, "command"sv, "status"sv};

struct QuantityUnits {
  std::string_view quantity;
  std::span<const std::string_view> units;
};

constexpr std::array kTemperature = {"°C"sv, "K"sv, "°F"sv};
constexpr std::array kTemperatureDelta = {"K"sv};
constexpr std::array kPercent = {"%"sv};
constexpr std::array kPpm = {"ppm"sv};
constexpr std::array kPpb = {"ppb"sv};
constexpr std::array kPower = {"W"sv, "kW"sv, "MW"sv};
constexpr std::array kEnergy = {"Wh"sv, "kWh"sv, "MWh"sv, "J"sv, "kJ"sv, "MJ"sv, "GJ"sv};
constexpr std::array kVolume = {"m³"sv, "l"sv};
constexpr std::array kFlow = {"m³/h"sv, "l/s"sv, "l/min"sv};
constexpr std::array kPressure = {"Pa"sv, "kPa"sv, "bar"sv, "mbar"sv};
constexpr std::array kCount = {"count"sv};
constexpr std::array kIlluminance = {"lx"sv};
constexpr std::array kVoltage = {"V"sv};
constexpr std::array kCurrent = {"A"sv};
constexpr std::array kFrequency = {"Hz"sv};
constexpr std::array kSpeed = {"m/s"sv};
constexpr std::array kState = {""sv};

constexpr std::array kQuantityUnits = {
    QuantityUnits{"temperature", kTemperature},
    QuantityUnits{"temperature_difference", kTemperatureDelta},
    QuantityUnits{"humidity", kPercent},
    QuantityUnits{"co2", kPpm},
    QuantityUnits{"voc", kPpb},
    QuantityUnits{"occupancy", kCount},
    QuantityUnits{"power", kPower},
    QuantityUnits{"energy", kEnergy},
    QuantityUnits{"volume", kVolume},
    QuantityUnits{"volume_flow", kFlow},
    QuantityUnits{"pressure", kPressure},
    QuantityUnits{"position", kPercent},
    QuantityUnits{"illuminance", kIlluminance},
    QuantityUnits{"voltage", kVoltage},
    QuantityUnits{"current", kCurrent},
    QuantityUnits{"frequency", kFrequency},
    QuantityUnits{"speed", kSpeed},
    QuantityUnits{"ratio", kPercent},
    QuantityUnits{"state", kState},
};

constexpr auto kQuantities = [] {
  std::array<std::string_view, kQuantityUnits.size()> names{};
  for (std::size_t i = 0; i < names.size(); ++i) names[i] = kQuantityUnits[i].quantity;
  return names;
}();

constexpr std::array kDeviceProtocols = {"mqtt"sv,       "http"sv,      "lorawan"sv,
                                         "modbus_tcp"sv, "bacnet_ip"sv, "http_poll"sv};

constexpr std::array kDeviceStatuses = {"provisioning"sv, "active"sv, "disabled"sv};

constexpr std::array kDeviceRoles = {"device"sv, "gateway"sv};

}  // namespace

std::span<const std::string_view> building_types() { return kBuildingTypes; }
std::span<const std::string_view> space_usages() { return kSpaceUsages; }
std::span<const std::string_view> equipment_kinds() { return kEquipmentKinds; }
std::span<const std::string_view> point_kinds() { return kPointKinds; }
std::span<const std::string_view> quantities() { return kQuantities; }
std::span<const std::string_view> device_protocols() { return kDeviceProtocols; }
std::span<const std::string_view> device_statuses() { return kDeviceStatuses; }
std::span<const std::string_view> device_roles() { return kDeviceRoles; }

std::span<const std::string_view> units_of(std::string_view quantity) {
  for (const auto& q : kQuantityUnits)
    if (q.quantity == quantity) return q.units;
  return {};
}

}  // namespace citypulse
