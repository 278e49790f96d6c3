// Sign-in, tokens, sessions, users, API keys, rate limits and the audit log,
// over HTTP against the real binary.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <csignal>
#include <set>
#include <thread>

#include "auth/jwt.h"
#include "core/base64.h"
#include "core/time.h"
#include "http_client.h"
#include "server_process.h"
#include "tls_support.h"

namespace citypulse::test {
namespace {

namespace json = boost::json;

constexpr const char* kSecret = "integration-test-signing-secret-0123456789";
constexpr const char* kPassword = "correct-horse-battery";

json::object parse(const std::string& body) {
  return json::parse(body).as_object();
}

std::string detail(const Reply& r) {
  auto v = json::parse(r.body);
  return v.is_object() && v.as_object().contains("detail")
             ? std::string(v.as_object().at("detail").as_string())
             : r.body;
}

class AuthApi : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    tmp_ = std::make_unique<TempDir>();
    server_ = std::make_unique<ServerProcess>(
        tmp_->path() + "/data", std::vector<std::string>{},
        std::map<std::string, std::string>{{"CITYPULSE_AUTH_JWT_SECRET", kSecret}});
    started_ = server_->start();
  }
  static void TearDownTestSuite() {
    if (started_) {
      EXPECT_EQ(server_->stop(SIGTERM), 0) << server_->output();
    }
    server_.reset();
    tmp_.reset();
  }

 protected:
  void SetUp() override {
    ASSERT_TRUE(started_) << server_->output();
    admin_ = std::make_unique<HttpClient>(server_->port());
    auto r = admin_->sign_in(kAdminEmail, kAdminPassword);
    ASSERT_EQ(r.status, 200) << r.body;
    static int counter = 0;
    suffix_ = std::to_string(++counter);
    auto t = admin_->post("/api/v1/tenants",
                          json::serialize(json::object{{"name", "Gemeinde " + suffix_}}));
    ASSERT_EQ(t.status, 201) << t.body;
    tenant_ = parse(t.body).at("id").as_int64();
  }

  HttpClient client() { return HttpClient(server_->port()); }

  // A user of the test's tenant; returns its id.
  Id make_user(const std::string& name, const std::string& role,
               std::optional<std::vector<Id>> buildings = std::nullopt) {
    json::object body{{"email", name + suffix_ + "@example.org"},
                      {"password", kPassword},
                      {"role", role},
                      {"tenant_id", tenant_}};
    if (buildings) {
      json::array a;
      for (Id b : *buildings) a.push_back(b);
      body["buildings"] = a;
    }
    auto r = admin_->post("/api/v1/users", json::serialize(body));
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? parse(r.body).at("id").as_int64() : 0;
  }
  std::string email(const std::string& name) { return name + suffix_ + "@example.org"; }

  Id make_building(const std::string& name) {
    auto r = admin_->post(
        "/api/v1/buildings",
        json::serialize(json::object{{"tenant_id", tenant_}, {"name", name}, {"type", "office"}}));
    EXPECT_EQ(r.status, 201) << r.body;
    return parse(r.body).at("id").as_int64();
  }

  // A token signed with the server's key (it was configured with kSecret).
  static std::string token(const auth::AccessClaims& c) {
    return auth::sign_access_token(*auth::SigningKeys::from_secret(kSecret), c);
  }

  static inline std::unique_ptr<TempDir> tmp_;
  static inline std::unique_ptr<ServerProcess> server_;
  static inline bool started_ = false;
  std::unique_ptr<HttpClient> admin_;
  std::string suffix_;
  Id tenant_ = 0;
};

TEST_F(AuthApi, SignInGivesATokenPairThatWorks) {
  make_user("anna", "energy_manager");
  auto c = client();
  auto r = c.sign_in(email("anna"), kPassword);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto pair = parse(r.body);
  EXPECT_EQ(pair.at("token_type"), "Bearer");
  EXPECT_EQ(pair.at("expires_in"), 900);
  EXPECT_GE(pair.at("refresh_token").as_string().size(), 43u);  // 256 bits in base64url
  EXPECT_EQ(r.header("Cache-Control"), "no-store");
  auto me = c.get("/api/v1/auth/me");
  ASSERT_EQ(me.status, 200) << me.body;
  const auto body = parse(me.body);
  EXPECT_EQ(body.at("email").as_string(), email("anna"));
  EXPECT_EQ(body.at("role"), "energy_manager");
  EXPECT_EQ(body.at("tenant_id"), tenant_);
  EXPECT_FALSE(body.contains("password_hash"));
  // Email is case-insensitive.
  EXPECT_EQ(client().sign_in("ANNA" + suffix_ + "@Example.org", kPassword).status, 200);
}

TEST_F(AuthApi, WrongPasswordAndUnknownEmailLookAlike) {
  make_user("bert", "viewer");
  auto wrong = client().sign_in(email("bert"), "not-the-password");
  auto unknown = client().sign_in("nobody" + suffix_ + "@example.org", kPassword);
  ASSERT_EQ(wrong.status, 401);
  ASSERT_EQ(unknown.status, 401);
  EXPECT_EQ(detail(wrong), detail(unknown));
  EXPECT_EQ(detail(wrong), "the email or password is wrong");
  // Bad bodies are 4xx of their own and reveal nothing either.
  EXPECT_EQ(client().post("/api/v1/auth/login", R"({"email":"x@y.z"})").status, 422);
  EXPECT_EQ(client().post("/api/v1/auth/login", R"({"email":"x@y.z","password":"p","x":1})").status,
            422);
  EXPECT_EQ(client().post("/api/v1/auth/login", "{").status, 400);
}

