#include "model/asset_schema.h"

#include <filesystem>

#include "core/mqtt_topic.h"
#include "model/footprint.h"
#include "model/schema_impl.h"
#include "model/vocabulary.h"

namespace citypulse {
namespace {

using F = FieldType;

Status check_timezone(std::string_view tz) {
  if (is_known_timezone(tz)) return {};
  return fail(ErrorCode::invalid, fmt::format("'timezone': '{}' is not a known IANA time zone", tz),
              "/timezone");
}

Status check_position(const std::optional<double>& lat, const std::optional<double>& lon) {
  if (lat.has_value() != lon.has_value())
    return fail(ErrorCode::invalid, "'latitude' and 'longitude' must be given together",
                lat ? "/longitude" : "/latitude");
  return {};
}

Status check_tenant(const Tenant& t) { return check_timezone(t.timezone); }

Status check_site(const Site& s) { return check_position(s.latitude, s.longitude); }

Status check_building(const Building& b) {
  if (auto s = check_position(b.latitude, b.longitude); !s) return s;
  if (!b.footprint.empty())
    if (auto ring = parse_footprint(b.footprint); !ring) return std::unexpected(ring.error());
  return check_timezone(b.timezone);
}

Status check_equipment(const Equipment& e) {
  if (e.id != 0 && e.parent_id == e.id)
    return fail(ErrorCode::invalid, "equipment cannot be its own parent", "/parent_id");
  return {};
}

Status check_point(const Point& p) {
  const auto units = units_of(p.quantity);
  bool unit_ok = false;
  for (auto u : units) unit_ok = unit_ok || u == p.unit;
  if (!unit_ok)
    return fail(ErrorCode::invalid,
                fmt::format("'unit': '{}' is not a unit of {}; use one of: {}", p.unit, p.quantity,
                            fmt::join(units, ", ")),
                "/unit");
  if (p.min_value && p.max_value && *p.min_value >= *p.max_value)
    return fail(ErrorCode::invalid, "'min_value' must be less than 'max_value'", "/min_value");
  if (!p.key.empty())
    for (char c : p.key)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == '/'))
        return fail(ErrorCode::invalid,
                    "'key' may contain only letters, digits and _ - . /", "/key");
  return {};
}

Status check_device(const Device& d) {
  for (std::size_t i = 0; i < d.mqtt_topics.size(); ++i) {
    const auto& filter = d.mqtt_topics[i];
    if (filter.starts_with('$') || !mqtt::valid_topic_filter(filter, 32))
      return fail(ErrorCode::invalid,
                  fmt::format("'mqtt_topics' item {}: '{}' is not an MQTT topic filter of at most "
                              "32 levels ('+' and '#' stand alone in a level, '#' last; no '$')",
                              i, filter),
                  fmt::format("/mqtt_topics/{}", i));
    // A device publishes on what its filters match: never into the device
    // API, where it would speak as other devices.
    if (mqtt::filters_overlap(filter, "v1/devices/#") ||
        mqtt::filters_overlap(filter, "v1/gateway/#"))
      return fail(ErrorCode::invalid,
                  fmt::format("'mqtt_topics' item {}: '{}' could match the device API's topics "
                              "(v1/devices/..., v1/gateway/...)",
                              i, filter),
                  fmt::format("/mqtt_topics/{}", i));
  }
  if (d.gateway_id && d.role == "gateway")
    return fail(ErrorCode::invalid, "a gateway does not report through another gateway",
                "/gateway_id");
  return {};
}

const FieldSpec<Tenant> kTenantFields[] = {
    {.name = "name", .type = F::text, .member = &Tenant::name, .required = true, .min = 1, .max = 200,
     .description = "Name of the municipality or organisation; unique."},
    {.name = "timezone", .type = F::text, .member = &Tenant::timezone, .min = 1, .max = 64,
     .description = "IANA time zone; default for its buildings."},
};

const FieldSpec<Site> kSiteFields[] = {
    {.name = "name", .type = F::text, .member = &Site::name, .required = true, .min = 1, .max = 200},
    {.name = "address", .type = F::text, .member = &Site::address, .max = 500},
    {.name = "latitude", .type = F::number, .member = &Site::latitude, .min = -90, .max = 90},
    {.name = "longitude", .type = F::number, .member = &Site::longitude, .min = -180, .max = 180},
    {.name = "tags", .type = F::tags, .member = &Site::tags},
};

