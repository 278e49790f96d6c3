// Who may see what over the realtime WebSocket API, and when a connection
// ends, on the real binary (docs/realtime.md, docs/security.md), with real
// WebSocket clients:
// - a user or API key limited to some buildings: a building or point
//   outside them is refused with not_found and the same message as an id
//   that does not exist; its own building's values come; of the
//   asset_changed events, only those of its own buildings come;
// - auth sent again on an open connection: a fresh token of the same user
//   renews the session (a later expires_at, the subscriptions go on);
//   another user's token or an API key closes the connection with 4401;
// - expires_at is the token's expiry (auth.access_token_ttl_s after the
//   sign-in, null for a key without expiry); a connection whose token
//   expires is closed with 4401, one renewed in time stays open;
// - a client that stops reading while its socket is full and more than
//   1,000 other events wait for it is sent "closing" and closed with 4408,
//   after what was queued before.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <csignal>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "admin_api.h"
#include "auth/jwt.h"
#include "core/time.h"
#include "http_client.h"
#include "realtime_messages.h"
#include "server_process.h"
#include "ws_test_client.h"

namespace citypulse::test {
namespace {

namespace json = boost::json;

constexpr const char* kPassword = "correct-horse-battery-9";

std::string text(const json::value& v) {
  return json::serialize(v);
}

std::optional<json::object> next(WsTestClient& c, std::initializer_list<std::string_view> types,
                                 int timeout_ms = 10'000) {
  return next_message(c, types, timeout_ms);
}

// Reads until the server closed the connection; the "closing" message, if
// one came.
std::optional<json::object> read_until_closed(WsTestClient& c, int timeout_ms = 10'000) {
  std::optional<json::object> closing;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!c.closed() && std::chrono::steady_clock::now() < deadline) {
    auto m = c.receive(250);
    if (!m) continue;
    auto o = json::parse(*m).as_object();
    if (o.at("type") == "closing") closing = o;
  }
  return closing;
}

// The id in `message` replaced by "N", so messages about different ids can
// be compared.
std::string without_id(const json::object& message, std::int64_t id) {
  std::string m(message.at("message").as_string());
  const auto at = m.find(std::to_string(id));
  if (at == std::string::npos) {
    ADD_FAILURE() << "the message does not name " << id << ": " << text(message);
    return m;
  }
  return m.replace(at, std::to_string(id).size(), "N");
}

TimeMs time_of(const json::value& rfc3339) {
  auto t = parse_rfc3339(rfc3339.as_string());
  EXPECT_TRUE(t) << text(rfc3339);
  return t ? *t : 0;
}

// Signs in over the API; the access token and its lifetime in seconds.
struct SignedIn {
  std::string token;
  std::int64_t expires_in = 0;
};

SignedIn sign_in(std::uint16_t port, const std::string& email) {
  HttpClient http(port);
  auto r = http.sign_in(email, kPassword);
  EXPECT_EQ(r.status, 200) << r.body;
  if (r.status != 200) return {};
  auto body = json::parse(r.body).as_object();
  return {std::string(body.at("access_token").as_string()), body.at("expires_in").as_int64()};
}

// A user of `tenant`, limited to `buildings` when given; its id.
std::int64_t new_user(HttpClient& admin, std::int64_t tenant, const std::string& email,
                      const std::string& role, std::optional<json::array> buildings = {}) {
  json::object body{
      {"email", email}, {"password", kPassword}, {"role", role}, {"tenant_id", tenant}};
  if (buildings) body["buildings"] = *buildings;
  return create_record(admin, "users", body);
}

class RealtimeAccess : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = std::make_unique<TempDir>();
    server_ = std::make_unique<ServerProcess>(tmp_->path() + "/data");
    started_ = server_->start();
    if (!started_) return;
    admin_ = std::make_unique<HttpClient>(server_->port());
    ASSERT_EQ(admin_->sign_in(kAdminEmail, kAdminPassword).status, 200);
    tenant_ = create_record(*admin_, "tenants", {{"name", "Access Town"}});
    school_ = create_record(*admin_, "buildings",
                            {{"tenant_id", tenant_}, {"name", "School"}, {"type", "school"}});
    pool_ = create_record(*admin_, "buildings",
                          {{"tenant_id", tenant_}, {"name", "Pool"}, {"type", "swimming_pool"}});
    room_ = point(school_, "Room 1", "access.room1");
    water_ = point(pool_, "Water", "access.water");
    key_ = new_api_key(*admin_, tenant_,
                       json::array{"readings:read", "readings:write", "assets:read"});
    writer_ = std::make_unique<HttpClient>(server_->port());
    writer_->set_authorization("ApiKey " + key_);

