// Unit tests of the schema-driven decoding, encoding and JSON Schema of the
// asset model: every class of bad input gets a precise error naming the field.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "model/asset_schema.h"

namespace citypulse {
namespace {

namespace json = boost::json;

Result<Building> decode_building(const std::string& text, DecodeMode mode = DecodeMode::create,
                                 const Building* current = nullptr) {
  return decode(json::parse(text), building_schema(), mode, current);
}

void expect_invalid(const Result<Building>& r, const std::string& field, const std::string& words) {
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::invalid);
  EXPECT_EQ(r.error().field, field);
  EXPECT_NE(r.error().message.find(words), std::string::npos) << r.error().message;
}

TEST(Schema, DecodesAValidBuilding) {
  auto b =
      decode_building(R"({"name":"Rathaus","type":"town_hall","latitude":48.35,"longitude":8.96,
      "gross_floor_area_m2":2400,"year_built":1906,"tags":["a","b","a"],"site_id":null})");
  ASSERT_TRUE(b.has_value()) << b.error().message;
  EXPECT_EQ(b->name, "Rathaus");
  EXPECT_EQ(b->year_built, 1906);
  EXPECT_EQ(b->tags, (std::vector<std::string>{"a", "b"}));  // duplicates collapse
  EXPECT_EQ(b->timezone, "Europe/Berlin");                   // default
  EXPECT_FALSE(b->site_id.has_value());
}

TEST(Schema, EveryClassOfBadInputNamesTheField) {
  expect_invalid(decode_building(R"({"type":"school"})"), "/name", "missing required field 'name'");
  expect_invalid(decode_building(R"({"name":"x","type":"castle"})"), "/type", "must be one of");
  expect_invalid(decode_building(R"({"name":5,"type":"school"})"), "/name",
                 "must be a string, not a number");
  expect_invalid(decode_building(R"({"name":"","type":"school"})"), "/name", "must not be empty");
  expect_invalid(decode_building(R"({"name":"x","type":"school","colour":"red"})"), "/colour",
                 "unknown field 'colour'");
  expect_invalid(decode_building(R"({"name":"x","type":"school","latitude":91,"longitude":0})"),
                 "/latitude", "between -90 and 90");
  expect_invalid(decode_building(R"({"name":"x","type":"school","latitude":"48","longitude":0})"),
                 "/latitude", "must be a number");
  expect_invalid(decode_building(R"({"name":"x","type":"school","latitude":48})"), "/longitude",
                 "together");
  expect_invalid(decode_building(R"({"name":"x","type":"school","year_built":1999.5})"),
                 "/year_built", "must be an integer, not a fraction");
  expect_invalid(decode_building(R"({"name":"x","type":"school","year_built":3000})"),
                 "/year_built", "between 1000 and 2100");
  expect_invalid(decode_building(R"({"name":"x","type":"school","site_id":0})"), "/site_id",
                 "positive id");
  expect_invalid(decode_building(R"({"name":"x","type":"school","site_id":"3"})"), "/site_id",
                 "integer id");
  expect_invalid(decode_building(R"({"name":"x","type":"school","tags":"a"})"), "/tags",
                 "array of strings");
  expect_invalid(decode_building(R"({"name":"x","type":"school","tags":["ok",""]})"), "/tags/1",
                 "must not be empty");
  expect_invalid(decode_building(R"({"name":"x","type":"school","timezone":"Mars/Olympus"})"),
                 "/timezone", "time zone");
  expect_invalid(decode_building(R"({"name":"a\u0001b","type":"school"})"), "/name",
                 "control characters");
  expect_invalid(decode_building(R"({"name":"x","type":"school","tenant_id":-1})"), "/tenant_id",
                 "positive integer");
  auto not_object = decode(json::parse("[1]"), building_schema(), DecodeMode::create,
                           static_cast<const Building*>(nullptr));
  ASSERT_FALSE(not_object.has_value());
  EXPECT_NE(not_object.error().message.find("JSON object"), std::string::npos);
}

