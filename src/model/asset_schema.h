// The schemas of the asset resources (see schema.h for what a schema drives).
#pragma once

#include "model/schema.h"

namespace citypulse {

const Schema<Tenant>& tenant_schema();
const Schema<Site>& site_schema();
const Schema<Building>& building_schema();
const Schema<Floor>& floor_schema();
const Schema<Space>& space_schema();
const Schema<Equipment>& equipment_schema();
const Schema<Point>& point_schema();
const Schema<Device>& device_schema();

// True for an IANA time zone name this machine knows ("Europe/Berlin", "UTC").
bool is_known_timezone(std::string_view name);

#define CITYPULSE_FOR_EACH_ASSET(X) \
  X(Tenant) X(Site) X(Building) X(Floor) X(Space) X(Equipment) X(Point) X(Device)

#define CITYPULSE_DECLARE_SCHEMA_FUNCTIONS(T)                                                  \
  extern template Result<T> decode(const boost::json::value&, const Schema<T>&, DecodeMode,    \
                                   const T*);                                                  \
  extern template boost::json::object encode(const T&, const Schema<T>&);                      \
  extern template boost::json::object json_schema(const Schema<T>&);                           \
  extern template std::vector<std::string_view> filter_names(const Schema<T>&);
CITYPULSE_FOR_EACH_ASSET(CITYPULSE_DECLARE_SCHEMA_FUNCTIONS)
#undef CITYPULSE_DECLARE_SCHEMA_FUNCTIONS

}  // namespace citypulse
