// The access matrix: every operation of the OpenAPI document the server
// serves, called by every kind of caller, each answer checked against who may
// do what.
//
// Callers: no credentials, an expired token, a token signed with another key,
// an unsigned ("alg":"none") token, an unknown and a revoked API key (all
// 401); the superadmin, one user of tenant A per role and an API key of A
// (403 exactly where they lack the operation's x-permission, as GET
// /api/v1/auth/me reports their permissions); tenant B's admin (A's records
// answer 404, never 403 or 2xx, and lists show none of them); an energy
// manager limited to building A1 (A2's records answer 404).
//
// The operations come from GET /api/v1/openapi.json, so a route is in the
// matrix the day it is documented. A path parameter the matrix cannot fill, a
// required parameter it does not send or a method it has no harmless probe
// for fails the suite until this file learns it.
//
// A probe that gets past access control must change nothing, so that the
// tests do not depend on their order: a POST sends a body with an unknown
// field (400 or 422); PUT, PATCH and DELETE send If-Match with a version no
// record has (412). PUT and PATCH send the empty object as body rather than
// an unknown field, because PATCH /api/v1/users/{id} rejects unknown fields
// before it looks the user up, and the cross-tenant probe must reach the
// lookup to show its 404. DELETE /api/v1/api-keys/{id} takes no If-Match
// (it revokes at once): each probe of it revokes a key made for that probe
// alone. Every test ends by checking that the fixture's records and the
// callers' credentials are as they were.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <chrono>
#include <csignal>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "auth/jwt.h"
#include "auth/permissions.h"
#include "core/base64.h"
#include "core/time.h"
#include "http_client.h"
#include "server_process.h"