// An outline is WKT as GIS tools write it; a mistake names /footprint and
// what is wrong.
TEST(Schema, AFootprintIsOneClosedWktRing) {
  const auto with = [](const std::string& wkt) {
    return decode_building(json::serialize(
        json::object{{"name", "Rathaus"}, {"type", "town_hall"}, {"footprint", wkt}}));
  };
  auto good = with("POLYGON((8.96 48.35, 8.961 48.35, 8.961 48.351, 8.96 48.351, 8.96 48.35))");
  ASSERT_TRUE(good.has_value()) << good.error().message;
  auto spaced = with("polygon (( 8.96 48.35,8.961 48.35 , 8.961 48.351,8.96 48.35 )) ");
  EXPECT_TRUE(spaced.has_value()) << spaced.error().message;
  expect_invalid(with("POINT(8.96 48.35)"), "/footprint", "POLYGON");
  expect_invalid(with("POLYGON((8.96 48.35, 8.961 48.35, 8.961 48.351, 8.96 48.35)"), "/footprint",
                 "')'");
  expect_invalid(with("POLYGON((8.96 48.35, 8.961 48.35, 8.961 48.351, 8.97 48.36))"), "/footprint",
                 "closed");
  expect_invalid(with("POLYGON((8.96 48.35, 8.961 48.35, 8.96 48.35))"), "/footprint",
                 "at least 4");
  expect_invalid(with("POLYGON((48.35 98.96, 48.35 98.961, 48.351 98.961, 48.35 98.96))"),
                 "/footprint", "vertex 1");
  expect_invalid(with("POLYGON((0 0, 1 0, 1 1, 0 0), (0.1 0.1, 0.2 0.1, 0.2 0.2, 0.1 0.1))"),
                 "/footprint", "holes");
  expect_invalid(with("POLYGON((8.96 48.35, 8.961 x, 8.961 48.351, 8.96 48.35))"), "/footprint",
                 "two numbers");
}

TEST(Schema, MetaFieldsInInputAreIgnored) {
  auto b = decode_building(R"({"id":99,"version":7,"created_at":"x","name":"x","type":"school"})");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->id, 0);
  EXPECT_EQ(b->version, 0);
}

TEST(Schema, PatchChangesOnlyWhatIsGiven) {
  Building current;
  current.id = 4;
  current.tenant_id = 2;
  current.version = 3;
  current.name = "Old";
  current.type = "school";
  current.latitude = 48.0;
  current.longitude = 9.0;
  auto b = decode_building(R"({"name":"New","latitude":null,"longitude":null})", DecodeMode::patch,
                           &current);
  ASSERT_TRUE(b.has_value()) << b.error().message;
  EXPECT_EQ(b->name, "New");
  EXPECT_EQ(b->type, "school");
  EXPECT_FALSE(b->latitude.has_value());
  EXPECT_EQ(b->id, 4);
  EXPECT_EQ(b->version, 3);
  expect_invalid(decode_building(R"({"tenant_id":3})", DecodeMode::patch, &current), "/tenant_id",
                 "cannot be changed");
  expect_invalid(decode_building(R"({"name":null})", DecodeMode::patch, &current), "/name",
                 "must be a string, not null");
}

TEST(Schema, ReplaceRequiresRequiredFieldsAndKeepsImmutables) {
  Floor current;
  current.id = 1;
  current.building_id = 5;
  current.name = "EG";
  auto same = decode(json::parse(R"({"name":"Ground","level":0})"), floor_schema(),
                     DecodeMode::replace, &current);
  ASSERT_TRUE(same.has_value()) << same.error().message;
  EXPECT_EQ(same->building_id, 5);
  auto moved = decode(json::parse(R"({"name":"Ground","level":0,"building_id":6})"), floor_schema(),
                      DecodeMode::replace, &current);
  ASSERT_FALSE(moved.has_value());
  EXPECT_EQ(moved.error().field, "/building_id");
  auto missing =
      decode(json::parse(R"({"level":0})"), floor_schema(), DecodeMode::replace, &current);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().field, "/name");
}

TEST(Schema, PointUnitsMustFitTheQuantity) {
  auto ok = decode(
      json::parse(
          R"({"building_id":1,"name":"T","kind":"sensor","quantity":"temperature","unit":"°C"})"),
      point_schema(), DecodeMode::create, static_cast<const Point*>(nullptr));
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  auto bad = decode(
      json::parse(
          R"({"building_id":1,"name":"T","kind":"sensor","quantity":"temperature","unit":"kWh"})"),
      point_schema(), DecodeMode::create, static_cast<const Point*>(nullptr));
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().field, "/unit");
  auto bounds = decode(
      json::parse(
          R"({"building_id":1,"name":"T","kind":"sensor","quantity":"co2","unit":"ppm","min_value":5,"max_value":5})"),
      point_schema(), DecodeMode::create, static_cast<const Point*>(nullptr));
  ASSERT_FALSE(bounds.has_value());
  EXPECT_EQ(bounds.error().field, "/min_value");
}

