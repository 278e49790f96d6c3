#include "api/api.h"

#include "api/asset_routes.h"
#include "api/static_files.h"
#include "api/system_routes.h"

namespace citypulse {

std::unique_ptr<Router> build_router(MetaStore& store, const HttpConfig& config) {
  auto router = std::make_unique<Router>();
  // Caller scope. Until sign-in exists every request acts for all tenants; the
  // identity layer replaces this middleware with one that reads the token.
  router->use([](RequestContext& ctx, const Next& next) {
    ctx.scope = Scope::all_tenants();
    return next(ctx);
  });
  add_system_routes(*router, store);
  add_asset_routes(*router, store);
  router->set_fallback(static_files(config.web_root));
  return router;
}

}  // namespace citypulse
