// Rules and alarms on the real binary (docs/alarms.md): a rule saved at
// /api/v1/rules (expressions checked with the position of a mistake),
// readings posted through the ingest API raise an alarm that the alarms API
// shows and the operator acknowledges, shelves and comments on; the
// condition clearing closes it; actions that do not apply are 409; a
// restart keeps the open alarm and its condition; and one tenant never
// sees another's rules or alarms.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <csignal>
#include <functional>
#include <string>
#include <thread>

#include "admin_api.h"
#include "core/time.h"
#include "http_client.h"
#include "realtime_messages.h"
#include "server_process.h"
#include "ws_test_client.h"

namespace citypulse::test {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

class Alarms : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(tmp_.path() + "/data");
    ASSERT_TRUE(server_->start()) << server_->output();
    admin_ = std::make_unique<HttpClient>(server_->port());
    ASSERT_EQ(admin_->sign_in(kAdminEmail, kAdminPassword).status, 200);
    tenant_ = create_record(*admin_, "tenants", {{"name", "Alarm Town"}});
    other_tenant_ = create_record(*admin_, "tenants", {{"name", "Quiet Town"}});
    school_ = create_record(*admin_, "buildings",
                            {{"tenant_id", tenant_}, {"name", "School"}, {"type", "school"}});
    room_ = create_point(*admin_, school_, "Room 1", "alarm.room1");
    hall_ = create_point(*admin_, school_, "Hall", "alarm.hall");
    key_ = new_api_key(*admin_, tenant_, json::array{"readings:write"});
    connect_writer();
  }

  // Readings belong to a tenant: they are written with its key.
  void connect_writer() {
    writer_ = std::make_unique<HttpClient>(server_->port());
    writer_->set_authorization("ApiKey " + key_);
  }
  void write(std::int64_t point, std::int64_t t, double value) {
    write_reading(*writer_, point, t, value);
  }
  void TearDown() override {
    if (server_) {
      EXPECT_EQ(server_->stop(SIGTERM), 0) << server_->output();
    }
  }

  void restart() {
    ASSERT_EQ(server_->stop(SIGTERM), 0) << server_->output();
    server_ = std::make_unique<ServerProcess>(tmp_.path() + "/data");
    ASSERT_TRUE(server_->start()) << server_->output();
    admin_ = std::make_unique<HttpClient>(server_->port());
    ASSERT_EQ(admin_->sign_in(kAdminEmail, kAdminPassword).status, 200);
    connect_writer();
  }

  // The alarms of the rule, newest first, once `done` holds for them (or
  // after 10 s, for the test to fail on).
  json::array alarms_until(std::int64_t rule, const std::function<bool(const json::array&)>& done) {
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    json::array items;
    for (;;) {
      auto r = admin_->get("/api/v1/alarms?rule_id=" + std::to_string(rule));
      EXPECT_EQ(r.status, 200) << r.body;
      items = json::parse(r.body).at("items").as_array();
      if (done(items) || Clock::now() > deadline) return items;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  std::int64_t threshold_rule(double threshold) {
    return create_record(*admin_, "rules",
                         {{"tenant_id", tenant_},
                          {"name", "Too warm"},
                          {"type", "threshold_high"},
                          {"severity", "major"},
                          {"building_id", school_},
                          {"quantity", "temperature"},
                          {"threshold", threshold},
                          {"deadband", 0.5},
                          {"message", "{point} is {value} {unit}, above {threshold}"},
                          {"action", "Check the heating valve of the room."}});
  }

  TempDir tmp_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> admin_, writer_;
  std::string key_;
  std::int64_t tenant_ = 0, other_tenant_ = 0, school_ = 0, room_ = 0, hall_ = 0;
};

TEST_F(Alarms, AReadingRaisesAnAlarmTheOperatorAcknowledgesAndTheConditionCloses) {
  const auto rule = threshold_rule(26);
  ASSERT_GT(rule, 0);
  const auto t0 = now_ms() - 60'000;
  write(room_, t0, 24);
  write(room_, t0 + 1000, 27.5);
  auto items = alarms_until(rule, [](const json::array& a) { return !a.empty(); });
  ASSERT_EQ(items.size(), 1u);
  const auto& alarm = items[0].as_object();
  const auto id = alarm.at("id").as_int64();
  EXPECT_EQ(alarm.at("point_id").as_int64(), room_);
  EXPECT_EQ(alarm.at("building_id").as_int64(), school_);
  EXPECT_EQ(alarm.at("severity").as_string(), "major");
  EXPECT_EQ(alarm.at("state").as_string(), "active_unacknowledged");
  EXPECT_EQ(alarm.at("message").as_string(), "Room 1 is 27.5 °C, above 26");
  EXPECT_EQ(alarm.at("value").as_double(), 27.5);

  // The summary counts it against the building.
  auto summary = json::parse(admin_->get("/api/v1/alarms/summary").body).as_object();
  EXPECT_EQ(summary.at("open").as_int64(), 1);
  EXPECT_EQ(summary.at("unacknowledged").as_int64(), 1);
  EXPECT_EQ(summary.at("buildings").as_array()[0].at("worst_severity").as_string(), "major");

  const std::string base = "/api/v1/alarms/" + std::to_string(id);
  auto ack = admin_->post(base + "/acknowledge", R"({"comment":"on my way"})");
  ASSERT_EQ(ack.status, 200) << ack.body;
  EXPECT_EQ(json::parse(ack.body).at("state").as_string(), "active_acknowledged");
  // Acknowledging twice does not apply.
  auto again = admin_->post(base + "/acknowledge", "");
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_NE(again.header("Content-Type").find("problem+json"), std::string::npos);

  // Within the deadband the condition holds; below it the alarm closes.
  write(room_, t0 + 2000, 25.8);
  write(room_, t0 + 3000, 25.2);
  items = alarms_until(rule, [](const json::array& a) {
    return !a.empty() && a[0].at("state").as_string() == "normal";
  });
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("state").as_string(), "normal");
  EXPECT_FALSE(items[0].at("closed_at").is_null());

  // A closed alarm takes comments, nothing else.
  EXPECT_EQ(admin_->post(base + "/comments", R"({"text":"valve replaced"})").status, 200);
  EXPECT_EQ(admin_->post(base + "/shelve", R"({"reason":"x","duration_s":600})").status, 409);

  auto history = json::parse(admin_->get(base + "/history").body).at("items").as_array();
  std::vector<std::string> kinds;
  for (const auto& n : history) kinds.emplace_back(n.at("kind").as_string());
  EXPECT_EQ(kinds, (std::vector<std::string>{"raised", "acknowledged", "closed", "commented"}));
  EXPECT_EQ(history[1].at("text").as_string(), "on my way");

  // The operator's actions are in the audit log.
  auto audit = admin_->get("/api/v1/audit?resource=alarms");
  EXPECT_NE(audit.body.find("acknowledge"), std::string::npos) << audit.body;
}

