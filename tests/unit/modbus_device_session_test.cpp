// The Modbus device session (drivers/modbus/device_session.h) against the
// simulated AHU on loopback, with a host thread of the test's own: polls and
// writes run on the worker pool and answer on the host's thread, never inside
// the call; a write answers the value read back; read-only and unknown
// channels are refused without asking; a dead device does not hold up another
// one; close() answers the queued jobs without asking the device.
#include <gtest/gtest.h>

#include <chrono>
#include <future>

#include "drivers/modbus/device_session.h"
#include "session_host.h"
#include "sim/modbus_plant.h"

namespace citypulse::modbus {
namespace {

using namespace std::chrono_literals;
using WriteResult = Result<std::optional<double>>;

std::unique_ptr<sim::ModbusPlant> start_plant() {
  auto plant = sim::ModbusPlant::start({});
  EXPECT_TRUE(plant) << plant.error().message;
  return plant ? std::move(*plant) : nullptr;
}

DeviceConfig config_for(std::uint16_t port, int timeout_ms = 1000, int retries = 1) {
  const std::string text = R"({"host": "127.0.0.1", "port": )" + std::to_string(port) +
                           R"(, "timeout_ms": )" + std::to_string(timeout_ms) + R"(, "retries": )" +
                           std::to_string(retries) + R"(,
    "groups": [{"name": "fast", "interval_ms": 1000}, {"name": "slow", "interval_ms": 60000}],
    "points": [
      {"channel": "supply", "table": "input", "address": 0, "type": "int16", "scale": 0.1},
      {"channel": "power", "table": "input", "address": 4, "type": "float32"},
      {"channel": "running", "table": "input", "address": 10, "type": "bool", "bit": 0},
      {"channel": "setpoint", "table": "holding", "address": 0, "type": "int16", "scale": 0.1,
       "writable": true},
      {"channel": "mode", "table": "holding", "address": 1, "type": "uint16", "group": "slow"},
      {"channel": "night", "table": "holding", "address": 3, "type": "bool", "bit": 0,
       "writable": true, "group": "slow"},
      {"channel": "enable", "table": "coil", "address": 0, "writable": true, "group": "slow"}]})";
  auto config = parse_device_config_text(text);
  EXPECT_TRUE(config) << config.error().message << " at " << config.error().field;
  return config ? *config : DeviceConfig{};
}

using test::reading;

class ModbusSession : public ::testing::Test {
 protected:
  drivers::DeviceSession& session(DeviceConfig config) {
    return host_.keep(make_device_session(host_.io(), host_.workers(), std::move(config)));
  }
  std::future<drivers::PollReport> poll(drivers::DeviceSession& s, const std::string& group) {
    return host_.poll(s, group);
  }
  WriteResult write(drivers::DeviceSession& s, const std::string& channel, double value) {
    return host_.write(s, channel, value);
  }
  void on_host(std::function<void()> f) { host_.on_host(std::move(f)); }

  test::SessionHost host_{2};
};

TEST_F(ModbusSession, PollsAGroupOnAWorkerAndAnswersOnTheHostThread) {
  auto plant = start_plant();
  ASSERT_TRUE(plant);
  auto& s = session(config_for(plant->port()));
  const auto groups = s.groups();
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].name, "fast");
  EXPECT_EQ(groups[0].interval_ms, 1000);

  auto fast = poll(s, "fast");
  ASSERT_EQ(fast.wait_for(10s), std::future_status::ready);
  const auto report = fast.get();
  EXPECT_EQ(report.failed, 0u) << report.error;
  EXPECT_FALSE(report.unreached);
  ASSERT_EQ(report.readings.size(), 4u);
  const auto* supply = reading(report, "supply");
  ASSERT_NE(supply, nullptr);
  EXPECT_GT(supply->value, 0.0);
  EXPECT_LT(supply->value, 40.0);
  EXPECT_GT(supply->t, 1'700'000'000'000);
  EXPECT_GT(reading(report, "power")->value, 0.0);
  EXPECT_EQ(reading(report, "setpoint")->value, 20.0);

  auto slow = poll(s, "slow").get();
  EXPECT_EQ(slow.failed, 0u) << slow.error;
  ASSERT_EQ(slow.readings.size(), 3u);
  EXPECT_EQ(reading(slow, "mode")->value, 1.0);
  EXPECT_EQ(reading(slow, "enable")->value, 1.0);
}

