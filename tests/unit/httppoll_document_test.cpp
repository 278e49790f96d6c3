// The HTTP poller's driver document (drivers/httppoll/device_config.h): a
// full document read with its defaults, and every kind of mistake refused
// as invalid with the JSON pointer of the member at fault.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <functional>
#include <sstream>

#include "drivers/httppoll/device_config.h"

namespace citypulse::httppoll {
namespace {

namespace json = boost::json;

json::object good_document() {
  return json::parse(R"({
    "base_url": "http://127.0.0.1:8081/",
    "headers": {"Authorization": "Bearer s3cret", "X-Device": "{serial}"},
    "timeout_ms": 500, "retries": 2,
    "groups": [{"name": "fast", "interval_ms": 10000}, {"name": "slow", "interval_ms": 300000}],
    "requests": [
      {"name": "state", "url": "{base_url}/api/thermostats/{serial}", "group": "fast",
       "points": [{"channel": "temperature", "pointer": "/temperature"},
                  {"channel": "setpoint", "pointer": "/setpoint"},
                  {"channel": "humidity", "pointer": "/humidity", "scale": 0.01}]},
      {"name": "query", "method": "POST", "url": "https://meters.example/q",
       "headers": {"Content-Type": "text/plain"}, "body": "id={serial}",
       "points": [{"channel": "energy", "pointer": "/e/total", "offset": -5}]}],
    "writes": {
      "setpoint": {"url": "{base_url}/api/thermostats/{serial}/setpoint",
                   "body": "{\"value\": {value}}",
                   "read_back": {"request": "state"}},
      "mode": {"method": "GET", "url": "{base_url}/set?{channel}={value}"}}})")
      .as_object();
}

TEST(HttpPollDocument, ReadsAFullDocument) {
  auto c = parse_device_config(good_document());
  ASSERT_TRUE(c) << c.error().message << " at " << c.error().field;
  EXPECT_EQ(c->base_url, "http://127.0.0.1:8081");  // the trailing '/' dropped
  ASSERT_EQ(c->headers.size(), 2u);
  EXPECT_EQ(c->headers[0].name, "Authorization");
  EXPECT_EQ(c->timeout_ms, 500);
  EXPECT_EQ(c->retries, 2);
  ASSERT_EQ(c->groups.size(), 2u);
  EXPECT_EQ(c->groups[1].interval_ms, 300000);
  ASSERT_EQ(c->requests.size(), 2u);
  const auto& state = c->requests[0];
  EXPECT_EQ(state.method, "GET");
  EXPECT_EQ(state.group, "fast");
  ASSERT_EQ(state.points.size(), 3u);
  EXPECT_EQ(state.points[2].scale, 0.01);
  const auto& query = c->requests[1];
  EXPECT_EQ(query.method, "POST");
  EXPECT_EQ(query.group, "fast");  // the first group by default
  ASSERT_TRUE(query.body);
  EXPECT_EQ(query.points[0].offset, -5);
  ASSERT_EQ(c->writes.size(), 2u);
  EXPECT_EQ(c->writes[0].channel, "setpoint");
  EXPECT_EQ(c->writes[0].method, "PUT");
  ASSERT_TRUE(c->writes[0].read_back);
  EXPECT_EQ(c->writes[0].read_back->request, 0u);
  EXPECT_EQ(c->writes[0].read_back->channel, "setpoint");  // the write's own by default
  EXPECT_FALSE(c->writes[1].body);
  EXPECT_EQ(c->serial_used_at, "/headers/X-Device");
}

TEST(HttpPollDocument, DefaultsToOneGroupAndModestPatience) {
  auto c = parse_device_config(json::parse(R"({"requests": [
      {"name": "m", "url": "http://127.0.0.1:9/m", "points": [{"channel": "p", "pointer": ""}]}]})"));
  ASSERT_TRUE(c) << c.error().message << " at " << c.error().field;
  ASSERT_EQ(c->groups.size(), 1u);
  EXPECT_EQ(c->groups[0].name, "default");
  EXPECT_EQ(c->groups[0].interval_ms, 60000);
  EXPECT_EQ(c->timeout_ms, 3000);
  EXPECT_EQ(c->retries, 1);
  EXPECT_TRUE(c->writes.empty());
  EXPECT_EQ(c->serial_used_at, "");
}

