// The asset model: the spatial tree (site → building → floor → space), the
// equipment in it, the points that measure or command something, and the
// devices that connect. Plain values; the rules that make a record valid live
// in the schemas (asset_schema.h) and the store (references, tenancy).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"

namespace citypulse {

using Id = std::int64_t;

// What every stored record carries. `version` starts at 1 and grows by one per
// update; it is the record's ETag.
struct RecordMeta {
  Id id = 0;
  Id tenant_id = 0;
  std::int64_t version = 0;
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
};

struct Tenant : RecordMeta {
  std::string name;
  std::string timezone = "Europe/Berlin";
};

struct Site : RecordMeta {
  std::string name;
  std::string address;
  std::optional<double> latitude, longitude;
  std::vector<std::string> tags;
};

struct Building : RecordMeta {
  std::optional<Id> site_id;
  std::string name;
  std::string type;  // building_types()
  std::string address;
  std::optional<double> latitude, longitude;
  std::optional<double> gross_floor_area_m2;
  std::optional<std::int64_t> year_built;
  std::string timezone = "Europe/Berlin";
  std::vector<std::string> tags;
  std::string footprint;  // WKT POLYGON((lon lat, ...)), model/footprint.h; empty: none
};

struct Floor : RecordMeta {
  Id building_id = 0;
  std::string name;
  std::int64_t level = 0;  // 0 ground floor, negative below ground
  std::optional<double> elevation_m;
};

struct Space : RecordMeta {
  Id building_id = 0;  // derived from the floor
  Id floor_id = 0;
  std::string name;
  std::string usage;  // space_usages()
  std::optional<double> area_m2;
  std::string zone;  // an HVAC or lighting zone name; free text
  std::vector<std::string> tags;
};

struct Equipment : RecordMeta {
  Id building_id = 0;
  std::optional<Id> space_id;   // where it stands, if known
  std::optional<Id> parent_id;  // the equipment it is part of
  std::string name;
  std::string kind;  // equipment_kinds()
  std::string vendor;
  std::string model;
  std::vector<std::string> tags;
};

struct Point : RecordMeta {
  Id building_id = 0;
  std::optional<Id> space_id;
  std::optional<Id> equipment_id;
  std::string name;
  std::string key;   // optional; unique in the tenant when set (devices address points by it)
  std::string kind;  // sensor | setpoint | command | status
  std::string quantity;
  std::string unit;
  std::optional<double> min_value, max_value;  // physical bounds
  std::optional<std::int64_t> expected_interval_s;
  std::vector<std::string> tags;
};

struct DeviceChannel {
  std::string channel;  // the device's own name for the value ("temp", "40001", "AI:3")
  Id point_id = 0;
  bool operator==(const DeviceChannel&) const = default;
};

struct Device : RecordMeta {
  std::optional<Id> building_id;
  std::string name;
  std::string protocol;  // device_protocols()
  std::string vendor;
  std::string model;
  std::string serial;  // optional; unique in the tenant when set (DevEUI, BACnet instance...)
  std::string status = "provisioning";
  std::vector<DeviceChannel> channels;
  std::vector<std::string> tags;
  // "gateway": the device may speak for the devices behind it (their
  // gateway_id) over the MQTT gateway API. device_roles().
  std::string role = "device";
  std::optional<Id> gateway_id;  // the gateway this device reports through
  // MQTT topic filters whose messages are this device's readings (a
  // third-party gateway's or network server's own topics; docs/mqtt.md).
  std::vector<std::string> mqtt_topics;
};

}  // namespace citypulse