const FieldSpec<Building> kBuildingFields[] = {
    {.name = "site_id", .type = F::ref, .member = &Building::site_id, .ref = "sites",
     .description = "The site (campus, estate) the building stands on, if any."},
    {.name = "name", .type = F::text, .member = &Building::name, .required = true, .min = 1, .max = 200},
    {.name = "type", .type = F::choice, .member = &Building::type, .required = true,
     .choices = building_types()},
    {.name = "address", .type = F::text, .member = &Building::address, .max = 500},
    {.name = "latitude", .type = F::number, .member = &Building::latitude, .min = -90, .max = 90},
    {.name = "longitude", .type = F::number, .member = &Building::longitude, .min = -180, .max = 180},
    {.name = "gross_floor_area_m2", .type = F::number, .member = &Building::gross_floor_area_m2,
     .min = 0, .max = 10'000'000, .description = "Gross floor area in m²; the denominator of energy per m²."},
    {.name = "year_built", .type = F::integer, .member = &Building::year_built, .min = 1000, .max = 2100},
    {.name = "timezone", .type = F::text, .member = &Building::timezone, .min = 1, .max = 64,
     .description = "IANA time zone in which days, schedules and tariffs of the building run."},
    {.name = "tags", .type = F::tags, .member = &Building::tags},
    {.name = "footprint", .type = F::text, .member = &Building::footprint, .max = 60'000,
     .description = "The building's outline for the map, WGS 84 as WKT: POLYGON((lon lat, lon lat, ...)), one closed ring."},
};

const FieldSpec<Floor> kFloorFields[] = {
    {.name = "building_id", .type = F::ref, .member = &Floor::building_id, .access = Access::immutable,
     .required = true, .ref = "buildings", .rule = RefRule::owner},
    {.name = "name", .type = F::text, .member = &Floor::name, .required = true, .min = 1, .max = 200},
    {.name = "level", .type = F::integer, .member = &Floor::level, .required = true, .min = -20, .max = 300,
     .description = "0 is the ground floor; negative levels are below ground."},
    {.name = "elevation_m", .type = F::number, .member = &Floor::elevation_m, .min = -1000, .max = 10000},
};

const FieldSpec<Space> kSpaceFields[] = {
    {.name = "building_id", .type = F::ref, .member = &Space::building_id, .access = Access::derived,
     .ref = "buildings", .description = "The building of the floor."},
    {.name = "floor_id", .type = F::ref, .member = &Space::floor_id, .access = Access::immutable,
     .required = true, .ref = "floors", .rule = RefRule::owner},
    {.name = "name", .type = F::text, .member = &Space::name, .required = true, .min = 1, .max = 200},
    {.name = "usage", .type = F::choice, .member = &Space::usage, .required = true, .choices = space_usages()},
    {.name = "area_m2", .type = F::number, .member = &Space::area_m2, .min = 0, .max = 1'000'000},
    {.name = "zone", .type = F::text, .member = &Space::zone, .max = 100,
     .description = "HVAC or lighting zone the space belongs to."},
    {.name = "tags", .type = F::tags, .member = &Space::tags},
};

const FieldSpec<Equipment> kEquipmentFields[] = {
    {.name = "building_id", .type = F::ref, .member = &Equipment::building_id, .access = Access::immutable,
     .required = true, .ref = "buildings", .rule = RefRule::owner},
    {.name = "space_id", .type = F::ref, .member = &Equipment::space_id, .ref = "spaces",
     .rule = RefRule::same_building, .description = "Where the equipment stands."},
    {.name = "parent_id", .type = F::ref, .member = &Equipment::parent_id, .ref = "equipment",
     .rule = RefRule::same_building, .description = "The equipment this one is part of."},
    {.name = "name", .type = F::text, .member = &Equipment::name, .required = true, .min = 1, .max = 200},
    {.name = "kind", .type = F::choice, .member = &Equipment::kind, .required = true,
     .choices = equipment_kinds()},
    {.name = "vendor", .type = F::text, .member = &Equipment::vendor, .max = 200},
    {.name = "model", .type = F::text, .member = &Equipment::model, .max = 200},
    {.name = "tags", .type = F::tags, .member = &Equipment::tags},
};

const FieldSpec<Point> kPointFields[] = {
    {.name = "building_id", .type = F::ref, .member = &Point::building_id, .access = Access::immutable,
     .required = true, .ref = "buildings", .rule = RefRule::owner},
    {.name = "space_id", .type = F::ref, .member = &Point::space_id, .ref = "spaces",
     .rule = RefRule::same_building},
    {.name = "equipment_id", .type = F::ref, .member = &Point::equipment_id, .ref = "equipment",
     .rule = RefRule::same_building},
    {.name = "name", .type = F::text, .member = &Point::name, .required = true, .min = 1, .max = 200},
    {.name = "key", .type = F::text, .member = &Point::key, .max = 200,
     .description = "Stable name devices may address the point by; unique in the tenant when set."},
    {.name = "kind", .type = F::choice, .member = &Point::kind, .required = true, .choices = point_kinds()},
    {.name = "quantity", .type = F::choice, .member = &Point::quantity, .required = true,
     .choices = quantities()},
    {.name = "unit", .type = F::text, .member = &Point::unit, .required = true, .max = 16,
     .description = "A unit of the quantity (°C, kW, kWh, %, ppm, m³...); empty for states."},
    {.name = "min_value", .type = F::number, .member = &Point::min_value,
     .description = "Lowest physically possible value, in the point's unit."},
    {.name = "max_value", .type = F::number, .member = &Point::max_value,
     .description = "Highest physically possible value, in the point's unit."},
    {.name = "expected_interval_s", .type = F::integer, .member = &Point::expected_interval_s, .min = 1,
     .max = 31 * 86400, .description = "How often a reading is expected, in seconds."},
    {.name = "tags", .type = F::tags, .member = &Point::tags},
};

