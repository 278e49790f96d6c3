// "Read now" for a Modbus device (drivers/modbus/read_once.h) against the
// simulated AHU on loopback: the points asked come back in the map's order
// with their raw registers, on the host's thread and never inside the call;
// a refused range fails only its own channels; a silent device answers
// timed_out after timeout × (retries + 1) and a refused connection
// unavailable, each once for the whole read.
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <future>
#include <thread>

#include "drivers/modbus/read_once.h"
#include "refused_port.h"
#include "sim/modbus_plant.h"

namespace citypulse::modbus {
namespace {

namespace asio = boost::asio;

DeviceConfig config_for(std::uint16_t port, int timeout_ms = 1000, int retries = 1) {
  const std::string text = R"({"host": "127.0.0.1", "port": )" + std::to_string(port) +
                           R"(, "timeout_ms": )" + std::to_string(timeout_ms) + R"(, "retries": )" +
                           std::to_string(retries) + R"(, "max_gap": 0,
    "groups": [{"name": "fast", "interval_ms": 1000}],
    "points": [
      {"channel": "setpoint", "table": "holding", "address": 0, "type": "int16", "scale": 0.1},
      {"channel": "power", "table": "input", "address": 4, "type": "float32"},
      {"channel": "nowhere", "table": "holding", "address": 500, "type": "uint16"},
      {"channel": "enable", "table": "coil", "address": 0}]})";
  auto config = parse_device_config_text(text);
  EXPECT_TRUE(config) << config.error().message << " at " << config.error().field;
  return config ? *config : DeviceConfig{};
}

class ModbusReadOnce : public ::testing::Test {
 protected:
  void SetUp() override {
    host_ = std::thread([this] {
      host_id_ = std::this_thread::get_id();
      io_.run();
    });
  }
  void TearDown() override {
    guard_.reset();
    host_.join();
    workers_.join();
  }

  // Reads and waits for the answer, checking where it ran.
  Result<drivers::ReadReport> read(DeviceConfig config, std::vector<std::size_t> points) {
    std::promise<Result<drivers::ReadReport>> answer;
    bool returned = false;
    asio::post(io_, [&] {
      read_once(io_, workers_, std::move(config), std::move(points),
                [&](Result<drivers::ReadReport> r) {
                  EXPECT_EQ(std::this_thread::get_id(), host_id_);
                  EXPECT_TRUE(returned) << "answered inside the call";
                  answer.set_value(std::move(r));
                });
      returned = true;
    });
    return answer.get_future().get();
  }

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_ = asio::make_work_guard(io_);
  asio::thread_pool workers_{2};
  std::thread host_;
  std::thread::id host_id_;
};

TEST_F(ModbusReadOnce, ReadsThePointsAskedWithTheirRawRegisters) {
  auto plant = sim::ModbusPlant::start({});
  ASSERT_TRUE(plant) << plant.error().message;
  auto report = read(config_for((*plant)->port()), {3, 0, 1, 2});
  ASSERT_TRUE(report) << report.error().message;
  ASSERT_EQ(report->channels.size(), 4u);
  // The map's order, whatever order they were asked in.
  EXPECT_EQ(report->channels[0].channel, "setpoint");
  EXPECT_EQ(report->channels[0].value, 20.0);
  EXPECT_EQ(report->channels[0].raw, "0x00C8");
  EXPECT_EQ(report->channels[1].channel, "power");
  ASSERT_TRUE(report->channels[1].value);
  EXPECT_GT(*report->channels[1].value, 0.0);
  EXPECT_EQ(report->channels[1].raw.size(), std::string("0x0000 0x0000").size());
  // Refused by the device: that channel alone.
  EXPECT_EQ(report->channels[2].channel, "nowhere");
  EXPECT_FALSE(report->channels[2].value);
  ASSERT_TRUE(report->channels[2].error);
  EXPECT_EQ(report->channels[2].error->code, ErrorCode::invalid);
  EXPECT_EQ(report->channels[2].raw, "");
  EXPECT_EQ(report->channels[3].channel, "enable");
  EXPECT_EQ(report->channels[3].value, 1.0);
  EXPECT_EQ(report->channels[3].raw, "1");
  EXPECT_EQ(report->requests, 4);
  EXPECT_GT(report->read_at, 0);
}

TEST_F(ModbusReadOnce, ADeadDeviceAnswersOnceWithinItsPatience) {
  auto plant = sim::ModbusPlant::start({});
  ASSERT_TRUE(plant) << plant.error().message;
  (*plant)->set_answering(false);
  const auto started = std::chrono::steady_clock::now();
  auto report = read(config_for((*plant)->port(), 200, 1), {0, 1, 2, 3});
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, ErrorCode::timed_out) << report.error().message;
  EXPECT_GE(took, std::chrono::milliseconds(390));
  EXPECT_LT(took, std::chrono::milliseconds(1500)) << "one request's patience, not four";

  test::RefusedPort refused;
  ASSERT_NE(refused.port(), 0);
  report = read(config_for(refused.port(), 200, 1), {0, 1});
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, ErrorCode::unavailable) << report.error().message;
}

TEST(ModbusRawText, ShowsRegistersInHexAndBitsAsDigits) {
  RegisterPoint registers;
  registers.table = Table::input;
  EXPECT_EQ(raw_text(registers, {0x41AC, 0x0000}), "0x41AC 0x0000");
  RegisterPoint coil;
  coil.table = Table::coil;
  EXPECT_EQ(raw_text(coil, {1}), "1");
  EXPECT_EQ(raw_text(coil, {}), "");
}

}  // namespace
}  // namespace citypulse::modbus
