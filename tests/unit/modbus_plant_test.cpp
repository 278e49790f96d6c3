// The Modbus driver against the simulated plant on loopback (drivers/modbus/
// device_io.h, connection.h; sim/modbus_plant.h): a poll of every type in the
// plant's map, a written setpoint showing in the supply air, a bit field
// written read-modify-write, the device's refusals as errors that fail only
// their own range, a device that hangs (timed_out within the timeout, and
// the connection back once it answers again), a slow one, a refused
// connection, requests past the protocol limits refused before they are sent,
// and several clients at once.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include "drivers/modbus/device_io.h"
#include "refused_port.h"
#include "sim/modbus_plant.h"

namespace citypulse::modbus {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::unique_ptr<sim::ModbusPlant> start_plant(double time_scale = 1) {
  sim::ModbusPlantOptions options;
  options.time_scale = time_scale;
  auto plant = sim::ModbusPlant::start(options);
  EXPECT_TRUE(plant) << plant.error().message;
  return plant ? std::move(*plant) : nullptr;
}

// The plant's map (sim/modbus_plant.h) as a device document.
DeviceConfig plant_config(std::uint16_t port, int timeout_ms = 1000, int retries = 0) {
  auto config = parse_device_config_text(fmt::format(R"({{
    "host": "127.0.0.1", "port": {}, "timeout_ms": {}, "retries": {},
    "groups": [{{"name": "fast", "interval_ms": 1000}}, {{"name": "slow", "interval_ms": 60000}}],
    "points": [
      {{"channel": "supply_temp", "table": "input", "address": 0, "type": "int16", "scale": 0.1}},
      {{"channel": "return_temp", "table": "input", "address": 1, "type": "int16", "scale": 0.1}},
      {{"channel": "outdoor_temp", "table": "input", "address": 2, "type": "int16", "scale": 0.1}},
      {{"channel": "fan_speed", "table": "input", "address": 3, "type": "uint16"}},
      {{"channel": "power", "table": "input", "address": 4, "type": "float32"}},
      {{"channel": "energy", "table": "input", "address": 6, "type": "uint32"}},
      {{"channel": "cop", "table": "input", "address": 8, "type": "float32",
        "word_order": "little"}},
      {{"channel": "running", "table": "input", "address": 10, "type": "bool", "bit": 0}},
      {{"channel": "fault_bit", "table": "input", "address": 10, "type": "bool", "bit": 1}},
      {{"channel": "energy_exact", "table": "input", "address": 12, "type": "float64"}},
      {{"channel": "power_dcba", "table": "input", "address": 20, "type": "float32",
        "word_order": "little", "byte_order": "little"}},
      {{"channel": "setpoint", "table": "holding", "address": 0, "type": "int16", "scale": 0.1,
        "writable": true}},
      {{"channel": "mode", "table": "holding", "address": 1, "type": "uint16", "writable": true}},
      {{"channel": "night_setback", "table": "holding", "address": 3, "type": "bool", "bit": 0,
        "writable": true}},
      {{"channel": "enable", "table": "coil", "address": 0, "writable": true}},
      {{"channel": "fault", "table": "discrete", "address": 0}},
      {{"channel": "unmapped", "table": "input", "address": 100, "type": "uint16",
        "group": "slow"}}
    ]}})",
                                                     port, timeout_ms, retries));
  EXPECT_TRUE(config) << config.error().message << " at " << config.error().field;
  return *config;
}

std::map<std::string, double> values_of(const GroupPoll& poll) {
  std::map<std::string, double> out;
  for (const auto& v : poll.values) out[v.channel] = v.value;
  for (const auto& f : poll.failures) ADD_FAILURE() << f.channel << ": " << f.error.message;
  return out;
}

const RegisterPoint& point(const DeviceConfig& config, std::string_view channel) {
  return *std::find_if(config.points.begin(), config.points.end(),
                       [&](const RegisterPoint& p) { return p.channel == channel; });
}

// Whether `condition` holds within `ms`, asked every 50 ms.
bool eventually(const std::function<bool()>& condition, int ms) {
  const auto deadline = Clock::now() + milliseconds(ms);
  while (Clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(milliseconds(50));
  }
  return condition();
}