TEST_F(Alarms, RepeatsCountOnTheOpenAlarmAndAShelfHidesIt) {
  const auto rule = threshold_rule(26);
  const auto t0 = now_ms() - 60'000;
  write(room_, t0, 27);
  write(room_, t0 + 1000, 25);  // cleared, unacknowledged
  write(room_, t0 + 2000, 28);  // back: a repeat of the same alarm
  auto items = alarms_until(
      rule, [](const json::array& a) { return !a.empty() && a[0].at("count").as_int64() == 2; });
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("state").as_string(), "active_unacknowledged");
  EXPECT_EQ(items[0].at("value").to_number<double>(), 28);
  const std::string base = "/api/v1/alarms/" + std::to_string(items[0].at("id").as_int64());

  // A shelf needs a reason and an expiry in the future.
  EXPECT_EQ(admin_->post(base + "/shelve", R"({"duration_s":600})").status, 422);
  EXPECT_EQ(
      admin_->post(base + "/shelve", R"({"reason":"x","until":"2001-01-01T00:00:00Z"})").status,
      422);
  auto shelved = admin_->post(base + "/shelve", R"({"reason":"sensor swap","duration_s":600})");
  ASSERT_EQ(shelved.status, 200) << shelved.body;
  EXPECT_EQ(json::parse(shelved.body).at("state").as_string(), "shelved");
  EXPECT_EQ(admin_->post(base + "/shelve", R"({"reason":"x","duration_s":600})").status, 409);
  auto summary = json::parse(admin_->get("/api/v1/alarms/summary").body).as_object();
  EXPECT_TRUE(summary.at("buildings").as_array()[0].at("worst_severity").is_null());
  // Back from the shelf while the condition holds: announced again.
  auto back = admin_->post(base + "/unshelve", "");
  ASSERT_EQ(back.status, 200) << back.body;
  EXPECT_EQ(json::parse(back.body).at("state").as_string(), "active_unacknowledged");
}