    // Limited to the school: a user and an API key.
    new_user(*admin_, tenant_, "school-only@access.test", "viewer", json::array{school_});
    limited_token_ = sign_in(server_->port(), "school-only@access.test").token;
    auto r =
        admin_->post("/api/v1/api-keys",
                     text(json::object{{"name", "school only"},
                                       {"tenant_id", tenant_},
                                       {"permissions", json::array{"readings:read", "assets:read"}},
                                       {"buildings", json::array{school_}}}));
    ASSERT_EQ(r.status, 201) << r.body;
    limited_key_ = json::parse(r.body).at("key").as_string();
    ASSERT_EQ(json::parse(r.body).at("buildings"), (json::array{school_})) << r.body;

    // Whole-tenant users.
    new_user(*admin_, tenant_, "anna@access.test", "energy_manager");
    new_user(*admin_, tenant_, "bert@access.test", "energy_manager");
  }

  static void TearDownTestSuite() {
    if (started_) {
      EXPECT_EQ(server_->stop(SIGTERM), 0) << server_->output();
    }
    writer_.reset();
    admin_.reset();
    server_.reset();
    tmp_.reset();
  }

  void SetUp() override { ASSERT_TRUE(started_) << server_->output(); }

  static std::int64_t point(std::int64_t building, const std::string& name,
                            const std::string& key) {
    return create_point(*admin_, building, name, key);
  }

  static void write(std::int64_t point, std::int64_t t, double value) {
    write_reading(*writer_, point, t, value);
  }

  static void rename(const std::string& collection, std::int64_t id, const std::string& name) {
    auto r = admin_->patch("/api/v1/" + collection + "/" + std::to_string(id),
                           text(json::object{{"name", name}}));
    ASSERT_EQ(r.status, 200) << r.body;
  }

  static std::unique_ptr<WsTestClient> signed_in(const std::string& token,
                                                 json::object* answer = nullptr) {
    return signed_in_client(server_->port(), token, answer);
  }

  // Subscribes; the answer ("subscribed" or "error").
  static std::optional<json::object> subscribe(WsTestClient& c, json::object message) {
    message["type"] = "subscribe";
    c.send(text(message));
    return next(c, {"subscribed", "error"});
  }

  // Values of `point` in readings messages until `until` holds for them;
  // every point seen goes to `points`.
  static std::set<double> values_until(WsTestClient& c, std::int64_t point,
                                       const std::function<bool(const std::set<double>&)>& until,
                                       std::set<std::int64_t>* points = nullptr) {
    std::set<double> seen;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!until(seen) && std::chrono::steady_clock::now() < deadline) {
      auto m = next(c, {"readings"}, 500);
      if (!m) continue;
      for (const auto& v : m->at("values").as_array()) {
        if (points) points->insert(v.at("point").as_int64());
        if (v.at("point").as_int64() == point) seen.insert(v.at("value").to_number<double>());
      }
    }
    return seen;
  }

  static inline std::unique_ptr<TempDir> tmp_;
  static inline std::unique_ptr<ServerProcess> server_;
  static inline std::unique_ptr<HttpClient> admin_, writer_;
  static inline bool started_ = false;
  static inline std::int64_t tenant_ = 0, school_ = 0, pool_ = 0, room_ = 0, water_ = 0;
  static inline std::string key_, limited_token_, limited_key_;
};