TEST_F(ModbusSession, AWriteAnswersTheValueReadBack) {
  auto plant = start_plant();
  ASSERT_TRUE(plant);
  auto& s = session(config_for(plant->port()));
  auto written = write(s, "setpoint", 23.5);
  ASSERT_TRUE(written) << written.error().message;
  EXPECT_EQ(written->value_or(-1), 23.5);
  EXPECT_EQ(reading(poll(s, "fast").get(), "setpoint")->value, 23.5);
  // A bit field and a coil.
  written = write(s, "night", 1);
  ASSERT_TRUE(written) << written.error().message;
  EXPECT_EQ(written->value_or(-1), 1.0);
  written = write(s, "enable", 0);
  ASSERT_TRUE(written) << written.error().message;
  EXPECT_EQ(written->value_or(-1), 0.0);
  // The device refuses a setpoint out of its range (exception 3): invalid.
  written = write(s, "setpoint", 50);
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().code, ErrorCode::invalid) << written.error().message;
  EXPECT_EQ(reading(poll(s, "fast").get(), "setpoint")->value, 23.5);
}

TEST_F(ModbusSession, ReadOnlyAndUnknownChannelsAreRefusedWithoutAskingTheDevice) {
  auto plant = start_plant();
  ASSERT_TRUE(plant);
  plant->set_answering(false);  // nothing would come back if it were asked
  auto& s = session(config_for(plant->port(), 2000, 0));
  const auto start = std::chrono::steady_clock::now();
  auto read_only = write(s, "supply", 21);
  ASSERT_FALSE(read_only);
  EXPECT_EQ(read_only.error().code, ErrorCode::invalid);
  EXPECT_NE(read_only.error().message.find("not writable"), std::string::npos)
      << read_only.error().message;
  auto unknown = write(s, "humidity", 40);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::not_found);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

TEST_F(ModbusSession, ADeadDeviceCostsOneTimeoutAndDoesNotHoldUpAnother) {
  auto alive_plant = start_plant();
  auto dead_plant = start_plant();
  ASSERT_TRUE(alive_plant && dead_plant);
  dead_plant->set_answering(false);
  auto& alive = session(config_for(alive_plant->port()));
  auto& dead = session(config_for(dead_plant->port(), 500, 0));

  const auto start = std::chrono::steady_clock::now();
  auto dead_poll = poll(dead, "fast");
  auto dead_write = std::async(std::launch::async, [&] { return write(dead, "setpoint", 22); });
  for (int i = 0; i < 5; ++i) {  // while the dead one holds a worker
    auto r = poll(alive, "fast");
    ASSERT_EQ(r.wait_for(400ms), std::future_status::ready);
    EXPECT_EQ(r.get().failed, 0u);
  }
  ASSERT_EQ(dead_poll.wait_for(5s), std::future_status::ready);
  const auto report = dead_poll.get();
  EXPECT_TRUE(report.unreached);
  EXPECT_EQ(report.failed, 4u);
  EXPECT_TRUE(report.readings.empty());
  EXPECT_NE(report.error.find("no answer"), std::string::npos) << report.error;
  // One timeout for the whole group (the requests after the first are not
  // sent), then the write queued behind it: one more.
  auto refused = dead_write.get();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::timed_out) << refused.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2500ms);
}

TEST_F(ModbusSession, CloseAnswersTheQueuedJobsWithoutAskingTheDevice) {
  auto plant = start_plant();
  ASSERT_TRUE(plant);
  plant->set_reply_delay(300ms);
  auto& s = session(config_for(plant->port(), 2000, 0));
  auto first = poll(s, "fast");
  auto second = poll(s, "slow");
  on_host([&] { s.close(); });
  ASSERT_EQ(second.wait_for(5s), std::future_status::ready);
  const auto queued = second.get();
  EXPECT_TRUE(queued.unreached);
  EXPECT_NE(queued.error.find("stopped"), std::string::npos) << queued.error;
  // The one under way ended within its timeout, whatever it read.
  EXPECT_EQ(first.wait_for(5s), std::future_status::ready);
}

}  // namespace
}  // namespace citypulse::modbus
