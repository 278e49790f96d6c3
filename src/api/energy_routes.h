// Energy accounting under /api/v1/ (docs/analytics.md):
//   GET    /points/{id}/meter          a meter point's settings (assets:read)
//   PUT    /points/{id}/meter          set them (assets:write; If-Match)
//   DELETE /points/{id}/meter          the point is no meter any more, its
//                                      ledger goes (assets:write)
//   GET    /buildings/{id}/energy      a building's tariffs, carbon factors,
//                                      budgets, weather (analytics:read)
//   PUT    /buildings/{id}/energy      set them (assets:write; If-Match)
//   DELETE /buildings/{id}/energy      remove them (assets:write)
//   GET    /analytics/consumption      energy (with cost and CO2 where the
//                                      settings allow) by meter, building or
//                                      tenant in local calendar buckets
//                                      (analytics:read)
//   GET    /analytics/budgets          the year's budgets: plan, actual to
//                                      date, the projection to year end,
//                                      over or not (analytics:read)
//   GET    /analytics/recommendations  what a building's (or every visible
//                                      building's) last year shows could be
//                                      saved, ranked (analytics:read)
//   GET    /analytics/forecast         the next 1–72 hours with their band
//                                      (analytics:read)
//   GET    /analytics/savings          avoided energy against a baseline
//                                      model, with its uncertainty
//                                      (analytics:read)
// What the caller's scope does not see is 404, as if it did not exist.
#pragma once

#include "api/router.h"
#include "energy/energy_service.h"
#include "store/meta_store.h"

namespace citypulse {

// `store` and `service` must outlive the router.
void add_energy_routes(Router& router, MetaStore& store, energy::EnergyService& service);

}  // namespace citypulse
