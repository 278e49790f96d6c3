#include "api/router.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <charconv>

#include "api/problem.h"

namespace citypulse {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    const auto j = path.find('/', i);
    parts.push_back(path.substr(i, j == path.npos ? path.npos : j - i));
    if (j == path.npos) break;
    i = j;
  }
  if (path.size() > 1 && path.back() == '/') parts.emplace_back();  // trailing slash: empty segment
  return parts;
}

bool is_param(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Matches a path against a route's pattern, split when the route was added;
// on success fills params. Returns the number of literal segments matched
// (more literals = more specific), or -1. Allocates only for a match: every
// request is matched against every route of its length.
int match(const Route& route, const std::vector<std::string_view>& path,
          std::map<std::string, std::string>& params) {
  const auto& parts = route.segments;
  if (parts.size() != path.size()) return -1;
  int literals = 0;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (is_param(parts[i])) {
      if (path[i].empty()) return -1;
    } else if (parts[i] == path[i]) {
      ++literals;
    } else {
      return -1;
    }
  }
  params.clear();
  for (std::size_t i = 0; i < parts.size(); ++i)
    if (is_param(parts[i]))
      params.emplace(parts[i].substr(1, parts[i].size() - 2), std::string(path[i]));
  return literals;
}

bool reserved(std::string_view path) {
  return path.starts_with("/api/") || path == "/api" || path == "/healthz" || path == "/readyz" ||
         path == "/metrics";
}

}  // namespace

Result<Id> RequestContext::id_param(std::string_view name) const {
  const auto it = params.find(std::string(name));
  const std::string_view text = it == params.end() ? std::string_view() : it->second;
  Id id = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc{} || p != text.data() + text.size() || id < 1)
    return fail(
        ErrorCode::bad_request,
        fmt::format("path parameter '{}' must be a positive integer id, got '{}'", name, text));
  return id;
}

std::string_view RequestContext::route_label() const {
  if (route) return route->pattern;
  return reserved(request.path) ? "unmatched" : "static";
}

void Router::add(std::string method, std::string pattern, RouteAccess access, Handler handler,
                 RouteRuns runs) {
  std::vector<std::string> segments;
  for (auto part : split_path(pattern)) segments.emplace_back(part);
  const std::size_t length = segments.size();
  routes_.push_back(
      std::make_unique<Route>(Route{std::move(method), std::move(pattern), std::move(handler),
                                    access, std::move(segments), runs}));
  if (by_length_.size() <= length) by_length_.resize(length + 1);
  by_length_[length].push_back(routes_.back().get());
}

std::vector<const Route*> Router::all_routes() const {
  std::vector<const Route*> out;
  for (const auto& r : routes_) out.push_back(r.get());
  return out;
}

void Router::use(Middleware middleware) {
  middleware_.push_back(std::move(middleware));
}

void Router::set_fallback(Handler handler) {
  fallback_ = std::move(handler);
}

std::vector<std::pair<std::string, std::string>> Router::routes() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& r : routes_) out.emplace_back(r->method, r->pattern);
  return out;
}

HttpResponse Router::handle(const HttpRequest& request, bool may_block) const {
  RequestContext ctx{request,      nullptr,       {},       Scope::all_tenants(), std::nullopt,
                     std::nullopt, std::string(), may_block};
  const auto path = split_path(request.path);
  const std::string_view method =
      request.method == "HEAD" ? "GET" : std::string_view(request.method);
  int best = -1;
  std::vector<std::string> allowed;
  static const std::vector<const Route*> kNone;
  for (const Route* r : path.size() < by_length_.size() ? by_length_[path.size()] : kNone) {
    std::map<std::string, std::string> params;
    const int score = match(*r, path, params);
    if (score < 0) continue;
    if (r->method != method) {
      allowed.push_back(r->method);
      continue;
    }
    if (score > best) {
      best = score;
      ctx.route = r;
      ctx.params = std::move(params);
    }
  }
  // A more specific pattern with another method must not hide a matching route.
  if (ctx.route) allowed.clear();
  if (!may_block && (!ctx.route || ctx.route->runs != RouteRuns::inline_first))
    return HttpResponse::blocked();

  Next innermost = [&](RequestContext& c) -> HttpResponse {
    if (c.route) return c.route->handler(c);
    if (!allowed.empty()) {
      auto r = problem_response(405, "method-not-allowed",
                                fmt::format("{} is not allowed on {}; allowed: {}", request.method,
                                            request.path, fmt::join(allowed, ", ")),
                                request.path);
      r.set_header("Allow", fmt::format("{}", fmt::join(allowed, ", ")));
      return r;
    }
    if (fallback_ && !reserved(request.path) && method == "GET") return fallback_(c);
    return problem_response(404, "not-found", fmt::format("no resource at {}", request.path),
                            request.path);
  };
  // Build the chain from the inside out.
  std::vector<Next> chain(middleware_.size() + 1);
  chain[middleware_.size()] = innermost;
  for (std::size_t i = middleware_.size(); i-- > 0;) {
    chain[i] = [this, i, &chain](RequestContext& c) { return middleware_[i](c, chain[i + 1]); };
  }
  HttpResponse response = chain[0](ctx);
  response.route = std::string(ctx.route_label());
  return response;
}

}  // namespace citypulse