namespace citypulse::test {
namespace {

namespace json = boost::json;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr std::string_view kSecret = "access-matrix-jwt-secret-0123456789abcde";
static_assert(kSecret.size() == 40);
constexpr const char* kPassword = "matrix-probe-passphrase-42";
constexpr const char* kStaleVersion = "\"999999\"";  // a version no fixture record reaches
constexpr const char* kProbeBody = R"({"matrix_probe":1})";

// Caller names that are not role names.
constexpr const char* kSuperadmin = "superadmin";
constexpr const char* kApiKey = "API key of A";
constexpr const char* kOtherTenant = "tenant_admin of B";
constexpr const char* kLimited = "energy_manager limited to A1";

// The operations the document may leave open. Opening a route is a decision
// to review: a new open operation fails the suite until it is named here.
const std::set<std::string> kOpenOperations = {
    "GET /healthz",
    "GET /readyz",
    "GET /metrics",
    "GET /api/v1/openapi.json",
    "POST /api/v1/auth/login",
    "POST /api/v1/auth/refresh",
    // Devices and network servers prove themselves with a token or secret of
    // their own, checked by the route.
    "POST /api/v1/{device_token}/telemetry",
    "POST /api/v1/{device_token}/attributes",
    "GET /api/v1/{device_token}/attributes",
    "POST /api/v1/integrations/chirpstack",
    "POST /api/v1/integrations/ttn",
};

// Path parameters besides {id} and what fills them: nothing that exists, so
// the probe changes nothing.
constexpr const char* kUnknownDeviceToken = "matrix-no-such-token";
constexpr const char* kUnknownCredential = "999999999";

struct Operation {
  std::string method;                     // "PATCH"
  std::string path;                       // "/api/v1/users/{id}"
  bool open = false;                      // its effective security is []: no credentials needed
  std::optional<std::string> permission;  // its x-permission
  std::string collection;                 // the first segment after /api/v1/ ("users")
  bool addresses_record = false;          // the path names one record: {id}
  std::string name() const { return method + " " + path; }
};

// The id that fills {id}, by collection.
using IdMap = std::map<std::string, Id>;

struct Caller {
  std::string name;
  std::string authorization;          // the Authorization header; empty: none sent
  std::set<std::string> permissions;  // as GET /api/v1/auth/me reports them
  json::object me;                    // that answer
};

// One request that exercises an operation without changing anything.
struct Probe {
  std::string target;
  std::string body;
  Headers headers;
  bool throwaway = false;  // it addresses a record made for this probe alone
};

std::string excerpt(const std::string& body) {
  return body.size() > 300 ? body.substr(0, 300) + "..." : body;
}

json::object object_of(const Reply& r, const std::string& what) {
  json::value v;
  try {
    v = json::parse(r.body);
  } catch (const std::exception&) {
    throw std::runtime_error(what + " answered " + std::to_string(r.status) +
                             " with a body that is not JSON: " + excerpt(r.body));
  }
  if (!v.is_object())
    throw std::runtime_error(what +
                             " answered with a body that is not an object: " + excerpt(r.body));
  return std::move(v.as_object());
}

json::object expect_status(const Reply& r, int status, const std::string& what) {
  if (r.status != status)
    throw std::runtime_error(what + " answered " + std::to_string(r.status) + ", expected " +
                             std::to_string(status) + ": " + excerpt(r.body));
  return r.body.empty() ? json::object{} : object_of(r, what);
}

std::string statuses(const std::set<int>& s) {
  std::string out;
  for (int x : s) out += (out.empty() ? "" : " or ") + std::to_string(x);
  return out;
}

std::string upper(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

// "/api/v1/buildings/{id}/tree" → "buildings"; "" outside /api/v1/.
std::string collection_of(std::string_view path) {
  constexpr std::string_view prefix = "/api/v1/";
  if (!path.starts_with(prefix)) return {};
  path.remove_prefix(prefix.size());
  return std::string(path.substr(0, path.find('/')));
}

// The records of a list answer ({"items": [...]}); nullopt for other answers.
std::optional<json::array> items_of(const Reply& r) {
  try {
    auto v = json::parse(r.body);
    if (v.is_object())
      if (const auto* items = v.as_object().if_contains("items"); items && items->is_array())
        return items->as_array();
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

std::optional<Id> int_member(const json::value& item, std::string_view key) {
  if (!item.is_object()) return std::nullopt;
  const auto* v = item.as_object().if_contains(key);
  return v && v->is_int64() ? std::optional<Id>(v->as_int64()) : std::nullopt;
}

// The record a listed item is: its id, or for lists about a collection's
// records (GET /api/v1/devices/activity) the record it describes.
std::optional<Id> id_of_item(const std::string& collection, const json::value& item) {
  if (auto id = int_member(item, "id")) return id;
  if (collection == "devices") return int_member(item, "device_id");
  return std::nullopt;
}

// The tenant a listed record belongs to: a tenant is its own.
std::optional<Id> tenant_of_item(const std::string& collection, const json::value& item) {
  return int_member(item, collection == "tenants" ? "id" : "tenant_id");
}

// Harmless to compare across probes: the API key in use is stamped on use.
json::value comparable(json::value v) {
  if (v.is_object()) v.as_object().erase("last_used_at");
  return v;
}

class AccessMatrix : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    tmp_ = std::make_unique<TempDir>();
    server_ = std::make_unique<ServerProcess>(
        tmp_->path() + "/data", std::vector<std::string>{},
        std::map<std::string, std::string>{{"CITYPULSE_AUTH_JWT_SECRET", std::string(kSecret)}});
    if (!server_->start()) {
      setup_error_ = "the server did not start: " + server_->output();
      return;
    }
    started_ = true;
    try {
      build_fixture();
    } catch (const std::exception& e) {
      setup_error_ = std::string("building the fixture failed: ") + e.what();
    }
  }

  static void TearDownTestSuite() {
    admin_.reset();
    if (started_) {
      EXPECT_EQ(server_->stop(SIGTERM), 0) << server_->output();
    }
    server_.reset();
    tmp_.reset();
    started_ = false;
  }

 protected:
  void SetUp() override { ASSERT_TRUE(setup_error_.empty()) << setup_error_; }

  // ---- the fixture, made through the API as the superadmin ----

  static json::object create(const std::string& collection, const json::object& body) {
    const std::string what = "POST /api/v1/" + collection + " " + json::serialize(body);
    return expect_status(admin_->post("/api/v1/" + collection, json::serialize(body)), 201, what);
  }
  static Id create_id(const std::string& collection, const json::object& body) {
    return create(collection, body).at("id").as_int64();
  }

  // A site, buildings 1 and 2 in it, and in each building a floor, a space, an
  // equipment, a point and a device. Returns the ids of building 1's records
  // and of building 2's (the tenant and the site in both).
  static std::pair<IdMap, IdMap> make_assets(Id tenant) {
    const Id site = create_id("sites", {{"tenant_id", tenant}, {"name", "Campus"}});
    std::pair<IdMap, IdMap> maps;
    int n = 0;
    for (IdMap* m : {&maps.first, &maps.second}) {
      const std::string suffix = std::to_string(++n);
      (*m)["tenants"] = tenant;
      (*m)["sites"] = site;
      const Id building = create_id("buildings", {{"tenant_id", tenant},
                                                  {"site_id", site},
                                                  {"name", "Building " + suffix},
                                                  {"type", "office"}});
      (*m)["buildings"] = building;
      const Id floor =
          create_id("floors", {{"building_id", building}, {"name", "Ground floor"}, {"level", 0}});
      (*m)["floors"] = floor;
      const Id space =
          create_id("spaces", {{"floor_id", floor}, {"name", "Office 1"}, {"usage", "office"}});
      (*m)["spaces"] = space;
      const Id equipment = create_id(
          "equipment",
          {{"building_id", building}, {"space_id", space}, {"name", "Boiler"}, {"kind", "boiler"}});
      (*m)["equipment"] = equipment;
      // A heat meter: the point's meter settings are a record the matrix
      // probes too (/points/{id}/meter).
      (*m)["points"] = create_id("points", {{"building_id", building},
                                            {"equipment_id", equipment},
                                            {"name", "Heat meter"},
                                            {"kind", "sensor"},
                                            {"quantity", "energy"},
                                            {"unit", "kWh"}});
      expect_status(admin_->put("/api/v1/points/" + std::to_string((*m)["points"]) + "/meter",
                                R"({"kind":"counter","medium":"heat"})"),
                    201, "making point " + std::to_string((*m)["points"]) + " a meter");
      expect_status(admin_->put("/api/v1/buildings/" + std::to_string(building) + "/energy",
                                R"({"tariffs":{"electricity":[{"valid_from":"2026-01-01",)"
                                R"("currency":"EUR","kind":"flat","price_per_kwh":0.3}]}})"),
                    201, "the energy settings of building " + std::to_string(building));
      // A BACnet/IP controller with a driver document, which the matrix
      // probes too (/devices/{id}/driver); nothing listens at its address.
      // It maps a channel to a setpoint, so that the setpoint takes commands.
      const Id setpoint = create_id("points", {{"building_id", building},
                                               {"equipment_id", equipment},
                                               {"name", "Flow temperature setpoint"},
                                               {"kind", "setpoint"},
                                               {"quantity", "temperature"},
                                               {"unit", "°C"}});
      (*m)["devices"] = create_id(
          "devices",
          {{"tenant_id", tenant},
           {"building_id", building},
           {"name", "Controller " + suffix},
           {"protocol", "bacnet_ip"},
           {"channels", json::array{{{"channel", "analog-value:1"}, {"point_id", setpoint}}}}});
      expect_status(admin_->put("/api/v1/devices/" + std::to_string((*m)["devices"]) + "/driver",
                                R"({"address":"127.0.0.1:9","device_instance":7,"points":[]})"),
                    201, "the driver document of device " + std::to_string((*m)["devices"]));
      (*m)["commands"] = send_command(setpoint);
      (*m)["schedules"] = make_schedule(building);
      (*m)["rules"] = create_id("rules", {{"tenant_id", tenant},
                                          {"building_id", building},
                                          {"name", "Flow too hot"},
                                          {"type", "threshold_high"},
                                          {"point_id", (*m)["points"]},
                                          {"threshold", 90}});
      (*m)["alarms"] = raise_alarm(tenant, (*m)["points"]);
      (*m)["recipients"] = create_id("recipients", {{"tenant_id", tenant},
                                                    {"building_id", building},
                                                    {"name", "Caretaker " + suffix},
                                                    {"channel", "email"},
                                                    {"address", "caretaker@matrix.test"}});
    }
    return maps;
  }

  // An alarm of the point: a reading above its rule's threshold, written
  // with a key of the tenant (readings belong to one), and the alarm it
  // raises once the rules have seen it.
  static Id raise_alarm(Id tenant, Id point) {
    auto [key_id, key] = make_key(tenant, "readings " + std::to_string(point), {"readings:write"});
    (void)key_id;
    HttpClient writer(server_->port());
    writer.set_authorization(key);
    const json::object reading{{"point", point}, {"ts", now_ms() - 1000}, {"value", 95}};
    expect_status(writer.post("/api/v1/readings",
                              json::serialize(json::object{{"readings", json::array{reading}}})),
                  200, "writing a reading of point " + std::to_string(point));
    const std::string target = "/api/v1/alarms?point_id=" + std::to_string(point);
    for (int i = 0; i < 500; ++i) {
      auto found = expect_status(admin_->get(target), 200, "GET " + target);
      const auto& items = found.at("items").as_array();
      if (!items.empty()) return items[0].at("id").as_int64();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("no alarm of point " + std::to_string(point));
  }

  // A command to the setpoint, for /commands/{id}, once it is no longer
  // pending: the driver document names no object for the channel, so it
  // fails at once and then stays as it is while the probes run.
  static Id send_command(Id setpoint) {
    const std::string what = "POST /api/v1/points/" + std::to_string(setpoint) + "/command";
    const Id id =
        expect_status(admin_->post("/api/v1/points/" + std::to_string(setpoint) + "/command",
                                   R"({"value":55})"),
                      202, what)
            .at("id")
            .as_int64();
    const std::string target = "/api/v1/commands/" + std::to_string(id);
    for (int i = 0; i < 1500; ++i) {
      auto c = expect_status(admin_->get(target), 200, "GET " + target);
      if (c.at("status").as_string() != "pending") return id;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("command " + std::to_string(id) + " is still pending after 30 s");
  }

  // A schedule without targets, in one mode all week, so that nothing it
  // shows changes while the probes run once the scheduler has applied it.
  static Id make_schedule(Id building) {
    const Id id = create_id("schedules", {{"name", "Matrix heating"},
                                          {"building_id", building},
                                          {"schedule",
                                           {{"timezone", "Europe/Berlin"},
                                            {"modes",
                                             {{"occupied", {{"setpoint", 21}}},
                                              {"standby", {{"setpoint", 18}}},
                                              {"unoccupied", {{"setpoint", 15}}}}}}}});
    const std::string target = "/api/v1/schedules/" + std::to_string(id);
    for (int i = 0; i < 500; ++i) {
      auto s = expect_status(admin_->get(target), 200, "GET " + target);
      if (!s.at("status").at("applied").is_null()) return id;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("schedule " + std::to_string(id) + " was not applied in 10 s");
  }

  static Id make_user(const std::string& email, const std::string& role, Id tenant,
                      std::optional<Id> building = std::nullopt) {
    json::object body{{"email", email}, {"password", kPassword}, {"role", role}};
    body["tenant_id"] = tenant;
    if (building) body["buildings"] = json::array{*building};
    const Id id = create_id("users", body);
    user_ids_.insert(id);
    return id;
  }

  // A new API key of `tenant`: (id, "ApiKey <key>").
  static std::pair<Id, std::string> make_key(Id tenant, const std::string& name,
                                             const std::vector<std::string>& permissions) {
    json::array names;
    for (const auto& p : permissions) names.emplace_back(json::string(p));
    auto made = create("api-keys", {{"name", name}, {"permissions", names}, {"tenant_id", tenant}});
    return {made.at("id").as_int64(), "ApiKey " + std::string(made.at("key").as_string())};
  }

  // DELETE /api/v1/api-keys/{id} has no If-Match to hold it back: its probes
  // revoke a key of A made for each of them.
  static Id throwaway_integration() {
    return create_id("integrations", {{"kind", "chirpstack"},
                                      {"tenant_id", tenant_a_},
                                      {"name", "throwaway " + std::to_string(++throwaways_)}});
  }

  static Id throwaway_key() {
    return make_key(tenant_a_, "throwaway " + std::to_string(++throwaways_), {"assets:read"}).first;
  }

  static std::string bearer_of(const std::string& email, const std::string& password) {
    HttpClient c(server_->port());
    auto body = expect_status(c.sign_in(email, password), 200, "signing in as " + email);
    return "Bearer " + std::string(body.at("access_token").as_string());
  }

  static Caller caller(std::string name, std::string authorization) {
    Caller c{std::move(name), std::move(authorization), {}, {}};
    auto r = admin_->request("GET", "/api/v1/auth/me", {}, {{"Authorization", c.authorization}});
    c.me = expect_status(r, 200, "GET /api/v1/auth/me as " + c.name);
    for (const auto& p : c.me.at("permissions").as_array()) c.permissions.emplace(p.as_string());
    return c;
  }

  static void build_fixture() {
    admin_ = std::make_unique<HttpClient>(server_->port());
    admin_->set_authorization(bearer_of(kAdminEmail, kAdminPassword));

    tenant_a_ = create_id("tenants", {{"name", "Matrix A"}});
    tenant_b_ = create_id("tenants", {{"name", "Matrix B"}});
    std::tie(a1_, a2_) = make_assets(tenant_a_);
    IdMap b2;
    std::tie(b1_, b2) = make_assets(tenant_b_);

    // Users: one of A per role below superadmin, one limited to A1, B's
    // admin, and one of A that no caller is, for {id} of /users (a caller
    // cannot remove itself, which would answer 409 before If-Match).
    std::vector<std::pair<std::string, std::string>> sign_ins;  // (caller, email)
    for (const auto role : auth::all_roles()) {
      if (role == auth::Role::superadmin) continue;
      const std::string name(auth::role_name(role));
      const std::string email = name + "@matrix-a.test";
      user_by_role_[name] = make_user(email, name, tenant_a_);
      sign_ins.emplace_back(name, email);
    }
    make_user("limited@matrix-a.test", "energy_manager", tenant_a_, a1_.at("buildings"));
    sign_ins.emplace_back(kLimited, "limited@matrix-a.test");
    b1_["users"] = make_user("admin@matrix-b.test", "tenant_admin", tenant_b_);
    sign_ins.emplace_back(kOtherTenant, "admin@matrix-b.test");
    a1_["users"] = a2_["users"] = make_user("target@matrix-a.test", "viewer", tenant_a_);

    auto [key_a, key_a_auth] =
        make_key(tenant_a_, "Matrix key A", {"assets:read", "api_keys:manage"});
    a1_["api-keys"] = a2_["api-keys"] = key_a;
    b1_["api-keys"] = make_key(tenant_b_, "Matrix key B", {"assets:read"}).first;
    a1_["integrations"] = a2_["integrations"] =
        create_id("integrations", {{"kind", "chirpstack"}, {"tenant_id", tenant_a_}});
    b1_["integrations"] =
        create_id("integrations", {{"kind", "things_stack"}, {"tenant_id", tenant_b_}});

    callers_[kSuperadmin] = caller(kSuperadmin, admin_->authorization());
    for (const auto& [name, email] : sign_ins)
      callers_[name] = caller(name, bearer_of(email, kPassword));
    callers_[kApiKey] = caller(kApiKey, key_a_auth);

    for (const auto* m : {&a1_, &a2_})
      for (const auto& [collection, id] : *m) a_ids_[collection].insert(id);

    make_bad_credentials();
    read_operations();

    // What every test must find unchanged at its end.
    std::set<std::string> targets;
    for (const auto* m : {&a1_, &a2_, &b1_, &b2})
      for (const auto& [collection, id] : *m)
        targets.insert("/api/v1/" + collection + "/" + std::to_string(id));
    for (Id id : user_ids_) targets.insert("/api/v1/users/" + std::to_string(id));
    for (const auto* m : {&a1_, &a2_, &b1_, &b2})
      for (const auto& t : {"/api/v1/points/" + std::to_string(m->at("points")) + "/meter",
                            "/api/v1/buildings/" + std::to_string(m->at("buildings")) + "/energy",
                            "/api/v1/devices/" + std::to_string(m->at("devices")) + "/driver"})
        targets.insert(t);
    for (const auto& t : targets)
      snapshot_[t] = comparable(json::value(expect_status(admin_->get(t), 200, "GET " + t)));
  }

  static void make_bad_credentials() {
    const Id viewer = user_by_role_.at("viewer");
    const auto now_s = now_ms() / 1000;
    const auth::AccessClaims good{.subject = std::to_string(viewer),
                                  .tenant = tenant_a_,
                                  .roles = {"viewer"},
                                  .issued_at = now_s,
                                  .expires_at = now_s + 600,
                                  .not_before = std::nullopt,
                                  .token_id = "matrix"};
    const auto keys = auth::SigningKeys::from_secret(kSecret);
    if (!keys)
      throw std::runtime_error("the test's JWT secret is refused: " + keys.error().message);
    const std::string valid = auth::sign_access_token(*keys, good);
    // The forgeries below differ from a token the server takes in one way
    // each; make sure it does take this one, or their 401s would prove nothing.
    expect_status(
        admin_->request("GET", "/api/v1/auth/me", {}, {{"Authorization", "Bearer " + valid}}), 200,
        "GET /api/v1/auth/me with a token signed with the server's secret");

    auto expired = good;
    expired.issued_at = now_s - 2000;
    expired.expires_at = now_s - 1000;
    const auto other_keys = auth::SigningKeys::from_secret(std::string(40, 'z'));
    const auto dot1 = valid.find('.'), dot2 = valid.rfind('.');
    const std::string payload = valid.substr(dot1 + 1, dot2 - dot1 - 1);
    auto [revoked_id, revoked] = make_key(tenant_a_, "Matrix revoked key", {"assets:read"});
    expect_status(admin_->del("/api/v1/api-keys/" + std::to_string(revoked_id)), 204,
                  "revoking a key");

    bad_credentials_ = {
        {"no credentials", "", {}, {}},
        {"an expired token", "Bearer " + auth::sign_access_token(*keys, expired), {}, {}},
        {"a token signed with another key",
         "Bearer " + auth::sign_access_token(*other_keys, good),
         {},
         {}},
        {"an unsigned token (alg none)",
         "Bearer " + base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." + payload + ".",
         {},
         {}},
        {"an unknown API key", "ApiKey nosuchprefix.nosuchsecret", {}, {}},
        {"a revoked API key", revoked, {}, {}},
    };
  }

  // Resolves a parameter object or a "#/components/parameters/..." reference.
  static const json::object& parameter(const json::object& doc, const json::value& p) {
    constexpr std::string_view prefix = "#/components/parameters/";
    const auto* ref = p.as_object().if_contains("$ref");
    if (!ref) return p.as_object();
    const std::string_view target = ref->as_string();
    if (!target.starts_with(prefix))
      throw std::runtime_error("unknown $ref " + std::string(target));
    return doc.at("components")
        .at("parameters")
        .at(std::string(target.substr(prefix.size())))
        .as_object();
  }

  static void read_operations() {
    HttpClient anon(server_->port());
    const auto doc = expect_status(anon.get("/api/v1/openapi.json"), 200,
                                   "GET /api/v1/openapi.json without credentials");
    const auto* global = doc.if_contains("security");
    const bool open_by_default = !global || !global->is_array() || global->as_array().empty();
    static const std::set<std::string> kMethods = {"get",    "put",  "post",    "patch",
                                                   "delete", "head", "options", "trace"};
    static const std::set<std::string> kProbed = {"GET", "POST", "PUT", "PATCH", "DELETE"};
    for (const auto& [path_key, item_value] : doc.at("paths").as_object()) {
      const std::string path(path_key);
      const auto& item = item_value.as_object();
      // {name} in the path: the matrix fills {id} from the collection.
      std::set<std::string> template_names;
      for (auto open = path.find('{'); open != std::string::npos; open = path.find('{', open + 1))
        template_names.insert(path.substr(open + 1, path.find('}', open) - open - 1));
      for (const auto& [method_key, op_value] : item) {
        const std::string method(method_key);
        if (!kMethods.count(method)) continue;  // parameters, summary, ...
        const auto& op = op_value.as_object();
        Operation o;
        o.method = upper(method);
        o.path = path;
        o.collection = collection_of(path);
        const auto* security = op.if_contains("security");
        o.open = security ? security->is_array() && security->as_array().empty() : open_by_default;
        if (const auto* p = op.if_contains("x-permission"))
          o.permission = std::string(p->as_string());
        std::vector<std::string> problems;
        if (!kProbed.count(o.method))
          problems.push_back("the matrix has no harmless probe for the method " + o.method);
        for (const auto& name : template_names) {
          if (name == "device_token" || name == "credential_id") continue;
          if (name != "id")
            problems.push_back("path parameter {" + name + "} is not one the matrix fills");
          else if (!a1_.count(o.collection))
            problems.push_back("{id} of collection '" + o.collection +
                               "' has no record in the matrix's fixture");
          else
            o.addresses_record = true;
        }
        std::vector<const json::value*> params;
        for (const json::object* holder : {&item, &op})
          if (const auto* ps = holder->if_contains("parameters"); ps && ps->is_array())
            for (const auto& p : ps->as_array()) params.push_back(&p);
        for (const json::value* p : params) {
          const auto& param = parameter(doc, *p);
          const std::string in(param.at("in").as_string());
          const std::string name(param.at("name").as_string());
          const auto* required = param.if_contains("required");
          if (in == "path" && !template_names.count(name))
            problems.push_back("path parameter '" + name + "' is not in the path");
          else if (in != "path" && required && required->is_bool() && required->as_bool())
            problems.push_back("required " + in + " parameter '" + name +
                               "' is not one the matrix sends");
        }
        if (o.permission && !auth::parse_permission(*o.permission))
          problems.push_back("x-permission '" + *o.permission + "' is no permission of the server");
        if (problems.empty()) {
          operations_.push_back(std::move(o));
        } else {
          for (const auto& p : problems) unfillable_.push_back(o.name() + ": " + p);
        }
      }
    }
  }

  // ---- probes ----

  // The request that exercises `op` on the records `ids` names.
  static Probe probe(const Operation& op, const IdMap& ids) {
    Probe p;
    p.target = op.path;
    if (op.addresses_record) {
      Id id = ids.at(op.collection);
      if (op.method == "DELETE" && op.collection == "api-keys") {
        id = throwaway_key();
        p.throwaway = true;
      } else if (op.method == "DELETE" && op.collection == "integrations") {
        id = throwaway_integration();
        p.throwaway = true;
      }
      p.target.replace(p.target.find("{id}"), 4, std::to_string(id));
    }
    for (const auto& [param, value] :
         {std::pair<std::string, std::string>{"{device_token}", kUnknownDeviceToken},
          {"{credential_id}", kUnknownCredential}})
      if (auto at = p.target.find(param); at != std::string::npos)
        p.target.replace(at, param.size(), value);
    if (op.method == "POST") {
      p.body = kProbeBody;
    } else if (op.method == "PUT" || op.method == "PATCH") {
      p.body = "{}";
      p.headers.emplace_back("If-Match", kStaleVersion);
    } else if (op.method == "DELETE") {
      p.headers.emplace_back("If-Match", kStaleVersion);
    }
    return p;
  }

  // What a probe answers once access control let it through.
  static std::set<int> passed(const Operation& op, const Probe& p) {
    // An unknown device token, a webhook without its secret.
    if (op.open && (op.path.find("{device_token}") != std::string::npos ||
                    op.path.starts_with("/api/v1/integrations/")))
      return {401};
    if (op.path.find("{credential_id}") != std::string::npos) return {404};
    if (op.path.ends_with("/import")) return {415};  // the probe's body is JSON, not CSV
    if (op.method == "GET") return {200};
    if (op.method == "POST") return {400, 422};
    if (op.method == "PUT" || op.method == "PATCH") return {400, 412, 422};
    return p.throwaway ? std::set<int>{204} : std::set<int>{412};
  }

  static Reply send(HttpClient& c, const Operation& op, const Probe& p, const Caller& who) {
    Headers headers = p.headers;
    if (!who.authorization.empty()) headers.emplace_back("Authorization", who.authorization);
    return c.request(op.method, p.target, p.body, headers);
  }

  static std::string context(const Operation& op, const Probe& p, const Caller& who,
                             const Reply& r) {
    return op.name() + " (" + p.target + ") as " + who.name + ": got " + std::to_string(r.status) +
           " " + excerpt(r.body);
  }

  static void expect_problem(const Reply& r, const std::string& where) {
    EXPECT_EQ(r.header("Content-Type"), "application/problem+json") << where;
  }

  static bool lacks(const Caller& who, const Operation& op) {
    return op.permission && !who.permissions.count(*op.permission);
  }

  static bool is_list(const Operation& op) { return op.method == "GET" && !op.addresses_record; }

  // Every test ends here: the probes changed no record and ended no session.
  void expect_fixture_unchanged() {
    for (const auto& [target, before] : snapshot_) {
      auto r = admin_->get(target);
      ASSERT_EQ(r.status, 200) << "GET " << target << " after the matrix: " << excerpt(r.body);
      EXPECT_EQ(comparable(json::parse(r.body)), before)
          << target << " was changed by a probe: " << excerpt(r.body);
    }
    for (const auto& [name, who] : callers_) {
      auto r =
          admin_->request("GET", "/api/v1/auth/me", {}, {{"Authorization", who.authorization}});
      EXPECT_EQ(r.status, 200) << "the credentials of " << name << " stopped working: " << r.body;
    }
  }

  static inline std::unique_ptr<TempDir> tmp_;
  static inline std::unique_ptr<ServerProcess> server_;
  static inline bool started_ = false;
  static inline std::string setup_error_;
  static inline std::unique_ptr<HttpClient> admin_;  // the superadmin
  static inline Id tenant_a_ = 0, tenant_b_ = 0;
  static inline IdMap a1_, a2_, b1_;  // A's records in A1 and in A2; B's in B1
  static inline std::map<std::string, std::set<Id>> a_ids_;  // A's ids by collection
  static inline std::map<std::string, Id> user_by_role_;     // A's user of each role
  static inline std::set<Id> user_ids_;
  static inline std::map<std::string, Caller> callers_;
  static inline std::vector<Caller> bad_credentials_;
  static inline std::vector<Operation> operations_;
  static inline std::vector<std::string> unfillable_;
  static inline std::map<std::string, json::value> snapshot_;
  static inline int throwaways_ = 0;
};

TEST_F(AccessMatrix, TheDocumentNamesOnlyWhatTheMatrixCanFill) {
  for (const auto& u : unfillable_) ADD_FAILURE() << u;
  // The enumeration found the document's operations (not an empty "paths").
  std::set<std::string> names;
  for (const auto& op : operations_) names.insert(op.name());
  for (const char* known : {"GET /healthz", "POST /api/v1/auth/login", "GET /api/v1/auth/me",
                            "PATCH /api/v1/users/{id}", "DELETE /api/v1/api-keys/{id}",
                            "GET /api/v1/buildings/{id}/tree", "PUT /api/v1/devices/{id}"})
    EXPECT_TRUE(names.count(known)) << known << " is missing from the enumeration";
  for (const auto& op : operations_)
    if (op.open) {
      EXPECT_TRUE(kOpenOperations.count(op.name())) << op.name() << " is open";
    }
  for (const auto& name : kOpenOperations) {
    const auto it = std::find_if(operations_.begin(), operations_.end(),
                                 [&](const Operation& op) { return op.name() == name; });
    EXPECT_TRUE(it != operations_.end() && it->open) << name << " should be open";
  }
}

TEST_F(AccessMatrix, CallersAreWhoTheMatrixTakesThemFor) {
  for (const auto& [name, who] : callers_) {
    if (name == kSuperadmin) continue;  // no tenant; checked below
    if (const auto role = auth::parse_role(name)) {
      std::set<std::string> expected;
      for (const auto& p : auth::role_permissions(*role).names()) expected.insert(p);
      EXPECT_EQ(who.permissions, expected) << name;
      EXPECT_EQ(who.me.at("role"), name.c_str()) << name;
      EXPECT_EQ(who.me.at("tenant_id"), tenant_a_) << name;
      EXPECT_TRUE(who.me.at("buildings").is_null()) << name;
    }
  }
  EXPECT_EQ(callers_.at(kSuperadmin).permissions.size(), auth::all_permissions().size());
  EXPECT_EQ(callers_.at(kOtherTenant).me.at("tenant_id"), tenant_b_);
  EXPECT_EQ(callers_.at(kLimited).me.at("buildings"),
            json::value(json::array{a1_.at("buildings")}));
  EXPECT_EQ(callers_.at(kApiKey).me.at("kind"), "api_key");
  EXPECT_EQ(callers_.at(kApiKey).permissions,
            (std::set<std::string>{"api_keys:manage", "assets:read"}));
}

TEST_F(AccessMatrix, OpenRoutesAnswerWithoutCredentials) {
  HttpClient c(server_->port());
  const Caller nobody{"no credentials", "", {}, {}};
  int checked = 0;
  for (const auto& op : operations_) {
    if (!op.open) continue;
    const auto p = probe(op, a1_);
    const auto r = send(c, op, p, nobody);
    const auto want = passed(op, p);
    EXPECT_TRUE(want.count(r.status))
        << "expected " << statuses(want) << ": " << context(op, p, nobody, r);
    ++checked;
  }
  EXPECT_EQ(checked, static_cast<int>(kOpenOperations.size()));
  expect_fixture_unchanged();
}

TEST_F(AccessMatrix, MissingOrInvalidCredentialsAre401) {
  HttpClient c(server_->port());
  int checked = 0;
  for (const auto& op : operations_) {
    if (op.open) continue;
    for (const auto& who : bad_credentials_) {
      const auto p = probe(op, a1_);
      const auto r = send(c, op, p, who);
      const auto where = context(op, p, who, r);
      EXPECT_EQ(r.status, 401) << where;
      if (r.status != 401) continue;
      expect_problem(r, where);
      EXPECT_NE(r.header("WWW-Authenticate").find("Bearer"), std::string::npos) << where;
      ++checked;
    }
  }
  EXPECT_GT(checked, 0);
  expect_fixture_unchanged();
}

TEST_F(AccessMatrix, EachRoleAndTheApiKeyGet403ExactlyWhereTheyLackThePermission) {
  HttpClient c(server_->port());
  std::vector<std::string> names = {kSuperadmin, kApiKey};
  for (const auto role : auth::all_roles())
    if (role != auth::Role::superadmin) names.emplace_back(auth::role_name(role));
  int refused = 0, let_through = 0;
  for (const auto& name : names) {
    const Caller& who = callers_.at(name);
    for (const auto& op : operations_) {
      if (op.open) continue;
      const auto p = probe(op, a1_);
      const auto r = send(c, op, p, who);
      const auto where = context(op, p, who, r);
      if (lacks(who, op)) {
        EXPECT_EQ(r.status, 403) << "lacks " << *op.permission << ": " << where;
        if (r.status == 403) expect_problem(r, where);
        ++refused;
        continue;
      }
      const auto want = passed(op, p);
      EXPECT_TRUE(want.count(r.status)) << "expected " << statuses(want) << ": " << where;
      ++let_through;
      // A's callers list A's records only.
      if (name == kSuperadmin || !is_list(op)) continue;
      if (const auto items = items_of(r))
        for (const auto& item : *items) {
          const auto tenant = tenant_of_item(op.collection, item);
          EXPECT_TRUE(!tenant || *tenant == tenant_a_)
              << where << " lists a record of another tenant: " << json::serialize(item);
        }
    }
  }
  EXPECT_GT(refused, 0);
  EXPECT_GT(let_through, 0);
  expect_fixture_unchanged();
}

TEST_F(AccessMatrix, AnotherTenantsRecordsDoNotExist) {
  HttpClient c(server_->port());
  const Caller& who = callers_.at(kOtherTenant);
  int hidden = 0;
  for (const auto& op : operations_) {
    if (op.open) continue;
    const auto p = probe(op, a1_);
    const auto r = send(c, op, p, who);
    const auto where = context(op, p, who, r);
    if (lacks(who, op)) {
      // Refused before any record is looked up: the same for every id, so it
      // reveals nothing.
      EXPECT_EQ(r.status, 403) << "lacks " << *op.permission << ": " << where;
      continue;
    }
    if (op.addresses_record) {
      EXPECT_EQ(r.status, 404) << "A's record must not exist for B: " << where;
      if (r.status == 404) expect_problem(r, where);
      ++hidden;
      continue;
    }
    const auto want = passed(op, p);
    EXPECT_TRUE(want.count(r.status)) << "expected " << statuses(want) << ": " << where;
    if (!is_list(op) || r.status != 200) continue;
    const auto items = items_of(r);
    if (!items) continue;
    std::set<Id> listed;
    for (const auto& item : *items) {
      const auto id = id_of_item(op.collection, item);
      if (id) listed.insert(*id);
      const auto tenant = tenant_of_item(op.collection, item);
      EXPECT_FALSE(tenant && *tenant == tenant_a_) << where << " lists " << json::serialize(item);
      EXPECT_FALSE(id && a_ids_[op.collection].count(*id))
          << where << " lists A's record " << json::serialize(item);
    }
    // B's own record is there: the list is not empty for want of access.
    if (b1_.count(op.collection)) {
      EXPECT_TRUE(listed.count(b1_.at(op.collection))) << where << " does not list B's record";
    }
  }
  EXPECT_GT(hidden, 0);
  expect_fixture_unchanged();
}

TEST_F(AccessMatrix, ABuildingLimitedUserSeesOnlyItsBuildings) {
  HttpClient c(server_->port());
  const Caller& who = callers_.at(kLimited);
  // The collections whose records stand in a building: A1's and A2's differ.
  std::set<std::string> in_building;
  for (const auto& [collection, id] : a1_)
    if (a2_.at(collection) != id) in_building.insert(collection);
  ASSERT_TRUE(in_building.count("buildings") && in_building.count("points"));

  // In A1 it is an energy manager, except that the tenant, the sites and the
  // buildings are read-only for it (store/scope.h): a write there may also be
  // refused with 403 once the permission check has passed.
  for (const auto& op : operations_) {
    if (op.open) continue;
    const auto p = probe(op, a1_);
    const auto r = send(c, op, p, who);
    const auto where = context(op, p, who, r);
    if (lacks(who, op)) {
      EXPECT_EQ(r.status, 403) << "lacks " << *op.permission << ": " << where;
      continue;
    }
    auto want = passed(op, p);
    // Integrations speak for the whole tenant: managed by whole-tenant callers only.
    const bool read_only = op.collection == "tenants" || op.collection == "sites" ||
                           op.collection == "buildings" || op.collection == "integrations";
    if (read_only && op.method != "GET") want.insert(403);
    EXPECT_TRUE(want.count(r.status)) << "expected " << statuses(want) << ": " << where;
    if (!is_list(op) || r.status != 200 || !in_building.count(op.collection)) continue;
    const auto items = items_of(r);
    if (!items) continue;
    std::set<Id> listed;
    for (const auto& item : *items)
      if (const auto id = id_of_item(op.collection, item)) listed.insert(*id);
    EXPECT_TRUE(listed.count(a1_.at(op.collection))) << where << " does not list A1's record";
    EXPECT_FALSE(listed.count(a2_.at(op.collection))) << where << " lists A2's record";
  }

  // A2's records do not exist for it.
  int hidden = 0;
  for (const auto& op : operations_) {
    if (op.open || !op.addresses_record || !in_building.count(op.collection)) continue;
    const auto p = probe(op, a2_);
    const auto r = send(c, op, p, who);
    const auto where = context(op, p, who, r);
    if (lacks(who, op)) {
      EXPECT_EQ(r.status, 403) << "lacks " << *op.permission << ": " << where;
      continue;
    }
    EXPECT_EQ(r.status, 404) << "A2's record must not exist for a user limited to A1: " << where;
    if (r.status == 404) expect_problem(r, where);
    ++hidden;
  }
  EXPECT_GT(hidden, 0);
  expect_fixture_unchanged();
}

}  // namespace
}  // namespace citypulse::test
