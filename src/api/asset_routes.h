// The REST resources of the asset model under /api/v1/: for each of tenants,
// sites, buildings, floors, spaces, equipment, points and devices
//   GET    /api/v1/{collection}          list (filters, limit, cursor)
//   POST   /api/v1/{collection}          create → 201, Location, ETag
//   GET    /api/v1/{collection}/{id}     read → ETag (If-None-Match → 304)
//   PUT    /api/v1/{collection}/{id}     replace (If-Match → 412 on mismatch)
//   PATCH  /api/v1/{collection}/{id}     merge-patch (If-Match likewise)
//   DELETE /api/v1/{collection}/{id}     → 204; ?cascade=true removes dependents
// and GET /api/v1/buildings/{id}/tree, the spatial tree in one response.
#pragma once

#include <functional>

#include "api/router.h"
#include "bus/event_bus.h"
#include "store/meta_store.h"

namespace citypulse {

// Called with a record's id after it was removed (cascades included).
using RemovedHook = std::function<void(Id)>;

// `store` (and `bus`, when given) must outlive the router. `tenant_removed`
// learns of removed tenants (their users went with them). Every record
// created, changed or removed is published on `bus` as asset_changed
// ({"collection", "id", "action", "version"}).
void add_asset_routes(Router& router, MetaStore& store, bus::EventBus* bus = nullptr,
                      RemovedHook tenant_removed = {});

}  // namespace citypulse