TEST_F(AuthApi, FiveFailuresLockTheAccountForFifteenMinutes) {
  make_user("carl", "viewer");
  make_user("dora", "viewer");
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(client().sign_in(email("carl"), "wrong-password-" + std::to_string(i)).status, 401);
  // Locked: even the right password is refused, with Retry-After.
  auto locked = client().sign_in(email("carl"), kPassword);
  ASSERT_EQ(locked.status, 429) << locked.body;
  const int retry = std::stoi(locked.header("Retry-After"));
  EXPECT_GT(retry, 890);
  EXPECT_LE(retry, 900);
  // The same for an email nobody has: the lock does not reveal existence.
  for (int i = 0; i < 5; ++i) client().sign_in("ghost" + suffix_ + "@example.org", "x-wrong-pass");
  EXPECT_EQ(client().sign_in("ghost" + suffix_ + "@example.org", kPassword).status, 429);
  // Other accounts are not affected.
  EXPECT_EQ(client().sign_in(email("dora"), kPassword).status, 200);
}

TEST_F(AuthApi, RefreshRotatesAndReuseRevokesTheFamily) {
  make_user("emil", "operator");
  auto c = client();
  auto first = parse(c.sign_in(email("emil"), kPassword).body);
  const std::string r1(first.at("refresh_token").as_string());
  auto second =
      c.post("/api/v1/auth/refresh", json::serialize(json::object{{"refresh_token", r1}}));
  ASSERT_EQ(second.status, 200) << second.body;
  const std::string r2(parse(second.body).at("refresh_token").as_string());
  EXPECT_NE(r1, r2);
  // r1 again: reuse. It fails, and so does r2 from then on.
  auto reuse = c.post("/api/v1/auth/refresh", json::serialize(json::object{{"refresh_token", r1}}));
  EXPECT_EQ(reuse.status, 401);
  EXPECT_NE(detail(reuse).find("already used"), std::string::npos) << reuse.body;
  auto after = c.post("/api/v1/auth/refresh", json::serialize(json::object{{"refresh_token", r2}}));
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(c.post("/api/v1/auth/refresh", R"({"refresh_token":"made-up"})").status, 401);
}

TEST_F(AuthApi, LogoutEndsTheSession) {
  make_user("frieda", "viewer");
  auto c = client();
  auto pair = parse(c.sign_in(email("frieda"), kPassword).body);
  const std::string refresh(pair.at("refresh_token").as_string());
  auto out =
      c.post("/api/v1/auth/logout", json::serialize(json::object{{"refresh_token", refresh}}));
  EXPECT_EQ(out.status, 204) << out.body;
  EXPECT_EQ(
      c.post("/api/v1/auth/refresh", json::serialize(json::object{{"refresh_token", refresh}}))
          .status,
      401);
  EXPECT_EQ(client().post("/api/v1/auth/logout", "").status, 401);  // needs a signed-in caller
}

TEST_F(AuthApi, ForgedAndStaleTokensAreRefused) {
  const Id id = make_user("gustav", "viewer");
  const auto now_s = now_ms() / 1000;
  auth::AccessClaims good{.subject = std::to_string(id),
                          .tenant = tenant_,
                          .roles = {"viewer"},
                          .issued_at = now_s,
                          .expires_at = now_s + 600,
                          .not_before = std::nullopt,
                          .token_id = "t1"};
  auto c = client();
  c.set_authorization("Bearer " + token(good));
  ASSERT_EQ(c.get("/api/v1/auth/me").status, 200);

  const auto refused = [&](const std::string& bearer, const std::string& why) {
    auto r = client().request("GET", "/api/v1/auth/me", {}, {{"Authorization", bearer}});
    EXPECT_EQ(r.status, 401) << why << ": " << r.body;
    EXPECT_EQ(r.header("Content-Type"), "application/problem+json") << why;
    EXPECT_NE(r.header("WWW-Authenticate").find("Bearer"), std::string::npos) << why;
  };
  auto expired = good;
  expired.issued_at = now_s - 2000;
  expired.expires_at = now_s - 1000;
  refused("Bearer " + token(expired), "expired");
  auto early = good;
  early.not_before = now_s + 3600;
  refused("Bearer " + token(early), "not yet valid");
  const std::string valid = token(good);
  const auto dot1 = valid.find('.'), dot2 = valid.rfind('.');
  const std::string payload = valid.substr(dot1 + 1, dot2 - dot1 - 1);
  refused("Bearer " + base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." + payload + ".",
          "alg none");
  refused("Bearer " + base64url_encode(R"({"alg":"RS256","typ":"JWT","kid":"x"})") + "." + payload +
              "." + valid.substr(dot2 + 1),
          "RS256");
  refused("Bearer " +
              auth::sign_access_token(*auth::SigningKeys::from_secret(std::string(40, 'z')), good),
          "another key (unknown kid)");
  // The payload swapped for another user's, signature kept.
  auto other = good;
  other.subject = "1";
  const std::string forged = token(other);
  refused("Bearer " + valid.substr(0, dot1 + 1) +
              forged.substr(forged.find('.') + 1, forged.rfind('.') - forged.find('.') - 1) +
              valid.substr(dot2),
          "tampered payload");
  refused("Bearer abc.def", "two segments");
  refused("Bearer ", "empty");
  refused("Basic dXNlcjpwYXNz", "basic");
  refused("", "absent");
}

