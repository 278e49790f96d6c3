// GET /api/v1/devices/activity on the real binary: every visible device's
// last-seen time and counters in one answer, scoped exactly as the devices
// list is (tenant, building grants, ?building_id=), with the counts the
// single-device route gives, and bad query parameters refused.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <csignal>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "http_client.h"
#include "server_process.h"

namespace citypulse::test {
namespace {

namespace json = boost::json;

constexpr const char* kPassword = "a-long-test-passphrase";

json::object parse(const std::string& body) {
  return json::parse(body).as_object();
}

class DevicesActivity : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = std::make_unique<TempDir>();
    server_ = std::make_unique<ServerProcess>(tmp_->path() + "/data");
    started_ = server_->start();
    if (!started_) return;
    super_ = std::make_unique<HttpClient>(server_->port());
    ASSERT_EQ(super_->sign_in(kAdminEmail, kAdminPassword).status, 200);

    tenant_a_ = create("tenants", {{"name", "Activity Town"}});
    tenant_b_ = create("tenants", {{"name", "Elsewhere"}});
    a1_ =
        create("buildings", {{"tenant_id", tenant_a_}, {"name", "Town hall"}, {"type", "office"}});
    a2_ = create("buildings",
                 {{"tenant_id", tenant_a_}, {"name", "Pool"}, {"type", "swimming_pool"}});
    b1_ = create("buildings", {{"tenant_id", tenant_b_}, {"name", "Depot"}, {"type", "office"}});
    const auto point_a1 = temperature_point(a1_, "hall.temp");
    const auto point_a2 = temperature_point(a2_, "pool.temp");
    const auto point_b1 = temperature_point(b1_, "depot.temp");
    reporting_ = device(tenant_a_, a1_, "Hall sensor", point_a1);
    silent_ = device(tenant_a_, a1_, "Hall spare", point_a1);
    pool_ = device(tenant_a_, a2_, "Pool sensor", point_a2);
    foreign_ = device(tenant_b_, b1_, "Depot sensor", point_b1);

    make_user("admin@activity.test", "tenant_admin", tenant_a_);
    make_user("hall@activity.test", "energy_manager", tenant_a_, a1_);
    admin_ = signed_in("admin@activity.test");
    limited_ = signed_in("hall@activity.test");
  }

  static void TearDownTestSuite() {
    if (started_) {
      EXPECT_EQ(server_->stop(SIGTERM), 0) << server_->output();
    }
    super_.reset();
    admin_.reset();
    limited_.reset();
    server_.reset();
    tmp_.reset();
  }

  void SetUp() override { ASSERT_TRUE(started_) << server_->output(); }

  static std::int64_t create(const std::string& collection, const json::object& body) {
    auto r = super_->post("/api/v1/" + collection, json::serialize(body));
    EXPECT_EQ(r.status, 201) << collection << ": " << r.body;
    return r.status == 201 ? parse(r.body).at("id").as_int64() : 0;
  }

  static std::int64_t temperature_point(std::int64_t building, const std::string& key) {
    return create("points", {{"building_id", building},
                             {"name", key},
                             {"key", key},
                             {"kind", "sensor"},
                             {"quantity", "temperature"},
                             {"unit", "°C"}});
  }

  static std::int64_t device(std::int64_t tenant, std::int64_t building, const std::string& name,
                             std::int64_t point) {
    return create("devices",
                  {{"tenant_id", tenant},
                   {"building_id", building},
                   {"name", name},
                   {"protocol", "http"},
                   {"status", "active"},
                   {"channels", json::array{json::object{{"channel", "t"}, {"point_id", point}}}}});
  }

  static void make_user(const std::string& email, const std::string& role, std::int64_t tenant,
                        std::optional<std::int64_t> building = std::nullopt) {
    json::object body{{"email", email}, {"password", kPassword}, {"role", role}};
    body["tenant_id"] = tenant;
    if (building) body["buildings"] = json::array{*building};
    create("users", body);
  }

  static std::unique_ptr<HttpClient> signed_in(const std::string& email) {
    auto c = std::make_unique<HttpClient>(server_->port());
    EXPECT_EQ(c->sign_in(email, kPassword).status, 200) << email;
    return c;
  }

  static std::string token_of(std::int64_t device) {
    auto r = super_->post("/api/v1/devices/" + std::to_string(device) + "/credentials", "{}");
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? std::string(parse(r.body).at("token").as_string()) : std::string();
  }

  static Reply telemetry(const std::string& token, const std::string& body) {
    HttpClient c(server_->port());
    return c.post("/api/v1/" + token + "/telemetry", body);
  }

  // The answer's items by device id; fails the test unless it is a 200 list
  // in ascending device id.
  static std::map<std::int64_t, json::object> activity(HttpClient& c, const std::string& query) {
    auto r = c.get("/api/v1/devices/activity" + query);
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    std::map<std::int64_t, json::object> out;
    if (r.status != 200) return out;
    std::int64_t previous = 0;
    const auto body = parse(r.body);
    for (const auto& item : body.at("items").as_array()) {
      const auto& o = item.as_object();
      const auto id = o.at("device_id").as_int64();
      EXPECT_GT(id, previous) << "not in ascending device id: " << r.body;
      previous = id;
      out[id] = o;
    }
    return out;
  }

  static std::vector<std::int64_t> ids(const std::map<std::int64_t, json::object>& items) {
    std::vector<std::int64_t> out;
    for (const auto& [id, item] : items) out.push_back(id);
    return out;
  }

  static inline std::unique_ptr<TempDir> tmp_;
  static inline std::unique_ptr<ServerProcess> server_;
  static inline bool started_ = false;
  static inline std::unique_ptr<HttpClient> super_, admin_, limited_;
  static inline std::int64_t tenant_a_ = 0, tenant_b_ = 0, a1_ = 0, a2_ = 0, b1_ = 0;
  static inline std::int64_t reporting_ = 0, silent_ = 0, pool_ = 0, foreign_ = 0;
};