// A building or point outside the caller's buildings is refused exactly as
// one that does not exist, for a limited user and a limited key alike; the
// refused subscription is not kept.
TEST_F(RealtimeAccess, BuildingsAndPointsOutsideTheGrantAreRefusedAsIfTheyDidNotExist) {
  constexpr std::int64_t kNoBuilding = 99'999'999, kNoPoint = 99'999'998;
  for (const auto& [who, token] :
       {std::pair{"limited user", limited_token_}, std::pair{"limited key", limited_key_}}) {
    SCOPED_TRACE(who);
    auto c = signed_in(token);
    const auto pool = subscribe(*c, {{"id", "b"}, {"buildings", {pool_}}});
    const auto no_building = subscribe(*c, {{"id", "b"}, {"buildings", {kNoBuilding}}});
    ASSERT_TRUE(pool && no_building);
    EXPECT_EQ(pool->at("type"), "error") << text(*pool);
    EXPECT_EQ(pool->at("code"), "not_found") << text(*pool);
    EXPECT_EQ(no_building->at("code"), "not_found") << text(*no_building);
    EXPECT_EQ(pool->at("id"), "b");
    EXPECT_EQ(pool->at("field"), "/buildings/0");
    EXPECT_EQ(no_building->at("field"), "/buildings/0");
    EXPECT_EQ(without_id(*pool, pool_), without_id(*no_building, kNoBuilding));

    const auto water = subscribe(*c, {{"id", "p"}, {"points", {water_}}});
    const auto no_point = subscribe(*c, {{"id", "p"}, {"points", {kNoPoint}}});
    ASSERT_TRUE(water && no_point);
    EXPECT_EQ(water->at("type"), "error") << text(*water);
    EXPECT_EQ(water->at("code"), "not_found") << text(*water);
    EXPECT_EQ(no_point->at("code"), "not_found") << text(*no_point);
    EXPECT_EQ(water->at("field"), "/points/0");
    EXPECT_EQ(no_point->at("field"), "/points/0");
    EXPECT_EQ(without_id(*water, water_), without_id(*no_point, kNoPoint));

    // A school building among others does not let the pool through.
    const auto both = subscribe(*c, {{"id", "b"}, {"buildings", {school_, pool_}}});
    ASSERT_TRUE(both);
    EXPECT_EQ(both->at("code"), "not_found") << text(*both);
    EXPECT_EQ(both->at("field"), "/buildings/1") << text(*both);

    // Nothing refused was kept: the ids are free.
    const auto school = subscribe(*c, {{"id", "b"}, {"buildings", {school_}}});
    ASSERT_TRUE(school);
    EXPECT_EQ(school->at("type"), "subscribed") << text(*school);
    const auto room = subscribe(*c, {{"id", "p"}, {"points", {room_}}});
    ASSERT_TRUE(room);
    EXPECT_EQ(room->at("type"), "subscribed") << text(*room);
  }
}

// The limited user's own building: a snapshot and then the values written,
// none of the pool's.
TEST_F(RealtimeAccess, ALimitedUserGetsTheValuesOfItsBuilding) {
  write(room_, 1'760'000'000'000, 19.5);
  write(water_, 1'760'000'000'000, 26.0);
  auto c = signed_in(limited_token_);
  const auto subscribed = subscribe(*c, {{"id", "school"}, {"buildings", {school_}}});
  ASSERT_TRUE(subscribed);
  ASSERT_EQ(subscribed->at("type"), "subscribed") << text(*subscribed);
  const auto& snapshot = subscribed->at("values").as_array();
  ASSERT_EQ(snapshot.size(), 1u) << text(*subscribed);
  EXPECT_EQ(snapshot[0].at("point").as_int64(), room_);

  write(water_, 1'760'000'060'000, 27.0);
  write(room_, 1'760'000'060'000, 20.25);
  std::set<std::int64_t> points;
  const auto seen = values_until(
      *c, room_, [](const auto& s) { return s.contains(20.25); }, &points);
  EXPECT_TRUE(seen.contains(20.25));
  EXPECT_EQ(points, (std::set<std::int64_t>{room_}));
}

// asset_changed for a change in the pool reaches a whole-tenant client but
// not the limited ones; the school's change, made after it, reaches all.
TEST_F(RealtimeAccess, ALimitedClientGetsAssetChangesOfItsBuildingsOnly) {
  auto tenant_wide = signed_in(key_);
  auto limited_user = signed_in(limited_token_);
  auto limited_key = signed_in(limited_key_);
  for (auto* c : {tenant_wide.get(), limited_user.get(), limited_key.get()}) {
    const auto s = subscribe(*c, {{"id", "assets"}, {"events", {"asset_changed"}}});
    ASSERT_TRUE(s);
    ASSERT_EQ(s->at("type"), "subscribed") << text(*s);
  }
  rename("buildings", pool_, "Pool (renamed)");
  rename("points", water_, "Water (renamed)");
  rename("points", room_, "Room 1 (renamed)");

  const auto is = [](const std::optional<json::object>& e, const std::string& collection,
                     std::int64_t id, std::int64_t building) {
    ASSERT_TRUE(e) << "no event";
    EXPECT_EQ(e->at("kind"), "asset_changed") << text(*e);
    EXPECT_EQ(e->at("building_id").as_int64(), building) << text(*e);
    const auto& details = e->at("details").as_object();
    EXPECT_EQ(details.at("collection").as_string(), collection) << text(*e);
    EXPECT_EQ(details.at("id").as_int64(), id) << text(*e);
    EXPECT_EQ(details.at("action"), "changed") << text(*e);
  };
  {
    SCOPED_TRACE("whole tenant");
    is(next(*tenant_wide, {"event"}), "buildings", pool_, pool_);
    is(next(*tenant_wide, {"event"}), "points", water_, pool_);
    is(next(*tenant_wide, {"event"}), "points", room_, school_);
  }
  for (auto* c : {limited_user.get(), limited_key.get()}) {
    SCOPED_TRACE(c == limited_user.get() ? "limited user" : "limited key");
    is(next(*c, {"event"}), "points", room_, school_);
    const auto more = next(*c, {"event"}, 500);
    EXPECT_FALSE(more) << text(*more);
  }
}