TEST_F(AuthApi, DisablingRemovingOrANewPasswordEndSessionsAtOnce) {
  const Id h = make_user("hanna", "viewer");
  const Id i = make_user("ida", "viewer");
  const Id j = make_user("jan", "viewer");
  auto hc = client(), ic = client(), jc = client();
  ASSERT_EQ(hc.sign_in(email("hanna"), kPassword).status, 200);
  ASSERT_EQ(ic.sign_in(email("ida"), kPassword).status, 200);
  ASSERT_EQ(jc.sign_in(email("jan"), kPassword).status, 200);
  ASSERT_EQ(hc.get("/api/v1/auth/me").status, 200);

  auto disable = admin_->patch("/api/v1/users/" + std::to_string(h), R"({"disabled":true})");
  ASSERT_EQ(disable.status, 200) << disable.body;
  EXPECT_EQ(hc.get("/api/v1/auth/me").status, 401);
  EXPECT_EQ(client().sign_in(email("hanna"), kPassword).status, 401);

  ASSERT_EQ(admin_->del("/api/v1/users/" + std::to_string(i)).status, 204);
  EXPECT_EQ(ic.get("/api/v1/auth/me").status, 401);

  auto repass =
      admin_->patch("/api/v1/users/" + std::to_string(j), R"({"password":"a-brand-new-secret"})");
  ASSERT_EQ(repass.status, 200) << repass.body;
  EXPECT_EQ(jc.get("/api/v1/auth/me").status, 401);
  EXPECT_EQ(client().sign_in(email("jan"), kPassword).status, 401);
  EXPECT_EQ(client().sign_in(email("jan"), "a-brand-new-secret").status, 200);
}

TEST_F(AuthApi, PasswordPolicyIsEnforced) {
  for (const char* weak : {"short", "1234567890", "qwertyuiop"}) {
    auto r = admin_->post("/api/v1/users", json::serialize(json::object{{"email", "p@example.org"},
                                                                        {"password", weak},
                                                                        {"role", "viewer"},
                                                                        {"tenant_id", tenant_}}));
    EXPECT_EQ(r.status, 422) << weak << ": " << r.body;
    EXPECT_EQ(r.body.find(weak), std::string::npos) << "the message must not echo the password";
  }
}

TEST_F(AuthApi, RolesDecideWhatACallerMayDo) {
  make_user("viewer", "viewer");
  make_user("admin", "tenant_admin");
  const Id b = make_building("Rathaus");
  auto viewer = client();
  ASSERT_EQ(viewer.sign_in(email("viewer"), kPassword).status, 200);
  EXPECT_EQ(viewer.get("/api/v1/buildings/" + std::to_string(b)).status, 200);
  auto denied = viewer.post("/api/v1/buildings", R"({"name":"x"})");
  EXPECT_EQ(denied.status, 403);
  EXPECT_NE(detail(denied).find("assets:write"), std::string::npos) << denied.body;
  EXPECT_EQ(viewer.get("/api/v1/users").status, 403);
  EXPECT_EQ(viewer.get("/api/v1/audit").status, 403);

  auto admin = client();
  ASSERT_EQ(admin.sign_in(email("admin"), kPassword).status, 200);
  // A tenant admin manages its own tenant's users, but makes no superadmin...
  auto super = admin.post("/api/v1/users",
                          json::serialize(json::object{{"email", "s" + suffix_ + "@example.org"},
                                                       {"password", kPassword},
                                                       {"role", "superadmin"}}));
  EXPECT_EQ(super.status, 403) << super.body;
  // ...and no tenants.
  EXPECT_EQ(admin.post("/api/v1/tenants", R"({"name":"Neu"})").status, 403);
  auto made = admin.post("/api/v1/users",
                         json::serialize(json::object{{"email", "k" + suffix_ + "@example.org"},
                                                      {"password", kPassword},
                                                      {"role", "technician"}}));
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(parse(made.body).at("tenant_id"), tenant_);
}

TEST_F(AuthApi, OtherTenantsDoNotExist) {
  make_user("lena", "tenant_admin");
  const Id mine = make_building("Schule");
  auto other_tenant = admin_->post(
      "/api/v1/tenants", json::serialize(json::object{{"name", "Nachbarort " + suffix_}}));
  const Id other = parse(other_tenant.body).at("id").as_int64();
  auto theirs = admin_->post(
      "/api/v1/buildings", json::serialize(json::object{
                               {"tenant_id", other}, {"name", "Bad"}, {"type", "swimming_pool"}}));
  const Id their_building = parse(theirs.body).at("id").as_int64();
  auto c = client();
  ASSERT_EQ(c.sign_in(email("lena"), kPassword).status, 200);
  EXPECT_EQ(c.get("/api/v1/buildings/" + std::to_string(mine)).status, 200);
  for (const std::string method : {"GET", "PATCH", "DELETE"}) {
    auto r = c.request(method, "/api/v1/buildings/" + std::to_string(their_building),
                       method == "PATCH" ? R"({"name":"mine now"})" : "");
    EXPECT_EQ(r.status, 404) << method << " " << r.body;
  }
  EXPECT_EQ(c.get("/api/v1/tenants/" + std::to_string(other)).status, 404);
  auto list = parse(c.get("/api/v1/buildings?limit=1000").body).at("items").as_array();
  for (const auto& b : list) EXPECT_EQ(b.at("tenant_id"), tenant_);
}

