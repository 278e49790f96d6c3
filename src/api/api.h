// The HTTP API assembled: every route of the server and the middleware they
// share, ready for HttpServer.
#pragma once

#include <memory>

#include "api/router.h"
#include "core/config.h"
#include "store/meta_store.h"

namespace citypulse {

// `store` must outlive the router.
std::unique_ptr<Router> build_router(MetaStore& store, const HttpConfig& config);

}  // namespace citypulse
