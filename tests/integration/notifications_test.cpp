// Alarm notifications on the real binary (docs/notifications.md): an alarm
// raised by a rule is mailed to an email recipient through a real SMTP
// server on loopback and posted, signed, to a webhook recipient that fails
// twice first (the attempts, with their retries, are visible at the API);
// a recipient's severity and building choose what it hears; an escalation
// recipient hears only of an alarm still unacknowledged after its delay;
// and a flood of alarms becomes one digest instead of a message each.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <boost/json.hpp>
#include <chrono>
#include <csignal>
#include <functional>
#include <map>
#include <string>
#include <thread>

#include "admin_api.h"
#include "core/digest.h"
#include "core/time.h"
#include "http_client.h"
#include "notify_peers.h"
#include "server_process.h"

namespace citypulse::test {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

constexpr const char* kSecret = "0123456789abcdef-webhook";

class Notifications : public ::testing::Test {
 protected:
  void start(std::map<std::string, std::string> env = {}) {
    env.emplace("CITYPULSE_NOTIFY_SMTP_URL", sink_.url());
    env.emplace("CITYPULSE_NOTIFY_SMTP_TLS", "none");
    env.emplace("CITYPULSE_NOTIFY_SMTP_FROM", "alarms@citypulse.test");
    env.emplace("CITYPULSE_NOTIFY_RETRY_BASE_MS", "100");
    env.emplace("CITYPULSE_NOTIFY_RETRY_MAX_ATTEMPTS", "4");
    env.emplace("CITYPULSE_NOTIFY_PUBLIC_URL", "https://citypulse.example");
    env_ = env;
    server_ =
        std::make_unique<ServerProcess>(tmp_.path() + "/data", std::vector<std::string>{}, env);
    ASSERT_TRUE(server_->start()) << server_->output();
    admin_ = std::make_unique<HttpClient>(server_->port());
    ASSERT_EQ(admin_->sign_in(kAdminEmail, kAdminPassword).status, 200);
    tenant_ = create_record(*admin_, "tenants", {{"name", "Notified Town"}});
    school_ = create_record(*admin_, "buildings",
                            {{"tenant_id", tenant_}, {"name", "School"}, {"type", "school"}});
    pool_ = create_record(*admin_, "buildings",
                          {{"tenant_id", tenant_}, {"name", "Pool"}, {"type", "swimming_pool"}});
    room_ = create_point(*admin_, school_, "Room 1", "n.room1");
    water_ = create_point(*admin_, pool_, "Water", "n.water");
    writer_ = std::make_unique<HttpClient>(server_->port());
    writer_->set_authorization("ApiKey " +
                               new_api_key(*admin_, tenant_, json::array{"readings:write"}));
  }
  void TearDown() override {
    if (server_) {
      EXPECT_EQ(server_->stop(SIGTERM), 0) << server_->output();
    }
  }