TEST_F(AuthApi, ABuildingGrantLimitsWhatAUserSees) {
  const Id a = make_building("Grundschule");
  const Id b = make_building("Hallenbad");
  make_user("max", "energy_manager", std::vector<Id>{a});
  auto c = client();
  ASSERT_EQ(c.sign_in(email("max"), kPassword).status, 200);
  auto list = parse(c.get("/api/v1/buildings").body).at("items").as_array();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].at("id"), a);
  EXPECT_EQ(c.get("/api/v1/buildings/" + std::to_string(b)).status, 404);
  auto floor_ok =
      c.post("/api/v1/floors",
             json::serialize(json::object{{"building_id", a}, {"name", "EG"}, {"level", 0}}));
  EXPECT_EQ(floor_ok.status, 201) << floor_ok.body;
  auto floor_out =
      c.post("/api/v1/floors",
             json::serialize(json::object{{"building_id", b}, {"name", "EG"}, {"level", 0}}));
  EXPECT_EQ(floor_out.status, 422) << floor_out.body;
  EXPECT_EQ(c.post("/api/v1/buildings", R"({"name":"Neu","type":"office"})").status, 403);
}

TEST_F(AuthApi, ApiKeysCarryTheirOwnPermissionsAndCanBeRevoked) {
  make_user("olga", "tenant_admin");
  const Id b = make_building("Bauhof");
  auto admin = client();
  ASSERT_EQ(admin.sign_in(email("olga"), kPassword).status, 200);
  auto made =
      admin.post("/api/v1/api-keys", R"({"name":"BMS gateway","permissions":["assets:read"]})");
  ASSERT_EQ(made.status, 201) << made.body;
  const auto created = parse(made.body);
  const std::string key(created.at("key").as_string());
  const Id key_id = created.at("id").as_int64();
  // The key is shown once: reading it back does not show it.
  auto read = admin.get("/api/v1/api-keys/" + std::to_string(key_id));
  ASSERT_EQ(read.status, 200);
  EXPECT_FALSE(parse(read.body).contains("key"));
  EXPECT_EQ(read.body.find(key.substr(key.find('.') + 1)), std::string::npos);

  auto machine = client();
  machine.set_authorization("ApiKey " + key);
  EXPECT_EQ(machine.get("/api/v1/buildings/" + std::to_string(b)).status, 200);
  EXPECT_EQ(machine.post("/api/v1/buildings", R"({"name":"x"})").status, 403);
  auto me = parse(machine.get("/api/v1/auth/me").body);
  EXPECT_EQ(me.at("kind"), "api_key");
  // Its use is recorded.
  EXPECT_FALSE(parse(admin.get("/api/v1/api-keys/" + std::to_string(key_id)).body)
                   .at("last_used_at")
                   .is_null());
  // A wrong secret with a right prefix is no key.
  auto bad = client();
  bad.set_authorization("ApiKey " + key.substr(0, key.find('.')) + ".wrong");
  EXPECT_EQ(bad.get("/api/v1/buildings").status, 401);
  // No more than the creator has.
  auto greedy = admin.post("/api/v1/api-keys", R"({"name":"x","permissions":["tenants:manage"]})");
  EXPECT_EQ(greedy.status, 422) << greedy.body;
  make_user("paul", "technician");
  auto tech = client();
  ASSERT_EQ(tech.sign_in(email("paul"), kPassword).status, 200);
  EXPECT_EQ(tech.post("/api/v1/api-keys", R"({"name":"x","permissions":["assets:read"]})").status,
            403);
  // Revoked: refused at once.
  ASSERT_EQ(admin.del("/api/v1/api-keys/" + std::to_string(key_id)).status, 204);
  EXPECT_EQ(machine.get("/api/v1/buildings").status, 401);
  EXPECT_EQ(parse(admin.get("/api/v1/api-keys/" + std::to_string(key_id)).body).at("revoked"),
            true);
}

TEST_F(AuthApi, AnApiKeyStopsWorkingWhenItExpires) {
  make_user("quirin", "tenant_admin");
  auto admin = client();
  ASSERT_EQ(admin.sign_in(email("quirin"), kPassword).status, 200);
  auto past = admin.post("/api/v1/api-keys",
                         json::serialize(json::object{{"name", "old"},
                                                      {"permissions", json::array{"assets:read"}},
                                                      {"expires_at", "2020-01-01T00:00:00Z"}}));
  EXPECT_EQ(past.status, 422) << past.body;
  auto made =
      admin.post("/api/v1/api-keys",
                 json::serialize(json::object{{"name", "short-lived"},
                                              {"permissions", json::array{"assets:read"}},
                                              {"expires_at", format_rfc3339(now_ms() + 1500)}}));
  ASSERT_EQ(made.status, 201) << made.body;
  auto machine = client();
  machine.set_authorization("ApiKey " + std::string(parse(made.body).at("key").as_string()));
  EXPECT_EQ(machine.get("/api/v1/buildings").status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(1600));
  auto expired = machine.get("/api/v1/buildings");
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(detail(expired), "the API key has expired");
}

