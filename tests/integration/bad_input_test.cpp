// Every class of bad input to the asset API of the real server: each answers a
// 4xx application/problem+json (status, title, detail, and invalid_params[].name
// as a JSON pointer for a field), and changes nothing.
//
// One server runs for the whole suite; each test works in a tenant of its own.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "http_client.h"
#include "server_process.h"

namespace citypulse::test {
namespace {

namespace json = boost::json;
using Id = std::int64_t;
using Headers = std::vector<std::pair<std::string, std::string>>;

json::object parse_object(const std::string& body) {
  json::value v = json::parse(body);
  if (!v.is_object()) throw std::runtime_error("expected a JSON object, got: " + body);
  return std::move(v.as_object());
}

std::string text(const json::value& v) {
  return json::serialize(v);
}

Id id_of(const json::object& record) {
  return record.at("id").as_int64();
}

std::string one(const std::string& collection, Id id) {
  return "/api/v1/" + collection + "/" + std::to_string(id);
}

json::object with(json::object o, std::string_view key, json::value v) {
  o[key] = std::move(v);
  return o;
}

json::object without(json::object o, std::string_view key) {
  o.erase(key);
  return o;
}

// Checks the RFC 7807 shape of an error reply and returns its body.
json::object expect_problem(const Reply& r, int status) {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(r.header("Content-Type"), "application/problem+json") << r.body;
  json::object o;
  try {
    o = parse_object(r.body);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "problem body is not a JSON object: " << r.body;
    return o;
  }
  EXPECT_TRUE(o.contains("status") && o.at("status") == status) << r.body;
  EXPECT_TRUE(o.contains("title") && o.at("title").is_string() &&
              !o.at("title").get_string().empty())
      << r.body;
  EXPECT_TRUE(o.contains("detail") && o.at("detail").is_string() &&
              !o.at("detail").get_string().empty())
      << r.body;
  EXPECT_TRUE(o.contains("type") && o.at("type").is_string()) << r.body;
  return o;
}

std::string detail_of(const json::object& problem) {
  const auto* d = problem.if_contains("detail");
  return d && d->is_string() ? std::string(d->get_string()) : std::string();
}

std::string invalid_param(const json::object& problem) {
  const auto* p = problem.if_contains("invalid_params");
  if (!p || !p->is_array() || p->get_array().empty()) return {};
  const auto* name = p->get_array()[0].as_object().if_contains("name");
  return name && name->is_string() ? std::string(name->get_string()) : std::string();
}

json::object create(HttpClient& c, const std::string& collection, const json::object& body) {
  auto r = c.post("/api/v1/" + collection, text(body));
  if (r.status != 201)
    throw std::runtime_error("POST /api/v1/" + collection + " " + text(body) + " answered " +
                             std::to_string(r.status) + ": " + r.body);
  return parse_object(r.body);
}

// The number of records a list target returns over all its pages.
std::size_t count(HttpClient& c, const std::string& target) {
  std::size_t n = 0;
  std::string cursor;
  const char sep = target.find('?') == std::string::npos ? '?' : '&';
  for (int pages = 0; pages < 100; ++pages) {
    const auto url =
        target + sep + "limit=1000" + (cursor.empty() ? std::string() : "&cursor=" + cursor);
    auto r = c.get(url);
    if (r.status != 200)
      throw std::runtime_error("GET " + url + " answered " + std::to_string(r.status) + ": " +
                               r.body);
    auto body = parse_object(r.body);
    n += body.at("items").as_array().size();
    if (body.at("next_cursor").is_null()) return n;
    cursor = std::string(body.at("next_cursor").as_string());
  }
  throw std::runtime_error("GET " + target + " never ended");
}

// A bad request to send, and what the server must answer.
struct Case {
  std::string collection;
  json::object body;
  std::string field;  // expected invalid_params[0].name; "" when none is expected
};

class BadInput : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    tmp_ = std::make_unique<TempDir>();
    server_ = std::make_unique<ServerProcess>(tmp_->path() + "/data");
    started_ = server_->start();
  }

