// The asset API of the real server, spoken to over HTTP: create, read, list,
// replace, merge-patch and delete for each of the eight resources; cursor
// pagination and list filters; tenancy and reference rules; optimistic
// concurrency with ETag / If-Match; cascading deletes; the building tree;
// unique values; keep-alive.
//
// One server runs for the whole suite; each test works in a tenant of its own,
// so tests neither see nor disturb each other's records.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <csignal>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
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

// ---- JSON and HTTP helpers ----

json::object parse_object(const std::string& body) {
  json::value v = json::parse(body);  // throws on malformed JSON: the test fails
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

// Equal JSON values, comparing numbers by value (the server returns 120.0 for
// a number field sent as 120).
bool same_json(const json::value& a, const json::value& b) {
  if (a.is_number() && b.is_number()) return a.to_number<double>() == b.to_number<double>();
  if (a.is_array() && b.is_array()) {
    const auto &x = a.get_array(), &y = b.get_array();
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (!same_json(x[i], y[i])) return false;
    return true;
  }
  if (a.is_object() && b.is_object()) {
    const auto &x = a.get_object(), &y = b.get_object();
    if (x.size() != y.size()) return false;
    for (const auto& [k, v] : x) {
      const auto* w = y.if_contains(k);
      if (!w || !same_json(v, *w)) return false;
    }
    return true;
  }
  return a == b;
}

// Every member of `expected` is in `record` with the same value.
::testing::AssertionResult has_fields(const json::object& record, const json::object& expected) {
  for (const auto& [k, v] : expected) {
    const auto* got = record.if_contains(k);
    if (!got) return ::testing::AssertionFailure() << "no '" << k << "' in " << text(record);
    if (!same_json(*got, v))
      return ::testing::AssertionFailure() << "'" << k << "' is " << text(*got) << ", expected "
                                           << text(v) << " in " << text(record);
  }
  return ::testing::AssertionSuccess();
}

// YYYY-MM-DDTHH:MM:SS, optional fraction, then Z or ±HH:MM.
bool is_rfc3339(const json::value& v) {
  if (!v.is_string()) return false;
  const std::string_view s = v.get_string();
  auto digits = [&](std::size_t at, std::size_t n) {
    if (at + n > s.size()) return false;
    for (std::size_t i = at; i < at + n; ++i)
      if (s[i] < '0' || s[i] > '9') return false;
    return true;
  };
  if (s.size() < 20 || !digits(0, 4) || s[4] != '-' || !digits(5, 2) || s[7] != '-' ||
      !digits(8, 2) || s[10] != 'T' || !digits(11, 2) || s[13] != ':' || !digits(14, 2) ||
      s[16] != ':' || !digits(17, 2))
    return false;
  std::size_t i = 19;
  if (s[i] == '.') {
    const std::size_t start = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) return false;
  }
  const auto zone = s.substr(i);
  return zone == "Z" || (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') &&
                         digits(i + 1, 2) && zone[3] == ':' && digits(i + 4, 2));
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

// invalid_params[0].name, or "" when there is none.
std::string invalid_param(const json::object& problem) {
  const auto* p = problem.if_contains("invalid_params");
  if (!p || !p->is_array() || p->get_array().empty()) return {};
  const auto* name = p->get_array()[0].as_object().if_contains("name");
  return name && name->is_string() ? std::string(name->get_string()) : std::string();
}

// Base64url without padding, to forge cursors the server never issued.
std::string base64url(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(acc >> bits) & 63];
    }
  }
  if (bits > 0) out += kAlphabet[(acc << (6 - bits)) & 63];
  return out;
}

// ---- record helpers; they throw (failing the test) on an unexpected status ----

json::object create(HttpClient& c, const std::string& collection, const json::object& body) {
  auto r = c.post("/api/v1/" + collection, text(body));
  if (r.status != 201)
    throw std::runtime_error("POST /api/v1/" + collection + " " + text(body) + " answered " +
                             std::to_string(r.status) + ": " + r.body);
  return parse_object(r.body);
}

json::object read(HttpClient& c, const std::string& collection, Id id) {
  auto r = c.get(one(collection, id));
  if (r.status != 200)
    throw std::runtime_error("GET " + one(collection, id) + " answered " +
                             std::to_string(r.status) + ": " + r.body);
  return parse_object(r.body);
}

// The ids of every record a list target returns, following the cursor.
std::vector<Id> list_ids(HttpClient& c, const std::string& target) {
  std::vector<Id> ids;
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
    for (const auto& item : body.at("items").as_array()) ids.push_back(id_of(item.as_object()));
    const auto& next = body.at("next_cursor");
    if (next.is_null()) return ids;
    cursor = std::string(next.as_string());
  }
  throw std::runtime_error("GET " + target + " never ended");
}

std::set<Id> id_set(HttpClient& c, const std::string& target) {
  const auto ids = list_ids(c, target);
  return {ids.begin(), ids.end()};
}

// ---- the fixture: one server for the suite, a fresh tenant per test ----

class AssetsApi : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    tmp_ = std::make_unique<TempDir>();
    server_ = std::make_unique<ServerProcess>(tmp_->path() + "/data");
    started_ = server_->start();
  }

  static void TearDownTestSuite() {
    if (started_) {
      // A clean exit code also tells that the sanitizers found nothing.
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
    tenant_ = new_tenant();
  }

  HttpClient& http() { return *client_; }
  std::uint16_t port() const { return server_->port(); }

  // A tenant with a name no other test uses.
  Id new_tenant() {
    static std::atomic<int> counter{0};
    const std::string name =
        std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + " " +
        std::to_string(++counter);
    return id_of(create(http(), "tenants", {{"name", name}}));
  }

  Id building(Id tenant, const std::string& name = "Rathaus") {
    return id_of(create(http(), "buildings",
                        {{"tenant_id", tenant}, {"name", name}, {"type", "town_hall"}}));
  }
  Id floor(Id building, std::int64_t level = 0) {
    return id_of(create(
        http(), "floors",
        {{"building_id", building}, {"name", "Level " + std::to_string(level)}, {"level", level}}));
  }
  Id space(Id floor, const std::string& name = "Büro 1") {
    return id_of(
        create(http(), "spaces", {{"floor_id", floor}, {"name", name}, {"usage", "office"}}));
  }
  Id equipment(Id building, std::optional<Id> space = {}, std::optional<Id> parent = {},
               const std::string& kind = "boiler") {
    json::object body{{"building_id", building}, {"name", "Anlage " + kind}, {"kind", kind}};
    if (space) body["space_id"] = *space;
    if (parent) body["parent_id"] = *parent;
    return id_of(create(http(), "equipment", body));
  }
  Id point(Id building, json::object extra = {}) {
    json::object body{{"building_id", building},
                      {"name", "Raumtemperatur"},
                      {"kind", "sensor"},
                      {"quantity", "temperature"},
                      {"unit", "°C"}};
    for (auto& [k, v] : extra) body[k] = v;
    return id_of(create(http(), "points", body));
  }

  static inline std::unique_ptr<TempDir> tmp_;
  static inline std::unique_ptr<ServerProcess> server_;
  static inline bool started_ = false;
  std::unique_ptr<HttpClient> client_;
  Id tenant_ = 0;
};

// ---- 1. CRUD for each resource ----