int elapsed_ms(Clock::time_point since) {
  return static_cast<int>(std::chrono::duration_cast<milliseconds>(Clock::now() - since).count());
}

TEST(ModbusPlant, PollsEveryTypeOfTheMap) {
  auto plant = start_plant();
  ASSERT_TRUE(plant);
  const DeviceConfig config = plant_config(plant->port());
  EXPECT_EQ(plan_group(config, "fast").size(), 4u);  // holding, input, coil, discrete
  Connection connection(endpoint_of(config));
  auto v = values_of(poll_group(connection, config, "fast"));
  ASSERT_EQ(v.size(), 16u);
  EXPECT_GT(v["supply_temp"], 10);
  EXPECT_LT(v["supply_temp"], 30);
  EXPECT_NEAR(v["return_temp"], 21, 3);
  EXPECT_NEAR(v["outdoor_temp"], 5, 3.1);
  EXPECT_GE(v["fan_speed"], 0);
  EXPECT_LE(v["fan_speed"], 100);
  EXPECT_GT(v["power"], 0.05);
  EXPECT_EQ(v["power"], v["power_dcba"]);  // one float in two layouts, read in one answer
  EXPECT_GE(v["cop"], 2);
  EXPECT_LE(v["cop"], 6);
  EXPECT_EQ(v["energy"], std::floor(v["energy_exact"]));
  EXPECT_GE(v["energy_exact"], 1000);
  EXPECT_EQ(v["running"], 1);
  EXPECT_EQ(v["fault_bit"], 0);
  EXPECT_EQ(v["setpoint"], 20);
  EXPECT_EQ(v["mode"], 1);
  EXPECT_EQ(v["night_setback"], 0);
  EXPECT_EQ(v["enable"], 1);
  EXPECT_EQ(v["fault"], 0);

  plant->set_fault(true);
  EXPECT_TRUE(eventually(
      [&] {
        auto again = values_of(poll_group(connection, config, "fast"));
        return again["fault"] == 1 && again["fault_bit"] == 1 && again["running"] == 0;
      },
      5000));
}