  static void TearDownTestSuite() {
    if (started_) {
      const int code = server_->stop(SIGTERM);
      EXPECT_EQ(code, 0) << server_->output();
    }
    server_.reset();
    tmp_.reset();
  }

 protected:
  void SetUp() override {
    ASSERT_TRUE(started_) << "the server did not start: " << server_->output();
    client_ = std::make_unique<HttpClient>(server_->port());
    const auto signed_in = client_->sign_in(kAdminEmail, kAdminPassword);
    ASSERT_EQ(signed_in.status, 200) << signed_in.body;
    static std::atomic<int> counter{0};
    tenant_ = id_of(create(
        http(), "tenants",
        {{"name", std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) +
                      " " + std::to_string(++counter)}}));
    building_ = id_of(create(http(), "buildings", valid("buildings")));
    floor_ = id_of(create(http(), "floors", valid("floors")));
    point_ = id_of(create(http(), "points", valid("points")));
  }

  HttpClient& http() { return *client_; }

  // A body the server accepts for a collection, in this test's tenant.
  json::object valid(const std::string& collection) const {
    if (collection == "tenants") return {{"name", "Neue Gemeinde " + std::to_string(tenant_)}};
    if (collection == "sites") return {{"tenant_id", tenant_}, {"name", "Gelände"}};
    if (collection == "buildings")
      return {{"tenant_id", tenant_}, {"name", "Schule"}, {"type", "school"}};
    if (collection == "floors") return {{"building_id", building_}, {"name", "EG"}, {"level", 0}};
    if (collection == "spaces")
      return {{"floor_id", floor_}, {"name", "Raum 1"}, {"usage", "office"}};
    if (collection == "equipment")
      return {{"building_id", building_}, {"name", "Kessel"}, {"kind", "boiler"}};
    if (collection == "points")
      return {{"building_id", building_},
              {"name", "Temperatur"},
              {"kind", "sensor"},
              {"quantity", "temperature"},
              {"unit", "°C"}};
    if (collection == "devices")
      return {{"tenant_id", tenant_}, {"name", "Gateway"}, {"protocol", "mqtt"}};
    throw std::runtime_error("no valid body for " + collection);
  }

  // The list that shows what this test's tenant holds in a collection.
  std::string list_of(const std::string& collection) const {
    return "/api/v1/" + collection +
           (collection == "tenants" ? "" : "?tenant_id=" + std::to_string(tenant_));
  }

  // POSTs `body` and expects a refusal with `status` that names `field`
  // (when given) and leaves the collection as it was.
  json::object expect_refused_create(const std::string& collection, const std::string& body,
                                     int status, const std::string& field,
                                     const Headers& headers = {}) {
    SCOPED_TRACE("POST /api/v1/" + collection + " " + body.substr(0, 200));
    const auto before = count(http(), list_of(collection));
    auto problem =
        expect_problem(http().request("POST", "/api/v1/" + collection, body, headers), status);
    if (!field.empty()) {
      EXPECT_EQ(invalid_param(problem), field) << text(problem);
    }
    EXPECT_EQ(count(http(), list_of(collection)), before)
        << "a refused POST changed the collection";
    return problem;
  }

  void expect_refused_cases(const std::vector<Case>& cases, int status) {
    for (const auto& k : cases) expect_refused_create(k.collection, text(k.body), status, k.field);
  }

  // Sends a write to an existing record and expects a refusal with `status`
  // that leaves the record exactly as it was.
  json::object expect_refused_update(const std::string& method, const std::string& target,
                                     const std::string& body, int status,
                                     const std::string& field = {}, const Headers& headers = {}) {
    SCOPED_TRACE(method + " " + target + " " + body.substr(0, 200));
    const auto before = http().get(target);
    EXPECT_EQ(before.status, 200) << before.body;
    auto problem = expect_problem(http().request(method, target, body, headers), status);
    if (!field.empty()) {
      EXPECT_EQ(invalid_param(problem), field) << text(problem);
    }
    const auto after = http().get(target);
    EXPECT_EQ(after.status, 200);
    EXPECT_EQ(after.body, before.body) << "a refused " << method << " changed the record";
    return problem;
  }

  static inline std::unique_ptr<TempDir> tmp_;
  static inline std::unique_ptr<ServerProcess> server_;
  static inline bool started_ = false;
  std::unique_ptr<HttpClient> client_;
  Id tenant_ = 0, building_ = 0, floor_ = 0, point_ = 0;
};