struct CrudCase {
  std::string collection;
  json::object create;            // POST body
  json::object created;           // fields the created record must also show (derived ones)
  json::object replace;           // PUT body
  json::object replace_defaults;  // fields the PUT must reset because its body left them out
  json::object patch;             // merge patch
  std::optional<Id> tenant_id;    // the record's tenant; nullopt for a tenant itself
  std::string list_filter;        // query that lists the record, e.g. "building_id=3"
};

// POST → GET → GET If-None-Match → list → PUT → PATCH → DELETE → GET 404.
void exercise_crud(HttpClient& c, const CrudCase& k) {
  const std::string base = "/api/v1/" + k.collection;

  // Create.
  auto post = c.post(base, text(k.create));
  ASSERT_EQ(post.status, 201) << post.body;
  EXPECT_EQ(post.header("Content-Type"), "application/json");
  const auto created = parse_object(post.body);
  ASSERT_TRUE(created.contains("id") && created.at("id").is_int64()) << post.body;
  const Id id = id_of(created);
  EXPECT_GT(id, 0);
  EXPECT_EQ(post.header("Location"), one(k.collection, id));
  EXPECT_EQ(post.header("ETag"), "\"1\"");
  EXPECT_EQ(created.at("version"), 1) << post.body;
  EXPECT_TRUE(is_rfc3339(created.at("created_at"))) << post.body;
  EXPECT_TRUE(is_rfc3339(created.at("updated_at"))) << post.body;
  if (k.tenant_id) {
    EXPECT_EQ(created.at("tenant_id"), *k.tenant_id) << post.body;
  } else {
    EXPECT_FALSE(created.contains("tenant_id")) << post.body;
  }
  json::object sent = k.create;
  sent.erase("tenant_id");
  EXPECT_TRUE(has_fields(created, sent));
  EXPECT_TRUE(has_fields(created, k.created));

  // Read: the same body and ETag; a conditional read of that ETag is 304.
  auto get = c.get(post.header("Location"));
  ASSERT_EQ(get.status, 200) << get.body;
  EXPECT_EQ(get.body, post.body);
  EXPECT_EQ(get.header("ETag"), "\"1\"");
  auto cached = c.request("GET", one(k.collection, id), {}, {{"If-None-Match", "\"1\""}});
  EXPECT_EQ(cached.status, 304);
  EXPECT_TRUE(cached.body.empty()) << cached.body;
  EXPECT_EQ(cached.header("ETag"), "\"1\"");
  auto stale = c.request("GET", one(k.collection, id), {}, {{"If-None-Match", "\"7\""}});
  EXPECT_EQ(stale.status, 200);
  EXPECT_EQ(stale.body, post.body);
  // If-None-Match compares weakly and takes a list or "*".
  for (const char* matching : {"W/\"1\"", "\"7\", \"1\"", "\"7\",W/\"1\"", "*"})
    EXPECT_EQ(c.request("GET", one(k.collection, id), {}, {{"If-None-Match", matching}}).status,
              304)
        << matching;
  EXPECT_EQ(
      c.request("GET", one(k.collection, id), {}, {{"If-None-Match", "W/\"7\", \"11\""}}).status,
      200);

  // List: the record is among the items; everything fits on one page.
  auto list = c.get(base + "?limit=1000" + (k.list_filter.empty() ? "" : "&" + k.list_filter));
  ASSERT_EQ(list.status, 200) << list.body;
  const auto page = parse_object(list.body);
  ASSERT_TRUE(page.contains("items") && page.at("items").is_array()) << list.body;
  ASSERT_TRUE(page.contains("next_cursor")) << list.body;
  EXPECT_TRUE(page.at("next_cursor").is_null()) << list.body;
  int found = 0;
  for (const auto& item : page.at("items").as_array())
    if (id_of(item.as_object()) == id) {
      ++found;
      EXPECT_EQ(item, json::value(created));
    }
  EXPECT_EQ(found, 1) << list.body;

  // Replace: version 2; what the body leaves out returns to its default.
  auto put = c.put(one(k.collection, id), text(k.replace));
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.header("ETag"), "\"2\"");
  const auto replaced = parse_object(put.body);
  EXPECT_EQ(replaced.at("id"), id);
  EXPECT_EQ(replaced.at("version"), 2);
  EXPECT_EQ(replaced.at("created_at"), created.at("created_at"));
  EXPECT_GT(std::string(replaced.at("updated_at").as_string()),
            std::string(created.at("updated_at").as_string()));
  if (k.tenant_id) {
    EXPECT_EQ(replaced.at("tenant_id"), *k.tenant_id);
  }
  EXPECT_TRUE(has_fields(replaced, k.replace));
  EXPECT_TRUE(has_fields(replaced, k.replace_defaults));
  EXPECT_EQ(read(c, k.collection, id), replaced);

  // Merge patch: only the given fields change.
  auto patch = c.request("PATCH", one(k.collection, id), text(k.patch),
                         {{"Content-Type", "application/merge-patch+json"}});
  ASSERT_EQ(patch.status, 200) << patch.body;
  EXPECT_EQ(patch.header("ETag"), "\"3\"");
  const auto patched = parse_object(patch.body);
  EXPECT_EQ(patched.at("version"), 3);
  EXPECT_TRUE(has_fields(patched, k.patch));
  for (const auto& [name, value] : replaced) {
    if (name == "version" || name == "updated_at" || k.patch.contains(name)) continue;
    EXPECT_TRUE(patched.contains(name) && patched.at(name) == value)
        << "PATCH changed '" << name << "': " << patch.body;
  }
  EXPECT_EQ(read(c, k.collection, id), patched);

  // Delete: 204 without a body; the record is gone.
  auto del = c.del(one(k.collection, id));
  EXPECT_EQ(del.status, 204) << del.body;
  EXPECT_TRUE(del.body.empty());
  expect_problem(c.get(one(k.collection, id)), 404);
  expect_problem(c.del(one(k.collection, id)), 404);
  EXPECT_EQ(id_set(c, base + (k.list_filter.empty() ? "" : "?" + k.list_filter)).count(id), 0u);
}

TEST_F(AssetsApi, CrudTenants) {
  static std::atomic<int> n{0};
  const std::string name = "Gemeinde Crud " + std::to_string(++n);
  exercise_crud(http(), {.collection = "tenants",
                         .create = {{"name", name}, {"timezone", "Europe/Vienna"}},
                         .created = {},
                         .replace = {{"name", name + " (neu)"}},
                         .replace_defaults = {{"timezone", "Europe/Berlin"}},
                         .patch = {{"timezone", "UTC"}},
                         .tenant_id = std::nullopt,
                         .list_filter = ""});
}

TEST_F(AssetsApi, CrudSites) {
  exercise_crud(
      http(), {.collection = "sites",
               .create = {{"tenant_id", tenant_},
                          {"name", "Schulzentrum Nord"},
                          {"address", "Schulstraße 1, 72379 Hechingen"},
                          {"latitude", 48.3517},
                          {"longitude", 8.9632},
                          {"tags", json::array{"campus", "education"}}},
               .created = {},
               .replace = {{"name", "Schulzentrum Süd"}, {"tags", json::array{"campus"}}},
               .replace_defaults = {{"address", ""}, {"latitude", nullptr}, {"longitude", nullptr}},
               .patch = {{"address", "Hauptstraße 5"}},
               .tenant_id = tenant_,
               .list_filter = "tenant_id=" + std::to_string(tenant_)});
}