TEST_F(Alarms, ExpressionsAreCheckedWhenSavedAndRaiseOverSeveralPoints) {
  auto bad =
      admin_->post("/api/v1/rules", json::serialize(json::object{{"tenant_id", tenant_},
                                                                 {"name", "Difference"},
                                                                 {"type", "expression"},
                                                                 {"expression", "p1 - > 2"}}));
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.body.find("/expression/5"), std::string::npos) << bad.body;
  auto unknown =
      admin_->post("/api/v1/rules", json::serialize(json::object{{"tenant_id", tenant_},
                                                                 {"name", "Difference"},
                                                                 {"type", "expression"},
                                                                 {"expression", "p999999 > 2"}}));
  EXPECT_EQ(unknown.status, 422) << unknown.body;

  const std::string expression =
      "p" + std::to_string(room_) + " - p" + std::to_string(hall_) + " > 3";
  const auto rule = create_record(*admin_, "rules",
                                  {{"tenant_id", tenant_},
                                   {"name", "Rooms apart"},
                                   {"type", "expression"},
                                   {"building_id", school_},
                                   {"expression", expression}});
  ASSERT_GT(rule, 0);
  const auto t0 = now_ms() - 60'000;
  write(hall_, t0, 20);
  write(room_, t0 + 1000, 22);
  write(room_, t0 + 2000, 24.5);
  auto items = alarms_until(rule, [](const json::array& a) { return !a.empty(); });
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("point_id").as_int64(), room_);  // the expression's first point
  EXPECT_EQ(items[0].at("state").as_string(), "active_unacknowledged");
}

// A form checks a rule as it is typed: /rules/validate answers as create
// would (the expression's mistake at its position, a type's missing
// parameter) and stores nothing; it needs alarms:manage.
TEST_F(Alarms, ValidateAnswersAsCreateWouldAndStoresNothing) {
  const auto rule_body = [&](const std::string& expression) {
    return json::serialize(json::object{{"tenant_id", tenant_},
                                        {"name", "Draft"},
                                        {"type", "expression"},
                                        {"building_id", school_},
                                        {"expression", expression}});
  };
  auto bad = admin_->post("/api/v1/rules/validate", rule_body("p1 - > 2"));
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.body.find("/expression/5"), std::string::npos) << bad.body;
  EXPECT_EQ(admin_->post("/api/v1/rules/validate", rule_body("p999999 > 2")).status, 422);
  auto missing = admin_->post("/api/v1/rules/validate",
                              json::serialize(json::object{{"tenant_id", tenant_},
                                                           {"name", "No limit"},
                                                           {"type", "threshold_high"},
                                                           {"point_id", room_}}));
  EXPECT_EQ(missing.status, 422) << missing.body;
  EXPECT_NE(missing.body.find("threshold"), std::string::npos) << missing.body;

  auto good =
      admin_->post("/api/v1/rules/validate", rule_body("p" + std::to_string(room_) + " > 30"));
  ASSERT_EQ(good.status, 200) << good.body;
  EXPECT_TRUE(json::parse(good.body).at("valid").as_bool());
  auto listed = admin_->get("/api/v1/rules?tenant_id=" + std::to_string(tenant_));
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_TRUE(json::parse(listed.body).at("items").as_array().empty()) << listed.body;

  HttpClient viewer(server_->port());
  viewer.set_authorization("ApiKey " + new_api_key(*admin_, tenant_, json::array{"alarms:read"}));
  EXPECT_EQ(viewer.post("/api/v1/rules/validate", rule_body("p1 > 2")).status, 403);
}

