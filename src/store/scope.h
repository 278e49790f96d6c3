// Scope: whose records a caller may see and change. Every repository call
// takes one; there is no query path without it.
//
// A one-tenant scope may further be narrowed to some of the tenant's
// buildings. Such a caller sees a building's floors, spaces, equipment,
// points and devices only for those buildings, sees the sites that hold
// them, and its own tenant; it cannot create or change sites, buildings or
// the tenant (forbidden) and cannot make a record refer to a building outside
// its set (as if that building did not exist).
#pragma once

#include <algorithm>
#include <optional>
#include <vector>

#include "model/asset.h"

namespace citypulse {

class Scope {
 public:
  // Every tenant: the superadmin, and the server's own start-up tasks.
  static Scope all_tenants() { return Scope(std::nullopt, false, {}); }
  // One tenant's records only.
  static Scope tenant(Id tenant_id) { return Scope(tenant_id, false, {}); }
  // One tenant's records in these buildings only (any order, duplicates allowed).
  static Scope buildings(Id tenant_id, std::vector<Id> building_ids) {
    std::sort(building_ids.begin(), building_ids.end());
    building_ids.erase(std::unique(building_ids.begin(), building_ids.end()), building_ids.end());
    return Scope(tenant_id, true, std::move(building_ids));
  }

  bool is_all() const { return !tenant_; }
  // The tenant the scope is limited to; nullopt for all tenants.
  std::optional<Id> tenant_id() const { return tenant_; }
  bool sees(Id tenant_id) const { return !tenant_ || *tenant_ == tenant_id; }

  bool is_building_restricted() const { return restricted_; }
  // The buildings a restricted scope is limited to, sorted; empty otherwise.
  const std::vector<Id>& building_ids() const { return buildings_; }
  bool sees_building(Id building) const {
    return !restricted_ || std::binary_search(buildings_.begin(), buildings_.end(), building);
  }

 private:
  Scope(std::optional<Id> t, bool restricted, std::vector<Id> b)
      : tenant_(t), restricted_(restricted), buildings_(std::move(b)) {}
  std::optional<Id> tenant_;
  // A flag beside a plain vector rather than an optional vector: restricted
  // to no building at all is a valid (empty) scope.
  bool restricted_;
  std::vector<Id> buildings_;
};

}  // namespace citypulse