TEST_F(AssetsApi, CrudBuildings) {
  const Id site = id_of(create(http(), "sites", {{"tenant_id", tenant_}, {"name", "Campus"}}));
  exercise_crud(
      http(),
      {.collection = "buildings",
       .create = {{"tenant_id", tenant_},
                  {"site_id", site},
                  {"name", "Grundschule"},
                  {"type", "primary_school"},
                  {"address", "Am Park 3"},
                  {"latitude", 48.35},
                  {"longitude", 8.96},
                  {"gross_floor_area_m2", 2450.5},
                  {"year_built", 1968},
                  {"timezone", "Europe/Vienna"},
                  {"tags", json::array{"school", "listed"}}},
       .created = {},
       .replace = {{"name", "Grundschule Am Park"}, {"type", "school"}, {"year_built", 1970}},
       .replace_defaults = {{"site_id", nullptr},
                            {"address", ""},
                            {"latitude", nullptr},
                            {"longitude", nullptr},
                            {"gross_floor_area_m2", nullptr},
                            {"timezone", "Europe/Berlin"},
                            {"tags", json::array{}}},
       .patch = {{"gross_floor_area_m2", 2600}},
       .tenant_id = tenant_,
       .list_filter = "tenant_id=" + std::to_string(tenant_)});
}

TEST_F(AssetsApi, CrudFloors) {
  const Id b = building(tenant_);
  exercise_crud(http(), {.collection = "floors",
                         .create = {{"building_id", b},
                                    {"name", "Erdgeschoss"},
                                    {"level", 0},
                                    {"elevation_m", 312.5}},
                         .created = {},
                         .replace = {{"building_id", b}, {"name", "EG"}, {"level", -1}},
                         .replace_defaults = {{"elevation_m", nullptr}},
                         .patch = {{"name", "Untergeschoss"}},
                         .tenant_id = tenant_,
                         .list_filter = "building_id=" + std::to_string(b)});
}

TEST_F(AssetsApi, CrudSpaces) {
  const Id b = building(tenant_);
  const Id f = floor(b);
  exercise_crud(http(), {.collection = "spaces",
                         .create = {{"floor_id", f},
                                    {"name", "Klassenzimmer 1"},
                                    {"usage", "classroom"},
                                    {"area_m2", 62.5},
                                    {"zone", "Süd"},
                                    {"tags", json::array{"south"}}},
                         .created = {{"building_id", b}},
                         .replace = {{"floor_id", f}, {"name", "Raum 1"}, {"usage", "office"}},
                         .replace_defaults = {{"building_id", b},
                                              {"area_m2", nullptr},
                                              {"zone", ""},
                                              {"tags", json::array{}}},
                         .patch = {{"area_m2", 60}},
                         .tenant_id = tenant_,
                         .list_filter = "building_id=" + std::to_string(b)});
}

TEST_F(AssetsApi, CrudEquipment) {
  const Id b = building(tenant_);
  const Id s = space(floor(b));
  exercise_crud(http(), {.collection = "equipment",
                         .create = {{"building_id", b},
                                    {"space_id", s},
                                    {"name", "Heizkessel"},
                                    {"kind", "boiler"},
                                    {"vendor", "Viessmann"},
                                    {"model", "Vitocrossal 300"},
                                    {"tags", json::array{"heating"}}},
                         .created = {{"parent_id", nullptr}},
                         .replace = {{"building_id", b}, {"name", "Kessel 1"}, {"kind", "boiler"}},
                         .replace_defaults = {{"space_id", nullptr},
                                              {"vendor", ""},
                                              {"model", ""},
                                              {"tags", json::array{}}},
                         .patch = {{"vendor", "Buderus"}},
                         .tenant_id = tenant_,
                         .list_filter = "building_id=" + std::to_string(b)});
}

TEST_F(AssetsApi, CrudPoints) {
  const Id b = building(tenant_);
  const Id s = space(floor(b));
  const Id e = equipment(b, s);
  exercise_crud(http(), {.collection = "points",
                         .create = {{"building_id", b},
                                    {"space_id", s},
                                    {"equipment_id", e},
                                    {"name", "Vorlauftemperatur"},
                                    {"key", "t" + std::to_string(tenant_) + "/boiler/supply"},
                                    {"kind", "sensor"},
                                    {"quantity", "temperature"},
                                    {"unit", "°C"},
                                    {"min_value", -20},
                                    {"max_value", 120},
                                    {"expected_interval_s", 60},
                                    {"tags", json::array{"supply"}}},
                         .created = {},
                         .replace = {{"building_id", b},
                                     {"name", "Leistung"},
                                     {"kind", "sensor"},
                                     {"quantity", "power"},
                                     {"unit", "kW"}},
                         .replace_defaults = {{"space_id", nullptr},
                                              {"equipment_id", nullptr},
                                              {"key", ""},
                                              {"min_value", nullptr},
                                              {"max_value", nullptr},
                                              {"expected_interval_s", nullptr},
                                              {"tags", json::array{}}},
                         .patch = {{"min_value", 0}, {"max_value", 500}},
                         .tenant_id = tenant_,
                         .list_filter = "building_id=" + std::to_string(b)});
}

TEST_F(AssetsApi, CrudDevices) {
  const Id b = building(tenant_);
  const Id p = point(b);
  exercise_crud(
      http(),
      {.collection = "devices",
       .create = {{"tenant_id", tenant_},
                  {"building_id", b},
                  {"name", "Gateway Keller"},
                  {"protocol", "mqtt"},
                  {"vendor", "Acme"},
                  {"model", "GW-1"},
                  {"serial", "SN-0001"},
                  {"status", "active"},
                  {"channels", json::array{json::object{{"channel", "temp"}, {"point_id", p}}}},
                  {"tags", json::array{"gateway"}}},
       .created = {},
       .replace = {{"name", "Gateway 2"}, {"protocol", "lorawan"}},
       .replace_defaults = {{"building_id", nullptr},
                            {"vendor", ""},
                            {"serial", ""},
                            {"status", "provisioning"},
                            {"channels", json::array{}},
                            {"tags", json::array{}}},
       .patch = {{"status", "disabled"}},
       .tenant_id = tenant_,
       .list_filter = "tenant_id=" + std::to_string(tenant_)});
}

// ---- 2. pagination ----