// occupied() follows the building's occupancy sensors.
TEST_F(Alarms, OccupiedFollowsTheBuildingsOccupancySensors) {
  const auto presence = create_record(*admin_, "points",
                                      {{"building_id", school_},
                                       {"name", "Presence"},
                                       {"kind", "sensor"},
                                       {"quantity", "occupancy"},
                                       {"unit", "count"}});
  ASSERT_GT(presence, 0);
  const auto rule =
      create_record(*admin_, "rules",
                    {{"tenant_id", tenant_},
                     {"name", "Warm while empty"},
                     {"type", "expression"},
                     {"expression", "p" + std::to_string(room_) + " > 24 and not occupied()"}});
  ASSERT_GT(rule, 0);
  const auto t0 = now_ms() - 60'000;
  write(presence, t0, 12);
  write(room_, t0 + 1000, 26);  // warm, but people are there
  write(presence, t0 + 2000, 0);
  write(room_, t0 + 3000, 26.5);  // warm and empty
  auto items = alarms_until(rule, [](const json::array& a) { return !a.empty(); });
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("value").to_number<double>(), 26.5);
}

TEST_F(Alarms, AnOpenAlarmSurvivesARestartAndClosesWhenItsRuleIsDisabled) {
  const auto rule = threshold_rule(26);
  const auto t0 = now_ms() - 60'000;
  write(room_, t0, 30);
  auto items = alarms_until(rule, [](const json::array& a) { return !a.empty(); });
  ASSERT_EQ(items.size(), 1u);
  const auto id = items[0].at("id").as_int64();
  restart();
  // The condition is still taken as present: a reading below the limit
  // returns the alarm (unacknowledged), not a new raise.
  write(room_, t0 + 1000, 22);
  items = alarms_until(rule, [](const json::array& a) {
    return !a.empty() && a[0].at("state").as_string() == "returned_unacknowledged";
  });
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("id").as_int64(), id);
  EXPECT_EQ(items[0].at("state").as_string(), "returned_unacknowledged");

  auto disabled =
      admin_->patch("/api/v1/rules/" + std::to_string(rule), R"({"status":"disabled"})");
  ASSERT_EQ(disabled.status, 200) << disabled.body;
  items = alarms_until(rule, [](const json::array& a) {
    return !a.empty() && a[0].at("state").as_string() == "normal";
  });
  EXPECT_EQ(items[0].at("state").as_string(), "normal");
}

