// The realtime WebSocket API on the real binary (docs/realtime.md), with a
// real WebSocket client: authentication (in time, with a good token), point
// and building subscriptions answered with a snapshot and then the values
// as they are written, other tenants' points refused as if they did not
// exist, resume after a dropped connection with exactly the missed values,
// resync when what was missed is not held, and the close on shutdown.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <csignal>
#include <functional>
#include <optional>
#include <set>
#include <string>

#include "admin_api.h"
#include "http_client.h"
#include "realtime_messages.h"
#include "server_process.h"
#include "ws_test_client.h"

namespace citypulse::test {
namespace {

namespace json = boost::json;

std::string text(const json::value& v) {
  return json::serialize(v);
}

class Realtime : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = std::make_unique<TempDir>();
    server_ = std::make_unique<ServerProcess>(tmp_->path() + "/data");
    started_ = server_->start();
    if (!started_) return;
    admin_ = std::make_unique<HttpClient>(server_->port());
    ASSERT_EQ(admin_->sign_in(kAdminEmail, kAdminPassword).status, 200);
    tenant_ = create_record(*admin_, "tenants", {{"name", "Live Town"}});
    other_tenant_ = create_record(*admin_, "tenants", {{"name", "Other Live Town"}});
    school_ = create_record(*admin_, "buildings",
                            {{"tenant_id", tenant_}, {"name", "School"}, {"type", "school"}});
    pool_ = create_record(*admin_, "buildings",
                          {{"tenant_id", tenant_}, {"name", "Pool"}, {"type", "swimming_pool"}});
    const auto other_building = create_record(
        *admin_, "buildings", {{"tenant_id", other_tenant_}, {"name", "Hall"}, {"type", "other"}});
    room_ = point(school_, "Room 1", "live.room1");
    hall_ = point(school_, "Hall", "live.hall");
    water_ = point(pool_, "Water", "live.water");
    foreign_ = point(other_building, "Foreign", "live.foreign");
    key_ = new_api_key(*admin_, tenant_, json::array{"readings:read", "readings:write"});
    writer_ = std::make_unique<HttpClient>(server_->port());
    writer_->set_authorization("ApiKey " + key_);
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

  static std::unique_ptr<WsTestClient> signed_in(const std::string& token,
                                                 json::object* answer = nullptr) {
    return signed_in_client(server_->port(), token, answer);
  }

  static std::optional<json::object> next(WsTestClient& c, const std::string& type,
                                          int timeout_ms = 10'000) {
    return next_message(c, type, timeout_ms);
  }

  // Values of `point` in readings messages until `until` holds for them.
  static std::set<double> values_until(WsTestClient& c, std::int64_t point,
                                       const std::function<bool(const std::set<double>&)>& until,
                                       json::object* last = nullptr) {
    std::set<double> seen;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!until(seen) && std::chrono::steady_clock::now() < deadline) {
      auto m = next(c, "readings", 500);
      if (!m) continue;
      for (const auto& v : m->at("values").as_array())
        if (v.at("point").as_int64() == point) seen.insert(v.at("value").to_number<double>());
      if (last) *last = *m;
    }
    return seen;
  }

  static inline std::unique_ptr<TempDir> tmp_;
  static inline std::unique_ptr<ServerProcess> server_;
  static inline std::unique_ptr<HttpClient> admin_, writer_;
  static inline bool started_ = false;
  static inline std::int64_t tenant_ = 0, other_tenant_ = 0, school_ = 0, pool_ = 0;
  static inline std::int64_t room_ = 0, hall_ = 0, water_ = 0, foreign_ = 0;
  static inline std::string key_;
};

TEST_F(Realtime, NoAuthInTimeClosesWith4401) {
  WsTestClient c(server_->port(), "/api/v1/ws");
  const auto start = std::chrono::steady_clock::now();
  while (!c.closed() && std::chrono::steady_clock::now() - start < std::chrono::seconds(10))
    c.receive(500);
  EXPECT_TRUE(c.closed());
  EXPECT_EQ(c.close_code(), 4401);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(4500));
}

TEST_F(Realtime, ABadTokenOrAnotherFirstMessageClosesWith4401) {
  {
    WsTestClient c(server_->port(), "/api/v1/ws");
    c.send(R"({"type":"auth","token":"nope.nope"})");
    EXPECT_FALSE(next(c, "authenticated", 3000));
    EXPECT_EQ(c.close_code(), 4401);
  }
  {
    WsTestClient c(server_->port(), "/api/v1/ws");
    c.send(text(json::object{{"type", "subscribe"}, {"id", "s"}, {"points", {room_}}}));
    EXPECT_FALSE(next(c, "subscribed", 3000));
    EXPECT_EQ(c.close_code(), 4401);
  }
}