TEST(ModbusPlant, WrittenSetpointShowsInTheSupplyAir) {
  auto plant = start_plant(60);  // a simulated minute a second: 120 s time constant in 2 s
  ASSERT_TRUE(plant);
  const DeviceConfig config = plant_config(plant->port());
  Connection connection(endpoint_of(config));
  ASSERT_TRUE(write_point(connection, point(config, "setpoint"), 30.0));
  auto v = values_of(poll_group(connection, config, "fast"));
  EXPECT_EQ(v["setpoint"], 30);
  const double before = v["supply_temp"];
  EXPECT_LT(before, 25);
  EXPECT_TRUE(eventually(
      [&] { return values_of(poll_group(connection, config, "fast"))["supply_temp"] > 25; },
      10'000))
      << "supply air stays near " << before << " degC";

  // Switching the unit off (coil) stops the fan.
  ASSERT_TRUE(write_point(connection, point(config, "enable"), 0));
  EXPECT_TRUE(eventually(
      [&] {
        auto off = values_of(poll_group(connection, config, "fast"));
        return off["enable"] == 0 && off["running"] == 0 && off["fan_speed"] < 60;
      },
      5000));
}

// A plant at rest reads its supply air exactly, unless told to read it with
// a sensor's noise: then within the noise around the same value, and not
// always the same.
TEST(ModbusPlant, SensorNoiseOnlyWhenAskedAndWithinIt) {
  for (const double noise : {0.0, 0.5}) {
    SCOPED_TRACE(noise);
    auto plant = sim::ModbusPlant::start(
        {.host = "127.0.0.1", .port = 0, .time_scale = 10'000, .sensor_noise_k = noise});
    ASSERT_TRUE(plant) << plant.error().message;
    const DeviceConfig config = plant_config((*plant)->port());
    Connection connection(endpoint_of(config));
    std::this_thread::sleep_for(milliseconds(300));  // 50 simulated minutes: at its setpoint
    std::set<double> seen;
    for (int i = 0; i < 20; ++i) {
      const double supply = values_of(poll_group(connection, config, "fast"))["supply_temp"];
      EXPECT_NEAR(supply, 20.0, noise + 0.051);
      seen.insert(supply);
      std::this_thread::sleep_for(milliseconds(30));
    }
    if (noise == 0)
      EXPECT_EQ(seen.size(), 1u);
    else
      EXPECT_GE(seen.size(), 3u);
  }
  EXPECT_FALSE(sim::ModbusPlant::start(
      {.host = "127.0.0.1", .port = 0, .time_scale = 1, .sensor_noise_k = 6}));
}

TEST(ModbusPlant, BitFieldWrittenReadModifyWrite) {
  auto plant = start_plant();
  ASSERT_TRUE(plant);
  const DeviceConfig config = plant_config(plant->port());
  Connection connection(endpoint_of(config));
  ASSERT_TRUE(connection.write_register(3, 0x0100));  // another option bit, set by someone else
  ASSERT_TRUE(write_point(connection, point(config, "night_setback"), 1));
  auto options = connection.read(Table::holding, 3, 1);
  ASSERT_TRUE(options) << options.error().message;
  EXPECT_EQ(options->registers[0], 0x0101);
  ASSERT_TRUE(write_point(connection, point(config, "night_setback"), 0));
  EXPECT_EQ(connection.read(Table::holding, 3, 1)->registers[0], 0x0100);
  EXPECT_EQ(write_point(connection, point(config, "night_setback"), 2).error().code,
            ErrorCode::invalid);
  EXPECT_EQ(write_point(connection, point(config, "fault"), 1).error().code, ErrorCode::invalid);
}

TEST(ModbusPlant, OutOfRangeWriteIsTheDevicesRefusal) {
  auto plant = start_plant();
  ASSERT_TRUE(plant);
  const DeviceConfig config = plant_config(plant->port(), 1000, 2);
  Connection connection(endpoint_of(config));
  auto refused = write_point(connection, point(config, "setpoint"), 50.0);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::invalid);
  EXPECT_NE(refused.error().message.find("device answered: illegal data value (exception 3)"),
            std::string::npos)
      << refused.error().message;
  EXPECT_EQ(values_of(poll_group(connection, config, "fast"))["setpoint"], 20);
  // Several registers at once, one of them out of range: none is written.
  const std::uint16_t mode_and_fan[] = {2, 101};
  EXPECT_EQ(connection.write_registers(1, mode_and_fan).error().code, ErrorCode::invalid);
  EXPECT_EQ(values_of(poll_group(connection, config, "fast"))["mode"], 1);
}

TEST(ModbusPlant, IllegalAddressFailsOnlyItsOwnRange) {
  auto plant = start_plant();
  ASSERT_TRUE(plant);
  DeviceConfig config = plant_config(plant->port());
  for (auto& p : config.points) p.group = "slow";  // the unmapped register among the others
  Connection connection(endpoint_of(config));
  const GroupPoll poll = poll_group(connection, config, "slow");
  EXPECT_EQ(poll.values.size(), 16u);
  ASSERT_EQ(poll.failures.size(), 1u);
  EXPECT_EQ(poll.failures[0].channel, "unmapped");
  EXPECT_EQ(poll.failures[0].error.code, ErrorCode::invalid);
  EXPECT_NE(poll.failures[0].error.message.find(
                "reading input registers 100..100 of 127.0.0.1:" + std::to_string(plant->port()) +
                " unit 1: device answered: illegal data address (exception 2)"),
            std::string::npos)
      << poll.failures[0].error.message;
}

TEST(ModbusPlant, HangingDeviceTimesOutThenRecovers) {
  auto plant = start_plant();
  ASSERT_TRUE(plant);
  const DeviceConfig config = plant_config(plant->port(), 300, 0);
  Connection connection(endpoint_of(config));
  ASSERT_TRUE(connection.read(Table::input, 0, 4));
  plant->set_answering(false);
  auto start = Clock::now();
  auto silent = connection.read(Table::input, 0, 4);
  ASSERT_FALSE(silent);
  EXPECT_EQ(silent.error().code, ErrorCode::timed_out);
  EXPECT_NE(silent.error().message.find("no answer within 300 ms"), std::string::npos)
      << silent.error().message;
  EXPECT_GE(elapsed_ms(start), 250);
  EXPECT_LT(elapsed_ms(start), 1000);

  // A whole poll of four requests costs one timeout, not four.
  start = Clock::now();
  const GroupPoll poll = poll_group(connection, config, "fast");
  EXPECT_TRUE(poll.values.empty());
  EXPECT_EQ(poll.failures.size(), 16u);
  for (const auto& f : poll.failures) EXPECT_EQ(f.error.code, ErrorCode::timed_out);
  EXPECT_LT(elapsed_ms(start), 900);

  // With a retry, twice the timeout; then the device answers again.
  Endpoint patient = endpoint_of(config);
  patient.retries = 1;
  Connection retrying(patient);
  start = Clock::now();
  EXPECT_EQ(retrying.read(Table::input, 0, 1).error().code, ErrorCode::timed_out);
  EXPECT_GE(elapsed_ms(start), 550);
  plant->set_answering(true);
  auto back = connection.read(Table::input, 0, 4);
  EXPECT_TRUE(back) << back.error().message;
}

TEST(ModbusPlant, SlowDeviceWithinTheTimeout) {
  auto plant = start_plant();
  ASSERT_TRUE(plant);
  plant->set_reply_delay(milliseconds(200));
  Connection connection(endpoint_of(plant_config(plant->port(), 1000, 0)));
  const auto start = Clock::now();
  auto block = connection.read(Table::holding, 0, 3);
  ASSERT_TRUE(block) << block.error().message;
  EXPECT_EQ(block->registers[0], 200);
  EXPECT_GE(elapsed_ms(start), 200);
}

TEST(ModbusPlant, RefusedConnectionIsUnavailable) {
  test::RefusedPort nobody;
  ASSERT_NE(nobody.port(), 0);
  Connection connection(endpoint_of(plant_config(nobody.port(), 1000, 1)));
  auto refused = connection.read(Table::holding, 0, 1);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::unavailable);
  EXPECT_NE(refused.error().message.find("connection refused"), std::string::npos)
      << refused.error().message;
  EXPECT_FALSE(connection.is_open());
}

TEST(ModbusPlant, RequestsPastTheProtocolLimitsAreNotSent) {
  test::RefusedPort nobody;  // a request that went out would fail as unavailable
  Connection connection(endpoint_of(plant_config(nobody.port(), 1000, 0)));
  EXPECT_EQ(connection.read(Table::holding, 0, 126).error().code, ErrorCode::invalid);
  EXPECT_EQ(connection.read(Table::input, 0, 0).error().code, ErrorCode::invalid);
  EXPECT_EQ(connection.read(Table::holding, 65535, 2).error().code, ErrorCode::invalid);
  EXPECT_EQ(connection.read(Table::coil, 0, 2001).error().code, ErrorCode::invalid);
  const std::vector<std::uint16_t> too_many(124, 0);
  EXPECT_EQ(connection.write_registers(0, too_many).error().code, ErrorCode::invalid);
  EXPECT_EQ(connection.read(Table::coil, 0, 2000).error().code, ErrorCode::unavailable);
}

TEST(ModbusPlant, ServesSeveralClientsAtOnce) {
  auto plant = start_plant();
  ASSERT_TRUE(plant);
  const DeviceConfig config = plant_config(plant->port());
  std::vector<std::thread> clients;
  std::atomic<int> answered{0};
  for (int c = 0; c < 4; ++c)
    clients.emplace_back([&] {
      Connection connection(endpoint_of(config));
      for (int i = 0; i < 20; ++i)
        if (connection.read(Table::input, 0, 22)) ++answered;
    });
  for (auto& t : clients) t.join();
  EXPECT_EQ(answered.load(), 80);
}

}  // namespace
}  // namespace citypulse::modbus