// The document with one change made at a JSON pointer.
json::object changed(const std::function<void(json::object&)>& change) {
  auto d = good_document();
  change(d);
  return d;
}

json::object& request(json::object& d, std::size_t i) {
  return d["requests"].as_array()[i].as_object();
}
json::object& point(json::object& d, std::size_t r, std::size_t p) {
  return request(d, r)["points"].as_array()[p].as_object();
}
json::object& write(json::object& d, const char* channel) {
  return d["writes"].as_object()[channel].as_object();
}

TEST(HttpPollDocument, RefusesEachMistakeNamingTheField) {
  struct Case {
    json::object document;
    std::string field;
    std::string words;  // in the message
  };
  const std::vector<Case> cases = {
      {changed([](auto& d) { d["colour"] = "blue"; }), "/colour", "unknown field"},
      {changed([](auto& d) { d["base_url"] = "ftp://127.0.0.1"; }), "/base_url", "http://"},
      {changed([](auto& d) { d["base_url"] = "http://127.0.0.1/{serial}"; }), "/base_url",
       "placeholders"},
      {changed([](auto& d) { d["timeout_ms"] = 10; }), "/timeout_ms", "50"},
      {changed([](auto& d) { d["retries"] = 9; }), "/retries", "0 to 5"},
      {changed([](auto& d) {
         d["headers"] = json::object{{"Bad Name", "x"}};
       }),
       "/headers/Bad Name", "header name"},
      {changed([](auto& d) {
         d["headers"] = json::object{{"X-A", "a\r\nX-B: b"}};
       }),
       "/headers/X-A", "control"},
      {changed([](auto& d) {
         d["headers"] = json::object{{"X-A", "{value}"}};
       }),
       "/headers/X-A", "{value}"},
      {changed([](auto& d) { d["groups"].as_array()[1].as_object()["interval_ms"] = 10; }),
       "/groups/1/interval_ms", "1000"},
      {changed([](auto& d) { d["groups"].as_array()[1].as_object()["name"] = "fast"; }),
       "/groups/1/name", "two groups"},
      {changed([](auto& d) { d.erase("requests"); }), "/requests", "missing"},
      {changed([](auto& d) { d["requests"] = json::array{}; }), "/requests", "1 to"},
      {changed([](auto& d) { request(d, 1)["name"] = "state"; }), "/requests/1/name",
       "two requests"},
      {changed([](auto& d) { request(d, 0)["method"] = "DELETE"; }), "/requests/0/method",
       "GET or POST"},
      {changed([](auto& d) { request(d, 0)["url"] = "/api/thermostats/{serial}"; }),
       "/requests/0/url", "{base_url}"},
      {changed([](auto& d) { request(d, 0)["url"] = "{base_url}/api/{id}"; }), "/requests/0/url",
       "{id}"},
      {changed([](auto& d) { request(d, 0)["url"] = "{base_url}/a b"; }), "/requests/0/url",
       "spaces"},
      {changed([](auto& d) { request(d, 0)["body"] = "x"; }), "/requests/0/body", "GET"},
      {changed([](auto& d) { request(d, 0)["group"] = "hourly"; }), "/requests/0/group", "hourly"},
      {changed([](auto& d) { request(d, 0).erase("points"); }), "/requests/0/points", "missing"},
      {changed([](auto& d) { point(d, 0, 1)["pointer"] = "setpoint"; }),
       "/requests/0/points/1/pointer", "RFC 6901"},
      {changed([](auto& d) { point(d, 0, 1).erase("pointer"); }), "/requests/0/points/1/pointer",
       "required"},
      {changed([](auto& d) { point(d, 0, 1)["scale"] = 0; }), "/requests/0/points/1/scale",
       "not be 0"},
      {changed([](auto& d) { point(d, 0, 1)["channel"] = "temperature"; }),
       "/requests/0/points/1/channel", "two points"},
      {changed([](auto& d) { point(d, 1, 0)["channel"] = "humidity"; }),
       "/requests/1/points/0/channel", "two points"},
      {changed([](auto& d) { point(d, 0, 0)["unit"] = "C"; }), "/requests/0/points/0/unit",
       "unknown field"},
      {changed([](auto& d) { d.erase("base_url"); }), "/requests/0/url", "no 'base_url'"},
      {changed([](auto& d) { write(d, "setpoint")["method"] = "DELETE"; }),
       "/writes/setpoint/method", "PUT"},
      {changed([](auto& d) { write(d, "setpoint").erase("body"); }), "/writes/setpoint/body",
       "missing"},
      {changed([](auto& d) { write(d, "setpoint")["body"] = "{\"value\": 1}"; }),
       "/writes/setpoint/body", "{value}"},
      {changed([](auto& d) { write(d, "setpoint")["body"] = "{\"v\": {valu}}"; }),
       "/writes/setpoint/body", "{valu}"},
      {changed([](auto& d) { write(d, "mode")["body"] = "{value}"; }), "/writes/mode/body", "GET"},
      {changed([](auto& d) {
         write(d, "setpoint")["read_back"] = json::object{{"request", "status"}};
       }),
       "/writes/setpoint/read_back/request", "status"},
      {changed([](auto& d) {
         write(d, "setpoint")["read_back"] =
             json::object{{"request", "state"}, {"channel", "energy"}};
       }),
       "/writes/setpoint/read_back/channel", "energy"},
  };
  for (const auto& c : cases) {
    auto parsed = parse_device_config(c.document);
    ASSERT_FALSE(parsed) << json::serialize(c.document);
    EXPECT_EQ(parsed.error().code, ErrorCode::invalid);
    EXPECT_EQ(parsed.error().field, c.field) << parsed.error().message;
    EXPECT_NE(parsed.error().message.find(c.words), std::string::npos)
        << c.field << ": " << parsed.error().message;
  }
}

