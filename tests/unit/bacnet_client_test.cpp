// The BACnet client against the simulated site on loopback UDP: discovery of
// a node and the devices routed behind it, reads one and many at a time,
// writes at a priority and their relinquish, the device's refusals in words,
// an object list too long for one APDU, COV notifications, and a dead device
// that holds up nobody but itself.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>

#include "bacnet_test_io.h"
#include "drivers/bacnet/apdu.h"
#include "drivers/bacnet/client.h"
#include "drivers/bacnet/link_frame.h"
#include "sim/bacnet_site.h"

namespace citypulse::bacnet {
namespace {

namespace ot = object_type;
using Clock = std::chrono::steady_clock;

struct Fixture : ::testing::Test {
  void SetUp() override {
    std::vector<sim::BacnetDeviceOptions> devices;
    devices.push_back(
        {.instance = 100, .name = "AHU 1", .objects = sim::ahu_objects(), .plant = true});
    devices.push_back({.instance = 201,
                       .name = "Room 1",
                       .objects = sim::ahu_objects(),
                       .mac = 1,
                       .plant = true});
    devices.push_back({.instance = 202,
                       .name = "Room 2 (no RPM)",
                       .objects = sim::ahu_objects(),
                       .mac = 2,
                       .read_property_multiple = false,
                       .cov = false});
    std::vector<sim::BacnetObject> many;
    for (std::uint32_t i = 1; i <= 60; ++i)
      many.push_back({{ot::analog_value, i}, "Value " + std::to_string(i), 95, double(i)});
    devices.push_back(
        {.instance = 203, .name = "Small APDU", .objects = many, .mac = 3, .max_apdu = 128});
    devices.push_back(
        {.instance = 204, .name = "Dead", .objects = sim::ahu_objects(), .mac = 4, .silent = true});
    auto started = sim::BacnetSite::start({.step_ms = 50, .speed = 20}, std::move(devices));
    ASSERT_TRUE(started) << started.error().message;
    site = std::move(*started);
    auto opened =
        Client::open(io.io(), {.bind_host = "127.0.0.1", .timeout_ms = 300, .retries = 1});
    ASSERT_TRUE(opened) << opened.error().message;
    client = std::move(*opened);
  }

  DeviceAddress node() const { return {"127.0.0.1", site->port(), std::nullopt}; }
  DeviceAddress routed(std::uint8_t mac) const {
    return {"127.0.0.1", site->port(), NetworkAddress{site->network(), {mac}}};
  }

  Result<std::vector<PropertyValue>> read(const DeviceAddress& a, PropertyReference ref) {
    return wait_for<std::vector<PropertyValue>>(
        [&](auto done) { client->read_property(a, ref, std::move(done)); });
  }
  Status write(const DeviceAddress& a, WriteProperty w) {
    return wait_for<void>([&](auto done) { client->write_property(a, w, std::move(done)); });
  }

