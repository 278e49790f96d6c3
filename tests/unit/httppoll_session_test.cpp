// The HTTP poller's device session (drivers/httppoll/device_session.h)
// against simulated REST thermostats on loopback, with a host thread of the
// test's own: one GET serves every point of a request, a field that is not
// a number fails only its channel, the bearer token goes with each request,
// a write sends its template and answers the value read back, a refusal is
// the device's words, and a dead or slow device costs its own timeout
// without holding up another device.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <future>

#include "drivers/httppoll/device_session.h"
#include "refused_port.h"
#include "session_host.h"
#include "sim/rest_thermostat.h"

namespace citypulse::httppoll {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace json = boost::json;

std::unique_ptr<sim::RestThermostat> start_thermostat(std::string token = {}) {
  auto t = sim::RestThermostat::start({.host = "127.0.0.1",
                                       .port = 0,
                                       .serials = {"T-1", "T-2"},
                                       .token = std::move(token),
                                       .time_scale = 1.0,
                                       .sensor_noise_k = 0});
  EXPECT_TRUE(t) << t.error().message;
  return t ? std::move(*t) : nullptr;
}

// A thermostat's document: the state request in group "fast" (with the
// points asked), a "setpoint" write read back and a "boost" write without.
DeviceConfig config_for(const std::string& base_url, int timeout_ms = 1000, int retries = 1,
                        json::object headers = {}) {
  json::object document = json::parse(R"({
    "timeout_ms": 1000, "retries": 1,
    "groups": [{"name": "fast", "interval_ms": 1000}, {"name": "slow", "interval_ms": 60000}],
    "requests": [
      {"name": "state", "url": "{base_url}/api/thermostats/{serial}", "group": "fast",
       "points": [{"channel": "temperature", "pointer": "/temperature"},
                  {"channel": "setpoint", "pointer": "/setpoint"},
                  {"channel": "heating", "pointer": "/heating"},
                  {"channel": "humidity", "pointer": "/humidity", "scale": 0.01},
                  {"channel": "mode", "pointer": "/mode"}]},
      {"name": "other", "url": "{base_url}/api/thermostats/T-2", "group": "fast",
       "points": [{"channel": "t2", "pointer": "/temperature"}]},
      {"name": "missing", "url": "{base_url}/api/thermostats/nobody", "group": "slow",
       "points": [{"channel": "ghost", "pointer": "/temperature"}]}],
    "writes": {
      "setpoint": {"url": "{base_url}/api/thermostats/{serial}/setpoint",
                   "body": "{\"value\": {value}}", "read_back": {"request": "state"}},
      "boost": {"url": "{base_url}/api/thermostats/{serial}/setpoint",
                "body": "{\"value\": {value}}"}}})")
                              .as_object();
  document["base_url"] = base_url;
  document["timeout_ms"] = timeout_ms;
  document["retries"] = retries;
  if (!headers.empty()) document["headers"] = std::move(headers);
  auto config = parse_device_config(document);
  EXPECT_TRUE(config) << config.error().message << " at " << config.error().field;
  return config ? *config : DeviceConfig{};
}

using test::reading;

class HttpPollSession : public ::testing::Test {
 protected:
  drivers::DeviceSession& session(DeviceConfig config, std::string serial = "T-1") {
    return host_.keep(
        make_device_session(host_.io(), host_.workers(), std::move(config), std::move(serial)));
  }

  test::SessionHost host_{2};
};

TEST_F(HttpPollSession, OneAnswerServesEveryPointAndABadFieldFailsOnlyItsChannel) {
  auto thermostat = start_thermostat();
  ASSERT_TRUE(thermostat);
  auto& s = session(config_for(thermostat->base_url()));
  const auto groups = s.groups();
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].name, "fast");
  EXPECT_EQ(groups[0].interval_ms, 1000);

  auto polled = host_.poll(s, "fast");
  ASSERT_EQ(polled.wait_for(10s), std::future_status::ready);
  const auto report = polled.get();
  EXPECT_FALSE(report.unreached);
  EXPECT_EQ(report.failed, 1u) << report.error;  // "mode" is "heat"
  EXPECT_NE(report.error.find("mode: "), std::string::npos) << report.error;
  EXPECT_NE(report.error.find("\"heat\""), std::string::npos) << report.error;
  ASSERT_EQ(report.readings.size(), 5u);
  const auto* temperature = reading(report, "temperature");
  ASSERT_NE(temperature, nullptr);
  EXPECT_GE(temperature->value, 18.9);
  EXPECT_LE(temperature->value, 21.0);
  EXPECT_GT(temperature->t, 1'700'000'000'000);
  EXPECT_EQ(reading(report, "setpoint")->value, 21.0);
  EXPECT_EQ(reading(report, "heating")->value, 1.0);           // a JSON true
  const double humidity = reading(report, "humidity")->value;  // "45.0"-ish text, scaled
  EXPECT_GT(humidity, 0.39);
  EXPECT_LT(humidity, 0.51);
  ASSERT_NE(reading(report, "t2"), nullptr);
  // One GET per request, whatever the number of its points.
  const auto requests = thermostat->requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].target, "/api/thermostats/T-1");
  EXPECT_EQ(requests[1].target, "/api/thermostats/T-2");

  // A request answered 404 fails its channels, but the device did answer.
  const auto slow = host_.poll(s, "slow").get();
  EXPECT_FALSE(slow.unreached);
  EXPECT_EQ(slow.failed, 1u);
  EXPECT_TRUE(slow.readings.empty());
  EXPECT_NE(slow.error.find("answered 404"), std::string::npos) << slow.error;

  // So does a 503: the device is there (degraded), not unreached, and every
  // request of the group is asked, once (a status is no reason to retry).
  thermostat->set_maintenance(true);
  const auto before = thermostat->requests().size();
  const auto down = host_.poll(s, "fast").get();
  EXPECT_FALSE(down.unreached);
  EXPECT_EQ(down.failed, 6u);
  EXPECT_NE(down.error.find("answered 503: {\"error\":\"down for maintenance\"}"),
            std::string::npos)
      << down.error;
  EXPECT_EQ(thermostat->requests().size(), before + 2);
}