TEST_F(DevicesActivity, CountsFollowTheReadingsSent) {
  const auto before = activity(*admin_, "");
  ASSERT_TRUE(before.count(reporting_));
  const auto token = token_of(reporting_);
  // Two messages: three readings taken, one refused (no such channel).
  auto r = telemetry(token, R"({"t": 20.5})");
  ASSERT_EQ(r.status, 200) << r.body;
  r = telemetry(token, R"([{"ts": 1767225600000, "values": {"t": 19}}, {"t": 21, "nope": 1}])");
  ASSERT_EQ(r.status, 200) << r.body;

  const auto after = activity(*admin_, "");
  ASSERT_TRUE(after.count(reporting_)) << "the reporting device is not listed";
  const auto& was = before.at(reporting_);
  const auto& now = after.at(reporting_);
  EXPECT_EQ(now.at("messages").as_int64(), was.at("messages").as_int64() + 2);
  EXPECT_EQ(now.at("readings").as_int64(), was.at("readings").as_int64() + 3);
  EXPECT_EQ(now.at("rejected").as_int64(), was.at("rejected").as_int64() + 1);
  ASSERT_TRUE(now.at("last_seen_at").is_string()) << json::serialize(now);

  // The same numbers as the single device's route.
  auto one = admin_->get("/api/v1/devices/" + std::to_string(reporting_) + "/activity");
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(json::value(parse(one.body)), json::value(now));

  // A device that never sent anything is listed with nothing counted.
  ASSERT_TRUE(after.count(silent_));
  const auto& silent = after.at(silent_);
  EXPECT_TRUE(silent.at("last_seen_at").is_null());
  EXPECT_EQ(silent.at("messages").as_int64(), 0);
  EXPECT_EQ(silent.at("readings").as_int64(), 0);
  EXPECT_EQ(silent.at("rejected").as_int64(), 0);
}

TEST_F(DevicesActivity, CountsSurviveTheirWriteToTheStore) {
  const auto token = token_of(pool_);
  ASSERT_EQ(telemetry(token, R"({"t": 28})").status, 200);
  const auto first = activity(*admin_, "").at(pool_).at("messages").as_int64();
  ASSERT_GE(first, 1);
  // The pipeline writes its counters every 5 s; asked meanwhile and after,
  // the answer never shrinks.
  for (int i = 0; i < 30; ++i) {
    const auto now = activity(*admin_, "").at(pool_).at("messages").as_int64();
    ASSERT_EQ(now, first) << "after " << i * 250 << " ms";
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

TEST_F(DevicesActivity, ListsExactlyTheDevicesTheCallerSees) {
  using Ids = std::vector<std::int64_t>;
  // The tenant's admin: its three devices, not the other tenant's.
  EXPECT_EQ(ids(activity(*admin_, "")), (Ids{reporting_, silent_, pool_}));
  // Limited to the town hall: that building's devices only, as in the devices list.
  EXPECT_EQ(ids(activity(*limited_, "")), (Ids{reporting_, silent_}));
  auto listed = limited_->get("/api/v1/devices");
  ASSERT_EQ(listed.status, 200) << listed.body;
  Ids in_list;
  const auto list = parse(listed.body);
  for (const auto& d : list.at("items").as_array()) in_list.push_back(d.at("id").as_int64());
  EXPECT_EQ(in_list, (Ids{reporting_, silent_}));
  // ?building_id= narrows; a building outside the grants or the tenant is empty.
  EXPECT_EQ(ids(activity(*admin_, "?building_id=" + std::to_string(a2_))), (Ids{pool_}));
  EXPECT_EQ(ids(activity(*admin_, "?building_id=" + std::to_string(a1_))),
            (Ids{reporting_, silent_}));
  EXPECT_TRUE(activity(*limited_, "?building_id=" + std::to_string(a2_)).empty());
  EXPECT_TRUE(activity(*admin_, "?building_id=" + std::to_string(b1_)).empty());
  // The superadmin sees every tenant's.
  const auto all = activity(*super_, "");
  for (auto id : {reporting_, silent_, pool_, foreign_}) EXPECT_TRUE(all.count(id)) << id;
  // And the single route still answers for one id (the literal segment does
  // not swallow it), 404 outside the scope.
  EXPECT_EQ(admin_->get("/api/v1/devices/" + std::to_string(foreign_) + "/activity").status, 404);
  EXPECT_EQ(limited_->get("/api/v1/devices/" + std::to_string(pool_) + "/activity").status, 404);
}

TEST_F(DevicesActivity, BadQueryParametersAreRefused) {
  for (const std::string query : {"?limit=10", "?building=1", "?building_id=abc", "?building_id=0",
                                  "?building_id=-3", "?building_id="}) {
    auto r = admin_->get("/api/v1/devices/activity" + query);
    EXPECT_EQ(r.status, 400) << query << ": " << r.body;
    EXPECT_EQ(r.header("Content-Type"), "application/problem+json") << query;
    if (r.status != 400) continue;
    const auto body = parse(r.body);
    EXPECT_EQ(body.at("status"), 400) << r.body;
    const auto name = query.substr(1, query.find('=') - 1);
    EXPECT_NE(std::string(body.at("detail").as_string()).find(name), std::string::npos)
        << "the detail does not name '" << name << "': " << r.body;
  }
  // Without credentials: 401, like every other route.
  HttpClient anonymous(server_->port());
  EXPECT_EQ(anonymous.get("/api/v1/devices/activity").status, 401);
}

}  // namespace
}  // namespace citypulse::test