  IoThread io;
  std::unique_ptr<sim::BacnetSite> site;
  std::unique_ptr<Client> client;
};

TEST_F(Fixture, WhoIsFindsTheNodeAndTheDevicesBehindIt) {
  // Global broadcast through the node: every device that lives answers.
  DeviceAddress everyone = node();
  everyone.route = NetworkAddress{0xFFFF, {}};
  auto heard = wait_for<std::vector<Discovered>>(
      [&](auto done) { client->who_is(everyone, {}, 500, std::move(done)); });
  ASSERT_TRUE(heard) << heard.error().message;
  std::map<std::uint32_t, DeviceAddress> by_instance;
  for (const auto& d : *heard) by_instance[d.i_am.device.instance] = d.address;
  EXPECT_EQ(by_instance.size(), 4u);  // the dead one is silent
  EXPECT_EQ(by_instance.at(100), node());
  EXPECT_EQ(by_instance.at(201), routed(1));
  EXPECT_EQ(to_string(by_instance.at(203)), fmt::format("127.0.0.1:{}/2001:03", site->port()));
  // A range: only 200–202.
  auto ranged = wait_for<std::vector<Discovered>>([&](auto done) {
    client->who_is(everyone, {200, 202}, 300, std::move(done));
  });
  ASSERT_TRUE(ranged);
  EXPECT_EQ(ranged->size(), 2u);
}

TEST_F(Fixture, ReadsOneAndManyPropertiesOfARoutedDevice) {
  auto value = read(routed(1), {{ot::analog_value, 1}, property::present_value, std::nullopt});
  ASSERT_TRUE(value) << value.error().message;
  ASSERT_EQ(value->size(), 1u);
  EXPECT_EQ(as_number((*value)[0]), 20.0);
  auto name = read(routed(1), {{ot::device, 201}, property::object_name, std::nullopt});
  ASSERT_TRUE(name);
  EXPECT_EQ((*name)[0], PropertyValue(std::string("Room 1")));

  std::vector<PropertyReference> refs = {{{ot::analog_input, 1}, property::present_value, {}},
                                         {{ot::analog_input, 1}, property::units, {}},
                                         {{ot::binary_input, 1}, property::present_value, {}},
                                         {{ot::analog_input, 9}, property::present_value, {}}};
  auto many = wait_for<std::vector<PropertyResult>>(
      [&](auto done) { client->read_property_multiple(routed(1), refs, std::move(done)); });
  ASSERT_TRUE(many) << many.error().message;
  ASSERT_EQ(many->size(), 4u);
  EXPECT_NEAR(*as_number((*many)[0].values.at(0)), *site->present_value(201, {ot::analog_input, 1}),
              0.5);
  EXPECT_EQ((*many)[1].values.at(0), PropertyValue(Enumerated{62}));  // degrees Celsius
  EXPECT_EQ((*many)[2].values.at(0), PropertyValue(Enumerated{1}));
  ASSERT_TRUE((*many)[3].error);  // no such object: that one only
  EXPECT_EQ(describe_error((*many)[3].error->error_class, (*many)[3].error->error_code),
            "object: unknown-object");

  // A device without ReadPropertyMultiple rejects it: the driver falls back on this.
  auto rejected = wait_for<std::vector<PropertyResult>>(
      [&](auto done) { client->read_property_multiple(routed(2), refs, std::move(done)); });
  ASSERT_FALSE(rejected);
  EXPECT_EQ(rejected.error().code, ErrorCode::bad_request);
  EXPECT_NE(rejected.error().message.find("unrecognized-service"), std::string::npos)
      << rejected.error().message;
}

TEST_F(Fixture, WritesAtAPriorityMoveThePlantAndRelinquishReturnsIt) {
  const PropertyReference setpoint{{ot::analog_value, 1}, property::present_value, std::nullopt};
  const double before = *site->present_value(100, {ot::analog_input, 1});
  ASSERT_TRUE(write(node(), {setpoint, PropertyValue(28.0f), 8}));
  EXPECT_EQ(site->active_priority(100, setpoint.object), 8);
  EXPECT_EQ(site->present_value(100, setpoint.object), 28.0);
  auto read_back = read(node(), setpoint);
  ASSERT_TRUE(read_back);
  EXPECT_EQ(as_number(read_back->at(0)), 28.0);
  // Twenty simulated seconds a second: the supply air heads for 28 °C.
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline && *site->present_value(100, {ot::analog_input, 1}) < before + 3)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_GE(*site->present_value(100, {ot::analog_input, 1}), before + 3);
  // A lower priority does not override; relinquishing 8 returns to the default.
  ASSERT_TRUE(write(node(), {setpoint, PropertyValue(15.0f), 12}));
  EXPECT_EQ(site->present_value(100, setpoint.object), 28.0);
  ASSERT_TRUE(write(node(), {setpoint, PropertyValue{}, 8}));
  EXPECT_EQ(site->present_value(100, setpoint.object), 15.0);
  ASSERT_TRUE(write(node(), {setpoint, PropertyValue{}, 12}));
  EXPECT_EQ(site->present_value(100, setpoint.object), 20.0);
  EXPECT_EQ(site->active_priority(100, setpoint.object), std::nullopt);
}

TEST_F(Fixture, TheDevicesRefusalsAreErrorsInWords) {
  const PropertyReference setpoint{{ot::analog_value, 1}, property::present_value, std::nullopt};
  auto out_of_range = write(node(), {setpoint, PropertyValue(45.0f), 8});
  ASSERT_FALSE(out_of_range);
  EXPECT_EQ(out_of_range.error().code, ErrorCode::invalid);
  EXPECT_NE(out_of_range.error().message.find("property: value-out-of-range"), std::string::npos);
  auto wrong_type = write(node(), {setpoint, PropertyValue(std::string("warm")), 8});
  ASSERT_FALSE(wrong_type);
  EXPECT_NE(wrong_type.error().message.find("invalid-data-type"), std::string::npos);
  auto input =
      write(node(), {{{ot::analog_input, 1}, property::present_value, {}}, PropertyValue(1.0f), 8});
  ASSERT_FALSE(input);
  EXPECT_NE(input.error().message.find("write-access-denied"), std::string::npos);
  auto unknown = read(node(), {{ot::analog_input, 77}, property::present_value, {}});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::not_found);
  EXPECT_NE(unknown.error().message.find("object: unknown-object"), std::string::npos);
  EXPECT_EQ(site->present_value(100, setpoint.object), 20.0);  // nothing changed
}