// ---- bodies that are not JSON, or not a JSON object ----

TEST_F(BadInput, MalformedJsonIs400AndSaysWhere) {
  const std::vector<std::string> bodies = {
      R"({"name": "Schule",)",
      R"({"name" "Schule"})",
      R"({name: "Schule"})",
      R"({"name": 'Schule'})",
      R"({"name": "Schule",})",
      R"({"a":1} trailing)",
      R"({"a":1}{"b":2})",
      "nul",
      std::string(100, '[') + std::string(100, ']'),  // deeper than any record
      "{\"name\":\"\xff\xfe\"}",                      // not UTF-8
      "{\"name\":\"Sch\x01ule\"}",                    // raw control character in a string
  };
  for (const auto& body : bodies) {
    auto problem = expect_refused_create("buildings", body, 400, "");
    EXPECT_NE(detail_of(problem).find("byte "), std::string::npos) << detail_of(problem);
    EXPECT_FALSE(problem.contains("invalid_params")) << text(problem);
  }
  // The byte named is where the parser stopped.
  auto problem = expect_problem(http().post("/api/v1/buildings", R"({"name" "Schule"})"), 400);
  EXPECT_NE(detail_of(problem).find("byte 8"), std::string::npos) << detail_of(problem);
  // Data after the value is named as such, at the byte where it starts.
  problem = expect_problem(http().post("/api/v1/buildings", "{\"a\":1}  x"), 400);
  EXPECT_EQ(detail_of(problem), "malformed JSON at byte 9: unexpected data after the JSON value");
  // Blanks after the value are no error (a body written by an editor ends in a newline).
  auto created = http().post("/api/v1/buildings", text(valid("buildings")) + "\r\n\n ");
  EXPECT_EQ(created.status, 201) << created.body;

  expect_refused_update("PUT", one("buildings", building_), R"({"name": "x",)", 400);
  expect_refused_update("PATCH", one("buildings", building_), R"({"name": "x",)", 400, "",
                        {{"Content-Type", "application/merge-patch+json"}});
}

TEST_F(BadInput, JsonThatIsNotAnObjectIs422) {
  for (const std::string body : {"[]", "[1,2]", R"("Schule")", "42", "null", "true"}) {
    auto problem = expect_refused_create("buildings", body, 422, "");
    EXPECT_NE(detail_of(problem).find("JSON object"), std::string::npos) << detail_of(problem);
  }
  expect_refused_update("PUT", one("points", point_), "[]", 422);
  expect_refused_update("PATCH", one("points", point_), R"("sensor")", 422);
}

// ---- bodies that are JSON objects but not valid records ----

