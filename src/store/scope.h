// Scope: whose records a caller may see and change. Every repository call
// takes one; there is no query path without it.
#pragma once

#include <optional>

#include "model/asset.h"

namespace citypulse {

class Scope {
 public:
  // Every tenant: the superadmin, and the server's own start-up tasks.
  static Scope all_tenants() { return Scope(std::nullopt); }
  // One tenant's records only.
  static Scope tenant(Id tenant_id) { return Scope(tenant_id); }

  bool is_all() const { return !tenant_; }
  // The tenant the scope is limited to; nullopt for all tenants.
  std::optional<Id> tenant_id() const { return tenant_; }
  bool sees(Id tenant_id) const { return !tenant_ || *tenant_ == tenant_id; }

 private:
  explicit Scope(std::optional<Id> t) : tenant_(t) {}
  std::optional<Id> tenant_;
};

}  // namespace citypulse