// A fresh token of the same user renews the session in place: a later
// expires_at, and the subscription goes on delivering.
TEST_F(RealtimeAccess, AFreshTokenOfTheSameUserRenewsTheSession) {
  const auto first = sign_in(server_->port(), "anna@access.test");
  json::object authenticated;
  auto c = signed_in(first.token, &authenticated);
  const auto subscribed = subscribe(*c, {{"id", "s"}, {"points", {room_}}});
  ASSERT_TRUE(subscribed);
  ASSERT_EQ(subscribed->at("type"), "subscribed") << text(*subscribed);
  write(room_, 1'760'000'120'000, 21.5);
  EXPECT_TRUE(
      values_until(*c, room_, [](const auto& s) { return s.contains(21.5); }).contains(21.5));

  // Tokens carry their issue time in seconds: the next one expires later.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  const auto second = sign_in(server_->port(), "anna@access.test");
  ASSERT_NE(second.token, first.token);
  c->send(text(json::object{{"type", "auth"}, {"token", second.token}}));
  const auto renewed = next(*c, {"authenticated", "closing", "error"});
  ASSERT_TRUE(renewed) << "closed with " << c->close_code();
  ASSERT_EQ(renewed->at("type"), "authenticated") << text(*renewed);
  const TimeMs before = time_of(authenticated.at("expires_at"));
  const TimeMs after = time_of(renewed->at("expires_at"));
  EXPECT_GE(after - before, 1000) << text(authenticated) << " then " << text(*renewed);
  EXPECT_GT(renewed->at("seq").to_number<std::uint64_t>(),
            subscribed->at("seq").to_number<std::uint64_t>());

  write(room_, 1'760'000'180'000, 22.5);
  EXPECT_TRUE(
      values_until(*c, room_, [](const auto& s) { return s.contains(22.5); }).contains(22.5));
  EXPECT_FALSE(c->closed());
}

// A renewal must be the same identity: another user's token, or an API
// key after a user's token, ends the connection with 4401.
TEST_F(RealtimeAccess, AuthWithAnotherIdentityClosesWith4401) {
  const auto anna = sign_in(server_->port(), "anna@access.test");
  const auto bert = sign_in(server_->port(), "bert@access.test");
  for (const auto& [what, other] :
       {std::pair{"another user's token", bert.token}, std::pair{"an API key", key_}}) {
    SCOPED_TRACE(what);
    auto c = signed_in(anna.token);
    const auto subscribed = subscribe(*c, {{"id", "s"}, {"points", {room_}}});
    ASSERT_TRUE(subscribed);
    ASSERT_EQ(subscribed->at("type"), "subscribed") << text(*subscribed);
    c->send(text(json::object{{"type", "auth"}, {"token", other}}));
    const auto closing = read_until_closed(*c);
    EXPECT_TRUE(c->closed());
    EXPECT_EQ(c->close_code(), 4401);
    ASSERT_TRUE(closing) << "no closing message";
    EXPECT_EQ(closing->at("code").to_number<int>(), 4401) << text(*closing);
  }
}

