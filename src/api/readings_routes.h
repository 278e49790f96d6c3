// Readings of points under /api/v1/ (readings:read):
//   GET /points/{id}/readings?from=&to=&limit=   raw samples, oldest first
//   GET /points/{id}/latest                      the newest sample (null before any)
//   GET /buildings/{id}/latest                   the newest sample of every point
// A point or building outside the caller's scope is 404, as if it did not
// exist. Times are RFC 3339 at the edge.
#pragma once

#include "api/router.h"
#include "store/meta_store.h"
#include "store/series_store.h"

namespace citypulse {

// `store` and `series` must outlive the router.
void add_readings_routes(Router& router, MetaStore& store, SeriesStore& series);

}  // namespace citypulse