TEST_F(AssetsApi, PagesThroughPointsWithCursors) {
  const Id b = building(tenant_);
  const Id other = building(tenant_, "Bauhof");
  std::vector<Id> made;
  for (int i = 0; i < 25; ++i) {
    made.push_back(point(b, {{"name", "P" + std::to_string(i)}}));
    if (i % 8 == 0) point(other);  // interleaved records the filter must skip
  }

  std::vector<Id> seen;
  std::vector<std::size_t> sizes;
  std::string cursor;
  for (int pages = 0; pages < 10; ++pages) {
    auto r = http().get("/api/v1/points?building_id=" + std::to_string(b) + "&limit=10" +
                        (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(r.status, 200) << r.body;
    auto page = parse_object(r.body);
    const auto& items = page.at("items").as_array();
    sizes.push_back(items.size());
    for (const auto& item : items) {
      EXPECT_EQ(item.at("building_id"), b);
      seen.push_back(id_of(item.as_object()));
    }
    if (page.at("next_cursor").is_null()) break;
    cursor = std::string(page.at("next_cursor").as_string());
    EXPECT_FALSE(cursor.empty());
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{10, 10, 5}));
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(std::set<Id>(seen.begin(), seen.end()).size(), 25u);
  EXPECT_EQ(seen, made);

  // A page that ends exactly at the last record says there is no next one.
  auto exact =
      parse_object(http().get("/api/v1/points?limit=25&building_id=" + std::to_string(b)).body);
  EXPECT_EQ(exact.at("items").as_array().size(), 25u);
  EXPECT_TRUE(exact.at("next_cursor").is_null());
  // Default limit 100.
  auto all = parse_object(http().get("/api/v1/points?building_id=" + std::to_string(b)).body);
  EXPECT_EQ(all.at("items").as_array().size(), 25u);
  EXPECT_TRUE(all.at("next_cursor").is_null());

  for (const std::string bad : {"0", "1001", "x", "-1", "", "10abc", "1e2"}) {
    SCOPED_TRACE("limit=" + bad);
    auto problem = expect_problem(http().get("/api/v1/points?limit=" + bad), 400);
    EXPECT_NE(detail_of(problem).find("limit"), std::string::npos) << detail_of(problem);
  }
  for (const std::string& bad :
       {std::string("not%20a%20cursor"), std::string("!!!!"), base64url("after:abc"),
        base64url("after:0"), base64url("after:-5"), base64url("before:10"), std::string("")}) {
    SCOPED_TRACE("cursor=" + bad);
    auto problem = expect_problem(http().get("/api/v1/points?cursor=" + bad), 400);
    EXPECT_NE(detail_of(problem).find("cursor"), std::string::npos) << detail_of(problem);
  }
}

// ---- 3. filters ----

TEST_F(AssetsApi, FiltersPointsAndEquipment) {
  const Id b1 = building(tenant_);
  const Id b2 = building(tenant_, "Hallenbad");
  const Id f1 = floor(b1);
  const Id s1 = space(f1, "Heizraum"), s2 = space(f1, "Technik");
  const Id e1 = equipment(b1, s1, {}, "boiler");
  const Id e2 = equipment(b1, s2, {}, "pump");
  const Id e3 = equipment(b1, {}, {}, "meter");
  const Id e4 = equipment(b2, {}, {}, "pump");
  const Id p1 = point(
      b1, {{"space_id", s1}, {"equipment_id", e1}, {"tags", json::array{"supply", "heating"}}});
  const Id p2 = point(b1, {{"space_id", s2},
                           {"equipment_id", e2},
                           {"quantity", "power"},
                           {"unit", "kW"},
                           {"tags", json::array{"main"}}});
  const Id p3 =
      point(b1, {{"space_id", s1}, {"kind", "setpoint"}, {"tags", json::array{"comfort"}}});
  const Id p4 = point(b1, {{"quantity", "energy"}, {"unit", "kWh"}, {"tags", json::array{"main"}}});
  const Id p5 = point(b2, {{"tags", json::array{"supply"}}});
  const std::string t = "tenant_id=" + std::to_string(tenant_);

  EXPECT_EQ(id_set(http(), "/api/v1/points?building_id=" + std::to_string(b1)),
            (std::set<Id>{p1, p2, p3, p4}));
  EXPECT_EQ(id_set(http(), "/api/v1/points?space_id=" + std::to_string(s1)),
            (std::set<Id>{p1, p3}));
  EXPECT_EQ(id_set(http(), "/api/v1/points?equipment_id=" + std::to_string(e1)),
            (std::set<Id>{p1}));
  EXPECT_EQ(id_set(http(), "/api/v1/points?quantity=temperature&" + t), (std::set<Id>{p1, p3, p5}));
  EXPECT_EQ(id_set(http(), "/api/v1/points?kind=setpoint&" + t), (std::set<Id>{p3}));
  EXPECT_EQ(id_set(http(), "/api/v1/points?tag=main&" + t), (std::set<Id>{p2, p4}));
  EXPECT_EQ(id_set(http(), "/api/v1/points?tag=supply&building_id=" + std::to_string(b1)),
            (std::set<Id>{p1}));
  EXPECT_EQ(id_set(http(), "/api/v1/points?tag=nothing&" + t), (std::set<Id>{}));
  EXPECT_EQ(id_set(http(), "/api/v1/points?" + t), (std::set<Id>{p1, p2, p3, p4, p5}));
  EXPECT_EQ(id_set(http(), "/api/v1/points?building_id=99999999"), (std::set<Id>{}));

  EXPECT_EQ(id_set(http(), "/api/v1/equipment?kind=pump&" + t), (std::set<Id>{e2, e4}));
  EXPECT_EQ(id_set(http(), "/api/v1/equipment?kind=boiler&" + t), (std::set<Id>{e1}));
  EXPECT_EQ(id_set(http(), "/api/v1/equipment?kind=pump&building_id=" + std::to_string(b1)),
            (std::set<Id>{e2}));
  EXPECT_EQ(id_set(http(), "/api/v1/equipment?building_id=" + std::to_string(b1)),
            (std::set<Id>{e1, e2, e3}));
  EXPECT_EQ(id_set(http(), "/api/v1/spaces?floor_id=" + std::to_string(f1)),
            (std::set<Id>{s1, s2}));

  // Unknown parameters and values that cannot match are refused, naming the parameter.
  struct Bad {
    std::string target, name;
  };
  for (const auto& [target, name] :
       std::vector<Bad>{{"/api/v1/points?colour=red", "colour"},
                        {"/api/v1/points?name=P1", "name"},
                        {"/api/v1/equipment?vendor=Acme", "vendor"},
                        {"/api/v1/tenants?tenant_id=1", "tenant_id"},
                        {"/api/v1/points?quantity=banana", "quantity"},
                        {"/api/v1/equipment?kind=robot", "kind"},
                        {"/api/v1/points?building_id=abc", "building_id"},
                        {"/api/v1/points?space_id=0", "space_id"}}) {
    SCOPED_TRACE(target);
    auto problem = expect_problem(http().get(target), 400);
    EXPECT_NE(detail_of(problem).find("'" + name + "'"), std::string::npos) << detail_of(problem);
    EXPECT_EQ(invalid_param(problem), name);
  }
}

// ---- 4. tenancy and references ----

TEST_F(AssetsApi, KeepsTenantsApartAndRefusesCrossTenantReferences) {
  const Id a = tenant_, b = new_tenant();
  const Id site_a = id_of(create(http(), "sites", {{"tenant_id", a}, {"name", "A"}}));
  const Id site_b = id_of(create(http(), "sites", {{"tenant_id", b}, {"name", "B"}}));
  const Id ba = building(a, "Schule A"), bb = building(b, "Schule B");
  const Id pa = point(ba), pb = point(bb);
  const Id da =
      id_of(create(http(), "devices", {{"tenant_id", a}, {"name", "d"}, {"protocol", "http"}}));
  const Id db =
      id_of(create(http(), "devices", {{"tenant_id", b}, {"name", "d"}, {"protocol", "http"}}));
  const auto ta = "?tenant_id=" + std::to_string(a), tb = "?tenant_id=" + std::to_string(b);

  EXPECT_EQ(id_set(http(), "/api/v1/sites" + ta), (std::set<Id>{site_a}));
  EXPECT_EQ(id_set(http(), "/api/v1/sites" + tb), (std::set<Id>{site_b}));
  EXPECT_EQ(id_set(http(), "/api/v1/buildings" + ta), (std::set<Id>{ba}));
  EXPECT_EQ(id_set(http(), "/api/v1/buildings" + tb), (std::set<Id>{bb}));
  EXPECT_EQ(id_set(http(), "/api/v1/points" + ta), (std::set<Id>{pa}));
  EXPECT_EQ(id_set(http(), "/api/v1/points" + tb), (std::set<Id>{pb}));
  EXPECT_EQ(id_set(http(), "/api/v1/devices" + ta), (std::set<Id>{da}));
  EXPECT_EQ(id_set(http(), "/api/v1/devices" + tb), (std::set<Id>{db}));

  // A reference into another tenant is refused like a missing record, naming the field.
  struct Case {
    std::string collection;
    json::object body;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"buildings",
       {{"tenant_id", a}, {"name", "x"}, {"type", "office"}, {"site_id", site_b}},
       "/site_id"},
      {"devices",
       {{"tenant_id", a}, {"name", "x"}, {"protocol", "mqtt"}, {"building_id", bb}},
       "/building_id"},
      {"devices",
       {{"tenant_id", a},
        {"name", "x"},
        {"protocol", "mqtt"},
        {"channels", json::array{json::object{{"channel", "c"}, {"point_id", pb}}}}},
       "/channels/0/point_id"},
  };
  for (const auto& k : cases) {
    SCOPED_TRACE(k.collection + " " + text(k.body));
    const auto before = list_ids(http(), "/api/v1/" + k.collection + ta);
    auto problem = expect_problem(http().post("/api/v1/" + k.collection, text(k.body)), 422);
    EXPECT_EQ(invalid_param(problem), k.field) << text(problem);
    EXPECT_EQ(list_ids(http(), "/api/v1/" + k.collection + ta), before);
  }
  // Nor can an update point into another tenant, or move a record to one.
  auto problem = expect_problem(
      http().patch(one("buildings", ba), text(json::object{{"site_id", site_b}})), 422);
  EXPECT_EQ(invalid_param(problem), "/site_id");
  problem =
      expect_problem(http().patch(one("buildings", ba), text(json::object{{"tenant_id", b}})), 422);
  EXPECT_EQ(invalid_param(problem), "/tenant_id");
  problem =
      expect_problem(http().patch(one("devices", da), text(json::object{{"tenant_id", b}})), 422);
  EXPECT_EQ(invalid_param(problem), "/tenant_id");
  EXPECT_EQ(read(http(), "buildings", ba).at("version"), 1);
  EXPECT_EQ(read(http(), "buildings", ba).at("tenant_id"), a);
  EXPECT_EQ(read(http(), "devices", da).at("tenant_id"), a);

  // A floor takes its tenant from its building; a tenant_id in the body does not override it.
  const auto fl = create(http(), "floors",
                         {{"building_id", bb}, {"tenant_id", a}, {"name", "EG"}, {"level", 0}});
  EXPECT_EQ(fl.at("tenant_id"), b);
  EXPECT_EQ(id_set(http(), "/api/v1/floors" + ta).count(id_of(fl)), 0u);
  EXPECT_EQ(id_set(http(), "/api/v1/floors" + tb).count(id_of(fl)), 1u);
}

