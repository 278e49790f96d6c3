// `citypulse import csv` on a stopped demo server's data folder: a Cambridge
// electricity file's daily sums and counts come back through the readings
// API exactly as the file gives them, and a file with one bad row imports
// nothing at all.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "http_client.h"
#include "server_process.h"

namespace citypulse::test {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

const fs::path kCambridgeFile = fs::path(CITYPULSE_SOURCE_DIR) / ".." / "shared" / "data" /
                                "cambridge" / "electricity" / "b21_2017.csv";

// A data folder holding the demo town (its point 1 with the seeded readings).
void make_demo_data(const std::string& data) {
  ServerProcess demo(data, kQuickDemo, {}, "demo");
  ASSERT_TRUE(demo.start()) << demo.output();
  ASSERT_EQ(demo.stop(SIGTERM), 0) << demo.output();
}

// Per UTC day ("YYYY-MM-DD", prefix 10) or hour ("YYYY-MM-DD HH", prefix
// 13): the count and sum of the file's non-zero values (in the Cambridge
// layout an exact 0 is a missing reading).
struct Bucket {
  std::int64_t count = 0;
  double sum = 0;
};
std::map<std::string, Bucket> buckets_of(const fs::path& file, std::size_t prefix) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);  // header
  std::map<std::string, Bucket> buckets;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const auto comma = line.find(',');
    double v = 0;
    std::from_chars(line.data() + comma + 1, line.data() + line.size(), v);
    if (v == 0) continue;
    auto& b = buckets[line.substr(0, prefix)];
    ++b.count;
    b.sum += v;
  }
  return buckets;
}

class ImportCsv : public ::testing::Test {
 protected:
  void SetUp() override { data_ = tmp_.path() + "/data"; }
  // A running server on the data folder, signed in as the demo viewer.
  std::unique_ptr<ServerProcess> serve() {
    auto server = std::make_unique<ServerProcess>(data_);
    EXPECT_TRUE(server->start()) << server->output();
    client_ = std::make_unique<HttpClient>(server->port());
    EXPECT_EQ(client_->sign_in("viewer@hechingen.demo", "hechingen-demo").status, 200);
    return server;
  }
  json::object get_ok(const std::string& target) {
    auto r = client_->get(target);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    return r.status == 200 ? json::parse(r.body).as_object() : json::object{};
  }