TEST_F(Fixture, AnObjectListTooLongForOneApduIsReadElementByElement) {
  const ObjectId device{ot::device, 203};
  auto whole = read(routed(3), {device, property::object_list, std::nullopt});
  ASSERT_FALSE(whole);
  EXPECT_EQ(whole.error().code, ErrorCode::too_large);
  EXPECT_NE(whole.error().message.find("segmentation-not-supported"), std::string::npos);
  auto count = read(routed(3), {device, property::object_list, 0});
  ASSERT_TRUE(count) << count.error().message;
  EXPECT_EQ(count->at(0), PropertyValue(std::uint32_t{61}));
  auto last = read(routed(3), {device, property::object_list, 61});
  ASSERT_TRUE(last);
  EXPECT_EQ(last->at(0), PropertyValue(ObjectId{ot::analog_value, 60}));
  auto beyond = read(routed(3), {device, property::object_list, 62});
  ASSERT_FALSE(beyond);
  EXPECT_EQ(beyond.error().code, ErrorCode::not_found);
}

TEST_F(Fixture, CovNotificationsTellOfChanges) {
  std::mutex mutex;
  std::vector<CovNotification> heard;
  client->on_cov([&](const DeviceAddress& from, const CovNotification& n) {
    std::lock_guard lock(mutex);
    if (from == routed(1)) heard.push_back(n);
  });
  const ObjectId outdoor{ot::analog_input, 3};
  ASSERT_TRUE(wait_for<void>([&](auto done) {
    client->subscribe_cov(routed(1), {7, outdoor, false, 300}, std::move(done));
  }));
  const auto count = [&] {
    std::lock_guard lock(mutex);
    return heard.size();
  };
  const auto wait_until = [&](std::size_t n) {
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    while (count() < n && Clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return count() >= n;
  };
  ASSERT_TRUE(wait_until(1));  // the initial notification
  ASSERT_TRUE(site->set_value(201, outdoor, -3.5));
  ASSERT_TRUE(wait_until(2));
  {
    std::lock_guard lock(mutex);
    EXPECT_EQ(heard[1].process_id, 7u);
    EXPECT_EQ(heard[1].device, (ObjectId{ot::device, 201}));
    EXPECT_EQ(heard[1].object, outdoor);
    EXPECT_EQ(as_number(heard[1].values.at(0).values.at(0)), -3.5);
    EXPECT_GT(heard[1].time_remaining_s, 290u);
  }
  // Below the COV increment (0.2): no notification.
  ASSERT_TRUE(site->set_value(201, outdoor, -3.45));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(count(), 2u);
  // A device without COV rejects the subscription.
  auto refused = wait_for<void>([&](auto done) {
    client->subscribe_cov(routed(2), {8, outdoor, false, 300}, std::move(done));
  });
  EXPECT_FALSE(refused);
}

TEST_F(Fixture, ADeadDeviceHoldsUpOnlyItself) {
  const PropertyReference pv{{ot::analog_input, 1}, property::present_value, std::nullopt};
  auto dead = std::make_shared<std::promise<Result<std::vector<PropertyValue>>>>();
  auto dead_answer = dead->get_future();
  const auto started = Clock::now();
  client->read_property(routed(4), pv, [dead](auto r) { dead->set_value(std::move(r)); });
  // Meanwhile the living answer at once, many times over.
  for (int i = 0; i < 20; ++i) {
    const auto t0 = Clock::now();
    ASSERT_TRUE(read(routed(1), pv));
    EXPECT_LT(Clock::now() - t0, std::chrono::milliseconds(200));
  }
  auto r = dead_answer.get();
  const auto waited = Clock::now() - started;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::timed_out);
  EXPECT_NE(r.error().message.find("2 attempts of 300 ms"), std::string::npos) << r.error().message;
  EXPECT_GE(waited, std::chrono::milliseconds(600));
  EXPECT_LT(waited, std::chrono::milliseconds(2000));
  // Brought back to life it answers again.
  site->set_silent(204, false);
  EXPECT_TRUE(read(routed(4), pv));
}

TEST_F(Fixture, AFullQueueIsRefusedAtOnce) {
  auto opened = Client::open(
      io.io(), {.bind_host = "127.0.0.1", .timeout_ms = 200, .retries = 0, .queue_per_device = 2});
  ASSERT_TRUE(opened);
  auto& small = **opened;
  const PropertyReference pv{{ot::analog_input, 1}, property::present_value, std::nullopt};
  std::vector<std::future<Result<std::vector<PropertyValue>>>> answers;
  for (int i = 0; i < 4; ++i) {
    auto p = std::make_shared<std::promise<Result<std::vector<PropertyValue>>>>();
    answers.push_back(p->get_future());
    small.read_property(routed(4), pv, [p](auto r) { p->set_value(std::move(r)); });
  }
  // One with the device, two waiting, the fourth refused.
  std::vector<ErrorCode> codes;
  for (auto& a : answers) {
    auto r = a.get();
    ASSERT_FALSE(r);
    codes.push_back(r.error().code);
  }
  EXPECT_EQ(std::count(codes.begin(), codes.end(), ErrorCode::timed_out), 3);
  EXPECT_EQ(std::count(codes.begin(), codes.end(), ErrorCode::unavailable), 1);
}

