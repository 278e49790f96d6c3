// Bucketed readings over HTTP, on the demo town's six days of quarter-hourly
// readings: aggregations checked against the raw readings, local-day buckets,
// counter deltas, auto buckets, the many-point query, CSV, and bad input.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <csignal>
#include <ctime>
#include <map>
#include <sstream>

#include "demo_town_suite.h"

namespace citypulse::test {
namespace {

namespace json = boost::json;

json::object parse(const std::string& body) {
  return json::parse(body).as_object();
}

// The demo's readings lie in the six days before the server started: eight
// days back to a day ahead holds them all.
std::string rfc3339(std::chrono::system_clock::time_point t) {
  const std::time_t s = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}
const std::string kFrom = rfc3339(std::chrono::system_clock::now() - std::chrono::hours(24 * 8));
const std::string kTo = rfc3339(std::chrono::system_clock::now() + std::chrono::hours(24));
const std::string kAll = "from=" + kFrom + "&to=" + kTo;

struct Raw {
  std::string t;
  double value;
};

class BucketsApi : public DemoTownSuite<BucketsApi> {
 protected:
  // A point of building 1 with readings in `unit` (any unit when empty).
  std::int64_t point_in(const std::string& unit = {}) {
    auto latest = http().get("/api/v1/buildings/1/latest");
    EXPECT_EQ(latest.status, 200) << latest.body;
    const auto body = parse(latest.body);
    for (const auto& item : body.at("items").as_array())
      if (unit.empty() || item.at("unit").as_string() == unit)
        return item.at("point_id").as_int64();
    ADD_FAILURE() << "no point in " << unit;
    return 0;
  }
  std::vector<Raw> raw(std::int64_t point) {
    auto r = http().get("/api/v1/points/" + std::to_string(point) + "/readings?" + kAll);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<Raw> out;
    const auto body = parse(r.body);
    for (const auto& i : body.at("items").as_array())
      out.push_back({std::string(i.at("t").as_string()), i.at("value").to_number<double>()});
    return out;
  }
  json::object get_ok(const std::string& target) {
    auto r = http().get(target);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    return r.status == 200 ? parse(r.body) : json::object{};
  }
  void expect_400(const std::string& target, const std::string& words) {
    auto r = http().get(target);
    EXPECT_EQ(r.status, 400) << target << ": " << r.body;
    EXPECT_EQ(r.header("Content-Type"), "application/problem+json");
    EXPECT_NE(r.body.find(words), std::string::npos) << r.body;
  }
};

TEST_F(BucketsApi, HourlyAggregatesEqualWhatTheRawReadingsGive) {
  const auto point = point_in();
  const auto readings = raw(point);
  ASSERT_GE(readings.size(), 500u);
  // Hours by their RFC 3339 prefix "YYYY-MM-DDTHH" (Berlin's hours are UTC hours).
  std::map<std::string, std::vector<double>> hours;
  for (const auto& r : readings) hours[r.t.substr(0, 13)].push_back(r.value);
  auto body = get_ok("/api/v1/points/" + std::to_string(point) + "/readings?" + kAll +
                     "&bucket=1h&agg=avg,min,max,sum,count,first,last&max_points=1000");
  EXPECT_EQ(body.at("bucket"), "1h");
  EXPECT_EQ(body.at("timezone"), "Europe/Berlin");
  const auto& items = body.at("items").as_array();
  ASSERT_EQ(items.size(), hours.size());
  std::size_t i = 0;
  for (const auto& [hour, values] : hours) {
    const auto& item = items[i++].as_object();
    ASSERT_EQ(std::string(item.at("t").as_string()).substr(0, 13), hour);
    double sum = 0, mn = values[0], mx = values[0];
    for (double v : values) {
      sum += v;
      mn = std::min(mn, v);
      mx = std::max(mx, v);
    }
    EXPECT_EQ(item.at("count").as_int64(), static_cast<std::int64_t>(values.size()));
    EXPECT_NEAR(item.at("sum").to_number<double>(), sum, 1e-9 * std::abs(sum) + 1e-9);
    EXPECT_NEAR(item.at("avg").to_number<double>(), sum / values.size(),
                1e-9 * std::abs(sum) + 1e-9);
    EXPECT_EQ(item.at("min").to_number<double>(), mn);
    EXPECT_EQ(item.at("max").to_number<double>(), mx);
    EXPECT_EQ(item.at("first").to_number<double>(), values.front());
    EXPECT_EQ(item.at("last").to_number<double>(), values.back());
  }
}

TEST_F(BucketsApi, DaysFollowTheBuildingsTimeZone) {
  const auto point = point_in();
  const auto base = "/api/v1/points/" + std::to_string(point) + "/readings?" + kAll;
  auto local = get_ok(base + "&bucket=1d&agg=count");
  auto utc = get_ok(base + "&bucket=1d&agg=count&timezone=UTC");
  EXPECT_EQ(utc.at("timezone"), "UTC");
  std::int64_t local_total = 0, utc_total = 0;
  for (const auto& i : local.at("items").as_array()) {
    // Local midnight in Berlin: 23:00Z in winter, 22:00Z in summer.
    const std::string t(i.at("t").as_string());
    EXPECT_TRUE(t.substr(10) == "T23:00:00.000Z" || t.substr(10) == "T22:00:00.000Z") << t;
    local_total += i.at("count").as_int64();
  }
  for (const auto& i : utc.at("items").as_array()) {
    EXPECT_EQ(std::string(i.at("t").as_string()).substr(10), "T00:00:00.000Z");
    utc_total += i.at("count").as_int64();
  }
  EXPECT_EQ(local_total, static_cast<std::int64_t>(raw(point).size()));
  EXPECT_EQ(utc_total, local_total);
}

TEST_F(BucketsApi, DeltaIsTheCounterIncreasePerBucket) {
  const auto point = point_in("kWh");
  const auto readings = raw(point);
  ASSERT_GE(readings.size(), 2u);
  auto body = get_ok("/api/v1/points/" + std::to_string(point) + "/readings?" + kAll +
                     "&bucket=1h&agg=delta,last&max_points=1000&timezone=UTC");
  const auto& items = body.at("items").as_array();
  ASSERT_GE(items.size(), 2u);
  double total = 0;
  for (std::size_t i = 1; i < items.size(); ++i) {
    const double step =
        items[i].at("last").to_number<double>() - items[i - 1].at("last").to_number<double>();
    EXPECT_NEAR(items[i].at("delta").to_number<double>(), step, 1e-6);
    total += items[i].at("delta").to_number<double>();
  }
  total += items[0].at("delta").to_number<double>();
  // Nothing before the first reading: the whole increase is last - first.
  EXPECT_NEAR(total, readings.back().value - readings.front().value, 1e-6);
}

TEST_F(BucketsApi, AutoChoosesABucketWithinMaxPoints) {
  const auto base = "/api/v1/points/" + std::to_string(point_in()) + "/readings?" + kAll;
  // A century: monthly buckets are the smallest that fit 2000.
  auto century = get_ok(base.substr(0, base.find('?')) +
                        "?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z&bucket=auto");
  EXPECT_EQ(century.at("bucket"), "1mo");
  // Nine days in 1000: 15-minute buckets (the readings are quarter-hourly).
  auto nine = get_ok(base + "&bucket=auto&max_points=1000");
  EXPECT_EQ(nine.at("bucket"), "15m");
  auto week = get_ok("/api/v1/points/" + std::to_string(point_in()) +
                     "/readings?from=2026-01-01T00:00:00Z&to=2026-01-08T00:00:00Z&bucket=auto&"
                     "max_points=200");
  EXPECT_EQ(week.at("bucket"), "1h");
  auto few = get_ok(base.substr(0, base.find('?')) + "?bucket=auto&max_points=30");
  EXPECT_EQ(few.at("bucket"), "1h");  // the last day: 24 or 25 hours
  EXPECT_LE(few.at("items").as_array().size(), 30u);
}

TEST_F(BucketsApi, BadBucketsAndAggregationsAre400) {
  const auto base = "/api/v1/points/" + std::to_string(point_in()) + "/readings?";
  expect_400(base + "from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z&bucket=1m",
             "max_points (2000)");
  expect_400(base + "from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z&bucket=1m",
             "use bucket 6h or larger");
  expect_400(base + "bucket=7d", "is not one of: 1m, 5m");
  expect_400(base + "bucket=1h&agg=median", "unknown aggregation 'median'");
  expect_400(base + "agg=avg", "agg needs a bucket");
  expect_400(base + "bucket=1h&limit=10", "limit applies to raw readings");
  expect_400(base + "bucket=1h&timezone=Mars/Olympus", "timezone 'Mars/Olympus'");
  expect_400(base + "bucket=1h&max_points=0", "max_points");
  expect_400(base + "from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z&bucket=1h",
             "must be before");
  auto other = http().get("/api/v1/points/999999/readings?bucket=1h");
  EXPECT_EQ(other.status, 404) << other.body;
}

TEST_F(BucketsApi, OneQueryForManyPoints) {
  const auto a = point_in(), b = point_in("kWh");
  const std::string q = "{\"points\": [" + std::to_string(a) + ", " + std::to_string(b) +
                        "], \"from\": \"" + kFrom + "\", \"to\": \"" + kTo +
                        "\", \"bucket\": \"1d\", \"agg\": [\"avg\", \"max\"]}";
  auto r = http().post("/api/v1/readings/query", q);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto body = parse(r.body);
  const auto& series = body.at("series").as_array();
  ASSERT_EQ(series.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    const auto id = series[i].at("point_id").as_int64();
    auto single = get_ok("/api/v1/points/" + std::to_string(id) + "/readings?" + kAll +
                         "&bucket=1d&agg=avg,max");
    EXPECT_EQ(series[i].at("items"), single.at("items"));
  }
  // Raw readings of both, when there is no bucket.
  auto rawq = http().post("/api/v1/readings/query", "{\"points\": [" + std::to_string(a) +
                                                        "], \"from\": \"" + kFrom +
                                                        "\", \"to\": \"" + kTo + "\"}");
  ASSERT_EQ(rawq.status, 200) << rawq.body;
  EXPECT_EQ(parse(rawq.body).at("series").as_array()[0].at("items").as_array().size(),
            raw(a).size());
  // Bad input names where it is.
  auto missing = http().post("/api/v1/readings/query", "{\"points\": [" + std::to_string(a) +
                                                           ", 999999], \"bucket\": \"1h\"}");
  EXPECT_EQ(missing.status, 404) << missing.body;
  EXPECT_NE(missing.body.find("/points/1"), std::string::npos) << missing.body;
  for (const auto& [bad, words] : std::vector<std::pair<std::string, std::string>>{
           {"{}", "points (1 to 200 point ids) is required"},
           {"{\"points\": []}", "points must be an array"},
           {"{\"points\": [1], \"agg\": \"avg\"}", "agg needs a bucket"},
           {"{\"points\": [1], \"bucket\": \"1h\", \"agg\": [\"mode\"]}", "unknown aggregation"},
           {"{\"points\": [1], \"colour\": 1}", "unknown member 'colour'"},
           {"[1]", "must be a JSON object"}}) {
    auto reply = http().post("/api/v1/readings/query", bad);
    EXPECT_EQ(reply.status, 400) << bad << ": " << reply.body;
    EXPECT_NE(reply.body.find(words), std::string::npos) << reply.body;
  }
}

TEST_F(BucketsApi, CsvWhenAskedForStreamedForRawReadings) {
  const auto point = point_in();
  const auto base = "/api/v1/points/" + std::to_string(point) + "/readings?" + kAll;
  auto r = http().request("GET", base, {}, {{"Accept", "text/csv"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_EQ(r.header("Transfer-Encoding"), "chunked");
  std::istringstream lines(r.body);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line, "t,value,quality\r");
  const auto readings = raw(point);
  std::size_t n = 0;
  while (std::getline(lines, line)) {
    ASSERT_LT(n, readings.size());
    EXPECT_EQ(line.substr(0, line.find(',')), readings[n].t);
    ++n;
  }
  EXPECT_EQ(n, readings.size());
  auto buckets =
      http().request("GET", base + "&bucket=1d&agg=min,max", {}, {{"Accept", "text/csv"}});
  ASSERT_EQ(buckets.status, 200) << buckets.body;
  EXPECT_EQ(buckets.body.substr(0, buckets.body.find('\n')), "t,end,count,min,max\r");
  // JSON stays the default; a client that takes neither gets 406.
  auto either = http().request("GET", base, {}, {{"Accept", "text/csv;q=0.5, application/json"}});
  EXPECT_EQ(either.header("Content-Type"), "application/json");
  auto neither = http().request("GET", base, {}, {{"Accept", "application/xml"}});
  EXPECT_EQ(neither.status, 406) << neither.body;
}

}  // namespace
}  // namespace citypulse::test