// An anomaly rule fits the point's own week from its history: a value far
// off that hour's usual is raised, a usual one is not. A schedule that is
// closed now keeps a rule quiet; bad schedules are refused with their
// position.
TEST_F(Alarms, AnomaliesAreJudgedAgainstThePointsOwnWeekAndSchedulesGateRules) {
  const std::int64_t hour = 3'600'000;
  const std::int64_t now = now_ms() / hour * hour;
  // Four weeks of hourly history: 20 by night, 24 by day, a little noise.
  json::array history;
  for (std::int64_t t = now - 28 * 24 * hour; t < now; t += hour) {
    const auto h = (t / hour) % 24;
    const double v = (h >= 7 && h < 18 ? 24.0 : 20.0) + 0.1 * static_cast<double>((t / hour) % 5);
    history.push_back(json::object{{"point", hall_}, {"ts", t}, {"value", v}});
  }
  auto imported =
      writer_->post("/api/v1/readings", json::serialize(json::object{{"readings", history}}));
  ASSERT_EQ(imported.status, 200) << imported.body;

  auto bad = admin_->post("/api/v1/rules",
                          json::serialize(json::object{{"tenant_id", tenant_},
                                                       {"name", "Hours"},
                                                       {"type", "bounds"},
                                                       {"point_id", hall_},
                                                       {"max_value", 30},
                                                       {"schedule", "Mon-Fri 07:00-1800"}}));
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.body.find("/schedule/"), std::string::npos) << bad.body;
  auto no_sigmas = admin_->post(
      "/api/v1/rules",
      json::serialize(json::object{
          {"tenant_id", tenant_}, {"name", "Odd"}, {"type", "anomaly"}, {"point_id", hall_}}));
  EXPECT_EQ(no_sigmas.status, 422) << no_sigmas.body;

  const auto anomaly = create_record(*admin_, "rules",
                                     {{"tenant_id", tenant_},
                                      {"name", "Odd hall temperature"},
                                      {"type", "anomaly"},
                                      {"point_id", hall_},
                                      {"sigmas", 5},
                                      {"min_sigma", 0.5},
                                      {"weeks", 4}});
  // The same bounds, but watching only on a day that is never today.
  const auto closed = create_record(*admin_, "rules",
                                    {{"tenant_id", tenant_},
                                     {"name", "Too warm, closed hours"},
                                     {"type", "bounds"},
                                     {"point_id", hall_},
                                     {"max_value", 30},
                                     {"schedule", "2001-01-01 closed"}});
  ASSERT_GT(anomaly, 0);
  ASSERT_GT(closed, 0);
  const auto h = (now / hour) % 24;
  const double usual = (h >= 7 && h < 18 ? 24.0 : 20.0) + 0.2;
  write(hall_, now_ms() - 2000, usual);
  write(hall_, now_ms() - 1000, 45);
  auto items = alarms_until(anomaly, [](const json::array& a) { return !a.empty(); });
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("value").to_number<double>(), 45);
  // Outside its schedule (closed every day but one in 2001) the bounds rule raised nothing.
  EXPECT_TRUE(json::parse(admin_->get("/api/v1/alarms?rule_id=" + std::to_string(closed)).body)
                  .at("items")
                  .as_array()
                  .empty());
}

// The alarm-management figures: a burst of alarms within ten minutes is a
// flood, a point that keeps coming and going chatters, the busiest sources
// are ranked.
TEST_F(Alarms, KpisFindFloodsChatteringAndTheMostFrequent) {
  const auto rule = threshold_rule(26);
  std::vector<std::int64_t> points;
  for (int i = 0; i < 11; ++i)
    points.push_back(create_point(*admin_, school_, "Room " + std::to_string(i + 10),
                                  "kpi." + std::to_string(i)));
  // All in one ten-minute bucket of the past.
  const std::int64_t bucket = 600'000;
  const std::int64_t start = (now_ms() - 3 * bucket) / bucket * bucket;
  for (std::size_t i = 0; i < points.size(); ++i)
    write(points[i], start + 1000 * static_cast<std::int64_t>(i), 30);
  // Room 1 comes and goes three times within a minute.
  for (int i = 0; i < 5; ++i) write(room_, start + 20'000 + 5'000 * i, i % 2 == 0 ? 28 : 24);
  alarms_until(rule, [](const json::array& a) {
    std::int64_t n = 0;
    for (const auto& x : a) n += x.at("count").as_int64();
    return n >= 14;
  });
  auto r = admin_->get("/api/v1/alarms/kpis?from=" + format_rfc3339(start - bucket) +
                       "&to=" + format_rfc3339(start + 2 * bucket));
  ASSERT_EQ(r.status, 200) << r.body;
  const auto kpis = json::parse(r.body).as_object();
  EXPECT_EQ(kpis.at("alarms").as_int64(), 14);
  EXPECT_EQ(kpis.at("per_10_minutes_peak").as_int64(), 14);
  ASSERT_EQ(kpis.at("flood_periods").as_array().size(), 1u);
  EXPECT_EQ(kpis.at("flood_periods").as_array()[0].at("alarms").as_int64(), 14);
  const auto& top = kpis.at("most_frequent").as_array();
  ASSERT_FALSE(top.empty());
  EXPECT_EQ(top[0].at("point_id").as_int64(), room_);
  EXPECT_EQ(top[0].at("count").as_int64(), 3);
  EXPECT_EQ(top.size(), 10u);
  const auto& chattering = kpis.at("chattering").as_array();
  ASSERT_EQ(chattering.size(), 1u);
  EXPECT_EQ(admin_->get("/api/v1/alarms/kpis?from=x").status, 400);
}