  TempDir tmp_;
  std::string data_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(ImportCsv, CambridgeFileHourlyAndDailySumsAndCountsComeBackExactly) {
  if (!fs::exists(kCambridgeFile)) GTEST_SKIP() << kCambridgeFile << " is absent";
  make_demo_data(data_);
  if (HasFatalFailure()) return;

  std::string out;
  ASSERT_EQ(run_binary({"import", "csv", "--data-dir", data_, "--point", "1", "--zero-is-missing",
                        kCambridgeFile.string()},
                       out),
            0)
      << out;
  const auto expected = buckets_of(kCambridgeFile, 10);
  std::int64_t total = 0;
  for (const auto& [day, d] : expected) total += d.count;
  // "imported N readings into point 1, skipped M missing, S s, R readings/s"
  const auto at = out.find("imported ");
  ASSERT_NE(at, std::string::npos) << out;
  long long imported = 0, skipped = 0;
  double seconds = 0, per_s = 0;
  ASSERT_EQ(std::sscanf(out.c_str() + at,
                        "imported %lld readings into point 1, skipped %lld missing, %lf s, %lf "
                        "readings/s",
                        &imported, &skipped, &seconds, &per_s),
            4)
      << out;
  EXPECT_EQ(imported, total);
  std::printf("import csv %s: %lld readings (%lld missing) in %.3f s, %.0f readings/s\n",
              kCambridgeFile.filename().c_str(), imported, skipped, seconds, per_s);
  RecordProperty("readings_imported", std::to_string(imported));
  RecordProperty("readings_per_s", std::to_string(static_cast<long long>(per_s)));

  auto server = serve();
  ASSERT_FALSE(HasFailure());
  auto body = get_ok(
      "/api/v1/points/1/readings?from=2017-01-01T00:00:00Z&to=2018-01-01T00:00:00Z&bucket=1d"
      "&agg=sum,count&timezone=UTC&max_points=2000");
  const auto& items = body.at("items").as_array();
  ASSERT_EQ(items.size(), expected.size());
  std::size_t i = 0;
  for (const auto& [day, d] : expected) {
    const auto& item = items[i++].as_object();
    ASSERT_EQ(std::string(item.at("t").as_string()).substr(0, 10), day);
    EXPECT_EQ(item.at("count").as_int64(), d.count) << day;
    EXPECT_NEAR(item.at("sum").to_number<double>(), d.sum, 1e-9 * std::abs(d.sum)) << day;
  }
  // Every hour of the building-year, as the file has it.
  const auto hours = buckets_of(kCambridgeFile, 13);
  body = get_ok(
      "/api/v1/points/1/readings?from=2017-01-01T00:00:00Z&to=2018-01-01T00:00:00Z&bucket=1h"
      "&agg=sum,count&timezone=UTC&max_points=10000");
  const auto& hourly = body.at("items").as_array();
  ASSERT_EQ(hourly.size(), hours.size());
  EXPECT_GT(hours.size(), 8000u);
  i = 0;
  for (const auto& [hour, h] : hours) {
    const auto& item = hourly[i++].as_object();
    std::string t(item.at("t").as_string());
    t[10] = ' ';
    ASSERT_EQ(t.substr(0, 13), hour);
    EXPECT_EQ(item.at("count").as_int64(), h.count) << hour;
    EXPECT_NEAR(item.at("sum").to_number<double>(), h.sum, 1e-9 * std::abs(h.sum)) << hour;
  }
  EXPECT_EQ(server->stop(SIGTERM), 0) << server->output();
}

TEST_F(ImportCsv, ABadRowImportsNothing) {
  make_demo_data(data_);
  if (HasFatalFailure()) return;
  const std::string raw =
      "/api/v1/points/1/readings?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z&limit=10000";
  std::string before;
  {
    auto server = serve();
    ASSERT_FALSE(HasFailure());
    auto r = client_->get(raw);
    ASSERT_EQ(r.status, 200) << r.body;
    before = r.body;
    ASSERT_EQ(server->stop(SIGTERM), 0) << server->output();
  }

  // Good rows on both sides of the bad one, which is on line 5.
  const std::string file = tmp_.path() + "/bad.csv";
  std::ofstream(file) << "timestamp,value\r\n"
                         "2015-03-01T00:00:00Z,1.5\r\n"
                         "2015-03-01 01:00:00,2.5\r\n"
                         "1425175200000,3.5\r\n"
                         "2015-03-01T03:00:00Z,4,5\r\n"
                         "2015-03-01T04:00:00Z,5.5\r\n";
  std::string out;
  EXPECT_EQ(run_binary({"import", "csv", "--data-dir", data_, "--point", "1", file}, out), 1)
      << out;
  EXPECT_NE(out.find("line 5"), std::string::npos) << out;
  EXPECT_NE(out.find("nothing imported"), std::string::npos) << out;

  // Bad arguments: 2.
  EXPECT_EQ(run_binary({"import", "csv", "--data-dir", data_, "--point", "999999", file}, out), 2)
      << out;
  EXPECT_EQ(run_binary({"import", "csv", "--data-dir", data_, "--point", "1",
                        tmp_.path() + "/no-such.csv"},
                       out),
            2)
      << out;

  auto server = serve();
  ASSERT_FALSE(HasFailure());
  auto r = client_->get(raw);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, before);
  EXPECT_EQ(server->stop(SIGTERM), 0) << server->output();
}

}  // namespace
}  // namespace citypulse::test