TEST(HttpPollDocument, EscapesMemberNamesInThePointersItNames) {
  auto d = good_document();
  d["writes"].as_object()["a/b~c"] = json::object{{"url", "{base_url}/x"}, {"body", "1"}};
  auto parsed = parse_device_config(d);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().field, "/writes/a~1b~0c/body") << parsed.error().message;
}

TEST(HttpPollDocument, TheExampleInTheDocsIsAValidDocument) {
  std::ifstream file(std::string(CITYPULSE_SOURCE_DIR) + "/docs/drivers.md");
  ASSERT_TRUE(file) << "docs/drivers.md not found";
  std::stringstream text;
  text << file.rdbuf();
  const std::string docs = text.str();
  const auto section = docs.find("## HTTP poller");
  ASSERT_NE(section, std::string::npos);
  const auto start = docs.find("```json\n", section);
  ASSERT_NE(start, std::string::npos);
  const auto end = docs.find("```", start + 8);
  ASSERT_NE(end, std::string::npos);
  boost::system::error_code ec;
  const auto example = json::parse(docs.substr(start + 8, end - start - 8), ec);
  ASSERT_FALSE(ec) << ec.message();
  auto c = parse_device_config(example);
  ASSERT_TRUE(c) << c.error().message << " at " << c.error().field;
  EXPECT_EQ(c->requests.size(), 2u);
  EXPECT_EQ(c->writes.size(), 1u);
}

}  // namespace
}  // namespace citypulse::httppoll