TEST_F(AuthApi, NobodyMakesAUserMightierThanItself) {
  make_user("sven", "tenant_admin");
  auto admin = client();
  ASSERT_EQ(admin.sign_in(email("sven"), kPassword).status, 200);
  // A key that may manage users but holds little else cannot mint a user
  // (and sign in as it) with more than the key holds.
  auto made = admin.post("/api/v1/api-keys",
                         R"({"name":"provisioning","permissions":["users:manage","assets:read"]})");
  ASSERT_EQ(made.status, 201) << made.body;
  auto key = client();
  key.set_authorization("ApiKey " + std::string(parse(made.body).at("key").as_string()));
  for (const char* role : {"tenant_admin", "viewer"}) {
    auto r =
        key.post("/api/v1/users",
                 json::serialize(json::object{{"email", std::string(role) + suffix_ + "@k.example"},
                                              {"password", kPassword},
                                              {"role", role}}));
    EXPECT_EQ(r.status, 403) << role << ": " << r.body;
  }
  // Nor change the password of someone mightier.
  auto victim = make_user("tara", "energy_manager");
  EXPECT_EQ(key.patch("/api/v1/users/" + std::to_string(victim), R"({"password":"taken-over-now"})")
                .status,
            403);
  EXPECT_EQ(client().sign_in(email("tara"), kPassword).status, 200);
}

TEST_F(AuthApi, AKeyFollowsItsMakersRights) {
  const Id maker = make_user("uwe", "tenant_admin");
  auto admin = client();
  ASSERT_EQ(admin.sign_in(email("uwe"), kPassword).status, 200);
  auto made = admin.post("/api/v1/api-keys",
                         R"({"name":"sync","permissions":["assets:read","assets:write"]})");
  ASSERT_EQ(made.status, 201) << made.body;
  auto key = client();
  key.set_authorization("ApiKey " + std::string(parse(made.body).at("key").as_string()));
  EXPECT_EQ(key.post("/api/v1/sites", R"({"name":"Hof"})").status, 201);
  // The maker becomes a viewer: the key can no longer write.
  ASSERT_EQ(admin_->patch("/api/v1/users/" + std::to_string(maker), R"({"role":"viewer"})").status,
            200);
  EXPECT_EQ(key.post("/api/v1/sites", R"({"name":"Hof 2"})").status, 403);
  EXPECT_EQ(key.get("/api/v1/sites").status, 200);
  // The maker is disabled: the key stops working.
  ASSERT_EQ(admin_->patch("/api/v1/users/" + std::to_string(maker), R"({"disabled":true})").status,
            200);
  EXPECT_EQ(key.get("/api/v1/sites").status, 401);
}

TEST_F(AuthApi, ALimitedAdminReachesNothingOfTheWholeTenant) {
  const Id b = make_building("Kita");
  make_user("vera", "tenant_admin", std::vector<Id>{b});
  auto c = client();
  ASSERT_EQ(c.sign_in(email("vera"), kPassword).status, 200);
  EXPECT_EQ(c.get("/api/v1/audit").status, 403);
  EXPECT_EQ(c.get("/api/v1/users").status, 403);
  EXPECT_EQ(c.get("/api/v1/api-keys").status, 403);
  EXPECT_EQ(c.get("/api/v1/buildings/" + std::to_string(b)).status, 200);
}

TEST_F(AuthApi, RemovingATenantEndsItsUsersSessionsAtOnce) {
  auto t = admin_->post("/api/v1/tenants",
                        json::serialize(json::object{{"name", "Auflösung " + suffix_}}));
  const Id gone = parse(t.body).at("id").as_int64();
  auto u = admin_->post("/api/v1/users",
                        json::serialize(json::object{{"email", "last" + suffix_ + "@example.org"},
                                                     {"password", kPassword},
                                                     {"role", "viewer"},
                                                     {"tenant_id", gone}}));
  ASSERT_EQ(u.status, 201) << u.body;
  auto c = client();
  ASSERT_EQ(c.sign_in("last" + suffix_ + "@example.org", kPassword).status, 200);
  ASSERT_EQ(c.get("/api/v1/auth/me").status, 200);
  ASSERT_EQ(admin_->del("/api/v1/tenants/" + std::to_string(gone) + "?cascade=true").status, 204);
  EXPECT_EQ(c.get("/api/v1/auth/me").status, 401);
}

TEST_F(AuthApi, SignOutNeedsTheSessionItEnds) {
  make_user("willi", "viewer");
  auto c = client();
  ASSERT_EQ(c.sign_in(email("willi"), kPassword).status, 200);
  EXPECT_EQ(c.post("/api/v1/auth/logout", "{}").status, 422);
}