TEST_F(AssetsApi, RefusesReferencesIntoAnotherBuilding) {
  const Id b1 = building(tenant_), b2 = building(tenant_, "Turnhalle");
  const Id s1 = space(floor(b1)), s2 = space(floor(b2));
  const Id e1 = equipment(b1, s1), e2 = equipment(b2, s2);
  const Id p1 = point(b1, {{"space_id", s1}});
  struct Case {
    std::string collection;
    json::object body;
    std::string field;
  };
  const json::object pt{
      {"building_id", b1}, {"name", "x"}, {"kind", "sensor"}, {"quantity", "co2"}, {"unit", "ppm"}};
  auto with = [](json::object o, std::string_view k, json::value v) {
    o[k] = std::move(v);
    return o;
  };
  const std::vector<Case> cases = {
      {"points", with(pt, "space_id", s2), "/space_id"},
      {"points", with(pt, "equipment_id", e2), "/equipment_id"},
      {"points", with(pt, "space_id", 99999999), "/space_id"},
      {"equipment",
       {{"building_id", b1}, {"name", "x"}, {"kind", "fan"}, {"space_id", s2}},
       "/space_id"},
      {"equipment",
       {{"building_id", b1}, {"name", "x"}, {"kind", "fan"}, {"parent_id", e2}},
       "/parent_id"},
  };
  const auto t = "?tenant_id=" + std::to_string(tenant_);
  for (const auto& k : cases) {
    SCOPED_TRACE(k.collection + " " + text(k.body));
    const auto before = list_ids(http(), "/api/v1/" + k.collection + t);
    auto problem = expect_problem(http().post("/api/v1/" + k.collection, text(k.body)), 422);
    EXPECT_EQ(invalid_param(problem), k.field) << text(problem);
    EXPECT_EQ(list_ids(http(), "/api/v1/" + k.collection + t), before);
  }
  auto problem =
      expect_problem(http().patch(one("points", p1), text(json::object{{"space_id", s2}})), 422);
  EXPECT_EQ(invalid_param(problem), "/space_id");
  problem =
      expect_problem(http().patch(one("equipment", e1), text(json::object{{"space_id", s2}})), 422);
  EXPECT_EQ(invalid_param(problem), "/space_id");
  EXPECT_EQ(read(http(), "points", p1).at("space_id"), s1);
  EXPECT_EQ(read(http(), "points", p1).at("version"), 1);
  EXPECT_EQ(read(http(), "equipment", e1).at("version"), 1);
}

// ---- 5. derived fields, part-of cycles, device channels ----

