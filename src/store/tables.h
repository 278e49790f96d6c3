// The relational shape of the asset schemas: the table of each resource, which
// of its columns refer to which tables, and which values must be unique.
// Derived from the schemas (model/asset_schema.h), so reference checks and the
// counting of dependent records cannot miss a field; the DDL in migrations.cpp
// must agree, which a unit test checks against the created tables.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "model/schema.h"

namespace citypulse {

// A column holding the id of a record in `target`.
struct RefColumn {
  std::string_view column;  // "space_id"
  std::string_view target;  // "spaces"
  RefRule rule;
  Access access;
};

// A value that no two records may share (empty values excepted).
struct UniqueKey {
  std::string_view column;
  bool per_tenant;  // unique within a tenant, or across the whole store
};

struct TableInfo {
  std::string_view table;     // the collection name: "buildings"
  std::string_view singular;  // for messages: "building"
  bool tenant_owned;          // has a tenant_id column (all but tenants)
  bool has_building;          // has a building_id column
  std::vector<RefColumn> refs;
  std::vector<UniqueKey> unique;
};

// All asset tables (and rules, whose scope refers to them), parents before children (a table refers only to itself and
// to tables before it).
std::span<const TableInfo> asset_tables();

// The entry for `table`, which must be one of asset_tables().
const TableInfo& table_info(std::string_view table);

// Device channels are rows of their own that refer to points (and devices).
inline constexpr std::string_view kDeviceChannelsTable = "device_channels";

}  // namespace citypulse
