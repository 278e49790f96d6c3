// "Read now" (POST /api/v1/devices/{id}/driver/read) in the real binary
// against the simulated AHU on loopback: the values of an unsaved register
// map, the stored one limited to some channels, a channel the device refuses
// failing alone, a bad document refused naming the field, a dead device
// answering within the document's patience, and who may ask.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <string>

#include "modbus_server_suite.h"
#include "refused_port.h"

namespace citypulse::test {
namespace {

namespace json = boost::json;

constexpr const char* kPassword = "read-now-password-1";

class ModbusReadNow : public ModbusServerSuite {
 protected:
  // The plant's points whose values are known: the setpoint (20.0), the
  // enable coil (on), the running bit (1) and the supply air (a temperature).
  static json::array ahu_points() {
    return {
        {{"channel", "supply"},
         {"table", "input"},
         {"address", 0},
         {"type", "int16"},
         {"scale", 0.1}},
        {{"channel", "setpoint"},
         {"table", "holding"},
         {"address", 0},
         {"type", "int16"},
         {"scale", 0.1},
         {"writable", true}},
        {{"channel", "running"}, {"table", "input"}, {"address", 10}, {"type", "bool"}, {"bit", 0}},
        {{"channel", "enable"}, {"table", "coil"}, {"address", 0}}};
  }

  static Reply read(HttpClient& http, std::int64_t device, const json::object& body) {
    return http.post("/api/v1/devices/" + std::to_string(device) + "/driver/read",
                     json::serialize(body));
  }
  static Reply read(std::int64_t device, const json::object& body) {
    return read(*http_, device, body);
  }

  // The channels of a 200 answer, by name.
  static std::map<std::string, json::object> channels(const Reply& r) {
    std::map<std::string, json::object> out;
    const auto body = json::parse(r.body);  // kept: the loop reads into it
    for (const auto& c : body.at("channels").as_array())
      out[std::string(c.at("channel").as_string())] = c.as_object();
    return out;
  }

