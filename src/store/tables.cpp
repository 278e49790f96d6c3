#include "store/tables.h"

#include <array>
#include <cstdlib>

#include "model/asset_schema.h"
#include "model/recipient_schema.h"
#include "model/rule_schema.h"

namespace citypulse {
namespace {

template <class T>
TableInfo describe(const Schema<T>& schema, std::vector<UniqueKey> unique) {
  TableInfo t{.table = schema.collection,
              .singular = schema.name,
              .tenant_owned = schema.tenant != TenantField::none,
              .has_building = find_field(schema, "building_id") != nullptr,
              .refs = {},
              .unique = std::move(unique)};
  for (const auto& f : schema.fields)
    if (f.type == FieldType::ref) t.refs.push_back({f.name, f.ref, f.rule, f.access});
  return t;
}

// The unique keys are not in the schemas (uniqueness is the store's business);
// they mirror the unique indexes of migrations.cpp.
const std::array<TableInfo, 10>& tables() {
  static const std::array<TableInfo, 10> t = {
      describe(tenant_schema(), {{"name", false}}),
      describe(site_schema(), {}),
      describe(building_schema(), {}),
      describe(floor_schema(), {}),
      describe(space_schema(), {}),
      describe(equipment_schema(), {}),
      describe(point_schema(), {{"key", true}}),
      describe(device_schema(), {{"serial", true}}),
      describe(rule_schema(), {}),
      describe(recipient_schema(), {}),
  };
  return t;
}

}  // namespace

std::span<const TableInfo> asset_tables() {
  return tables();
}

const TableInfo& table_info(std::string_view table) {
  for (const auto& t : tables())
    if (t.table == table) return t;
  std::abort();  // a schema names a collection that has no table: a bug
}

}  // namespace citypulse
