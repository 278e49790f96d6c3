// The body of a device's mapped MQTT topic (ingest/mapped_payload.h): the
// shapes third-party firmware publishes (Tasmota, zigbee2mqtt, Homie,
// ThingsBoard), nested objects flattened, the time members and their
// fallbacks, bare values keyed by the topic's last level, and every kind of
// body that is refused. And the flattening it shares with LoRaWAN
// (ingest/flat_json.h): order, skipped members, bounds.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "ingest/flat_json.h"
#include "ingest/mapped_payload.h"

namespace citypulse::ingest {
namespace {

constexpr TimeMs kNow = 1'800'000'000'000;
constexpr std::size_t kMax = 100;

std::vector<IncomingReading> parsed(std::string_view payload,
                                    std::string_view topic = "tele/boiler/SENSOR",
                                    std::size_t max = kMax) {
  auto r = parse_mapped_payload(payload, topic, kNow, max);
  EXPECT_TRUE(r.has_value()) << payload << ": " << (r ? "" : r.error().message);
  return r ? *r : std::vector<IncomingReading>{};
}

Error refused(std::string_view payload, std::string_view topic = "tele/boiler/SENSOR",
              std::size_t max = kMax) {
  auto r = parse_mapped_payload(payload, topic, kNow, max);
  EXPECT_FALSE(r.has_value()) << payload << " gave " << (r ? r->size() : 0) << " readings";
  return r ? Error{} : r.error();
}

std::string keys_of(const std::vector<IncomingReading>& readings) {
  std::string out;
  for (const auto& r : readings) out += (out.empty() ? "" : ",") + r.key;
  return out;
}

// Tasmota's tele/<topic>/SENSOR of an energy plug: nested objects become
// '.'-joined keys in body order; its zoneless local "Time" is not a time.
TEST(MappedPayload, NestedObjectIsFlattenedInBodyOrder) {
  const auto r = parsed(
      R"({"Time":"2024-05-01T12:00:00","ENERGY":{"TotalStartTime":"2024-01-01T00:00:00",)"
      R"("Total":12.3,"Yesterday":0.5,"Power":45.5,"Factor":0.91,"Voltage":230,"Relay":true},)"
      R"("TempUnit":"C"})");
  EXPECT_EQ(keys_of(r),
            "ENERGY.Total,ENERGY.Yesterday,ENERGY.Power,ENERGY.Factor,ENERGY.Voltage,ENERGY.Relay");
  ASSERT_EQ(r.size(), 6u);
  EXPECT_EQ(r[2].value, 45.5);
  EXPECT_EQ(r[5].value, 1);  // booleans are 1 and 0
  for (const auto& reading : r) {
    EXPECT_EQ(reading.t, kNow);
    EXPECT_FALSE(reading.auto_create);
    EXPECT_FALSE(reading.refused);
  }
}

TEST(MappedPayload, StringsNullsAndArraysAreSkippedNotErrors) {
  // zigbee2mqtt: {"state":"ON","brightness":254,"color":{"x":0.3,"y":0.3},"update":{...}}
  const auto r = parsed(R"({"state":"ON","brightness":254,"linkquality":null,)"
                        R"("color":{"x":0.31,"y":0.32},"list":[1,2],"big":1e400})");
  EXPECT_EQ(keys_of(r), "brightness,color.x,color.y");
  // Nothing numeric at all: no readings, not a failure.
  EXPECT_TRUE(parsed(R"({"state":"OFF","note":"hello"})").empty());
  EXPECT_TRUE(parsed("{}").empty());
}

TEST(MappedPayload, TimeFromTsOrAnRfc3339MemberWithAZone) {
  const TimeMs t = 1'717'000'000'123;
  auto r = parsed(R"({"ts":1717000000123,"temperature":21.5})");
  ASSERT_EQ(r.size(), 1u);  // "ts" is not a reading
  EXPECT_EQ(r[0].key, "temperature");
  EXPECT_EQ(r[0].t, t);
  // Milliseconds written as a float count whole.
  r = parsed(R"({"ts":1.717000000123e12,"temperature":21.5})");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].t, t);
  for (const std::string name : {"time", "Time", "timestamp"}) {
    r = parsed(R"({")" + name + R"(":"2024-05-29T16:26:40.123Z","temperature":21.5})");
    ASSERT_EQ(r.size(), 1u) << name;
    EXPECT_EQ(r[0].t, t) << name;
  }
  r = parsed(R"({"time":"2024-05-29T18:26:40.123+02:00","co2":600})");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].t, t);
  // "ts" is preferred to the others.
  r = parsed(R"({"time":"2020-01-01T00:00:00Z","ts":1717000000123,"co2":600})");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].t, t);
}

TEST(MappedPayload, AnUnusableTimeMeansNowAndIsNeverAReading) {
  for (std::string_view body :
       {R"({"ts":-5,"power":1})", R"({"ts":"1717000000123","power":1})",
        R"({"ts":253402300800000,"power":1})", R"({"ts":1e300,"power":1})",
        R"({"time":"yesterday","power":1})", R"({"Time":"2024-05-01T12:00:00","power":1})",
        R"({"timestamp":1717000000123,"power":1})", R"({"time":null,"power":1})",
        R"({"time":"1969-12-31T23:59:59Z","power":1})"}) {
    const auto r = parsed(body);
    ASSERT_EQ(r.size(), 1u) << body;
    EXPECT_EQ(r[0].key, "power") << body;
    EXPECT_EQ(r[0].t, kNow) << body;
  }
  // Only top-level members are times: nested ones are readings like any other.
  const auto r = parsed(R"({"meter":{"ts":5,"time":7}})");
  EXPECT_EQ(keys_of(r), "meter.ts,meter.time");
}