TEST_F(AuthApi, TheAuditLogRecordsWhoChangedWhat) {
  make_user("rita", "tenant_admin");
  auto c = client();
  ASSERT_EQ(c.sign_in(email("rita"), kPassword).status, 200);
  client().sign_in(email("rita"), "a-wrong-password");
  auto made = c.post("/api/v1/buildings", R"({"name":"Feuerwehr","type":"fire_station"})");
  ASSERT_EQ(made.status, 201);
  const Id b = parse(made.body).at("id").as_int64();
  ASSERT_EQ(c.patch("/api/v1/buildings/" + std::to_string(b), R"({"name":"Feuerwache"})").status,
            200);
  auto log = c.get("/api/v1/audit?resource=buildings");
  ASSERT_EQ(log.status, 200) << log.body;
  auto items = parse(log.body).at("items").as_array();
  ASSERT_EQ(items.size(), 2u) << log.body;
  const auto& update = items[0].as_object();  // newest first
  EXPECT_EQ(update.at("action"), "update");
  EXPECT_EQ(update.at("actor").as_string(), email("rita"));
  EXPECT_EQ(update.at("resource_id"), b);
  EXPECT_EQ(update.at("summary").at("before").at("name"), "Feuerwehr");
  EXPECT_EQ(update.at("summary").at("after").at("name"), "Feuerwache");
  EXPECT_NE(std::string(update.at("remote").as_string()).find("127.0.0.1"), std::string::npos);
  EXPECT_EQ(items[1].at("action"), "create");
  auto logins = parse(c.get("/api/v1/audit?resource=auth").body).at("items").as_array();
  std::set<std::string> actions;
  for (const auto& e : logins) actions.emplace(e.at("action").as_string());
  EXPECT_TRUE(actions.count("login"));
  EXPECT_TRUE(actions.count("login_failed"));
  // A tenant admin sees only its own tenant's entries.
  auto all = parse(c.get("/api/v1/audit?limit=1000").body).at("items").as_array();
  for (const auto& e : all) EXPECT_EQ(e.at("tenant_id"), tenant_) << json::serialize(e);
}