  std::int64_t recipient(json::object body) {
    body["tenant_id"] = tenant_;
    return create_record(*admin_, "recipients", body);
  }
  std::int64_t rule(std::int64_t building, const std::string& severity, double threshold = 26) {
    return create_record(*admin_, "rules",
                         {{"tenant_id", tenant_},
                          {"name", "Too warm"},
                          {"type", "threshold_high"},
                          {"severity", severity},
                          {"building_id", building},
                          {"threshold", threshold},
                          {"action", "Close the heating valve."}});
  }
  void write(std::int64_t point, double value) {
    write_reading(*writer_, point, now_ms() - 100, value);
  }
  json::array until(const std::string& target, const std::function<bool(const json::array&)>& done,
                    int seconds = 10) {
    const auto deadline = Clock::now() + std::chrono::seconds(seconds);
    json::array items;
    for (;;) {
      auto r = admin_->get(target);
      EXPECT_EQ(r.status, 200) << r.body;
      items = json::parse(r.body).at("items").as_array();
      if (done(items) || Clock::now() > deadline) return items;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  std::int64_t first_alarm(std::int64_t point) {
    auto items = until("/api/v1/alarms?point_id=" + std::to_string(point),
                       [](const json::array& a) { return !a.empty(); });
    return items.empty() ? 0 : items[0].at("id").as_int64();
  }

  SmtpSink sink_;
  TempDir tmp_;
  std::map<std::string, std::string> env_;  // the server's, for restarts
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> admin_, writer_;
  std::int64_t tenant_ = 0, school_ = 0, pool_ = 0, room_ = 0, water_ = 0;
};

TEST_F(Notifications, AnAlarmIsMailedAndPostedSignedWithRetriesRecorded) {
  ASSERT_TRUE(sink_.ready()) << sink_.log();
  HttpReceiver hook({503, 503, 200});
  start();
  recipient({{"name", "Caretaker"},
             {"channel", "email"},
             {"address", "caretaker@school.test"},
             {"min_severity", "major"}});
  recipient({{"name", "Pool only"},
             {"channel", "email"},
             {"address", "pool@town.test"},
             {"building_id", pool_}});
  const auto hook_id = recipient({{"name", "Ticketing"},
                                  {"channel", "webhook"},
                                  {"address", hook.url()},
                                  {"secret", kSecret}});
  // The secret is stored, never shown.
  auto read = admin_->get("/api/v1/recipients/" + std::to_string(hook_id));
  EXPECT_EQ(read.body.find(kSecret), std::string::npos) << read.body;
  EXPECT_EQ(read.body.find("\"secret\""), std::string::npos) << read.body;

  rule(school_, "major");
  write(room_, 28.5);
  const auto alarm = first_alarm(room_);
  ASSERT_GT(alarm, 0);

  auto mail = sink_.wait_for_mail(1, 10'000);
  ASSERT_TRUE(mail) << sink_.log();
  EXPECT_EQ(mail->envelope_to, std::vector<std::string>{"caretaker@school.test"});
  const auto parsed = json::parse(mail->parsed).as_object();
  const std::string subject(parsed.at("headers").at("subject").as_string());
  EXPECT_NE(subject.find("MAJOR School: Too warm: Room 1 is 28.5"), std::string::npos) << subject;
  EXPECT_NE(mail->parsed.find("Close the heating valve."), std::string::npos) << mail->parsed;
  EXPECT_NE(mail->parsed.find("https://citypulse.example/alarms/" + std::to_string(alarm)),
            std::string::npos);

  // Two 503s, then delivered: three requests, each signed over its own time.
  auto attempts =
      until("/api/v1/alarms/" + std::to_string(alarm) + "/notifications", [](const json::array& a) {
        for (const auto& x : a)
          if (x.at("outcome").as_string() == "delivered" &&
              x.at("channel").as_string() == "webhook")
            return true;
        return false;
      });
  const auto requests = hook.requests();
  ASSERT_EQ(requests.size(), 3u);
  for (const auto& r : requests) {
    const auto ts = r.header("X-CityPulse-Timestamp");
    EXPECT_EQ(r.header("X-CityPulse-Signature"),
              "sha256=" + hex_lower(hmac_sha256(kSecret, ts + "." + r.body)));
    const auto body = json::parse(r.body).as_object();
    EXPECT_EQ(body.at("event").as_string(), "alarm_raised");
    EXPECT_EQ(body.at("alarm").at("id").as_int64(), alarm);
  }
  std::vector<std::string> webhook_outcomes;
  for (const auto& a : attempts)
    if (a.at("channel").as_string() == "webhook")
      webhook_outcomes.emplace_back(a.at("outcome").as_string());
  // Newest first.
  EXPECT_EQ(webhook_outcomes, (std::vector<std::string>{"delivered", "retrying", "retrying"}));
  // The pool's recipient heard nothing of the school.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(sink_.mail_count(), 1);
}

TEST_F(Notifications, EscalationReachesOnlyWhatIsStillUnacknowledged) {
  ASSERT_TRUE(sink_.ready()) << sink_.log();
  start();
  recipient({{"name", "Supervisor"},
             {"channel", "email"},
             {"address", "chief@town.test"},
             {"escalate_after_s", 2}});
  rule(school_, "warning");
  rule(pool_, "warning");
  write(room_, 30);
  write(water_, 30);
  const auto school_alarm = first_alarm(room_);
  const auto pool_alarm = first_alarm(water_);
  ASSERT_GT(school_alarm, 0);
  ASSERT_GT(pool_alarm, 0);
  ASSERT_EQ(
      admin_->post("/api/v1/alarms/" + std::to_string(school_alarm) + "/acknowledge", "").status,
      200);
  // Nothing before the delay; then only the pool's alarm, still unacknowledged.
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  EXPECT_EQ(sink_.mail_count(), 0);
  auto mail = sink_.wait_for_mail(1, 10'000);
  ASSERT_TRUE(mail) << sink_.log();
  EXPECT_NE(mail->parsed.find("UNACKNOWLEDGED"), std::string::npos) << mail->parsed;
  EXPECT_NE(mail->parsed.find("Pool"), std::string::npos) << mail->parsed;
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  EXPECT_EQ(sink_.mail_count(), 1);
}

// An escalation due across a restart is sent once: after the restart, and
// not again after the next one.
TEST_F(Notifications, AnEscalationSurvivesARestartAndIsSentOnce) {
  ASSERT_TRUE(sink_.ready()) << sink_.log();
  start();
  recipient({{"name", "Supervisor"},
             {"channel", "email"},
             {"address", "chief@town.test"},
             {"escalate_after_s", 3}});
  rule(school_, "warning");
  write(room_, 30);
  ASSERT_GT(first_alarm(room_), 0);
  auto restart = [&] {
    ASSERT_EQ(server_->stop(SIGTERM), 0) << server_->output();
    server_ =
        std::make_unique<ServerProcess>(tmp_.path() + "/data", std::vector<std::string>{}, env_);
    ASSERT_TRUE(server_->start()) << server_->output();
  };
  restart();
  auto mail = sink_.wait_for_mail(1, 10'000);
  ASSERT_TRUE(mail) << sink_.log();
  EXPECT_NE(mail->parsed.find("UNACKNOWLEDGED"), std::string::npos) << mail->parsed;
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  restart();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(sink_.mail_count(), 1);
}

TEST_F(Notifications, AFloodBecomesOneDigest) {
  ASSERT_TRUE(sink_.ready()) << sink_.log();
  start({{"CITYPULSE_NOTIFY_FLOOD_ALARMS", "3"}, {"CITYPULSE_NOTIFY_DIGEST_INTERVAL_S", "1"}});
  recipient({{"name", "Control room"}, {"channel", "email"}, {"address", "ops@town.test"}});
  std::vector<std::int64_t> points;
  for (int i = 0; i < 8; ++i)
    points.push_back(create_point(*admin_, school_, "Room " + std::to_string(i + 10),
                                  "flood." + std::to_string(i)));
  rule(school_, "warning");
  for (auto p : points) write(p, 40);
  // Three alarms one by one, then the other five in one digest.
  auto digest = sink_.wait_for_mail(4, 10'000);
  ASSERT_TRUE(digest) << sink_.log();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(sink_.mail_count(), 4);
  bool found = false;
  for (int n = 1; n <= 4; ++n) {
    auto m = sink_.wait_for_mail(n, 100);
    if (m && m->parsed.find("Alarm flood: 5 alarms") != std::string::npos) found = true;
  }
  EXPECT_TRUE(found);
  auto all = json::parse(admin_->get("/api/v1/notifications").body).at("items").as_array();
  int digests = 0;
  for (const auto& a : all) digests += a.at("kind").as_string() == "digest";
  EXPECT_EQ(digests, 1);
}

// SMS through the configured gateway; a recipient in its quiet hours hears
// only of critical alarms.
TEST_F(Notifications, SmsGoesThroughTheGatewayAndQuietHoursHoldBackAllButCritical) {
  HttpReceiver gateway({200});
  start({{"CITYPULSE_NOTIFY_SMS_URL", gateway.url("/send")},
         {"CITYPULSE_NOTIFY_SMS_BODY", "to={to}&text={text}"},
         {"CITYPULSE_NOTIFY_SMS_AUTHORIZATION", "Bearer gateway-key"}});
  // Quiet hours around now in the tenant's zone (Europe/Berlin, UTC+1 or
  // UTC+2): from half an hour after UTC's time to half an hour past two
  // hours after it.
  const int utc_minute = static_cast<int>(now_ms() / 60'000 % 1440);
  const auto hh_mm = [](int m) {
    m %= 1440;
    return fmt::format("{:02}:{:02}", m / 60, m % 60);
  };
  recipient({{"name", "On call"},
             {"channel", "sms"},
             {"address", "+4917112345678"},
             {"quiet_from", hh_mm(utc_minute + 30)},
             {"quiet_to", hh_mm(utc_minute + 150)}});
  rule(school_, "major");
  rule(pool_, "critical");
  write(room_, 30);
  write(water_, 30);
  ASSERT_GT(first_alarm(room_), 0);
  const auto critical = first_alarm(water_);
  ASSERT_GT(critical, 0);
  auto attempts = until("/api/v1/notifications", [](const json::array& a) { return !a.empty(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto requests = gateway.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].header("Authorization"), "Bearer gateway-key");
  EXPECT_NE(requests[0].body.find("to=%2B4917112345678"), std::string::npos) << requests[0].body;
  EXPECT_NE(requests[0].body.find("CRITICAL"), std::string::npos) << requests[0].body;
  attempts = json::parse(admin_->get("/api/v1/notifications").body).at("items").as_array();
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].at("alarm_id").as_int64(), critical);
  EXPECT_EQ(attempts[0].at("channel").as_string(), "sms");
  EXPECT_EQ(attempts[0].at("outcome").as_string(), "delivered");
}

TEST_F(Notifications, RecipientsAreCheckedByChannel) {
  start();
  auto post = [&](json::object body) {
    body["tenant_id"] = tenant_;
    return admin_->post("/api/v1/recipients", json::serialize(body));
  };
  auto bad_mail = post({{"name", "x"}, {"channel", "email"}, {"address", "not an address"}});
  EXPECT_EQ(bad_mail.status, 422);
  EXPECT_NE(bad_mail.body.find("/address"), std::string::npos);
  auto no_secret = post({{"name", "x"}, {"channel", "webhook"}, {"address", "https://x.test/h"}});
  EXPECT_EQ(no_secret.status, 422);
  EXPECT_NE(no_secret.body.find("/secret"), std::string::npos);
  auto phone = post({{"name", "x"}, {"channel", "sms"}, {"address", "0171 123"}});
  EXPECT_EQ(phone.status, 422);
  auto half_quiet =
      post({{"name", "x"}, {"channel", "email"}, {"address", "a@b.test"}, {"quiet_from", "22:00"}});
  EXPECT_EQ(half_quiet.status, 422);
  EXPECT_EQ(post({{"name", "x"},
                  {"channel", "sms"},
                  {"address", "+4917112345678"},
                  {"quiet_from", "22:00"},
                  {"quiet_to", "06:00"}})
                .status,
            201);
}

}  // namespace
}  // namespace citypulse::test
