// A Modbus device's register map from JSON (drivers/modbus/register_map.h):
// a full document read and written back to an equal config, defaults, and
// each kind of bad field refused with its JSON pointer.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "drivers/modbus/register_map.h"

namespace citypulse::modbus {
namespace {

constexpr const char* kAhu = R"({
  "host": "10.0.0.7", "port": 5020, "unit_id": 3, "timeout_ms": 500, "retries": 2, "max_gap": 4,
  "groups": [{"name": "fast", "interval_ms": 10000}, {"name": "slow", "interval_ms": 60000}],
  "points": [
    {"channel": "supply_temp", "table": "input", "address": 0, "type": "int16", "scale": 0.1,
     "group": "fast"},
    {"channel": "power", "table": "input", "address": 4, "type": "float32", "word_order": "little",
     "byte_order": "big", "group": "fast"},
    {"channel": "running", "table": "input", "address": 10, "type": "bool", "bit": 0,
     "group": "slow"},
    {"channel": "setpoint", "table": "holding", "address": 0, "type": "int16", "scale": 0.1,
     "offset": -5, "group": "slow", "writable": true},
    {"channel": "enable", "table": "coil", "address": 0, "writable": true},
    {"channel": "fault", "table": "discrete", "address": 0, "type": "bool"}
  ]})";

// The AHU document with `member` of point `index` replaced by `value` (null: removed).
std::string with_point_field(std::size_t index, const char* member, boost::json::value value) {
  auto doc = boost::json::parse(kAhu);
  auto& point = doc.at("points").as_array().at(index).as_object();
  if (value.is_null())
    point.erase(member);
  else
    point[member] = std::move(value);
  return boost::json::serialize(doc);
}

std::string with_field(const char* member, boost::json::value value) {
  auto doc = boost::json::parse(kAhu);
  doc.as_object()[member] = std::move(value);
  return boost::json::serialize(doc);
}

// The pointer of the field a document is refused for.
std::string refused_at(const std::string& document) {
  auto c = parse_device_config_text(document);
  if (c) return "(accepted)";
  EXPECT_EQ(c.error().code, ErrorCode::invalid) << c.error().message;
  return c.error().field;
}

TEST(ModbusRegisterMap, ReadsEveryFieldAndRoundTrips) {
  auto c = parse_device_config_text(kAhu);
  ASSERT_TRUE(c) << c.error().message << " at " << c.error().field;
  EXPECT_EQ(c->host, "10.0.0.7");
  EXPECT_EQ(c->port, 5020);
  EXPECT_EQ(c->unit_id, 3);
  EXPECT_EQ(c->timeout_ms, 500);
  EXPECT_EQ(c->retries, 2);
  EXPECT_EQ(c->max_gap, 4);
  ASSERT_EQ(c->groups.size(), 2u);
  EXPECT_EQ(c->groups[1], (PollGroup{"slow", 60000}));
  ASSERT_EQ(c->points.size(), 6u);
  EXPECT_EQ(c->points[0].format.scale, 0.1);
  EXPECT_EQ(c->points[1].format.type, ValueType::float32);
  EXPECT_EQ(c->points[1].format.word_order, Order::little);
  EXPECT_EQ(c->points[2].format.bit, std::optional<std::uint8_t>(0));
  EXPECT_EQ(c->points[3].format.offset, -5);
  EXPECT_TRUE(c->points[3].writable);
  // A coil defaults to bool and to the first group.
  EXPECT_EQ(c->points[4].format.type, ValueType::boolean);
  EXPECT_EQ(c->points[4].group, "fast");
  EXPECT_FALSE(c->points[5].writable);

  auto again = parse_device_config(to_json(*c));
  ASSERT_TRUE(again) << again.error().message << " at " << again.error().field;
  EXPECT_EQ(*again, *c);
}

TEST(ModbusRegisterMap, Defaults) {
  auto c = parse_device_config_text(
      R"({"host": "plant-7.example", "groups": [{"name": "g", "interval_ms": 100}]})");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->port, 502);
  EXPECT_EQ(c->unit_id, 1);
  EXPECT_EQ(c->timeout_ms, 1000);
  EXPECT_EQ(c->retries, 1);
  EXPECT_EQ(c->max_gap, 8);
  EXPECT_TRUE(c->points.empty());
}

