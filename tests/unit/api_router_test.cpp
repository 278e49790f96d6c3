// Unit tests of the router, problem responses and the OpenAPI document.
#include <gtest/gtest.h>

#include <unistd.h>
#include <boost/json.hpp>
#include <filesystem>
#include <set>

#include "api/api.h"
#include "api/problem.h"
#include "api/router.h"
#include "api/system_routes.h"
#include "store/embedded_series_store.h"
#include "store/sqlite/sqlite_meta_store.h"

namespace citypulse {
namespace {

namespace json = boost::json;

HttpRequest make_request(std::string method, std::string target) {
  HttpRequest r;
  r.method = std::move(method);
  r.target = target;
  EXPECT_TRUE(parse_target(target, r.path, r.query)) << target;
  return r;
}

HttpResponse text(std::string body) {
  HttpResponse r;
  r.body = std::move(body);
  return r;
}

TEST(Router, MatchesParametersAndPrefersLiterals) {
  Router router;
  router.add("GET", "/api/v1/buildings/{id}", RouteAccess::public_route(),
             [](RequestContext& c) { return text("one " + c.params.at("id")); });
  router.add("GET", "/api/v1/buildings/{id}/tree", RouteAccess::public_route(),
             [](RequestContext& c) { return text("tree " + c.params.at("id")); });
  router.add("GET", "/api/v1/buildings/special", RouteAccess::public_route(),
             [](RequestContext&) { return text("special"); });
  EXPECT_EQ(router.handle(make_request("GET", "/api/v1/buildings/42")).body, "one 42");
  EXPECT_EQ(router.handle(make_request("GET", "/api/v1/buildings/42/tree")).body, "tree 42");
  EXPECT_EQ(router.handle(make_request("GET", "/api/v1/buildings/special")).body, "special");
  EXPECT_EQ(router.handle(make_request("GET", "/api/v1/buildings/42")).route,
            "/api/v1/buildings/{id}");
}

TEST(Router, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  Router router;
  router.add("GET", "/api/v1/sites", RouteAccess::public_route(),
             [](RequestContext&) { return text("list"); });
  router.add("POST", "/api/v1/sites", RouteAccess::public_route(),
             [](RequestContext&) { return text("create"); });
  auto missing = router.handle(make_request("GET", "/api/v1/nothing"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.content_type, "application/problem+json");
  EXPECT_EQ(missing.route, "unmatched");
  auto wrong = router.handle(make_request("DELETE", "/api/v1/sites"));
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.header("Allow").value_or(""), "GET, POST");
  auto body = json::parse(wrong.body).as_object();
  EXPECT_EQ(body.at("status").as_int64(), 405);
  EXPECT_NE(std::string(body.at("detail").as_string()).find("DELETE"), std::string::npos);
  // A trailing slash is a different path, not the collection.
  EXPECT_EQ(router.handle(make_request("GET", "/api/v1/sites/")).status, 404);
}

TEST(Router, MiddlewareWrapsInOrderAndFallbackServesOnlyOutsideTheApi) {
  Router router;
  std::string order;
  router.use([&](RequestContext& c, const Next& next) {
    order += "a";
    auto r = next(c);
    order += "A";
    return r;
  });
  router.use([&](RequestContext& c, const Next& next) {
    order += "b";
    auto r = next(c);
    order += "B";
    return r;
  });
  router.add("GET", "/healthz", RouteAccess::public_route(), [&](RequestContext&) {
    order += "h";
    return text("ok");
  });
  router.set_fallback([](RequestContext&) { return text("spa"); });
  router.handle(make_request("GET", "/healthz"));
  EXPECT_EQ(order, "abhBA");
  EXPECT_EQ(router.handle(make_request("GET", "/buildings/3")).body, "spa");
  EXPECT_EQ(router.handle(make_request("GET", "/buildings/3")).route, "static");
  EXPECT_EQ(router.handle(make_request("GET", "/api/v2/x")).status, 404);
  EXPECT_EQ(router.handle(make_request("POST", "/buildings/3")).status, 404);
}

TEST(Router, OnAnIoThreadOnlyInlineFirstRoutesRunAndTheyMaySendTheRequestOn) {
  Router router;
  int middleware = 0;
  router.use([&](RequestContext& c, const Next& next) {
    ++middleware;
    return next(c);
  });
  router.add("GET", "/slow", RouteAccess::public_route(),
             [](RequestContext&) { return text("slow"); });
  router.add(
      "GET", "/fast/{id}", RouteAccess::public_route(),
      [](RequestContext& c) {
        if (!c.may_block && c.params.at("id") == "2") return HttpResponse::blocked();
        return text(c.may_block ? "worker" : "inline");
      },
      RouteRuns::inline_first);
  // Not inline_first, or no route at all: sent on before anything runs.
  for (const char* target : {"/slow", "/api/v1/nothing"}) {
    auto r = router.handle(make_request("GET", target), false);
    EXPECT_TRUE(r.would_block) << target;
    EXPECT_EQ(r.status, 503) << target;
  }
  EXPECT_EQ(middleware, 0);
  EXPECT_EQ(router.handle(make_request("GET", "/fast/1"), false).body, "inline");
  EXPECT_TRUE(router.handle(make_request("GET", "/fast/2"), false).would_block);
  EXPECT_EQ(router.handle(make_request("GET", "/fast/2")).body, "worker");
  EXPECT_EQ(router.handle(make_request("GET", "/slow")).body, "slow");
  EXPECT_FALSE(router.handle(make_request("GET", "/slow")).would_block);
  EXPECT_EQ(middleware, 5);  // an inline_first route's middleware runs each time it is tried
}

TEST(Router, IdParameterMustBeAPositiveInteger) {
  Router router;
  router.add("GET", "/x/{id}", RouteAccess::public_route(), [](RequestContext& c) {
    auto id = c.id_param("id");
    return id ? text(std::to_string(*id)) : problem_response(id.error(), c.request.path);
  });
  EXPECT_EQ(router.handle(make_request("GET", "/x/17")).body, "17");
  for (const char* bad : {"/x/0", "/x/-3", "/x/abc", "/x/12abc", "/x/99999999999999999999"})
    EXPECT_EQ(router.handle(make_request("GET", bad)).status, 400) << bad;
}

TEST(Target, DecodesPathAndQuery) {
  std::string path;
  std::vector<std::pair<std::string, std::string>> query;
  ASSERT_TRUE(parse_target("/api/v1/points?tag=a%20b&quantity=co2", path, query));
  EXPECT_EQ(path, "/api/v1/points");
  ASSERT_EQ(query.size(), 2u);
  EXPECT_EQ(query[0].second, "a b");
  EXPECT_FALSE(parse_target("http://example.invalid/x", path, query));
  EXPECT_FALSE(parse_target("/bad%zz", path, query));
}

TEST(Target, KeepsSlashesAsSent) {
  std::string path;
  std::vector<std::pair<std::string, std::string>> query;
  for (std::string_view target :
       {"/", "/api/v1/buildings/", "/api/v1/buildings//", "/a//b", "/api/v1/buildings"}) {
    ASSERT_TRUE(parse_target(target, path, query)) << target;
    EXPECT_EQ(path, target);
  }
}

class ApiDocument : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("citypulse-api-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    auto store = open_sqlite_meta_store({.path = (dir_ / "meta.db").string()});
    ASSERT_TRUE(store.has_value()) << store.error().message;
    store_ = std::move(*store);
    EmbeddedSeriesOptions options;
    options.dir = dir_ / "tsdb";
    auto series = open_embedded_series_store(options);
    ASSERT_TRUE(series.has_value()) << series.error().message;
    series_ = std::move(*series);
  }
  void TearDown() override {
    series_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
  std::unique_ptr<MetaStore> store_;
  std::unique_ptr<SeriesStore> series_;
};

// The OpenAPI document and the router must list the same operations: a route
// the document lacks, or a documented operation no route serves, fails here.
TEST_F(ApiDocument, DocumentsExactlyTheRoutes) {
  Config config;
  auto keys = auth::SigningKeys::from_secret(std::string(32, 'k'));
  ASSERT_TRUE(keys.has_value());
  auth::Authenticator authenticator(store_->identity(), std::move(*keys), config.auth);
  auth::Sessions sessions(store_->identity(), authenticator, config.auth);
  auth::RateLimiter limiter;
  ingest::Directory directory(*store_);
  ingest::Pipeline pipeline(*store_, *series_, directory, {});
  ingest::DedupWindow dedup(60'000, 100);
  alarms::AlarmService alarm_service(store_->alarms(), nullptr);
  energy::EnergyService energy_service(*store_, *series_);
  auto router = build_router(ApiServices{*store_,
                                         *series_,
                                         authenticator,
                                         sessions,
                                         limiter,
                                         directory,
                                         pipeline,
                                         dedup,
                                         nullptr,
                                         {},
                                         nullptr,
                                         &alarm_service,
                                         &energy_service},
                             config);
  std::set<std::pair<std::string, std::string>> routes;
  for (auto& [method, pattern] : router->routes()) routes.emplace(method, pattern);

  const auto& doc = openapi_document();
  std::set<std::pair<std::string, std::string>> documented;
  for (const auto& [path, item] : doc.at("paths").as_object())
    for (const auto& [method, op] : item.as_object()) {
      std::string m(method);
      if (m == "parameters" || m == "summary" || m == "description") continue;
      for (auto& c : m) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.emplace(m, std::string(path));
    }
  for (const auto& r : routes)
    EXPECT_TRUE(documented.count(r)) << "undocumented route " << r.first << " " << r.second;
  for (const auto& d : documented)
    EXPECT_TRUE(routes.count(d)) << "documented but not served " << d.first << " " << d.second;
  EXPECT_EQ(doc.at("openapi").as_string(), "3.1.0");
}

// The document states each operation's access as the route has it: open
// operations "security: []", the others an "x-permission" exactly when the
// route needs one. The access matrix test relies on this.
TEST_F(ApiDocument, DocumentsEachRoutesAccess) {
  Config config;
  auto keys = auth::SigningKeys::from_secret(std::string(32, 'k'));
  ASSERT_TRUE(keys.has_value());
  auth::Authenticator authenticator(store_->identity(), std::move(*keys), config.auth);
  auth::Sessions sessions(store_->identity(), authenticator, config.auth);
  auth::RateLimiter limiter;
  ingest::Directory directory(*store_);
  ingest::Pipeline pipeline(*store_, *series_, directory, {});
  ingest::DedupWindow dedup(60'000, 100);
  alarms::AlarmService alarm_service(store_->alarms(), nullptr);
  auto router = build_router(ApiServices{*store_,
                                         *series_,
                                         authenticator,
                                         sessions,
                                         limiter,
                                         directory,
                                         pipeline,
                                         dedup,
                                         nullptr,
                                         {},
                                         nullptr,
                                         &alarm_service},
                             config);
  const auto& paths = openapi_document().at("paths").as_object();
  for (const Route* r : router->all_routes()) {
    std::string method = r->method;
    for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto* item = paths.if_contains(r->pattern);
    ASSERT_TRUE(item) << r->pattern;
    const auto* op = item->as_object().if_contains(method);
    ASSERT_TRUE(op) << r->method << " " << r->pattern;
    const auto& o = op->as_object();
    const bool open = o.contains("security") && o.at("security").as_array().empty();
    EXPECT_EQ(open, r->access.open) << r->method << " " << r->pattern;
    const auto* documented = o.if_contains("x-permission");
    if (r->access.permission) {
      ASSERT_TRUE(documented) << r->method << " " << r->pattern;
      EXPECT_EQ(documented->as_string(), auth::permission_name(*r->access.permission))
          << r->method << " " << r->pattern;
    } else {
      EXPECT_FALSE(documented) << r->method << " " << r->pattern;
    }
  }
}

// Every $ref points at something the document defines.
TEST_F(ApiDocument, EveryReferenceResolves) {
  const auto& doc = openapi_document();
  std::vector<std::string> refs;
  std::function<void(const json::value&)> walk = [&](const json::value& v) {
    if (v.is_object()) {
      for (const auto& [k, c] : v.as_object()) {
        if (k == "$ref" && c.is_string()) refs.emplace_back(c.as_string());
        walk(c);
      }
    } else if (v.is_array()) {
      for (const auto& c : v.as_array()) walk(c);
    }
  };
  walk(doc);
  EXPECT_FALSE(refs.empty());
  for (const auto& ref : refs) {
    ASSERT_TRUE(ref.starts_with("#/")) << ref;
    boost::system::error_code ec;
    const json::value root(doc);
    root.find_pointer(ref.substr(1), ec);
    EXPECT_FALSE(ec) << "unresolved " << ref;
  }
}

}  // namespace
}  // namespace citypulse
