// Operational endpoints: GET /healthz (the process answers), GET /readyz (the
// stores are open and migrated), GET /metrics (Prometheus text format) and
// GET /api/v1/openapi.json (the API's own description).
#pragma once

#include <boost/json/fwd.hpp>
#include <functional>
#include <string>
#include <vector>

#include "api/router.h"
#include "store/meta_store.h"

namespace citypulse {

// Appends a module's metrics (Prometheus text) to a /metrics answer.
using MetricsSource = std::function<void(std::string&)>;

// `store` must outlive the router, and so must what `metrics` reads.
void add_system_routes(Router& router, MetaStore& store, std::vector<MetricsSource> metrics = {});

// The OpenAPI 3.1 document: the hand-written paths (src/api/openapi.json)
// completed with the component schemas generated from the model's schemas.
const boost::json::object& openapi_document();

}  // namespace citypulse