TEST(ModbusRegisterMap, RefusesBadDeviceFields) {
  EXPECT_EQ(refused_at(with_field("host", "10.0.0.300")), "/host");
  EXPECT_EQ(refused_at(with_field("host", "bad_host!")), "/host");
  EXPECT_EQ(refused_at(with_field("host", "-a.example")), "/host");
  EXPECT_EQ(refused_at(with_field("host", 7)), "/host");
  EXPECT_EQ(refused_at(with_field("port", 0)), "/port");
  EXPECT_EQ(refused_at(with_field("port", 65536)), "/port");
  EXPECT_EQ(refused_at(with_field("unit_id", 250)), "/unit_id");
  EXPECT_EQ(refused_at(with_field("timeout_ms", 5)), "/timeout_ms");
  EXPECT_EQ(refused_at(with_field("retries", 11)), "/retries");
  EXPECT_EQ(refused_at(with_field("max_gap", -1)), "/max_gap");
  EXPECT_EQ(refused_at(with_field("colour", "red")), "/colour");
  EXPECT_EQ(refused_at(with_field("groups", boost::json::array{})), "/groups");
  EXPECT_EQ(refused_at(with_field("groups", boost::json::parse(R"([{"name": "a",
            "interval_ms": 99}])"))),
            "/groups/0/interval_ms");
  EXPECT_EQ(refused_at(with_field("groups", boost::json::parse(R"([{"name": "a",
            "interval_ms": 100}, {"name": "a", "interval_ms": 86400001}])"))),
            "/groups/1/interval_ms");
  EXPECT_EQ(refused_at(with_field("groups", boost::json::parse(R"([{"name": "a",
            "interval_ms": 100}, {"name": "a", "interval_ms": 200}])"))),
            "/groups/1/name");
  EXPECT_EQ(refused_at(with_field("points", "none")), "/points");
  auto not_json = parse_device_config_text("{\"host\":");
  ASSERT_FALSE(not_json);
  EXPECT_EQ(not_json.error().code, ErrorCode::bad_request);
}

TEST(ModbusRegisterMap, RefusesBadPointFields) {
  EXPECT_EQ(refused_at(with_point_field(3, "type", "int24")), "/points/3/type");
  EXPECT_EQ(refused_at(with_point_field(3, "type", nullptr)), "/points/3/type");
  EXPECT_EQ(refused_at(with_point_field(4, "type", "uint16")), "/points/4/type");
  EXPECT_EQ(refused_at(with_point_field(1, "table", "register")), "/points/1/table");
  EXPECT_EQ(refused_at(with_point_field(1, "table", nullptr)), "/points/1/table");
  EXPECT_EQ(refused_at(with_point_field(0, "address", 65536)), "/points/0/address");
  EXPECT_EQ(refused_at(with_point_field(0, "address", 1.5)), "/points/0/address");
  // A float32 at 65535 would need register 65536.
  EXPECT_EQ(refused_at(with_point_field(1, "address", 65535)), "/points/1/address");
  EXPECT_EQ(refused_at(with_point_field(1, "word_order", "middle")), "/points/1/word_order");
  EXPECT_EQ(refused_at(with_point_field(1, "byte_order", 1)), "/points/1/byte_order");
  EXPECT_EQ(refused_at(with_point_field(4, "byte_order", "big")), "/points/4/byte_order");
  EXPECT_EQ(refused_at(with_point_field(0, "scale", 0)), "/points/0/scale");
  EXPECT_EQ(refused_at(with_point_field(0, "offset", "x")), "/points/0/offset");
  EXPECT_EQ(refused_at(with_point_field(2, "bit", 16)), "/points/2/bit");
  EXPECT_EQ(refused_at(with_point_field(2, "bit", nullptr)), "/points/2/bit");
  EXPECT_EQ(refused_at(with_point_field(0, "bit", 3)), "/points/0/bit");
  EXPECT_EQ(refused_at(with_point_field(5, "bit", 3)), "/points/5/bit");
  EXPECT_EQ(refused_at(with_point_field(2, "scale", 2)), "/points/2/scale");
  EXPECT_EQ(refused_at(with_point_field(0, "group", "medium")), "/points/0/group");
  EXPECT_EQ(refused_at(with_point_field(0, "writable", true)), "/points/0/writable");
  EXPECT_EQ(refused_at(with_point_field(5, "writable", true)), "/points/5/writable");
  EXPECT_EQ(refused_at(with_point_field(0, "writable", "yes")), "/points/0/writable");
  EXPECT_EQ(refused_at(with_point_field(5, "channel", "supply_temp")), "/points/5/channel");
  EXPECT_EQ(refused_at(with_point_field(5, "channel", "")), "/points/5/channel");
  EXPECT_EQ(refused_at(with_point_field(5, "unit", "degC")), "/points/5/unit");
}

TEST(ModbusRegisterMap, AtMostTwoThousandPoints) {
  boost::json::object doc{{"host", "127.0.0.1"},
                          {"groups", boost::json::parse(R"([{"name":"g","interval_ms":1000}])")}};
  boost::json::array points;
  for (int i = 0; i < 2000; ++i)
    points.push_back(boost::json::object{{"channel", "c" + std::to_string(i)},
                                         {"table", "holding"},
                                         {"address", i},
                                         {"type", "uint16"}});
  doc["points"] = points;
  EXPECT_TRUE(parse_device_config(doc));
  points.push_back(boost::json::object{
      {"channel", "one_more"}, {"table", "holding"}, {"address", 0}, {"type", "uint16"}});
  doc["points"] = points;
  EXPECT_EQ(parse_device_config(doc).error().field, "/points");
}

TEST(ModbusRegisterMap, HostNames) {
  EXPECT_TRUE(is_host_name("192.168.1.20"));
  EXPECT_TRUE(is_host_name("localhost"));
  EXPECT_TRUE(is_host_name("ahu-3.plant.example"));
  EXPECT_FALSE(is_host_name("192.168.1"));
  EXPECT_FALSE(is_host_name("1.2.3.4.5"));
  EXPECT_FALSE(is_host_name("a..b"));
  EXPECT_FALSE(is_host_name("host:502"));
  EXPECT_FALSE(is_host_name(""));
}

}  // namespace
}  // namespace citypulse::modbus