TEST_F(BadInput, WrongTypesAre422NamingTheField) {
  const auto b = valid("buildings");
  const auto d = valid("devices");
  expect_refused_cases(
      {
          {"buildings", with(b, "name", 42), "/name"},
          {"buildings", with(b, "name", nullptr), "/name"},
          {"buildings", with(b, "type", 1), "/type"},
          {"buildings", with(b, "year_built", "1990"), "/year_built"},
          {"buildings", with(b, "year_built", 1990.5), "/year_built"},
          {"buildings", with(b, "year_built", true), "/year_built"},
          {"buildings", with(with(b, "latitude", "48.3"), "longitude", 8.9), "/latitude"},
          {"buildings", with(b, "gross_floor_area_m2", json::object{}), "/gross_floor_area_m2"},
          {"buildings", with(b, "tags", "school"), "/tags"},
          {"buildings", with(b, "tags", json::array{"school", 1}), "/tags/1"},
          {"buildings", with(b, "site_id", "1"), "/site_id"},
          {"buildings", with(b, "site_id", 1.5), "/site_id"},
          {"buildings", with(b, "tenant_id", "1"), "/tenant_id"},
          {"floors", with(valid("floors"), "level", "0"), "/level"},
          {"floors", with(valid("floors"), "building_id", json::array{building_}), "/building_id"},
          {"points", with(valid("points"), "min_value", "0"), "/min_value"},
          {"points", with(valid("points"), "expected_interval_s", 1.5), "/expected_interval_s"},
          {"devices", with(d, "channels", json::object{}), "/channels"},
          {"devices", with(d, "channels", json::array{1}), "/channels/0"},
          {"devices",
           with(d, "channels", json::array{json::object{{"channel", 5}, {"point_id", point_}}}),
           "/channels/0"},
          {"devices",
           with(d, "channels", json::array{json::object{{"channel", "t"}, {"point_id", "1"}}}),
           "/channels/0"},
          {"tenants", with(valid("tenants"), "name", json::array{}), "/name"},
      },
      422);
  expect_refused_update("PATCH", one("buildings", building_),
                        text(json::object{{"year_built", "alt"}}), 422, "/year_built");
  expect_refused_update("PUT", one("buildings", building_), text(with(b, "name", false)), 422,
                        "/name");
}

TEST_F(BadInput, MissingRequiredFieldsAre422NamingTheField) {
  expect_refused_cases(
      {
          {"tenants", {}, "/name"},
          {"sites", without(valid("sites"), "name"), "/name"},
          {"sites", without(valid("sites"), "tenant_id"), "/tenant_id"},
          {"buildings", without(valid("buildings"), "name"), "/name"},
          {"buildings", without(valid("buildings"), "type"), "/type"},
          {"buildings", without(valid("buildings"), "tenant_id"), "/tenant_id"},
          {"floors", without(valid("floors"), "building_id"), "/building_id"},
          {"floors", without(valid("floors"), "level"), "/level"},
          {"spaces", without(valid("spaces"), "floor_id"), "/floor_id"},
          {"spaces", without(valid("spaces"), "usage"), "/usage"},
          {"equipment", without(valid("equipment"), "kind"), "/kind"},
          {"equipment", without(valid("equipment"), "building_id"), "/building_id"},
          {"points", without(valid("points"), "unit"), "/unit"},
          {"points", without(valid("points"), "quantity"), "/quantity"},
          {"devices", without(valid("devices"), "protocol"), "/protocol"},
          {"devices", without(valid("devices"), "tenant_id"), "/tenant_id"},
          {"devices",
           with(valid("devices"), "channels", json::array{json::object{{"channel", "t"}}}),
           "/channels/0"},
      },
      422);
  // A PUT replaces the whole record, so it needs every required field too.
  expect_refused_update("PUT", one("buildings", building_),
                        text(json::object{{"name", "Nur Name"}}), 422, "/type");
  expect_refused_update("PUT", one("floors", floor_),
                        text(json::object{{"building_id", building_}, {"name", "EG"}}), 422,
                        "/level");
}

TEST_F(BadInput, UnknownFieldsAre422NamingTheField) {
  expect_refused_cases(
      {
          {"buildings", with(valid("buildings"), "colour", "red"), "/colour"},
          {"buildings", with(without(valid("buildings"), "name"), "Name", "Schule"), "/Name"},
          {"points", with(valid("points"), "unit_of_measure", "K"), "/unit_of_measure"},
          {"tenants", with(valid("tenants"), "tenant_id", 1), "/tenant_id"},
          {"devices",
           with(valid("devices"), "channels",
                json::array{json::object{{"channel", "t"}, {"point_id", point_}, {"scale", 2}}}),
           "/channels/0"},
      },
      422);
  expect_refused_update("PATCH", one("buildings", building_), text(json::object{{"colour", "red"}}),
                        422, "/colour");
  expect_refused_update("PUT", one("points", point_), text(with(valid("points"), "colour", "red")),
                        422, "/colour");
}