// A subscription is answered with the latest values, then each value as it
// is written.
TEST_F(Realtime, APointSubscriptionGetsASnapshotThenTheNewValues) {
  write(room_, 1'760'000'000'000, 20.5);
  auto c = signed_in(key_);
  c->send(text(json::object{{"type", "subscribe"}, {"id", "s1"}, {"points", {room_}}}));
  auto subscribed = next(*c, "subscribed");
  ASSERT_TRUE(subscribed);
  EXPECT_EQ(subscribed->at("id").as_string(), "s1");
  const auto& snapshot = subscribed->at("values").as_array();
  ASSERT_EQ(snapshot.size(), 1u) << text(*subscribed);
  EXPECT_EQ(snapshot[0].at("point").as_int64(), room_);
  EXPECT_GE(snapshot[0].at("value").to_number<double>(), 20.5);

  write(room_, 1'760'000'060'000, 21.25);
  write(hall_, 1'760'000'060'000, 99.0);  // not subscribed
  json::object last;
  const auto seen = values_until(
      *c, room_, [](const auto& s) { return s.contains(21.25); }, &last);
  EXPECT_TRUE(seen.contains(21.25));
  EXPECT_GT(last.at("event").to_number<std::uint64_t>(), 0u);
  EXPECT_GT(last.at("seq").to_number<std::uint64_t>(),
            subscribed->at("seq").to_number<std::uint64_t>());
  for (const auto& v : last.at("values").as_array()) EXPECT_EQ(v.at("point").as_int64(), room_);
}

TEST_F(Realtime, ABuildingSubscriptionGetsEveryPointOfTheBuilding) {
  auto c = signed_in(key_);
  c->send(text(json::object{{"type", "subscribe"}, {"id", "pool"}, {"buildings", {pool_}}}));
  ASSERT_TRUE(next(*c, "subscribed"));
  write(water_, 1'760'000'120'000, 27.5);
  write(room_, 1'760'000'120'000, 22.0);  // the school's: not subscribed
  const auto seen = values_until(*c, water_, [](const auto& s) { return s.contains(27.5); });
  EXPECT_TRUE(seen.contains(27.5));
}

// Another tenant's point is refused exactly as a point that does not exist.
// With max_rate, a point's values come at most that often; those written
// in between are skipped but the latest always arrives.
TEST_F(Realtime, AMaxRateSubscriptionGetsAtMostThatManyValuesAndTheLatest) {
  auto c = signed_in(key_);
  c->send(text(
      json::object{{"type", "subscribe"}, {"id", "slow"}, {"points", {hall_}}, {"max_rate", 2}}));
  ASSERT_TRUE(next(*c, "subscribed"));
  const auto start = std::chrono::steady_clock::now();
  constexpr int kWrites = 30;
  for (int i = 1; i <= kWrites; ++i) write(hall_, 1'760'000'200'000 + i * 1000, 1000 + i);
  const auto seen =
      values_until(*c, hall_, [](const auto& s) { return s.contains(1000 + kWrites); });
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_TRUE(seen.contains(1000 + kWrites));
  // At 2 a second: one at once, then one every half second.
  EXPECT_LE(static_cast<double>(seen.size()), 2 + 2 * seconds) << seconds << " s";
  EXPECT_LT(seen.size(), static_cast<std::size_t>(kWrites));
}