TEST(Schema, DeviceChannelsAreChecked) {
  auto decode_device = [](const std::string& text) {
    return decode(json::parse(text), device_schema(), DecodeMode::create,
                  static_cast<const Device*>(nullptr));
  };
  auto ok =
      decode_device(R"({"name":"gw","protocol":"mqtt","channels":[{"channel":"t","point_id":3}]})");
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  EXPECT_EQ(ok->channels.at(0).point_id, 3);
  EXPECT_EQ(ok->status, "provisioning");
  auto twice = decode_device(
      R"({"name":"gw","protocol":"mqtt","channels":[{"channel":"t","point_id":3},{"channel":"t","point_id":4}]})");
  ASSERT_FALSE(twice.has_value());
  EXPECT_EQ(twice.error().field, "/channels/1");
  auto extra = decode_device(
      R"({"name":"gw","protocol":"mqtt","channels":[{"channel":"t","point_id":3,"x":1}]})");
  ASSERT_FALSE(extra.has_value());
  EXPECT_NE(extra.error().message.find("unknown field 'x'"), std::string::npos);
}

// A gateway's devices name it; a device's MQTT topic filters are real
// filters of the tenant's own topics, longer than a tag may be.
TEST(Schema, DeviceRolesAndTopicsAreChecked) {
  auto decode_device = [](const std::string& text) {
    return decode(json::parse(text), device_schema(), DecodeMode::create,
                  static_cast<const Device*>(nullptr));
  };
  auto plain = decode_device(R"({"name":"s","protocol":"mqtt"})");
  ASSERT_TRUE(plain.has_value()) << plain.error().message;
  EXPECT_EQ(plain->role, "device");
  EXPECT_FALSE(plain->gateway_id.has_value());
  EXPECT_TRUE(plain->mqtt_topics.empty());

  const std::string long_filter =
      "application/6f1c2a/device/0004a30b001c0530/event/" + std::string(80, 'u');
  auto ok = decode_device(R"({"name":"s","protocol":"mqtt","gateway_id":4,"mqtt_topics":[")" +
                          long_filter + R"(","tele/+/SENSOR","zigbee2mqtt/#"]})");
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  EXPECT_EQ(ok->gateway_id, 4);
  EXPECT_EQ(ok->mqtt_topics.size(), 3u);

  for (const std::string bad : {"a/#/b", "a/b+", "$SYS/x", "", "a/#x", "#", "+/devices/#",
                                "v1/devices/+/rpc/response/#", "v1/gateway/telemetry", "v1/+"}) {
    auto refused =
        decode_device(R"({"name":"s","protocol":"mqtt","mqtt_topics":["ok/t",")" + bad + R"("]})");
    ASSERT_FALSE(refused.has_value()) << bad;
    EXPECT_EQ(refused.error().field, "/mqtt_topics/1") << bad;
  }
  auto deep = decode_device(R"({"name":"s","protocol":"mqtt","mqtt_topics":[")" +
                            std::string(200, '/').substr(0, 40) + R"("]})");
  EXPECT_FALSE(deep.has_value()) << "41 levels";
  auto role = decode_device(R"({"name":"s","protocol":"mqtt","role":"hub"})");
  ASSERT_FALSE(role.has_value());
  EXPECT_EQ(role.error().field, "/role");
  auto chained = decode_device(R"({"name":"s","protocol":"mqtt","role":"gateway","gateway_id":4})");
  ASSERT_FALSE(chained.has_value());
  EXPECT_EQ(chained.error().field, "/gateway_id");
}

TEST(Schema, EncodeThenDecodeIsTheSameRecord) {
  Building b;
  b.id = 3;
  b.tenant_id = 1;
  b.version = 2;
  b.name = "Halle";
  b.type = "sports_hall";
  b.gross_floor_area_m2 = 1215.5;
  b.tags = {"x"};
  const auto encoded = encode(b, building_schema());
  EXPECT_EQ(encoded.at("id").as_int64(), 3);
  EXPECT_TRUE(encoded.at("latitude").is_null());
  auto back = decode(json::value(encoded), building_schema(), DecodeMode::replace, &b);
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_EQ(json::serialize(encode(*back, building_schema())), json::serialize(encoded));
}

TEST(Schema, JsonSchemaListsEveryFieldAndIsClosed) {
  const auto s = json_schema(point_schema());
  EXPECT_FALSE(s.at("additionalProperties").as_bool());
  const auto& props = s.at("properties").as_object();
  for (const auto& f : point_schema().fields) EXPECT_TRUE(props.contains(f.name)) << f.name;
  EXPECT_TRUE(props.contains("id"));
  EXPECT_TRUE(props.contains("tenant_id"));
  EXPECT_EQ(props.at("kind").at("enum").as_array().size(), 4u);
}

TEST(Schema, FilterNames) {
  const auto names = filter_names(point_schema());
  for (auto n : {"tenant_id", "building_id", "space_id", "equipment_id", "kind", "quantity", "tag"})
    EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
  const auto tenant_names = filter_names(tenant_schema());
  EXPECT_TRUE(tenant_names.empty());
}

}  // namespace
}  // namespace citypulse