TEST_F(BadInput, OutOfRangeValuesAre422NamingTheField) {
  const auto b = valid("buildings");
  const auto p = valid("points");
  expect_refused_cases(
      {
          {"buildings", with(b, "year_built", 999), "/year_built"},
          {"buildings", with(b, "year_built", 2101), "/year_built"},
          {"buildings", with(b, "year_built", 1e300), "/year_built"},
          {"buildings", with(with(b, "latitude", 90.5), "longitude", 0), "/latitude"},
          {"buildings", with(with(b, "latitude", 0), "longitude", -180.5), "/longitude"},
          {"buildings", with(b, "latitude", 48.3), "/longitude"},  // one without the other
          {"buildings", with(b, "gross_floor_area_m2", -1), "/gross_floor_area_m2"},
          {"buildings", with(b, "name", ""), "/name"},
          {"buildings", with(b, "name", json::string(201, 'x')), "/name"},
          {"buildings", with(b, "name", "Sch\x01ule"), "/name"},
          {"buildings", with(b, "address", json::string(501, 'x')), "/address"},
          {"buildings", with(b, "timezone", "Mars/Olympus_Mons"), "/timezone"},
          {"buildings", with(b, "timezone", "../../etc/passwd"), "/timezone"},
          {"buildings", with(b, "tags", json::array{""}), "/tags/0"},
          {"buildings", with(b, "tags", json::array{"ok", std::string(65, 't')}), "/tags/1"},
          {"buildings", with(b, "tenant_id", 0), "/tenant_id"},
          {"buildings", with(b, "site_id", 0), "/site_id"},
          {"buildings", with(b, "site_id", -3), "/site_id"},
          {"floors", with(valid("floors"), "level", -21), "/level"},
          {"floors", with(valid("floors"), "level", 301), "/level"},
          {"floors", with(valid("floors"), "elevation_m", 10000.5), "/elevation_m"},
          {"spaces", with(valid("spaces"), "area_m2", -0.5), "/area_m2"},
          {"points", with(p, "expected_interval_s", 0), "/expected_interval_s"},
          {"points", with(with(p, "min_value", 10), "max_value", 10), "/min_value"},
          {"points", with(p, "unit", "kW"), "/unit"},
          {"points", with(p, "key", "has space"), "/key"},
          {"devices",
           with(valid("devices"), "channels",
                json::array{json::object{{"channel", "t"}, {"point_id", 0}}}),
           "/channels/0"},
          {"devices", with(valid("devices"), "name", json::string(201, 'x')), "/name"},
      },
      422);
  json::array many;
  for (int i = 0; i < 65; ++i) many.emplace_back("tag" + std::to_string(i));
  expect_refused_create("buildings", text(with(b, "tags", many)), 422, "/tags");
  expect_refused_update("PATCH", one("floors", floor_), text(json::object{{"level", 1000}}), 422,
                        "/level");
  expect_refused_update("PATCH", one("points", point_),
                        text(json::object{{"min_value", 5}, {"max_value", -5}}), 422, "/min_value");
}

TEST_F(BadInput, UnknownEnumValuesAre422ListingTheChoices) {
  expect_refused_cases(
      {
          {"buildings", with(valid("buildings"), "type", "castle"), "/type"},
          {"buildings", with(valid("buildings"), "type", "School"), "/type"},  // case matters
          {"spaces", with(valid("spaces"), "usage", "ballroom"), "/usage"},
          {"equipment", with(valid("equipment"), "kind", "robot"), "/kind"},
          {"points", with(valid("points"), "kind", "guess"), "/kind"},
          {"points", with(valid("points"), "quantity", "vibes"), "/quantity"},
          {"devices", with(valid("devices"), "protocol", "zigbee"), "/protocol"},
          {"devices", with(valid("devices"), "status", "lost"), "/status"},
      },
      422);
  auto problem = expect_problem(
      http().post("/api/v1/buildings", text(with(valid("buildings"), "type", "castle"))), 422);
  EXPECT_NE(detail_of(problem).find("town_hall"), std::string::npos) << detail_of(problem);
  EXPECT_NE(detail_of(problem).find("castle"), std::string::npos) << detail_of(problem);
  expect_refused_update("PATCH", one("points", point_), text(json::object{{"kind", "guess"}}), 422,
                        "/kind");
}