// A client that stops reading while values fill its socket, and then more
// than 1,000 asset changes wait for it, is sent "closing" with 4408 after
// everything queued before, and the connection closes with 4408.
TEST_F(RealtimeAccess, AClientTooFarBehindOnEventsIsClosedWith4408) {
  const auto depot = create_record(*admin_, "buildings",
                                   {{"tenant_id", tenant_}, {"name", "Depot"}, {"type", "other"}});
  const std::vector<std::int64_t> points{
      point(depot, "Bay 1", "access.depot.bay1"), point(depot, "Bay 2", "access.depot.bay2"),
      point(depot, "Bay 3", "access.depot.bay3"), point(depot, "Bay 4", "access.depot.bay4")};
  auto c = signed_in(key_);
  for (const auto& s : {json::object{{"id", "values"}, {"buildings", {depot}}},
                        json::object{{"id", "assets"}, {"events", {"asset_changed"}}}}) {
    const auto answer = subscribe(*c, s);
    ASSERT_TRUE(answer);
    ASSERT_EQ(answer->at("type"), "subscribed") << text(*answer);
  }
  const auto start = std::chrono::steady_clock::now();

  // From here on the client reads nothing. About 11 MB of values: more than
  // the socket buffers hold, so the server holds back.
  constexpr int kBatches = 40, kEach = 5000;
  const std::int64_t t0 = 1'762'000'000'000;
  for (int b = 0; b < kBatches; ++b) {
    json::array readings;
    for (int i = 0; i < kEach; ++i) {
      const int n = b * kEach + i;
      readings.push_back(json::object{
          {"point", points[n % points.size()]}, {"ts", t0 + n}, {"value", static_cast<double>(n)}});
    }
    auto r = writer_->post("/api/v1/readings", text(json::object{{"readings", readings}}));
    ASSERT_EQ(r.status, 200) << r.body;
  }
  const auto written = std::chrono::steady_clock::now();
  constexpr int kChanges = 1'100;
  for (int i = 0; i < kChanges; ++i) rename("buildings", depot, "Depot " + std::to_string(i));
  const auto changed = std::chrono::steady_clock::now();

  // Everything the server sends, in order, until it closes.
  std::uint64_t last_seq = 0;
  bool seq_gaps = false;
  std::size_t readings = 0, events = 0, after_closing = 0;
  std::optional<json::object> closing;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!c->closed() && std::chrono::steady_clock::now() < deadline) {
    auto m = c->receive(1000);
    if (!m) continue;
    auto o = json::parse(*m).as_object();
    const auto seq = o.at("seq").to_number<std::uint64_t>();
    seq_gaps = seq_gaps || (last_seq != 0 && seq != last_seq + 1);
    last_seq = seq;
    if (closing) ++after_closing;
    const auto& type = o.at("type").as_string();
    if (type == "readings") ++readings;
    if (type == "event") ++events;
    if (type == "closing") closing = o;
  }
  const auto ms = [](auto d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  };
  const std::string observed = "readings messages " + std::to_string(readings) + ", events " +
                               std::to_string(events) + ", close code " +
                               std::to_string(c->close_code()) +
                               " (closed: " + (c->closed() ? "yes" : "no") +
                               "); writing values took " + std::to_string(ms(written - start)) +
                               " ms, the changes " + std::to_string(ms(changed - written)) + " ms";
  EXPECT_TRUE(c->closed()) << observed;
  EXPECT_EQ(c->close_code(), 4408) << observed;
  ASSERT_TRUE(closing) << "no closing message; " << observed;
  EXPECT_EQ(closing->at("code").to_number<int>(), 4408) << text(*closing);
  EXPECT_FALSE(closing->at("reason").as_string().empty()) << text(*closing);
  EXPECT_EQ(after_closing, 0u) << "closing was not the last message";
  EXPECT_FALSE(seq_gaps) << "a message went missing in between";
  EXPECT_GT(readings, 0u) << observed;
  EXPECT_LT(events, std::size_t{kChanges}) << observed;
}

// A server whose access tokens live 60 s (the shortest allowed), signing
// with a configured secret so the tests can make tokens that expire sooner.
class RealtimeAccessTokenLifetime : public ::testing::Test {
 protected:
  static constexpr const char* kSecret = "realtime-access-test-signing-secret-0123456789";

  static void SetUpTestSuite() {
    tmp_ = std::make_unique<TempDir>();
    server_ = std::make_unique<ServerProcess>(
        tmp_->path() + "/data", std::vector<std::string>{},
        std::map<std::string, std::string>{{"CITYPULSE_AUTH_ACCESS_TOKEN_TTL_S", "60"},
                                           {"CITYPULSE_AUTH_JWT_SECRET", kSecret}});
    started_ = server_->start();
    if (!started_) return;
    HttpClient admin(server_->port());
    ASSERT_EQ(admin.sign_in(kAdminEmail, kAdminPassword).status, 200);
    tenant_ = create_record(admin, "tenants", {{"name", "Short Token Town"}});
    user_ = new_user(admin, tenant_, "carla@short.test", "energy_manager");
    key_ = new_api_key(admin, tenant_, json::array{"readings:read"});
  }

