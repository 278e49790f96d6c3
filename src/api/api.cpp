#include "api/api.h"

#include "api/access.h"
#include "api/asset_routes.h"
#include "api/identity_routes.h"
#include "api/readings_routes.h"
#include "api/static_files.h"
#include "api/system_routes.h"

namespace citypulse {
namespace {

std::vector<std::string> split_origins(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    std::string_view o = text.substr(0, comma);
    while (!o.empty() && o.front() == ' ') o.remove_prefix(1);
    while (!o.empty() && o.back() == ' ') o.remove_suffix(1);
    if (!o.empty()) out.emplace_back(o);
    text = comma == text.npos ? std::string_view() : text.substr(comma + 1);
  }
  return out;
}

}  // namespace

std::unique_ptr<Router> build_router(const ApiServices& services, const Config& config) {
  auto router = std::make_unique<Router>();
  const bool tls = !config.http.tls_cert.empty();
  router->use(security_headers_middleware(split_origins(config.http.cors_origins), tls));
  router->use(access_middleware(AccessDeps{services.authenticator, services.limiter,
                                           services.store.identity(), config.rate_limit}));
  add_system_routes(*router, services.store);
  add_identity_routes(*router,
                      IdentityDeps{services.store, services.authenticator, services.sessions});
  add_asset_routes(*router, services.store,
                   [&auth = services.authenticator](Id tenant) { auth.tenant_removed(tenant); });
  add_readings_routes(*router, services.store, services.series);
  router->set_fallback(static_files(config.http.web_root));
  return router;
}

}  // namespace citypulse