TEST_F(BadInput, ReferencesToNothingAre422AndFixedFieldsStayFixed) {
  expect_refused_cases(
      {
          {"buildings", with(valid("buildings"), "tenant_id", 99999999), "/tenant_id"},
          {"buildings", with(valid("buildings"), "site_id", 99999999), "/site_id"},
          {"floors", with(valid("floors"), "building_id", 99999999), "/building_id"},
          {"spaces", with(valid("spaces"), "floor_id", 99999999), "/floor_id"},
          {"equipment", with(valid("equipment"), "parent_id", 99999999), "/parent_id"},
          {"points", with(valid("points"), "equipment_id", 99999999), "/equipment_id"},
          {"devices", with(valid("devices"), "building_id", 99999999), "/building_id"},
      },
      422);
  const Id other = id_of(create(http(), "buildings", valid("buildings")));
  expect_refused_update("PATCH", one("floors", floor_), text(json::object{{"building_id", other}}),
                        422, "/building_id");
  expect_refused_update("PUT", one("points", point_),
                        text(with(valid("points"), "building_id", other)), 422, "/building_id");
  expect_refused_update("PATCH", one("buildings", building_),
                        text(json::object{{"tenant_id", tenant_ + 1000000}}), 422, "/tenant_id");
}

TEST_F(BadInput, WritesToMissingRecordsAre404) {
  const auto b = text(valid("buildings"));
  for (const auto& [method, body] : std::vector<std::pair<std::string, std::string>>{
           {"GET", ""}, {"PUT", b}, {"PATCH", b}, {"DELETE", ""}}) {
    SCOPED_TRACE(method);
    auto problem = expect_problem(http().request(method, "/api/v1/buildings/99999999", body), 404);
    EXPECT_NE(detail_of(problem).find("99999999"), std::string::npos) << detail_of(problem);
  }
}

// ---- the HTTP envelope: media type, size, route, method, path, query ----

TEST_F(BadInput, WrongContentTypeIs415) {
  const auto body = text(valid("buildings"));
  for (const std::string type :
       {"text/plain", "application/xml", "text/json", "application/x-www-form-urlencoded",
        "application/jsonx", "multipart/form-data; boundary=x"}) {
    auto problem = expect_refused_create("buildings", body, 415, "", {{"Content-Type", type}});
    EXPECT_NE(detail_of(problem).find("application/json"), std::string::npos) << detail_of(problem);
  }
  // No Content-Type at all is no JSON either.
  auto r = http().request("POST", "/api/v1/buildings", body, {{"Content-Type", ""}});
  expect_problem(r, 415);
  expect_refused_update("PUT", one("buildings", building_), body, 415, "",
                        {{"Content-Type", "text/plain"}});
  expect_refused_update("PATCH", one("buildings", building_), text(json::object{{"name", "x"}}),
                        415, "", {{"Content-Type", "application/xml"}});
  // Parameters and +json types are fine; media types are case-insensitive.
  for (const std::string type :
       {"application/json; charset=utf-8", "Application/JSON", " application/json ;charset=UTF-8",
        "application/vnd.citypulse+json"}) {
    auto ok = http().request("POST", "/api/v1/buildings", body, {{"Content-Type", type}});
    EXPECT_EQ(ok.status, 201) << type << ": " << ok.body;
  }
}

TEST_F(BadInput, EmptyBodyIs400) {
  const Headers json_type{{"Content-Type", "application/json"}};
  for (const char* blank : {"", "   ", "\r\n"}) {
    auto problem = expect_refused_create("buildings", blank, 400, "", json_type);
    EXPECT_NE(detail_of(problem).find("empty"), std::string::npos) << detail_of(problem);
  }
  expect_refused_update("PUT", one("buildings", building_), "", 400, "", json_type);
  expect_refused_update("PATCH", one("buildings", building_), "", 400, "",
                        {{"Content-Type", "application/merge-patch+json"}});
}