TEST_F(Fixture, MalformedFramesAreIgnoredAndNothingStops) {
  // Cut-short, mistyped and lying datagrams, to the site and to the client.
  const std::vector<std::vector<std::uint8_t>> garbage = {
      {},
      {0x81},
      {0x81, 0x0A, 0x00, 0x40, 0x01, 0x04},        // a length the datagram has not
      {0x82, 0x0A, 0x00, 0x06, 0x01, 0x04},        // not BACnet/IP
      {0x81, 0x0A, 0x00, 0x07, 0x01, 0x04, 0x00},  // a confirmed request cut short
      {0x81, 0x0A, 0x00, 0x0A, 0x01, 0x04, 0x00, 0x05, 0x01, 0x0C},  // ReadProperty, no parameters
      {0x81, 0x0A, 0x00, 0x0D, 0x01, 0x04, 0x00, 0x05, 0x02, 0x0C, 0x0C, 0x00, 0x00},
      {0x81, 0x0A, 0x00, 0x09, 0x01, 0x28, 0x07, 0xD1, 0x01},  // a source address cut short
      {0x81, 0x0A, 0x00, 0x08, 0x01, 0x00, 0x30, 0x01},        // an answer nobody asked for
  };
  boost::asio::io_context raw_io;
  boost::asio::ip::udp::socket raw(raw_io, {boost::asio::ip::make_address_v4("127.0.0.1"), 0});
  for (const auto& g : garbage) {
    raw.send_to(boost::asio::buffer(g),
                {boost::asio::ip::make_address_v4("127.0.0.1"), site->port()});
    raw.send_to(boost::asio::buffer(g),
                {boost::asio::ip::make_address_v4("127.0.0.1"), client->local_port()});
  }
  // A ReadProperty without its property: the site rejects it.
  raw.send_to(
      boost::asio::buffer(std::vector<std::uint8_t>{0x81, 0x0A, 0x00, 0x0F, 0x01, 0x04, 0x00, 0x05,
                                                    0x03, 0x0C, 0x0C, 0x00, 0x00, 0x00, 0x01}),
      {boost::asio::ip::make_address_v4("127.0.0.1"), site->port()});
  // The two earlier requests cut short (invoke ids 1 and 2) are rejected too.
  std::vector<int> rejected;
  for (int k = 0; k < 3; ++k) {
    std::array<std::uint8_t, 64> answer{};
    boost::asio::ip::udp::endpoint from;
    std::size_t n = 0;
    raw.async_receive_from(boost::asio::buffer(answer), from,
                           [&](boost::system::error_code, std::size_t got) { n = got; });
    raw_io.restart();
    raw_io.run_for(std::chrono::seconds(3));
    ASSERT_GT(n, 0u) << "no answer " << k + 1;
    auto datagram = parse_datagram(std::span<const std::uint8_t>(answer.data(), n));
    ASSERT_TRUE(datagram) << datagram.error().message;
    auto apdu = parse_apdu(datagram->apdu);
    ASSERT_TRUE(apdu);
    EXPECT_EQ(apdu->type, PduType::reject);
    rejected.push_back(apdu->invoke_id);
  }
  std::sort(rejected.begin(), rejected.end());
  EXPECT_EQ(rejected, (std::vector<int>{1, 2, 3}));
  // Both still work.
  auto value = read(routed(1), {{ot::analog_value, 1}, property::present_value, std::nullopt});
  ASSERT_TRUE(value) << value.error().message;
  EXPECT_EQ(as_number(value->at(0)), 20.0);
}

TEST(BacnetAddress, TextAndBack) {
  auto a = parse_device_address("10.1.2.3:47809/2001:0a");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->port, 47809);
  EXPECT_EQ(a->route->network, 2001);
  EXPECT_EQ(a->route->mac, std::vector<std::uint8_t>{0x0a});
  EXPECT_EQ(to_string(*a), "10.1.2.3:47809/2001:0a");
  EXPECT_EQ(parse_device_address("10.1.2.3")->port, 47808);
  for (const char* bad : {"", "host:1", "10.1.2.3:0", "10.1.2.3:99999", "10.1.2.3:1/2001",
                          "10.1.2.3:1/0:01", "10.1.2.3:1/5:0", "10.1.2.3:1/5:zz"})
    EXPECT_FALSE(parse_device_address(bad)) << bad;
}

}  // namespace
}  // namespace citypulse::bacnet
