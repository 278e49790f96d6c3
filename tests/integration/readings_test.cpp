// The readings API over HTTP, on the demo town's seeded readings: raw ranges
// with paging, latest values, scoping and bad input; and that the readings
// survive a restart.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <csignal>

#include "demo_town_suite.h"

namespace citypulse::test {
namespace {

namespace json = boost::json;

json::object parse(const std::string& body) {
  return json::parse(body).as_object();
}

class ReadingsApi : public DemoTownSuite<ReadingsApi> {
 protected:
  // A point of the first building that has readings.
  std::int64_t some_point() {
    auto latest = http().get("/api/v1/buildings/1/latest");
    EXPECT_EQ(latest.status, 200) << latest.body;
    auto items = parse(latest.body).at("items").as_array();
    EXPECT_FALSE(items.empty());
    return items.empty() ? 0 : items[0].at("point_id").as_int64();
  }
};

TEST_F(ReadingsApi, TheLastDayByDefaultOldestFirst) {
  const auto point = some_point();
  auto r = http().get("/api/v1/points/" + std::to_string(point) + "/readings");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto body = parse(r.body);
  const auto& items = body.at("items").as_array();
  // Quarter-hourly: 96 or 97 in any 24 hours.
  EXPECT_GE(items.size(), 95u);
  EXPECT_LE(items.size(), 97u);
  for (std::size_t i = 1; i < items.size(); ++i)
    EXPECT_LT(items[i - 1].at("t").as_string(), items[i].at("t").as_string());
  EXPECT_TRUE(body.at("next_from").is_null());
  EXPECT_EQ(body.at("point_id"), point);
}

TEST_F(ReadingsApi, PagesFollowNextFrom) {
  const std::string base = "/api/v1/points/" + std::to_string(some_point()) + "/readings";
  auto whole = parse(http().get(base + "?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z").body);
  const auto total = whole.at("items").as_array().size();
  EXPECT_GE(total, 500u);  // six days of quarter hours
  std::size_t seen = 0;
  std::string from = "2000-01-01T00:00:00Z";
  for (int page = 0; page < 100; ++page) {
    auto r = http().get(base + "?from=" + from + "&to=2100-01-01T00:00:00Z&limit=100");
    ASSERT_EQ(r.status, 200) << r.body;
    auto body = parse(r.body);
    seen += body.at("items").as_array().size();
    if (body.at("next_from").is_null()) break;
    from = std::string(body.at("next_from").as_string());
  }
  EXPECT_EQ(seen, total);
}

TEST_F(ReadingsApi, LatestOfAPointAndOfABuilding) {
  const auto point = some_point();
  auto r = http().get("/api/v1/points/" + std::to_string(point) + "/latest");
  ASSERT_EQ(r.status, 200) << r.body;
  auto latest = parse(r.body).at("latest").as_object();
  auto range = parse(http().get("/api/v1/points/" + std::to_string(point) + "/readings").body);
  EXPECT_EQ(latest.at("t"), range.at("items").as_array().back().at("t"));
}

TEST_F(ReadingsApi, BadInputIs400AndOtherPointsAre404) {
  const std::string base = "/api/v1/points/" + std::to_string(some_point()) + "/readings";
  for (const std::string q : {"?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z",
                              "?from=yesterday", "?limit=0", "?limit=100001", "?colour=red"}) {
    auto r = http().get(base + q);
    EXPECT_EQ(r.status, 400) << q << ": " << r.body;
    EXPECT_EQ(r.header("Content-Type"), "application/problem+json");
  }
  EXPECT_EQ(http().get("/api/v1/points/999999/readings").status, 404);
  EXPECT_EQ(http().get("/api/v1/points/999999/latest").status, 404);
  EXPECT_EQ(http().get("/api/v1/buildings/999999/latest").status, 404);
  // The technician sees the first two buildings only.
  HttpClient tech(server_->port());
  ASSERT_EQ(tech.sign_in("technician@hechingen.demo", "hechingen-demo").status, 200);
  auto other = parse(http().get("/api/v1/buildings/6/latest").body).at("items").as_array();
  ASSERT_FALSE(other.empty());
  const auto outside = other[0].at("point_id").as_int64();
  EXPECT_EQ(tech.get("/api/v1/points/" + std::to_string(outside) + "/readings").status, 404);
  EXPECT_EQ(tech.get("/api/v1/points/" + std::to_string(outside) + "/readings?bucket=1h").status,
            404);
  EXPECT_EQ(tech.get("/api/v1/buildings/6/latest").status, 404);
  EXPECT_EQ(tech.get("/api/v1/buildings/1/latest").status, 200);
}

TEST(ReadingsRestart, ReadingsSurviveARestartAndTheHistoryIsNotWrittenTwice) {
  TempDir tmp;
  json::array before;
  for (int run = 0; run < 2; ++run) {
    ServerProcess server(tmp.path() + "/data", kQuickDemo, {}, "demo");
    ASSERT_TRUE(server.start()) << server.output();
    HttpClient c(server.port());
    ASSERT_EQ(c.sign_in("viewer@hechingen.demo", "hechingen-demo").status, 200);
    auto r = c.get("/api/v1/points/1/readings?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z");
    ASSERT_EQ(r.status, 200) << r.body;
    auto items = parse(r.body).at("items").as_array();
    if (run == 0) {
      before = items;
      EXPECT_GE(before.size(), 6u * 96);
    } else {
      // The same readings, and at most the quarter hours since the first run (the gap is
      // filled) after them.
      ASSERT_GE(items.size(), before.size());
      EXPECT_LE(items.size(), before.size() + 1);
      for (std::size_t i = 0; i < before.size(); ++i) EXPECT_EQ(items[i], before[i]) << i;
    }
    EXPECT_EQ(server.stop(SIGTERM), 0) << server.output();
  }
}

}  // namespace
}  // namespace citypulse::test