TEST_F(HttpPollSession, SendsTheConfiguredAuthorizationWithEveryRequest) {
  auto thermostat = start_thermostat("t0ken");
  ASSERT_TRUE(thermostat);
  auto& with = session(config_for(thermostat->base_url(), 1000, 1,
                                  {{"Authorization", "Bearer t0ken"}, {"X-Serial", "{serial}"}}));
  const auto report = host_.poll(with, "fast").get();
  EXPECT_EQ(report.failed, 1u) << report.error;  // "mode" only
  EXPECT_EQ(report.readings.size(), 5u);
  auto written = host_.write(with, "boost", 24);
  ASSERT_TRUE(written) << written.error().message;
  for (const auto& r : thermostat->requests())
    EXPECT_EQ(r.authorization, "Bearer t0ken") << r.method << " " << r.target;

  // Without it, the device answers 401: every channel fails, but the device
  // is there (not unreached), and the message says what it answered.
  auto& without = session(config_for(thermostat->base_url()));
  const auto refused = host_.poll(without, "fast").get();
  EXPECT_FALSE(refused.unreached);
  EXPECT_EQ(refused.failed, 6u);
  EXPECT_TRUE(refused.readings.empty());
  EXPECT_NE(refused.error.find("answered 401"), std::string::npos) << refused.error;
  EXPECT_NE(refused.error.find("bearer token"), std::string::npos) << refused.error;
}

TEST_F(HttpPollSession, AWriteSendsItsTemplateAndAnswersTheValueReadBack) {
  auto thermostat = start_thermostat();
  ASSERT_TRUE(thermostat);
  auto& s = session(config_for(thermostat->base_url()));
  auto written = host_.write(s, "setpoint", 23.5);
  ASSERT_TRUE(written) << written.error().message;
  EXPECT_EQ(written->value_or(-1), 23.5);
  EXPECT_EQ(thermostat->setpoint("T-1"), 23.5);
  const auto requests = thermostat->requests();
  ASSERT_EQ(requests.size(), 2u);  // the write, then the read-back
  EXPECT_EQ(requests[0].method, "PUT");
  EXPECT_EQ(requests[0].target, "/api/thermostats/T-1/setpoint");
  EXPECT_EQ(requests[0].body, R"({"value": 23.5})");
  EXPECT_EQ(requests[0].content_type, "application/json");
  EXPECT_EQ(requests[1].method, "GET");
  EXPECT_EQ(reading(host_.poll(s, "fast").get(), "setpoint")->value, 23.5);

  // Without read_back: done, with no value.
  written = host_.write(s, "boost", 22);
  ASSERT_TRUE(written) << written.error().message;
  EXPECT_FALSE(written->has_value());
  EXPECT_EQ(thermostat->setpoint("T-1"), 22.0);
}

TEST_F(HttpPollSession, ARefusalIsTheDevicesAnswerInWords) {
  auto thermostat = start_thermostat();
  ASSERT_TRUE(thermostat);
  auto& s = session(config_for(thermostat->base_url()));
  auto refused = host_.write(s, "setpoint", 40);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::invalid) << refused.error().message;
  EXPECT_NE(refused.error().message.find("answered 422"), std::string::npos)
      << refused.error().message;
  EXPECT_NE(refused.error().message.find("outside 5 to 30"), std::string::npos)
      << refused.error().message;
  EXPECT_EQ(thermostat->setpoint("T-1"), 21.0);
  EXPECT_EQ(thermostat->requests().size(), 1u);  // no read-back after a refusal

  // A channel without a write, or a value that is not a number: refused
  // without asking the device.
  auto unknown = host_.write(s, "temperature", 20);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::not_found);
  auto not_a_number = host_.write(s, "setpoint", std::nan(""));
  ASSERT_FALSE(not_a_number);
  EXPECT_EQ(not_a_number.error().code, ErrorCode::invalid);
  EXPECT_EQ(thermostat->requests().size(), 1u);
}