TEST_F(BadInput, BodyOverTheLimitIs413) {
  // A name of 1 MiB: too large to be read at all.
  const std::string huge = text(with(valid("buildings"), "name", json::string(1 << 20, 'x')));
  ASSERT_GT(huge.size(), 1u << 20);
  auto problem = expect_refused_create("buildings", huge, 413, "");
  EXPECT_NE(detail_of(problem).find("1048576"), std::string::npos) << detail_of(problem);
  expect_refused_update("PUT", one("buildings", building_), huge, 413);
  // Just under the limit the body is read, and refused for what it says.
  const std::string large =
      text(with(valid("buildings"), "name", json::string((1 << 20) - 100, 'x')));
  ASSERT_LE(large.size(), 1u << 20);
  expect_refused_create("buildings", large, 422, "/name");
}

TEST_F(BadInput, UnknownRouteIs404) {
  for (const auto& [method, target] :
       std::vector<std::pair<std::string, std::string>>{{"GET", "/api/v1/widgets"},
                                                        {"POST", "/api/v1/widgets"},
                                                        {"GET", "/api/v2/buildings"},
                                                        {"GET", "/api/v1/buildings/1/floors"},
                                                        {"GET", "/api/v1/Buildings"},
                                                        {"GET", "/api/v1/buildings/"},
                                                        {"GET", "/api/v1"},
                                                        {"DELETE", "/api/v1/buildings/1/tree/2"}}) {
    SCOPED_TRACE(method + " " + target);
    const auto r = http().request(method, target, method == "POST" ? text(valid("buildings")) : "");
    auto problem = expect_problem(r, 404);
    EXPECT_NE(detail_of(problem).find("/api/v"), std::string::npos) << detail_of(problem);
  }
  EXPECT_EQ(count(http(), list_of("buildings")), 1u);
}

TEST_F(BadInput, WrongMethodIs405WithAllow) {
  struct Case {
    std::string method, target, allow;
  };
  const auto b = one("buildings", building_);
  for (const auto& k : std::vector<Case>{{"DELETE", "/api/v1/buildings", "GET, POST"},
                                         {"PUT", "/api/v1/points", "GET, POST"},
                                         {"PATCH", "/api/v1/tenants", "GET, POST"},
                                         {"POST", b, "GET, PUT, PATCH, DELETE"},
                                         {"POST", b + "/tree", "GET"},
                                         {"DELETE", b + "/tree", "GET"},
                                         {"PUT", "/healthz", "GET"}}) {
    SCOPED_TRACE(k.method + " " + k.target);
    auto r =
        http().request(k.method, k.target, k.method == "DELETE" ? "" : text(valid("buildings")));
    auto problem = expect_problem(r, 405);
    EXPECT_EQ(r.header("Allow"), k.allow);
    EXPECT_NE(detail_of(problem).find(k.method), std::string::npos) << detail_of(problem);
  }
  EXPECT_EQ(count(http(), list_of("buildings")), 1u);
  EXPECT_EQ(http().get(one("buildings", building_)).status, 200);
}

TEST_F(BadInput, IdInPathThatIsNotAPositiveIntegerIs400) {
  const auto body = text(valid("buildings"));
  for (const std::string id :
       {"abc", "0", "-1", "1.5", "1e3", "0x10", "99999999999999999999", "%201", "1%20"}) {
    for (const std::string method : {"GET", "PUT", "PATCH", "DELETE"}) {
      SCOPED_TRACE(method + " /api/v1/buildings/" + id);
      auto problem =
          expect_problem(http().request(method, "/api/v1/buildings/" + id,
                                        method == "PUT" || method == "PATCH" ? body : ""),
                         400);
      EXPECT_NE(detail_of(problem).find("positive integer"), std::string::npos)
          << detail_of(problem);
    }
    expect_problem(http().get("/api/v1/buildings/" + id + "/tree"), 400);
  }
  EXPECT_EQ(count(http(), list_of("buildings")), 1u);
}