// A client offering permessage-deflate gets it, and large messages (here a
// snapshot) arrive whole through it.
TEST_F(Realtime, PermessageDeflateIsAgreedAndCarriesLargeMessages) {
  WsTestClient plain(server_->port(), "/api/v1/ws");
  EXPECT_EQ(plain.extensions(), "");
  WsTestClient c(server_->port(), "/api/v1/ws", true);
  EXPECT_NE(c.extensions().find("permessage-deflate"), std::string::npos) << c.extensions();
  EXPECT_NE(c.extensions().find("server_max_window_bits=12"), std::string::npos) << c.extensions();
  write(room_, 1'760'000'300'000, 23.5);
  write(water_, 1'760'000'300'000, 26.5);
  c.send(text(json::object{{"type", "auth"}, {"token", key_}}));
  ASSERT_TRUE(next(c, "authenticated"));
  // Over 512 bytes: compressed. The same ids many times over are one each.
  json::array ids;
  for (int i = 0; i < 300; ++i) ids.push_back(i % 2 ? room_ : water_);
  c.send(text(json::object{{"type", "subscribe"}, {"id", "z"}, {"points", ids}}));
  auto subscribed = next(c, "subscribed");
  ASSERT_TRUE(subscribed);
  EXPECT_EQ(subscribed->at("values").as_array().size(), 2u) << text(*subscribed);
  c.send(text(json::object{{"type", "subscribe"}, {"id", "b"}, {"buildings", {school_, pool_}}}));
  ASSERT_TRUE(next(c, "subscribed"));
  json::array many;
  for (int i = 0; i < 400; ++i)
    many.push_back(json::object{
        {"point", i % 2 ? room_ : water_}, {"ts", 1'760'000'400'000 + i * 1000}, {"value", i}});
  ASSERT_EQ(writer_->post("/api/v1/readings", text(json::object{{"readings", many}})).status, 200);
  // Every value once, though both subscriptions name its point.
  std::size_t values = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (values < 400 && std::chrono::steady_clock::now() < deadline)
    if (auto m = next(c, "readings", 500)) values += m->at("values").as_array().size();
  while (auto m = next(c, "readings", 500)) values += m->at("values").as_array().size();
  EXPECT_EQ(values, 400u);
}

TEST_F(Realtime, AnotherTenantsPointIsRefusedAsIfItDidNotExist) {
  auto c = signed_in(key_);
  c->send(text(json::object{{"type", "subscribe"}, {"id", "x"}, {"points", {foreign_}}}));
  auto foreign = next(*c, "error");
  c->send(text(json::object{{"type", "subscribe"}, {"id", "x"}, {"points", {99'999'999}}}));
  auto missing = next(*c, "error");
  ASSERT_TRUE(foreign && missing);
  EXPECT_EQ(foreign->at("code"), "not_found");
  EXPECT_EQ(missing->at("code"), "not_found");
  auto said = [](json::object o, std::int64_t id) {
    std::string m(o.at("message").as_string());
    return m.replace(m.find(std::to_string(id)), std::to_string(id).size(), "N");
  };
  EXPECT_EQ(said(*foreign, foreign_), said(*missing, 99'999'999));
  // Bad messages get an error naming the member, and the connection stays.
  c->send(R"({"type":"subscribe","id":"y","points":[-1]})");
  auto bad = next(*c, "error");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->at("field"), "/points/0");
  c->send(R"({"type":"ping"})");
  EXPECT_TRUE(next(*c, "pong"));
}

// After a dropped connection, resume from the last event seen gives exactly
// the values written meanwhile.
TEST_F(Realtime, ResumeGivesTheMissedValues) {
  std::uint64_t seen_event = 0;
  {
    auto c = signed_in(key_);
    c->send(text(json::object{{"type", "subscribe"}, {"id", "h"}, {"points", {hall_}}}));
    ASSERT_TRUE(next(*c, "subscribed"));
    write(hall_, 1'760'000'200'000, 30.0);
    json::object last;
    values_until(
        *c, hall_, [](const auto& s) { return s.contains(30.0); }, &last);
    seen_event = last.at("event").to_number<std::uint64_t>();
    c->close();
  }
  write(hall_, 1'760'000'260'000, 31.0);
  write(hall_, 1'760'000'320'000, 32.0);
  auto c = signed_in(key_);
  c->send(text(json::object{{"type", "subscribe"}, {"id", "h"}, {"points", {hall_}}}));
  ASSERT_TRUE(next(*c, "subscribed"));
  c->send(text(json::object{{"type", "resume"}, {"after", seen_event}}));
  std::multiset<double> replayed;
  while (auto m = c->receive(3000)) {
    auto o = json::parse(*m).as_object();
    if (o.at("type") == "resumed") break;
    if (o.at("type") == "readings") {
      EXPECT_TRUE(o.at("replay").as_bool());
      for (const auto& v : o.at("values").as_array())
        replayed.insert(v.at("value").to_number<double>());
    }
  }
  EXPECT_EQ(replayed, (std::multiset<double>{31.0, 32.0}));

  // An id the server no longer holds (or never gave): resynchronise.
  c->send(R"({"type":"resume","after":1})");
  EXPECT_TRUE(next(*c, "resync"));
}