TEST_F(AssetsApi, SpaceTakesItsBuildingFromItsFloor) {
  const Id b1 = building(tenant_), b2 = building(tenant_, "Bibliothek");
  const Id f1 = floor(b1);
  auto s = create(
      http(), "spaces",
      {{"floor_id", f1}, {"name", "Lesesaal"}, {"usage", "library_hall"}, {"building_id", b2}});
  EXPECT_EQ(s.at("building_id"), b1);
  EXPECT_EQ(s.at("tenant_id"), tenant_);
  // A building_id sent later is ignored too; the floor cannot change.
  auto r = http().patch(one("spaces", id_of(s)),
                        text(json::object{{"building_id", b2}, {"name", "Lesesaal 2"}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse_object(r.body).at("building_id"), b1);
  EXPECT_EQ(parse_object(r.body).at("name"), "Lesesaal 2");
  auto problem = expect_problem(
      http().patch(one("spaces", id_of(s)), text(json::object{{"floor_id", floor(b2)}})), 422);
  EXPECT_EQ(invalid_param(problem), "/floor_id");
  EXPECT_EQ(read(http(), "spaces", id_of(s)).at("version"), 2);
  EXPECT_EQ(id_set(http(), "/api/v1/spaces?building_id=" + std::to_string(b1)),
            (std::set<Id>{id_of(s)}));
  EXPECT_EQ(id_set(http(), "/api/v1/spaces?building_id=" + std::to_string(b2)), (std::set<Id>{}));
}

TEST_F(AssetsApi, RefusesEquipmentParentCycles) {
  const Id b = building(tenant_);
  const Id ahu = equipment(b, {}, {}, "ahu");
  const Id fan = equipment(b, {}, ahu, "fan");
  const Id damper = equipment(b, {}, fan, "damper");
  for (const Id parent : {ahu, fan, damper}) {
    SCOPED_TRACE("parent " + std::to_string(parent));
    auto problem = expect_problem(
        http().patch(one("equipment", ahu), text(json::object{{"parent_id", parent}})), 422);
    EXPECT_EQ(invalid_param(problem), "/parent_id");
  }
  auto problem = expect_problem(
      http().put(
          one("equipment", fan),
          text(json::object{
              {"building_id", b}, {"name", "Lüfter"}, {"kind", "fan"}, {"parent_id", damper}})),
      422);
  EXPECT_EQ(invalid_param(problem), "/parent_id");
  const auto unchanged = read(http(), "equipment", ahu);
  EXPECT_EQ(unchanged.at("version"), 1);
  EXPECT_TRUE(unchanged.at("parent_id").is_null());
  EXPECT_EQ(read(http(), "equipment", fan).at("parent_id"), ahu);
  // A move that makes no loop is fine.
  auto ok = http().patch(one("equipment", damper), text(json::object{{"parent_id", ahu}}));
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(parse_object(ok.body).at("parent_id"), ahu);
}

TEST_F(AssetsApi, DeviceChannelsMapToPoints) {
  const Id b = building(tenant_);
  const Id p1 = point(b), p2 = point(b, {{"quantity", "humidity"}, {"unit", "%"}});
  const json::array channels{json::object{{"channel", "temp"}, {"point_id", p1}},
                             json::object{{"channel", "hum"}, {"point_id", p2}}};
  auto d = create(http(), "devices",
                  {{"tenant_id", tenant_},
                   {"name", "Raumfühler"},
                   {"protocol", "lorawan"},
                   {"serial", "70B3D57ED0001234"},
                   {"channels", channels}});
  const Id dev = id_of(d);
  auto as_set = [](const json::value& v) {
    std::set<std::pair<std::string, Id>> out;
    for (const auto& c : v.as_array())
      out.emplace(std::string(c.at("channel").as_string()), c.at("point_id").as_int64());
    return out;
  };
  const std::set<std::pair<std::string, Id>> expected{{"temp", p1}, {"hum", p2}};
  EXPECT_EQ(as_set(d.at("channels")), expected);
  EXPECT_EQ(as_set(read(http(), "devices", dev).at("channels")), expected);
  // A patch without channels keeps them; one with channels replaces them.
  auto r = http().patch(one("devices", dev), text(json::object{{"status", "active"}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(as_set(parse_object(r.body).at("channels")), expected);
  r = http().patch(one("devices", dev),
                   text(json::object{{"channels", json::array{json::object{{"channel", "t"},
                                                                           {"point_id", p2}}}}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(as_set(parse_object(r.body).at("channels")),
            (std::set<std::pair<std::string, Id>>{{"t", p2}}));

  // A channel to a point that does not exist, or the same channel twice, is refused.
  const auto before = list_ids(http(), "/api/v1/devices?tenant_id=" + std::to_string(tenant_));
  auto problem = expect_problem(
      http().post(
          "/api/v1/devices",
          text(json::object{
              {"tenant_id", tenant_},
              {"name", "x"},
              {"protocol", "mqtt"},
              {"channels", json::array{json::object{{"channel", "a"}, {"point_id", p1}},
                                       json::object{{"channel", "b"}, {"point_id", 99999999}}}}})),
      422);
  EXPECT_EQ(invalid_param(problem), "/channels/1/point_id");
  problem = expect_problem(
      http().post(
          "/api/v1/devices",
          text(json::object{
              {"tenant_id", tenant_},
              {"name", "x"},
              {"protocol", "mqtt"},
              {"channels", json::array{json::object{{"channel", "a"}, {"point_id", p1}},
                                       json::object{{"channel", "a"}, {"point_id", p2}}}}})),
      422);
  EXPECT_EQ(invalid_param(problem).rfind("/channels/", 0), 0u) << text(problem);
  problem = expect_problem(
      http().patch(
          one("devices", dev),
          text(json::object{
              {"channels", json::array{json::object{{"channel", "t"}, {"point_id", 99999999}}}}})),
      422);
  EXPECT_EQ(invalid_param(problem), "/channels/0/point_id");
  EXPECT_EQ(list_ids(http(), "/api/v1/devices?tenant_id=" + std::to_string(tenant_)), before);
  EXPECT_EQ(read(http(), "devices", dev).at("version"), 3);

  // A point a channel feeds cannot go without cascade; with it, the mapping goes too.
  problem = expect_problem(http().del(one("points", p2)), 409);
  EXPECT_NE(detail_of(problem).find("device channel"), std::string::npos) << detail_of(problem);
  EXPECT_EQ(http().del(one("points", p2) + "?cascade=true").status, 204);
  const auto after = read(http(), "devices", dev);
  EXPECT_TRUE(after.at("channels").as_array().empty()) << text(after);
  EXPECT_EQ(http().del(one("points", p1)).status, 204);  // no channel feeds it any more
}

// ---- 6. optimistic concurrency ----

TEST_F(AssetsApi, IfMatchGuardsWrites) {
  const Id b = building(tenant_, "Feuerwache");
  const auto original = read(http(), "buildings", b);
  const json::object replacement{{"name", "Feuerwache Nord"}, {"type", "fire_station"}};
  const auto stale = Headers{{"If-Match", "\"7\""}};

  auto problem =
      expect_problem(http().request("PUT", one("buildings", b), text(replacement), stale), 412);
  EXPECT_NE(detail_of(problem).find("\"7\""), std::string::npos) << detail_of(problem);
  expect_problem(http().request("PATCH", one("buildings", b), text(json::object{{"name", "x"}}),
                                {{"If-Match", "\"2\""}}),
                 412);
  expect_problem(http().request("DELETE", one("buildings", b), {}, {{"If-Match", "\"0\""}}), 412);
  EXPECT_EQ(read(http(), "buildings", b), original);  // nothing changed

  auto r = http().request("PATCH", one("buildings", b), text(json::object{{"year_built", 1999}}),
                          {{"If-Match", "\"1\""}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("ETag"), "\"2\"");
  // The ETag that was current a moment ago is now stale.
  expect_problem(
      http().request("PUT", one("buildings", b), text(replacement), {{"If-Match", "\"1\""}}), 412);
  r = http().request("PUT", one("buildings", b), text(replacement), {{"If-Match", "\"2\""}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse_object(r.body).at("name"), "Feuerwache Nord");
  r = http().request("PATCH", one("buildings", b), text(json::object{{"address", "Ring 1"}}),
                     {{"If-Match", "*"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("ETag"), "\"4\"");
  r = http().request("PUT", one("buildings", b), text(replacement), {{"If-Match", "\"1\", \"4\""}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("ETag"), "\"5\"");

  expect_problem(http().request("DELETE", one("buildings", b), {}, {{"If-Match", "\"4\""}}), 412);
  EXPECT_EQ(read(http(), "buildings", b).at("version"), 5);
  EXPECT_EQ(http().request("DELETE", one("buildings", b), {}, {{"If-Match", "\"5\""}}).status, 204);
  EXPECT_EQ(http().get(one("buildings", b)).status, 404);
  const Id other = building(tenant_);
  EXPECT_EQ(http().request("DELETE", one("buildings", other), {}, {{"If-Match", "*"}}).status, 204);
  expect_problem(http().request("DELETE", one("buildings", other), {}, {{"If-Match", "*"}}), 404);
}

// ---- 7. cascading delete ----

TEST_F(AssetsApi, DeletesABuildingOnlyWithCascade) {
  const Id b = building(tenant_, "Hallenbad");
  const Id keep = building(tenant_, "Rathaus");
  const Id f = floor(b);
  const Id s = space(f);
  const Id e = equipment(b, s, {}, "pool_filter");
  const Id sub = equipment(b, s, e, "pump");
  const Id p1 = point(b, {{"equipment_id", e}});
  const Id p2 = point(b, {{"space_id", s}});
  const Id kept_point = point(keep);
  const Id dev_in_b = id_of(create(http(), "devices",
                                   {{"tenant_id", tenant_},
                                    {"name", "im Bad"},
                                    {"protocol", "modbus_tcp"},
                                    {"building_id", b}}));
  const Id dev = id_of(create(
      http(), "devices",
      {{"tenant_id", tenant_},
       {"name", "Gateway"},
       {"protocol", "mqtt"},
       {"channels", json::array{json::object{{"channel", "bad"}, {"point_id", p1}},
                                json::object{{"channel", "rathaus"}, {"point_id", kept_point}}}}}));
  const std::string in_b = "?building_id=" + std::to_string(b);

  auto problem = expect_problem(http().del(one("buildings", b)), 409);
  const auto detail = detail_of(problem);
  for (const char* what : {"1 floor", "1 space", "2 equipment", "2 points", "1 device", "cascade"})
    EXPECT_NE(detail.find(what), std::string::npos) << what << " in: " << detail;
  expect_problem(http().del(one("buildings", b) + "?cascade=false"), 409);
  problem = expect_problem(http().del(one("buildings", b) + "?cascade=maybe"), 400);
  EXPECT_NE(detail_of(problem).find("cascade"), std::string::npos);
  expect_problem(http().del(one("buildings", b) + "?force=true"), 400);
  // Refusals changed nothing.
  EXPECT_EQ(id_set(http(), "/api/v1/floors" + in_b), (std::set<Id>{f}));
  EXPECT_EQ(id_set(http(), "/api/v1/points" + in_b), (std::set<Id>{p1, p2}));
  EXPECT_EQ(read(http(), "buildings", b).at("version"), 1);
  // Children refuse on their own too.
  expect_problem(http().del(one("floors", f)), 409);
  expect_problem(http().del(one("equipment", e)), 409);

  auto del = http().del(one("buildings", b) + "?cascade=true");
  EXPECT_EQ(del.status, 204) << del.body;
  for (const char* collection : {"floors", "spaces", "equipment", "points", "devices"})
    EXPECT_EQ(id_set(http(), std::string("/api/v1/") + collection + in_b), (std::set<Id>{}))
        << collection;
  expect_problem(http().get(one("buildings", b)), 404);
  expect_problem(http().get(one("floors", f)), 404);
  expect_problem(http().get(one("spaces", s)), 404);
  expect_problem(http().get(one("equipment", e)), 404);
  expect_problem(http().get(one("equipment", sub)), 404);
  expect_problem(http().get(one("points", p1)), 404);
  expect_problem(http().get(one("points", p2)), 404);
  expect_problem(http().get(one("devices", dev_in_b)), 404);
  expect_problem(http().get(one("buildings", b) + "/tree"), 404);
  // The other building, and the device outside, stay; only the channel to the deleted point went.
  EXPECT_EQ(read(http(), "buildings", keep).at("version"), 1);
  EXPECT_EQ(read(http(), "points", kept_point).at("version"), 1);
  const auto channels = read(http(), "devices", dev).at("channels").as_array();
  ASSERT_EQ(channels.size(), 1u);
  EXPECT_EQ(channels[0].at("channel"), "rathaus");
  EXPECT_EQ(channels[0].at("point_id"), kept_point);
}

TEST_F(AssetsApi, DeletesATenantOnlyWithCascade) {
  const Id other = new_tenant();
  const Id site = id_of(create(http(), "sites", {{"tenant_id", other}, {"name", "Gelände"}}));
  const Id b = id_of(
      create(http(), "buildings",
             {{"tenant_id", other}, {"site_id", site}, {"name", "Depot"}, {"type", "depot"}}));
  const Id p = point(b);
  auto problem = expect_problem(http().del(one("sites", site)), 409);
  EXPECT_NE(detail_of(problem).find("1 building"), std::string::npos) << detail_of(problem);
  problem = expect_problem(http().del(one("tenants", other)), 409);
  EXPECT_NE(detail_of(problem).find("1 site"), std::string::npos) << detail_of(problem);
  EXPECT_EQ(http().del(one("tenants", other) + "?cascade=true").status, 204);
  for (const auto& [collection, id] : std::vector<std::pair<std::string, Id>>{
           {"tenants", other}, {"sites", site}, {"buildings", b}, {"points", p}})
    expect_problem(http().get(one(collection, id)), 404);
  EXPECT_EQ(id_set(http(), "/api/v1/buildings?tenant_id=" + std::to_string(other)),
            (std::set<Id>{}));
  // This test's own tenant is untouched.
  EXPECT_EQ(read(http(), "tenants", tenant_).at("version"), 1);
}

// ---- 8. the building tree ----

TEST_F(AssetsApi, ServesTheBuildingTree) {
  const Id b = building(tenant_, "Gymnasium");
  const Id f0 = floor(b, 0), f1 = floor(b, 1);
  const Id s0 = space(f0, "Heizraum"), s1 = space(f1, "Klasse 5a"), s2 = space(f1, "Klasse 5b");
  const Id ahu = equipment(b, s0, {}, "ahu");
  const Id fan = equipment(b, s0, ahu, "fan");
  const Id boiler = equipment(b, {}, {}, "boiler");
  const Id p_ahu = point(b, {{"equipment_id", ahu}, {"space_id", s0}});
  const Id p_fan = point(b, {{"equipment_id", fan}, {"quantity", "power"}, {"unit", "W"}});
  const Id p_room = point(b, {{"space_id", s1}, {"quantity", "co2"}, {"unit", "ppm"}});
  const Id p_boiler = point(b, {{"equipment_id", boiler}});
  const Id p_meter = point(b, {{"quantity", "energy"}, {"unit", "kWh"}});
  point(building(tenant_, "Nachbar"));  // another building's point stays out

  auto r = http().get(one("buildings", b) + "/tree");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto tree = parse_object(r.body);
  auto ids = [](const json::value& list) {
    std::vector<Id> out;
    for (const auto& x : list.as_array()) out.push_back(x.at("id").as_int64());
    return out;
  };
  auto find = [](const json::value& list, Id id) -> const json::object& {
    for (const auto& x : list.as_array())
      if (x.at("id") == id) return x.as_object();
    throw std::runtime_error("no record " + std::to_string(id) + " in " + text(list));
  };
  EXPECT_EQ(tree.at("building"), json::value(read(http(), "buildings", b)));
  EXPECT_EQ(ids(tree.at("floors")), (std::vector<Id>{f0, f1}));
  const auto& floor0 = find(tree.at("floors"), f0);
  const auto& floor1 = find(tree.at("floors"), f1);
  EXPECT_TRUE(has_fields(floor0, read(http(), "floors", f0)));
  EXPECT_EQ(ids(floor0.at("spaces")), (std::vector<Id>{s0}));
  EXPECT_EQ(ids(floor1.at("spaces")), (std::vector<Id>{s1, s2}));

  const auto& heating = find(floor0.at("spaces"), s0);
  EXPECT_TRUE(has_fields(heating, read(http(), "spaces", s0)));
  EXPECT_EQ(ids(heating.at("equipment")), (std::vector<Id>{ahu}));  // the fan sits under the AHU
  EXPECT_EQ(ids(heating.at("points")), (std::vector<Id>{}));        // the AHU's point sits under it
  const auto& ahu_node = find(heating.at("equipment"), ahu);
  EXPECT_TRUE(has_fields(ahu_node, read(http(), "equipment", ahu)));
  EXPECT_EQ(ids(ahu_node.at("points")), (std::vector<Id>{p_ahu}));
  EXPECT_EQ(ids(ahu_node.at("children")), (std::vector<Id>{fan}));
  const auto& fan_node = find(ahu_node.at("children"), fan);
  EXPECT_EQ(ids(fan_node.at("points")), (std::vector<Id>{p_fan}));
  EXPECT_EQ(ids(fan_node.at("children")), (std::vector<Id>{}));
  EXPECT_TRUE(has_fields(find(fan_node.at("points"), p_fan), read(http(), "points", p_fan)));

  const auto& room = find(floor1.at("spaces"), s1);
  EXPECT_EQ(ids(room.at("points")), (std::vector<Id>{p_room}));
  EXPECT_EQ(ids(room.at("equipment")), (std::vector<Id>{}));
  EXPECT_EQ(ids(find(floor1.at("spaces"), s2).at("points")), (std::vector<Id>{}));

  EXPECT_EQ(ids(tree.at("equipment")), (std::vector<Id>{boiler}));
  EXPECT_EQ(ids(find(tree.at("equipment"), boiler).at("points")), (std::vector<Id>{p_boiler}));
  EXPECT_EQ(ids(tree.at("points")), (std::vector<Id>{p_meter}));

  // An empty building has an empty tree.
  const Id empty = building(tenant_, "Leer");
  auto bare = parse_object(http().get(one("buildings", empty) + "/tree").body);
  EXPECT_TRUE(bare.at("floors").as_array().empty());
  EXPECT_TRUE(bare.at("equipment").as_array().empty());
  EXPECT_TRUE(bare.at("points").as_array().empty());

  expect_problem(http().get("/api/v1/buildings/99999999/tree"), 404);
  expect_problem(http().get("/api/v1/buildings/abc/tree"), 400);
  expect_problem(http().get(one("buildings", b) + "/tree?depth=2"), 400);
}

// ---- 9. unique values ----

TEST_F(AssetsApi, RefusesDuplicateUniqueValues) {
  const auto name = std::string(read(http(), "tenants", tenant_).at("name").as_string());
  const auto tenants_before = list_ids(http(), "/api/v1/tenants");
  auto problem =
      expect_problem(http().post("/api/v1/tenants", text(json::object{{"name", name}})), 409);
  EXPECT_EQ(invalid_param(problem), "/name");
  EXPECT_EQ(list_ids(http(), "/api/v1/tenants"), tenants_before);
  const Id other = new_tenant();
  problem =
      expect_problem(http().patch(one("tenants", other), text(json::object{{"name", name}})), 409);
  EXPECT_EQ(read(http(), "tenants", other).at("version"), 1);

  const Id b = building(tenant_);
  const Id p = point(b, {{"key", "hall/temp"}});
  const auto t = "?tenant_id=" + std::to_string(tenant_);
  const auto points_before = list_ids(http(), "/api/v1/points" + t);
  const json::object dup{{"building_id", b},          {"name", "Zweiter"}, {"kind", "sensor"},
                         {"quantity", "temperature"}, {"unit", "K"},       {"key", "hall/temp"}};
  problem = expect_problem(http().post("/api/v1/points", text(dup)), 409);
  EXPECT_EQ(invalid_param(problem), "/key");
  EXPECT_NE(detail_of(problem).find("hall/temp"), std::string::npos) << detail_of(problem);
  EXPECT_EQ(list_ids(http(), "/api/v1/points" + t), points_before);
  const Id q = point(b, {{"key", "hall/temp2"}});
  expect_problem(http().patch(one("points", q), text(json::object{{"key", "hall/temp"}})), 409);
  EXPECT_EQ(read(http(), "points", q).at("key"), "hall/temp2");
  // Empty keys never clash, and another tenant may use the same key.
  point(b);
  point(b);
  point(building(other), {{"key", "hall/temp"}});
  EXPECT_EQ(read(http(), "points", p).at("version"), 1);

  const json::object dev{
      {"tenant_id", tenant_}, {"name", "Zähler"}, {"protocol", "modbus_tcp"}, {"serial", "MB-42"}};
  create(http(), "devices", dev);
  const auto devices_before = list_ids(http(), "/api/v1/devices" + t);
  problem = expect_problem(http().post("/api/v1/devices", text(dev)), 409);
  EXPECT_EQ(invalid_param(problem), "/serial");
  EXPECT_EQ(list_ids(http(), "/api/v1/devices" + t), devices_before);
  json::object elsewhere = dev;
  elsewhere["tenant_id"] = other;
  create(http(), "devices", elsewhere);
}

// ---- 11. keep-alive ----

TEST_F(AssetsApi, ServesManyRequestsOnOneConnection) {
  const Id b = building(tenant_);
  for (int i = 0; i < 20; ++i) {
    auto r = i % 2
                 ? http().get(one("buildings", b))
                 : http().post("/api/v1/floors",
                               text(json::object{{"building_id", b}, {"name", "F"}, {"level", i}}));
    ASSERT_EQ(r.status, i % 2 ? 200 : 201) << r.body;
    EXPECT_NE(r.header("Connection"), "close");
  }
  EXPECT_EQ(list_ids(http(), "/api/v1/floors?building_id=" + std::to_string(b)).size(), 10u);
  // Pipelined on one socket: three answers, in order, then the close asked for.
  const std::string get = "GET " + one("buildings", b) +
                          " HTTP/1.1\r\nHost: test\r\nAuthorization: " + http().authorization() +
                          "\r\n\r\n";
  const auto out =
      raw_exchange(port(), get + "GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n" +
                               get.substr(0, get.size() - 2) + "Connection: close\r\n\r\n");
  std::size_t answers = 0;
  for (auto at = out.find("HTTP/1.1 200 "); at != std::string::npos;
       at = out.find("HTTP/1.1 200 ", at + 1))
    ++answers;
  EXPECT_EQ(answers, 3u) << out;
}

}  // namespace
}  // namespace citypulse::test