TEST_F(HttpPollSession, ADeadDeviceCostsItsTimeoutsAndDoesNotHoldUpAnother) {
  auto alive_thermostat = start_thermostat();
  auto dead_thermostat = start_thermostat();
  ASSERT_TRUE(alive_thermostat && dead_thermostat);
  dead_thermostat->set_silent(true);
  auto& alive = session(config_for(alive_thermostat->base_url()));
  auto& dead = session(config_for(dead_thermostat->base_url(), 300, 1));

  const auto start = Clock::now();
  auto dead_poll = host_.poll(dead, "fast");
  for (int i = 0; i < 5; ++i) {  // while the dead one holds a worker
    auto r = host_.poll(alive, "fast");
    ASSERT_EQ(r.wait_for(400ms), std::future_status::ready);
    EXPECT_EQ(r.get().failed, 1u);
  }
  ASSERT_EQ(dead_poll.wait_for(5s), std::future_status::ready);
  const auto elapsed = Clock::now() - start;
  const auto report = dead_poll.get();
  EXPECT_TRUE(report.unreached);
  EXPECT_EQ(report.failed, 6u);
  EXPECT_TRUE(report.readings.empty());
  EXPECT_NE(report.error.find("did not answer in time"), std::string::npos) << report.error;
  EXPECT_NE(report.error.find("2 attempts of 300 ms"), std::string::npos) << report.error;
  // Two attempts of the first request; the second request is not sent.
  EXPECT_GE(elapsed, 590ms);
  EXPECT_LT(elapsed, 1500ms);
  EXPECT_EQ(dead_thermostat->requests().size(), 2u);
}

TEST_F(HttpPollSession, ASlowDeviceTimesOutAndARefusedPortIsUnreachedAtOnce) {
  auto thermostat = start_thermostat();
  ASSERT_TRUE(thermostat);
  thermostat->set_reply_delay(1500ms);
  auto& slow = session(config_for(thermostat->base_url(), 200, 0));
  auto start = Clock::now();
  const auto late = host_.poll(slow, "fast").get();
  EXPECT_TRUE(late.unreached);
  EXPECT_NE(late.error.find("1 attempt of 200 ms"), std::string::npos) << late.error;
  EXPECT_LT(Clock::now() - start, 1000ms);

  // Where nothing listens, the device is unreached at once, and a write
  // fails as unavailable.
  test::RefusedPort nobody;
  ASSERT_NE(nobody.port(), 0);
  auto& refused = session(config_for("http://127.0.0.1:" + std::to_string(nobody.port()), 1000, 2));
  start = Clock::now();
  const auto report = host_.poll(refused, "fast").get();
  EXPECT_TRUE(report.unreached);
  EXPECT_NE(report.error.find("could not be reached"), std::string::npos) << report.error;
  EXPECT_LT(Clock::now() - start, 1000ms);
  auto written = host_.write(refused, "setpoint", 21);
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().code, ErrorCode::unavailable) << written.error().message;
}

TEST_F(HttpPollSession, AnAnswerOverOneMebibyteFailsItsRequestWithoutBeingKept) {
  auto thermostat = start_thermostat();
  ASSERT_TRUE(thermostat);
  thermostat->set_padding(kMaxAnswerBytes);  // the state, and then 1 MiB more
  auto& s = session(config_for(thermostat->base_url()));
  const auto report = host_.poll(s, "fast").get();
  EXPECT_FALSE(report.unreached);                // it answered, too much
  EXPECT_EQ(report.failed, 6u) << report.error;  // both requests' channels
  EXPECT_TRUE(report.readings.empty());
  EXPECT_NE(report.error.find("answered more than 1048576 bytes"), std::string::npos)
      << report.error;
  thermostat->set_padding(kMaxAnswerBytes / 2);
  EXPECT_EQ(host_.poll(s, "fast").get().failed, 1u);  // "mode" only
}

TEST_F(HttpPollSession, CloseAnswersTheQueuedJobsWithoutAskingTheDevice) {
  auto thermostat = start_thermostat();
  ASSERT_TRUE(thermostat);
  thermostat->set_reply_delay(300ms);
  auto& s = session(config_for(thermostat->base_url(), 2000, 0));
  auto first = host_.poll(s, "fast");
  auto second = host_.poll(s, "slow");
  host_.on_host([&] { s.close(); });
  ASSERT_EQ(second.wait_for(5s), std::future_status::ready);
  const auto queued = second.get();
  EXPECT_TRUE(queued.unreached);
  EXPECT_NE(queued.error.find("stopped"), std::string::npos) << queued.error;
  EXPECT_EQ(first.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(first.get().failed, 1u);
}

}  // namespace
}  // namespace citypulse::httppoll