TEST_F(Realtime, UnsubscribedValuesStopComing) {
  auto c = signed_in(key_);
  c->send(text(json::object{{"type", "subscribe"}, {"id", "u"}, {"points", {room_}}}));
  ASSERT_TRUE(next(*c, "subscribed"));
  c->send(R"({"type":"unsubscribe","id":"u"})");
  ASSERT_TRUE(next(*c, "unsubscribed"));
  write(room_, 1'760'000'400'000, 40.0);
  EXPECT_FALSE(next(*c, "readings", 1000));
  c->send(R"({"type":"unsubscribe","id":"u"})");
  EXPECT_TRUE(next(*c, "error"));
}

// Changes to the asset model reach subscribers of asset_changed, for their
// own tenant only.
TEST_F(Realtime, AssetChangesAreEvents) {
  auto c = signed_in(new_api_key(*admin_, tenant_, json::array{"assets:read"}));
  c->send(R"({"type":"subscribe","id":"assets","events":["asset_changed"]})");
  ASSERT_TRUE(next(*c, "subscribed"));
  auto r = admin_->patch("/api/v1/buildings/" + std::to_string(pool_), R"({"name":"Pool 2"})");
  ASSERT_EQ(r.status, 200) << r.body;
  r = admin_->post(
      "/api/v1/buildings",
      text(json::object{{"tenant_id", other_tenant_}, {"name", "Elsewhere"}, {"type", "other"}}));
  ASSERT_EQ(r.status, 201) << r.body;
  auto e = next(*c, "event");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->at("kind"), "asset_changed");
  EXPECT_EQ(e->at("building_id").as_int64(), pool_);
  const auto& details = e->at("details").as_object();
  EXPECT_EQ(details.at("collection"), "buildings");
  EXPECT_EQ(details.at("id").as_int64(), pool_);
  EXPECT_EQ(details.at("action"), "changed");
  // The other tenant's new building is not this client's to see.
  auto more = next(*c, "event", 1000);
  EXPECT_FALSE(more) << text(*more);
}

// A client that does not read while values pour in is not sent every value:
// the server holds back once its socket is full and keeps only the latest
// value of each point, so the client ends up with every point's last value
// and far fewer messages than were written; ingest never waited for it.
TEST_F(Realtime, ASlowClientGetsTheLatestValueOfEachPoint) {
  auto c = signed_in(key_);
  c->send(text(json::object{{"type", "subscribe"}, {"id", "slow"}, {"points", {room_, hall_}}}));
  ASSERT_TRUE(next(*c, "subscribed"));
  constexpr int kBatches = 40, kEach = 5000;
  const std::int64_t t0 = 1'761'000'000'000;
  for (int b = 0; b < kBatches; ++b) {
    json::array readings;
    for (int i = 0; i < kEach; ++i) {
      const int n = b * kEach + i;
      readings.push_back(json::object{
          {"point", n % 2 ? hall_ : room_}, {"ts", t0 + n}, {"value", static_cast<double>(n)}});
    }
    auto r = writer_->post("/api/v1/readings", text(json::object{{"readings", readings}}));
    ASSERT_EQ(r.status, 200) << r.body;
  }
  const double last_room = kBatches * kEach - 2, last_hall = kBatches * kEach - 1;
  std::size_t values = 0;
  bool room_done = false, hall_done = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!(room_done && hall_done) && std::chrono::steady_clock::now() < deadline) {
    auto m = next(*c, "readings", 1000);
    if (!m) continue;
    for (const auto& v : m->at("values").as_array()) {
      ++values;
      const double value = v.at("value").to_number<double>();
      room_done = room_done || (v.at("point").as_int64() == room_ && value == last_room);
      hall_done = hall_done || (v.at("point").as_int64() == hall_ && value == last_hall);
    }
  }
  EXPECT_TRUE(room_done && hall_done);
  EXPECT_LT(values, std::size_t{kBatches * kEach}) << "nothing was coalesced";
}

// Shutting the server down closes every realtime connection with 1001.
TEST(RealtimeShutdown, StoppingTheServerClosesWith1001) {
  TempDir tmp;
  ServerProcess server(tmp.path() + "/data");
  ASSERT_TRUE(server.start()) << server.output();
  WsTestClient waiting(server.port(), "/api/v1/ws");
  EXPECT_FALSE(waiting.receive(200));  // open, waiting for its auth message
  const pid_t pid = server.pid();
  ::kill(pid, SIGTERM);
  for (int i = 0; i < 20 && !waiting.closed(); ++i) waiting.receive(500);
  EXPECT_TRUE(waiting.closed());
  EXPECT_EQ(waiting.close_code(), 1001);
  EXPECT_EQ(server.stop(SIGTERM), 0) << server.output();
}

}  // namespace
}  // namespace citypulse::test