// The realtime API: an alarm subscription's snapshot holds the open
// alarms, then each change comes as an alarm_changed event.
TEST_F(Alarms, TheControlRoomSeesOpenAlarmsAndEachChangeLive) {
  const auto rule = threshold_rule(26);
  const auto t0 = now_ms() - 60'000;
  write(room_, t0, 30);
  auto items = alarms_until(rule, [](const json::array& a) { return !a.empty(); });
  ASSERT_EQ(items.size(), 1u);
  const auto id = items[0].at("id").as_int64();

  auto c =
      signed_in_client(server_->port(), new_api_key(*admin_, tenant_, json::array{"alarms:read"}));
  c->send(json::serialize(json::object{
      {"type", "subscribe"},
      {"id", "a"},
      {"alarms", json::object{{"buildings", json::array{school_}}, {"min_severity", "minor"}}}}));
  auto subscribed = next_message(*c, "subscribed");
  ASSERT_TRUE(subscribed);
  const auto& open = subscribed->at("alarms").as_array();
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].at("id").as_int64(), id);
  EXPECT_EQ(open[0].at("state").as_string(), "active_unacknowledged");

  ASSERT_EQ(admin_->post("/api/v1/alarms/" + std::to_string(id) + "/acknowledge", "").status, 200);
  auto e = next_message(*c, "event");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->at("kind").as_string(), "alarm_changed");
  EXPECT_EQ(e->at("building_id").as_int64(), school_);
  const auto& details = e->at("details").as_object();
  EXPECT_EQ(details.at("id").as_int64(), id);
  EXPECT_EQ(details.at("change").as_string(), "acknowledged");
  EXPECT_EQ(details.at("state").as_string(), "active_acknowledged");
}

TEST_F(Alarms, OneTenantNeverSeesAnothersRulesOrAlarms) {
  const auto rule = threshold_rule(26);
  write(room_, now_ms() - 1000, 30);
  auto items = alarms_until(rule, [](const json::array& a) { return !a.empty(); });
  ASSERT_EQ(items.size(), 1u);
  const auto alarm = items[0].at("id").as_int64();

  const auto key = new_api_key(*admin_, other_tenant_,
                               json::array{"alarms:read", "alarms:ack", "alarms:manage"});
  HttpClient other(server_->port());
  other.set_authorization("ApiKey " + key);
  EXPECT_EQ(other.get("/api/v1/rules/" + std::to_string(rule)).status, 404);
  EXPECT_EQ(other.get("/api/v1/alarms/" + std::to_string(alarm)).status, 404);
  EXPECT_EQ(other.post("/api/v1/alarms/" + std::to_string(alarm) + "/acknowledge", "").status, 404);
  auto list = json::parse(other.get("/api/v1/alarms").body);
  EXPECT_TRUE(list.at("items").as_array().empty());
  // Nor can a rule of its own name this tenant's points.
  auto foreign = other.post(
      "/api/v1/rules",
      json::serialize(json::object{
          {"name", "Spy"}, {"type", "threshold_high"}, {"threshold", 1}, {"point_id", room_}}));
  EXPECT_EQ(foreign.status, 422) << foreign.body;
}

}  // namespace
}  // namespace citypulse::test