  static void TearDownTestSuite() {
    if (started_) {
      EXPECT_EQ(server_->stop(SIGTERM), 0) << server_->output();
    }
    server_.reset();
    tmp_.reset();
  }

  void SetUp() override { ASSERT_TRUE(started_) << server_->output(); }

  // An access token of the user, signed with the server's key, expiring at
  // `expires_s` (seconds since 1970).
  static std::string token_until(std::int64_t expires_s) {
    const auto now_s = now_ms() / 1000;
    auth::AccessClaims c{.subject = std::to_string(user_),
                         .tenant = tenant_,
                         .roles = {"energy_manager"},
                         .issued_at = now_s,
                         .expires_at = expires_s,
                         .not_before = std::nullopt,
                         .token_id = "rt" + std::to_string(expires_s)};
    return auth::sign_access_token(*auth::SigningKeys::from_secret(kSecret), c);
  }

  static inline std::unique_ptr<TempDir> tmp_;
  static inline std::unique_ptr<ServerProcess> server_;
  static inline bool started_ = false;
  static inline std::int64_t tenant_ = 0, user_ = 0;
  static inline std::string key_;
};

// expires_at is when the signed-in token stops being valid: the sign-in
// time (in whole seconds) plus the configured lifetime; a key without
// expiry has none.
TEST_F(RealtimeAccessTokenLifetime, ExpiresAtIsTheTokensExpiry) {
  const TimeMs before = now_ms();
  const auto signed_in = sign_in(server_->port(), "carla@short.test");
  EXPECT_EQ(signed_in.expires_in, 60);
  json::object authenticated;
  auto c = signed_in_client(server_->port(), signed_in.token, &authenticated);
  const TimeMs after = now_ms();
  const TimeMs expires_at = time_of(authenticated.at("expires_at"));
  EXPECT_GE(expires_at, before / 1000 * 1000 + 60'000) << text(authenticated);
  EXPECT_LE(expires_at, after + 60'000) << text(authenticated);

  json::object with_key;
  auto k = signed_in_client(server_->port(), key_, &with_key);
  EXPECT_TRUE(with_key.at("expires_at").is_null()) << text(with_key);
}

// A token that expires ends its connection with 4401 when it does; a
// connection that authenticated again in time stays open.
TEST_F(RealtimeAccessTokenLifetime, AnExpiredTokenClosesWith4401UnlessRenewed) {
  const auto expiry_s = now_ms() / 1000 + 3;
  const std::string short_token = token_until(expiry_s);
  json::object authenticated;
  auto expiring = signed_in_client(server_->port(), short_token, &authenticated);
  EXPECT_EQ(time_of(authenticated.at("expires_at")), expiry_s * 1000) << text(authenticated);
  auto renewed = signed_in_client(server_->port(), short_token);
  renewed->send(text(json::object{{"type", "auth"}, {"token", token_until(expiry_s + 60)}}));
  const auto again = next(*renewed, {"authenticated", "closing"});
  ASSERT_TRUE(again);
  ASSERT_EQ(again->at("type"), "authenticated") << text(*again);
  EXPECT_EQ(time_of(again->at("expires_at")), (expiry_s + 60) * 1000) << text(*again);

  const auto closing = read_until_closed(*expiring, 10'000);
  const TimeMs closed_at = now_ms();
  EXPECT_TRUE(expiring->closed());
  EXPECT_EQ(expiring->close_code(), 4401);
  ASSERT_TRUE(closing) << "no closing message";
  EXPECT_EQ(closing->at("code").to_number<int>(), 4401) << text(*closing);
  EXPECT_GE(closed_at, expiry_s * 1000 - 100) << "closed before the token expired";

  renewed->send(R"({"type":"ping"})");
  const auto pong = next(*renewed, {"pong", "closing"}, 3000);
  ASSERT_TRUE(pong) << "closed with " << renewed->close_code();
  EXPECT_EQ(pong->at("type"), "pong") << text(*pong);
}

}  // namespace
}  // namespace citypulse::test