TEST_F(BadInput, UnknownQueryParametersAre400) {
  const auto b = one("buildings", building_);
  const auto body = text(valid("buildings"));
  const auto before = count(http(), list_of("buildings"));
  auto problem = expect_problem(http().post("/api/v1/buildings?dry_run=1", body), 400);
  EXPECT_EQ(invalid_param(problem), "dry_run");
  EXPECT_NE(detail_of(problem).find("dry_run"), std::string::npos) << detail_of(problem);
  EXPECT_EQ(count(http(), list_of("buildings")), before);
  for (const auto& [method, target] :
       std::vector<std::pair<std::string, std::string>>{{"GET", b + "?expand=floors"},
                                                        {"PUT", b + "?upsert=true"},
                                                        {"PATCH", b + "?x=1"},
                                                        {"DELETE", b + "?force=true"},
                                                        {"DELETE", b + "?cascade=yes"},
                                                        {"DELETE", b + "?cascade="}}) {
    SCOPED_TRACE(method + " " + target);
    auto p = expect_problem(
        http().request(method, target, method == "PUT" || method == "PATCH" ? body : ""), 400);
    EXPECT_FALSE(invalid_param(p).empty()) << text(p);
  }
  auto r = http().get(b);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(parse_object(r.body).at("version"), 1);
}

TEST_F(BadInput, HeaderOverTheLimitIs431) {
  auto r = http().request("GET", one("buildings", building_), {},
                          {{"X-Filler", std::string(20 * 1024, 'h')}});
  auto problem = expect_problem(r, 431);
  EXPECT_EQ(problem.at("type"), "/problems/header-too-large");
  EXPECT_NE(detail_of(problem).find("header"), std::string::npos) << detail_of(problem);
  EXPECT_EQ(r.header("Connection"), "close");
  // Headers of ordinary size still work, on a new connection.
  EXPECT_EQ(http()
                .request("GET", one("buildings", building_), {},
                         {{"X-Filler", std::string(8 * 1024, 'h')}})
                .status,
            200);
}

TEST_F(BadInput, MalformedRequestIs400AndClosesTheConnection) {
  for (const std::string request :
       {"NOT A REQUEST\r\n\r\n", "GET /healthz HTTP/1.1 extra\r\nHost: x\r\n\r\n", "GET\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nNo colon here\r\n\r\n"}) {
    SCOPED_TRACE(request);
    const auto started = std::chrono::steady_clock::now();
    const auto out = raw_exchange(server_->port(), request, 5000);
    // The server closed the connection itself, long before the 5 s we would wait.
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
    EXPECT_EQ(out.rfind("HTTP/1.1 400 ", 0), 0u) << out;
    EXPECT_NE(out.find("Connection: close"), std::string::npos) << out;
    EXPECT_NE(out.find("application/problem+json"), std::string::npos) << out;
    EXPECT_NE(out.find("\"status\":400"), std::string::npos) << out;
  }
  // A target that is no URI is refused too.
  const auto out =
      raw_exchange(server_->port(),
                   "GET /api/v1/buildings?%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.1 400 ", 0), 0u) << out;
  // And the server is still there.
  EXPECT_EQ(HttpClient(server_->port()).get("/healthz").status, 200);
}

TEST_F(BadInput, ErrorsDoNotCloseAKeptAliveConnection) {
  // Application-level errors keep the connection: a pipeline of a bad and a
  // good request gets both answers on one socket.
  const std::string auth = "Authorization: " + http().authorization() + "\r\n";
  const std::string bad =
      "POST /api/v1/buildings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + auth +
      "Content-Length: 5\r\n\r\n{\"a\":";
  const std::string good = "GET " + one("buildings", building_) + " HTTP/1.1\r\nHost: x\r\n" +
                           auth + "Connection: close\r\n\r\n";
  const auto out = raw_exchange(server_->port(), bad + good);
  const auto first = out.find("HTTP/1.1 400 ");
  const auto second = out.find("HTTP/1.1 200 ");
  EXPECT_EQ(first, 0u) << out;
  EXPECT_NE(second, std::string::npos) << out;
  EXPECT_LT(first, second);
  EXPECT_EQ(count(http(), list_of("buildings")), 1u);
}

}  // namespace
}  // namespace citypulse::test
