// Router: maps (method, path) to a handler, with {name} path parameters, and
// runs every request through a middleware chain.
//
// Matching is by whole segments; a literal segment beats a parameter, so
// "/buildings/{id}/tree" and "/buildings/{id}" coexist. A path that matches no
// route is 404; a path that matches with another method is 405 with Allow.
// Paths outside /api/, /healthz, /readyz and /metrics may fall through to a
// fallback handler (the web UI's static files).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/http_message.h"
#include "auth/permissions.h"
#include "auth/principal.h"
#include "core/result.h"
#include "model/asset.h"
#include "store/scope.h"

namespace citypulse {

struct Route;

// Route classes for rate limiting (config rate_limit.*). Ingest routes carry
// readings: limited on their own (off by default, since the pipeline's
// back-pressure protects the server) and never audited one by one.
enum class RateClass { read, write, auth, ingest };

// Who may call a route; every route states it. Open routes need no
// credentials (health, sign-in, the API document); the others need an
// authenticated caller and, when set, a permission.
struct RouteAccess {
  bool open = false;
  std::optional<auth::Permission> permission;
  RateClass rate = RateClass::read;

  static RouteAccess public_route(RateClass rate = RateClass::read) {
    return {true, std::nullopt, rate};
  }
  static RouteAccess authenticated(RateClass rate = RateClass::read) {
    return {false, std::nullopt, rate};
  }
  static RouteAccess needs(auth::Permission p, RateClass rate) { return {false, p, rate}; }
};

// Where a route's handler runs. on_workers: on the worker pool, free to
// block on stores. inline_first: first on the connection's I/O thread, with
// RequestContext::may_block false — the handler must then not block (no
// disk, no store query, no lock held long) and answers
// HttpResponse::blocked(), having changed nothing, when it would have to; the
// request then runs again on the worker pool. For the hottest small requests
// (a device's reading), where the hop to a worker costs more than the work.
enum class RouteRuns { on_workers, inline_first };

// What a handler leaves for the audit log about a change it made.
struct AuditNote {
  std::optional<Id> tenant_id;
  std::optional<Id> resource_id;
  std::string summary = "{}";  // JSON object: before/after of what changed
};

// What a handler and the middleware know about the request being served.
struct RequestContext {
  const HttpRequest& request;
  const Route* route = nullptr;               // nullptr when no route matched
  std::map<std::string, std::string> params;  // path parameters
  Scope scope = Scope::all_tenants();         // set by the access middleware
  std::optional<auth::Principal> principal;   // set by the access middleware
  std::optional<AuditNote> audit;             // set by handlers that change something
  std::string audit_action;                   // set by handlers: the audit's action, when
                                              // not the method's (create, update, delete)
  bool may_block = true;                      // false: on an I/O thread (RouteRuns)

  // A path parameter that must be a positive id; bad_request otherwise.
  Result<Id> id_param(std::string_view name) const;
  // The label used for metrics and logs: the route pattern, or a fixed word.
  std::string_view route_label() const;
};

using Handler = std::function<HttpResponse(RequestContext&)>;
using Next = std::function<HttpResponse(RequestContext&)>;
using Middleware = std::function<HttpResponse(RequestContext&, const Next&)>;

struct Route {
  std::string method;
  std::string pattern;  // "/api/v1/buildings/{id}"
  Handler handler;
  RouteAccess access;
  std::vector<std::string> segments;  // the pattern split at '/', once, by Router::add
  RouteRuns runs = RouteRuns::on_workers;
};

class Router {
 public:
  void add(std::string method, std::string pattern, RouteAccess access, Handler handler,
           RouteRuns runs = RouteRuns::on_workers);
  // Middleware run in the order added, the first outermost.
  void use(Middleware middleware);
  // For GET/HEAD requests no route claims, outside the reserved prefixes.
  void set_fallback(Handler handler);

  // With `may_block` false (an I/O thread), a request whose route is not
  // inline_first (or that matches none) is answered HttpResponse::blocked()
  // before any middleware runs.
  HttpResponse handle(const HttpRequest& request, bool may_block = true) const;

  // Every registered (method, pattern), for the OpenAPI check.
  std::vector<std::pair<std::string, std::string>> routes() const;
  // Every registered route.
  std::vector<const Route*> all_routes() const;

 private:
  std::vector<std::unique_ptr<Route>> routes_;
  // routes_ by their number of segments, in the order added: a request is
  // matched only against patterns as long as its path.
  std::vector<std::vector<const Route*>> by_length_;
  std::vector<Middleware> middleware_;
  Handler fallback_;
};

}  // namespace citypulse