TEST_F(AuthApi, SecurityHeadersAreOnEveryAnswer) {
  auto r = client().get("/api/v1/buildings");
  EXPECT_EQ(r.header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(r.header("Referrer-Policy"), "no-referrer");
  auto page = client().get("/");
  EXPECT_NE(page.header("Content-Security-Policy").find("default-src 'self'"), std::string::npos);
  // No CORS origin is configured: a cross-origin caller gets no allowance.
  auto cors = client().request("GET", "/healthz", {}, {{"Origin", "https://evil.example"}});
  EXPECT_EQ(cors.header("Access-Control-Allow-Origin"), "");
}

// ---- servers of their own: rate limits, CORS, lockout expiry, first start, CLI ----

TEST(AuthLimits, RequestsOverTheRateAre429WithRetryAfter) {
  TempDir tmp;
  ServerProcess server(tmp.path() + "/data", {},
                       {{"CITYPULSE_RATE_LIMIT_READ_PER_MINUTE", "5"},
                        {"CITYPULSE_RATE_LIMIT_AUTH_PER_MINUTE", "3"}});
  ASSERT_TRUE(server.start()) << server.output();
  HttpClient c(server.port());
  ASSERT_EQ(c.sign_in(kAdminEmail, kAdminPassword).status, 200);
  for (int i = 0; i < 5; ++i) {
    auto r = c.get("/api/v1/tenants");
    ASSERT_EQ(r.status, 200) << i;
    EXPECT_EQ(r.header("RateLimit-Limit"), "5");
    EXPECT_EQ(r.header("RateLimit-Remaining"), std::to_string(4 - i));
  }
  auto over = c.get("/api/v1/tenants");
  EXPECT_EQ(over.status, 429);
  EXPECT_GE(std::stoi(over.header("Retry-After")), 1);
  EXPECT_EQ(over.header("Content-Type"), "application/problem+json");
  // Sign-in is limited per client address: 1 used above, 2 more, then 429.
  HttpClient anon(server.port());
  for (int i = 0; i < 2; ++i) anon.sign_in(kAdminEmail, "wrong-password-x");
  EXPECT_EQ(anon.sign_in(kAdminEmail, kAdminPassword).status, 429);
  EXPECT_EQ(c.get("/healthz").status, 200);  // open routes are not limited
  EXPECT_EQ(server.stop(SIGTERM), 0);
}

TEST(AuthLimits, FailedAuthenticationsAreLimitedPerAddress) {
  TempDir tmp;
  ServerProcess server(tmp.path() + "/data", {}, {{"CITYPULSE_RATE_LIMIT_AUTH_PER_MINUTE", "3"}});
  ASSERT_TRUE(server.start()) << server.output();
  HttpClient c(server.port());
  for (int i = 0; i < 3; ++i) {
    auto r = c.request("GET", "/api/v1/tenants", {},
                       {{"Authorization", "ApiKey guess.x" + std::to_string(i)}});
    EXPECT_EQ(r.status, 401);
  }
  auto over = c.request("GET", "/api/v1/tenants", {}, {{"Authorization", "ApiKey guess.more"}});
  EXPECT_EQ(over.status, 429);
  EXPECT_FALSE(over.header("Retry-After").empty());
  EXPECT_EQ(server.stop(SIGTERM), 0);
}

TEST(AuthLimits, GuessedDeviceTokensAndWebhookSecretsAreLimitedPerAddress) {
  TempDir tmp;
  ServerProcess server(tmp.path() + "/data", {},
                       {{"CITYPULSE_RATE_LIMIT_DEVICE_FAILURES_PER_MINUTE", "3"}});
  ASSERT_TRUE(server.start()) << server.output();
  HttpClient c(server.port());
  EXPECT_EQ(c.post("/api/v1/guess-1/telemetry", R"({"t": 1})").status, 401);
  EXPECT_EQ(c.request("GET", "/api/v1/guess-2/attributes").status, 401);
  EXPECT_EQ(
      c.request("POST", "/api/v1/integrations/ttn", "{}", {{"X-Integration-Secret", "guess-3"}})
          .status,
      401);
  auto over = c.post("/api/v1/guess-4/telemetry", R"({"t": 1})");
  EXPECT_EQ(over.status, 429);
  EXPECT_FALSE(over.header("Retry-After").empty());
  EXPECT_EQ(over.header("Content-Type"), "application/problem+json");
  // A budget of its own: people's sign-ins from the address are not locked out.
  EXPECT_EQ(c.sign_in(kAdminEmail, kAdminPassword).status, 200);
  EXPECT_EQ(server.stop(SIGTERM), 0);
}

TEST(AuthSetup, DemoAddsNoKnownPasswordToAStoreWithUsers) {
  TempDir tmp;
  const std::string data = tmp.path() + "/data";
  std::string out;
  ASSERT_EQ(run_binary({"user", "add", "--data-dir", data, "--email", "chef@example.org",
                        "--password", "a-good-long-password", "--role", "superadmin"},
                       out),
            0)
      << out;
  ServerProcess server(data, kQuickDemo, {}, "demo");
  ASSERT_TRUE(server.start()) << server.output();
  HttpClient c(server.port());
  EXPECT_EQ(c.sign_in("superadmin@citypulse.demo", "hechingen-demo").status, 401);
  EXPECT_EQ(c.sign_in("chef@example.org", "a-good-long-password").status, 200);
  EXPECT_EQ(server.stop(SIGTERM), 0);
}

TEST(AuthLimits, ALockedAccountOpensAgainAfterTheLockout) {
  TempDir tmp;
  ServerProcess server(
      tmp.path() + "/data", {},
      {{"CITYPULSE_AUTH_LOGIN_LOCKOUT_S", "2"}, {"CITYPULSE_AUTH_LOGIN_MAX_FAILURES", "2"}});
  ASSERT_TRUE(server.start()) << server.output();
  HttpClient c(server.port());
  EXPECT_EQ(c.sign_in(kAdminEmail, "wrong-password-1").status, 401);
  EXPECT_EQ(c.sign_in(kAdminEmail, "wrong-password-2").status, 401);
  EXPECT_EQ(c.sign_in(kAdminEmail, kAdminPassword).status, 429);
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  EXPECT_EQ(c.sign_in(kAdminEmail, kAdminPassword).status, 200);
  EXPECT_EQ(server.stop(SIGTERM), 0);
}

TEST(AuthLimits, CorsAllowsOnlyConfiguredOrigins) {
  TempDir tmp;
  ServerProcess server(tmp.path() + "/data", {},
                       {{"CITYPULSE_HTTP_CORS_ORIGINS", "https://leitstand.example"}});
  ASSERT_TRUE(server.start()) << server.output();
  HttpClient c(server.port());
  auto pre = c.request(
      "OPTIONS", "/api/v1/buildings", {},
      {{"Origin", "https://leitstand.example"}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(pre.status, 204);
  EXPECT_EQ(pre.header("Access-Control-Allow-Origin"), "https://leitstand.example");
  EXPECT_NE(pre.header("Access-Control-Allow-Headers").find("Authorization"), std::string::npos);
  auto other =
      c.request("OPTIONS", "/api/v1/buildings", {},
                {{"Origin", "https://evil.example"}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(other.status, 403);
  EXPECT_EQ(other.header("Access-Control-Allow-Origin"), "");
  auto get = c.request("GET", "/api/v1/buildings", {}, {{"Origin", "https://leitstand.example"}});
  EXPECT_EQ(get.status, 401);
  EXPECT_EQ(get.header("Access-Control-Allow-Origin"), "https://leitstand.example");
  EXPECT_EQ(server.stop(SIGTERM), 0);
}

TEST(AuthSetup, FirstStartWithoutAdminSettingsPrintsAOneTimePassword) {
  TempDir tmp;
  ServerProcess server(tmp.path() + "/data", {},
                       {{"CITYPULSE_ADMIN_EMAIL", ""}, {"CITYPULSE_ADMIN_PASSWORD", ""}});
  ASSERT_TRUE(server.start()) << server.output();
  const std::string out = server.output();
  const std::string marker = "one-time password ";
  const auto at = out.find(marker);
  ASSERT_NE(at, std::string::npos) << out;
  const std::string password =
      out.substr(at + marker.size(), out.find('\n', at) - at - marker.size());
  HttpClient c(server.port());
  EXPECT_EQ(c.sign_in("admin@citypulse.local", password).status, 200);
  EXPECT_EQ(server.stop(SIGTERM), 0);
  // Printed once: a second start has a user already and prints nothing.
  ServerProcess again(tmp.path() + "/data", {},
                      {{"CITYPULSE_ADMIN_EMAIL", ""}, {"CITYPULSE_ADMIN_PASSWORD", ""}});
  ASSERT_TRUE(again.start()) << again.output();
  EXPECT_EQ(again.output().find(marker), std::string::npos);
  EXPECT_EQ(again.stop(SIGTERM), 0);
}

// A token's header names its key; rotation adds a key that signs from the
// next start while tokens of the old key keep working.
std::string kid_of(const std::string& access_token) {
  const auto header = base64url_decode(access_token.substr(0, access_token.find('.')));
  return std::string(json::parse(*header).as_object().at("kid").as_string());
}

TEST(AuthSetup, KeyRotationKeepsOldTokensAndSignsWithTheNewKey) {
  TempDir tmp;
  const std::string data = tmp.path() + "/data";
  std::string before_token;
  {
    ServerProcess server(data);
    ASSERT_TRUE(server.start()) << server.output();
    HttpClient c(server.port());
    auto r = c.sign_in(kAdminEmail, kAdminPassword);
    ASSERT_EQ(r.status, 200);
    before_token = std::string(parse(r.body).at("access_token").as_string());
    EXPECT_EQ(server.stop(SIGTERM), 0);
  }
  std::string out;
  ASSERT_EQ(run_binary({"keys", "rotate", "--data-dir", data}, out), 0) << out;
  EXPECT_NE(out.find("new signing key"), std::string::npos) << out;
  ServerProcess server(data);
  ASSERT_TRUE(server.start()) << server.output();
  HttpClient old_client(server.port());
  old_client.set_authorization("Bearer " + before_token);
  EXPECT_EQ(old_client.get("/api/v1/auth/me").status, 200);
  HttpClient c(server.port());
  auto r = c.sign_in(kAdminEmail, kAdminPassword);
  ASSERT_EQ(r.status, 200);
  const std::string after_token(parse(r.body).at("access_token").as_string());
  EXPECT_NE(kid_of(after_token), kid_of(before_token));
  EXPECT_EQ(c.get("/api/v1/auth/me").status, 200);
  EXPECT_EQ(server.stop(SIGTERM), 0);
  EXPECT_EQ(run_binary({"keys", "rotate", "--data-dir", data}, out,
                       {{"CITYPULSE_AUTH_JWT_SECRET", kSecret}}),
            2)
      << out;
}

TEST(AuthSetup, UserAddWorksWhileTheServerIsStopped) {
  TempDir tmp;
  const std::string data = tmp.path() + "/data";
  std::string out;
  ASSERT_EQ(run_binary({"user", "add", "--data-dir", data, "--email", "chef@example.org",
                        "--password", "a-good-long-password", "--role", "superadmin"},
                       out),
            0)
      << out;
  EXPECT_NE(run_binary({"user", "add", "--data-dir", data, "--email", "x@example.org", "--password",
                        "short", "--role", "viewer", "--tenant", "1"},
                       out),
            0);
  EXPECT_NE(out.find("password"), std::string::npos) << out;
  EXPECT_EQ(run_binary({"user", "add", "--data-dir", data, "--email", "chef@example.org",
                        "--password", "a-good-long-password", "--role", "superadmin"},
                       out),
            2)
      << out;
  EXPECT_EQ(run_binary({"user", "add", "--data-dir", data, "--email", "y@example.org", "--password",
                        "a-good-long-password", "--role", "viewer", "--tenant", "Nirgendwo"},
                       out),
            2)
      << out;
  ServerProcess server(data);
  ASSERT_TRUE(server.start()) << server.output();
  HttpClient c(server.port());
  EXPECT_EQ(c.sign_in("chef@example.org", "a-good-long-password").status, 200);
  EXPECT_EQ(server.stop(SIGTERM), 0);
}

TEST(AuthTls, TheListenerSpeaksHttpsWhenGivenACertificate) {
  TempDir tmp;
  const std::string cert = tmp.path() + "/cert.pem", key = tmp.path() + "/key.pem";
  write_self_signed_certificate(cert, key);
  ServerProcess server(tmp.path() + "/data", {},
                       {{"CITYPULSE_HTTP_TLS_CERT", cert}, {"CITYPULSE_HTTP_TLS_KEY", key}});
  // start() waits on plain-HTTP /healthz, which a TLS listener does not
  // answer; so launch it and poll over HTTPS instead.
  server.launch();
  Reply r;
  for (int i = 0; i < 100 && r.status == 0; ++i) {
    try {
      r = https_get(server.port(), "/healthz", cert);
    } catch (const std::exception&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  ASSERT_EQ(r.status, 200) << server.output();
  EXPECT_EQ(r.header("Strict-Transport-Security"), "max-age=31536000");
  EXPECT_EQ(https_get(server.port(), "/api/v1/buildings", cert).status, 401);
  // Plain HTTP on the TLS port gets no HTTP answer.
  EXPECT_EQ(raw_exchange(server.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 2000)
                .find("HTTP/1.1 200"),
            std::string::npos);
  EXPECT_EQ(server.stop(SIGTERM), 0) << server.output();
}

TEST(AuthTls, AMissingCertificateIsAConfigurationError) {
  TempDir tmp;
  std::string out;
  const int code = run_binary({"serve", "--data-dir", tmp.path() + "/d", "--http-port", "0"}, out,
                              {{"CITYPULSE_HTTP_TLS_CERT", tmp.path() + "/missing.pem"},
                               {"CITYPULSE_HTTP_TLS_KEY", tmp.path() + "/missing-key.pem"},
                               {"CITYPULSE_ADMIN_EMAIL", kAdminEmail},
                               {"CITYPULSE_ADMIN_PASSWORD", kAdminPassword}});
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find("http.tls_cert"), std::string::npos) << out;
}

}  // namespace
}  // namespace citypulse::test