const FieldSpec<Device> kDeviceFields[] = {
    {.name = "building_id", .type = F::ref, .member = &Device::building_id, .ref = "buildings",
     .description = "Where the device is installed, if in one building."},
    {.name = "name", .type = F::text, .member = &Device::name, .required = true, .min = 1, .max = 200},
    {.name = "protocol", .type = F::choice, .member = &Device::protocol, .required = true,
     .choices = device_protocols()},
    {.name = "vendor", .type = F::text, .member = &Device::vendor, .max = 200},
    {.name = "model", .type = F::text, .member = &Device::model, .max = 200},
    {.name = "serial", .type = F::text, .member = &Device::serial, .max = 200,
     .description = "Hardware identity (DevEUI, BACnet device instance, serial number); unique in the tenant when set."},
    {.name = "status", .type = F::choice, .member = &Device::status, .choices = device_statuses()},
    {.name = "channels", .type = F::channels, .member = &Device::channels,
     .description = "Which point each of the device's channels feeds."},
    {.name = "tags", .type = F::tags, .member = &Device::tags},
    {.name = "role", .type = F::choice, .member = &Device::role, .choices = device_roles(),
     .description = "'gateway': speaks for the devices whose gateway_id it is, over the MQTT gateway API."},
    {.name = "gateway_id", .type = F::ref, .member = &Device::gateway_id, .ref = "devices",
     .description = "The gateway this device reports through."},
    {.name = "mqtt_topics", .type = F::tags, .member = &Device::mqtt_topics, .max = 200,
     .description = "MQTT topic filters whose messages are this device's readings (third-party gateways, network servers)."},
};

}  // namespace

bool is_known_timezone(std::string_view name) {
  if (name == "UTC") return true;
  if (name.empty() || name.size() > 64 || name.front() == '/' || name.find("..") != name.npos)
    return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' || c == '+'))
      return false;
  std::error_code ec;
  return std::filesystem::is_regular_file(std::filesystem::path("/usr/share/zoneinfo") / name, ec);
}

const Schema<Tenant>& tenant_schema() {
  static const Schema<Tenant> s{"tenant", "tenants", "A municipality or organisation; owns everything else.",
                                TenantField::none, kTenantFields, check_tenant};
  return s;
}
const Schema<Site>& site_schema() {
  static const Schema<Site> s{"site", "sites", "A plot, campus or estate holding buildings.",
                              TenantField::explicit_, kSiteFields, check_site};
  return s;
}
const Schema<Building>& building_schema() {
  static const Schema<Building> s{"building", "buildings", "A building.", TenantField::explicit_,
                                  kBuildingFields, check_building};
  return s;
}
const Schema<Floor>& floor_schema() {
  static const Schema<Floor> s{"floor", "floors", "A storey of a building.", TenantField::derived,
                               kFloorFields, nullptr};
  return s;
}
const Schema<Space>& space_schema() {
  static const Schema<Space> s{"space", "spaces", "A room or zone on a floor.", TenantField::derived,
                               kSpaceFields, nullptr};
  return s;
}
const Schema<Equipment>& equipment_schema() {
  static const Schema<Equipment> s{"equipment", "equipment",
                                   "A piece of plant or an instrument (AHU, boiler, meter, pump...).",
                                   TenantField::derived, kEquipmentFields, check_equipment};
  return s;
}
const Schema<Point>& point_schema() {
  static const Schema<Point> s{"point", "points", "One measured or commanded quantity; its readings form a series.",
                               TenantField::derived, kPointFields, check_point};
  return s;
}
const Schema<Device>& device_schema() {
  static const Schema<Device> s{"device", "devices",
                                "Something that connects and delivers readings: a gateway, sensor, meter or controller.",
                                TenantField::explicit_, kDeviceFields, check_device};
  return s;
}

#define CITYPULSE_INSTANTIATE_SCHEMA_FUNCTIONS(T)                                                    \
  template Result<T> decode(const boost::json::value&, const Schema<T>&, DecodeMode, const T*);     \
  template boost::json::object encode(const T&, const Schema<T>&);                                  \
  template boost::json::object json_schema(const Schema<T>&);                                       \
  template std::vector<std::string_view> filter_names(const Schema<T>&);
CITYPULSE_FOR_EACH_ASSET(CITYPULSE_INSTANTIATE_SCHEMA_FUNCTIONS)
#undef CITYPULSE_INSTANTIATE_SCHEMA_FUNCTIONS

}  // namespace citypulse