  static std::int64_t user(const std::string& email, const std::string& role, std::int64_t tenant) {
    return create_record(
        *http_, "users",
        {{"email", email}, {"password", kPassword}, {"role", role}, {"tenant_id", tenant}});
  }
};

TEST_F(ModbusReadNow, ReadsEveryChannelOfAnUnsavedDocument) {
  const auto id = device("AHU unsaved", {});
  auto r = read(id, {{"document", document(plant_->port(), ahu_points())}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto answer = json::parse(r.body).as_object();
  // In the document's order, each once.
  const auto& list = answer.at("channels").as_array();
  ASSERT_EQ(list.size(), 4u) << r.body;
  EXPECT_EQ(list[0].at("channel").as_string(), "supply");
  EXPECT_EQ(list[3].at("channel").as_string(), "enable");
  auto c = channels(r);
  EXPECT_EQ(c["setpoint"].at("value").to_number<double>(), 20.0);
  EXPECT_EQ(c["setpoint"].at("raw").as_string(), "0x00C8");
  EXPECT_EQ(c["enable"].at("value").to_number<double>(), 1.0);
  EXPECT_EQ(c["enable"].at("raw").as_string(), "1");
  EXPECT_EQ(c["running"].at("value").to_number<double>(), 1.0);
  const double supply = c["supply"].at("value").to_number<double>();
  EXPECT_GT(supply, 0.0);
  EXPECT_LT(supply, 40.0);
  for (auto& [name, channel] : c) EXPECT_FALSE(channel.contains("error")) << name;
  EXPECT_EQ(answer.at("requests").as_int64(), 4);  // input 0, input 10, holding, coil
  EXPECT_TRUE(answer.at("read_at").is_string());
  EXPECT_GE(answer.at("elapsed_ms").as_int64(), 0);
  // Nothing was stored: the document stays the editor's.
  EXPECT_EQ(http_->get("/api/v1/devices/" + std::to_string(id) + "/driver").status, 404);
}

TEST_F(ModbusReadNow, TheStoredDocumentIsReadWithoutDisturbingItsSchedule) {
  const auto id = device("AHU stored", {});
  ASSERT_EQ(put_driver(*http_, id, document(plant_->port(), ahu_points())).status, 201);
  ASSERT_TRUE(eventually([&] {
    auto s = driver_status(*http_, id);
    return !s.empty() && s.at("polls").as_int64() >= 1;
  }));
  // No body: the stored document, every channel.
  auto all = http_->request("POST", "/api/v1/devices/" + std::to_string(id) + "/driver/read");
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(channels(all).size(), 4u);
  auto some = read(id, {{"channels", {"enable", "setpoint"}}});
  ASSERT_EQ(some.status, 200) << some.body;
  auto c = channels(some);
  ASSERT_EQ(c.size(), 2u) << some.body;
  EXPECT_EQ(c["setpoint"].at("value").to_number<double>(), 20.0);
  // The schedule went on as before: no failed or late poll.
  const auto polls = driver_status(*http_, id).at("polls").as_int64();
  ASSERT_TRUE(eventually([&] { return driver_status(*http_, id).at("polls").as_int64() > polls; }));
  auto s = driver_status(*http_, id);
  EXPECT_EQ(s.at("status").as_string(), "online") << s;
  EXPECT_EQ(s.at("failed_polls").as_int64(), 0) << s;
}

TEST_F(ModbusReadNow, AChannelTheDeviceRefusesFailsAlone) {
  const auto id = device("AHU one bad address", {});
  auto points = ahu_points();
  points.push_back(
      {{"channel", "nowhere"}, {"table", "holding"}, {"address", 500}, {"type", "uint16"}});
  auto r = read(id, {{"document", document(plant_->port(), points)}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto c = channels(r);
  ASSERT_EQ(c.size(), 5u);
  EXPECT_FALSE(c["nowhere"].contains("value"));
  EXPECT_NE(c["nowhere"].at("error").as_string().find("illegal data address"), std::string::npos)
      << r.body;
  EXPECT_EQ(c["setpoint"].at("value").to_number<double>(), 20.0);
  EXPECT_EQ(c["enable"].at("value").to_number<double>(), 1.0);
}

TEST_F(ModbusReadNow, ABadDocumentOrChannelIsRefusedNamingTheField) {
  const auto id = device("AHU bad document", {});
  auto points = ahu_points();
  points[1].as_object()["type"] = "int12";
  auto r = read(id, {{"document", document(plant_->port(), points)}});
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.header("Content-Type"), "application/problem+json");
  EXPECT_EQ(problem_field(r), "/document/points/1/type") << r.body;

  auto bad_host = document(plant_->port(), ahu_points());
  bad_host["host"] = "not a host!";
  r = read(id, {{"document", bad_host}});
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(problem_field(r), "/document/host") << r.body;

  r = read(id, {{"document", document(plant_->port(), ahu_points())},
                {"channels", {"setpoint", "no_such_channel"}}});
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(problem_field(r), "/channels/1") << r.body;

  r = read(id, {{"colour", "blue"}});
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(problem_field(r), "/colour") << r.body;

  // Nothing sent and nothing stored: nothing to read.
  r = read(id, {});
  EXPECT_EQ(r.status, 409) << r.body;
}

TEST_F(ModbusReadNow, ADeadDeviceAnswersWithinItsTimeout) {
  const auto id = device("AHU dead", {});
  // Connected, but nothing answers: 504 after timeout × (retries + 1).
  const auto started = std::chrono::steady_clock::now();
  auto r = read(id, {{"document", document(dead_plant_->port(), ahu_points(), 300, 1)}});
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count();
  EXPECT_EQ(r.status, 504) << r.body;
  EXPECT_EQ(r.header("Content-Type"), "application/problem+json");
  EXPECT_GE(took, 550);
  EXPECT_LT(took, 2000) << "one request's patience, not one per channel";
  // Nothing listens: refused at once.
  RefusedPort refused;
  ASSERT_NE(refused.port(), 0);
  r = read(id, {{"document", document(refused.port(), ahu_points(), 300, 1)}});
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(r.header("Content-Type"), "application/problem+json");
}

TEST_F(ModbusReadNow, OtherProtocolsAreRefusedClearly) {
  const auto bacnet = device("Controller", {}, "bacnet_ip");
  auto r = read(
      bacnet, {{"document",
                {{"address", "127.0.0.1:9"}, {"device_instance", 7}, {"points", json::array{}}}}});
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_NE(r.body.find("modbus_tcp"), std::string::npos) << r.body;
}

TEST_F(ModbusReadNow, OnlyCallersWhoMayChangeAssetsAndSeeTheDeviceMayRead) {
  const auto id = device("AHU guarded", {});
  const json::object body{{"document", document(plant_->port(), ahu_points())}};
  user("viewer@read-now.test", "viewer", tenant_);
  HttpClient viewer(server_->port());
  ASSERT_EQ(viewer.sign_in("viewer@read-now.test", kPassword).status, 200);
  auto r = read(viewer, id, body);
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(r.header("Content-Type"), "application/problem+json");

  const auto other = create_record(*http_, "tenants", {{"name", "Elsewhere"}});
  user("admin@elsewhere.test", "tenant_admin", other);
  HttpClient stranger(server_->port());
  ASSERT_EQ(stranger.sign_in("admin@elsewhere.test", kPassword).status, 200);
  r = read(stranger, id, body);
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(r.header("Content-Type"), "application/problem+json");
}

}  // namespace
}  // namespace citypulse::test