TEST(MappedPayload, ThingsBoardTimedFormAndArrays) {
  auto r = parsed(R"({"ts":1717000000123,"values":{"supply":{"temp":45.5},"flow":3}})");
  EXPECT_EQ(keys_of(r), "supply.temp,flow");
  for (const auto& reading : r) EXPECT_EQ(reading.t, 1'717'000'000'123);
  // A member "values" beside other members is an object like any other.
  r = parsed(R"({"ts":1717000000123,"values":{"a":1},"b":2})");
  EXPECT_EQ(keys_of(r), "values.a,b");
  r = parsed(
      R"([{"ts":1717000000000,"values":{"power":1}},{"ts":1717000001000,"values":{"power":2}},)"
      R"({"power":3}])");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].t, 1'717'000'000'000);
  EXPECT_EQ(r[1].t, 1'717'000'001'000);
  EXPECT_EQ(r[2].t, kNow);
  EXPECT_EQ(r[2].value, 3);
}

// zigbee2mqtt, Homie and Tasmota publish one value per topic.
TEST(MappedPayload, BareValueIsKeyedByTheTopicsLastLevel) {
  auto r = parsed("21.5", "sensors/ahu1/supply_temp");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].key, "supply_temp");
  EXPECT_EQ(r[0].value, 21.5);
  EXPECT_EQ(r[0].t, kNow);
  r = parsed(" -3\n", "homie/boiler/flow/temperature");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].value, -3);
  EXPECT_EQ(r[0].key, "temperature");
  EXPECT_EQ(parsed("true", "a/pump")[0].value, 1);
  EXPECT_EQ(parsed("false", "a/pump")[0].value, 0);
  EXPECT_EQ(parsed("ON", "stat/plug/POWER")[0].value, 1);
  EXPECT_EQ(parsed("off", "stat/plug/POWER")[0].value, 0);
  EXPECT_EQ(parsed("12", "single")[0].key, "single");
}

TEST(MappedPayload, BadBodiesAreRefusedAsBadRequest) {
  for (std::string_view body : {"", "hello", R"("21.5")", "null", "[1,2]", R"([{"a":1},3])",
                                "{\"a\":", "1e400", "on please", "0x10"}) {
    const Error e = refused(body);
    EXPECT_EQ(e.code, ErrorCode::bad_request) << body;
    EXPECT_FALSE(e.message.empty()) << body;
  }
  EXPECT_EQ(refused(R"([{"a":1},3])").field, "/1");
  // A bare value needs a key: the topic's last level, 1 to 128 bytes.
  EXPECT_EQ(refused("21.5", "sensors/ahu1/").code, ErrorCode::bad_request);
  EXPECT_EQ(refused("21.5", "sensors/" + std::string(kMaxMappedKey + 1, 'k')).code,
            ErrorCode::bad_request);
  EXPECT_EQ(parsed("21.5", "sensors/" + std::string(kMaxMappedKey, 'k'))[0].key.size(),
            kMaxMappedKey);
}

TEST(MappedPayload, AtMostMaxReadingsPerMessage) {
  std::string body = "{";
  for (int i = 0; i < 5; ++i)
    body += (i ? "," : "") + std::string("\"k") + std::to_string(i) + "\":1";
  body += "}";
  EXPECT_EQ(parsed(body, "t", 5).size(), 5u);
  EXPECT_EQ(refused(body, "t", 4).code, ErrorCode::too_large);
  // Across an array's elements too.
  EXPECT_EQ(refused(R"([{"a":1,"b":2},{"a":3,"b":4}])", "t", 3).code, ErrorCode::too_large);
  EXPECT_EQ(parsed(R"([{"a":1,"b":2},{"a":3,"b":4}])", "t", 4).size(), 4u);
}

// ------------------------------------------------------------ flat_json.h

TEST(FlatJson, KeysDepthAndDuplicates) {
  const auto body =
      boost::json::parse(R"({"a.b":1,"a":{"b":2,"c":{"d":{"e":3}}},"":4,"n":{"":5,"m":6}})")
          .as_object();
  std::vector<FlatValue> out;
  ASSERT_TRUE(flatten_values(body, {.max_values = 10}, out));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].key, "a.b");  // the first of two "a.b" stands
  EXPECT_EQ(out[0].value, 1);
  EXPECT_EQ(out[1].key, "a.c.d.e");
  EXPECT_EQ(out[2].key, "n.m");
  // Three levels only: a.c.d is an object at the third, not walked further.
  out.clear();
  ASSERT_TRUE(flatten_values(body, {.max_values = 10, .max_depth = 3}, out));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].key, "n.m");
  // Keys longer than max_key go with their subtree.
  out.clear();
  ASSERT_TRUE(flatten_values(body, {.max_values = 10, .max_key = 3}, out));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].key, "a.b");
  EXPECT_EQ(out[1].key, "n.m");
}

TEST(FlatJson, SkipTopAndTheBound) {
  const auto body = boost::json::parse(R"({"ts":1,"x":{"ts":2},"y":3})").as_object();
  constexpr std::string_view kSkip[] = {"ts"};
  std::vector<FlatValue> out;
  ASSERT_TRUE(flatten_values(body, {.max_values = 10, .skip_top = kSkip}, out));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].key, "x.ts");
  EXPECT_EQ(out[1].key, "y");
  // The bound counts what `out` already holds.
  out = {FlatValue{"before", 0}};
  EXPECT_FALSE(flatten_values(body, {.max_values = 3}, out));
  EXPECT_EQ(out.size(), 3u);
  out.clear();
  EXPECT_TRUE(flatten_values(body, {.max_values = 3}, out));
}

}  // namespace
}  // namespace citypulse::ingest
