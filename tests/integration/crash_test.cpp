// Crash safety of the real binary: a client writes readings, each request
// answered only once they are on disk, while the server is killed with
// SIGKILL at random moments, twenty times. After every restart each reading
// that was acknowledged is there with its value, and nothing is there that
// was never sent. And a log whose tail was scribbled over (a damaged disk):
// the server starts, says what it moved aside, and serves the intact prefix.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <thread>

#include "http_client.h"
#include "server_process.h"

namespace citypulse::test {
namespace {

namespace json = boost::json;

std::string rfc3339_ms(std::int64_t ms) {
  const std::time_t s = ms / 1000;
  std::tm tm{};
  gmtime_r(&s, &tm);
  char text[40];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
  return std::string(text) + "." + std::to_string(1000 + ms % 1000).substr(1) + "Z";
}

// "2026-11-23T18:00:01.000Z" as ms since the epoch.
std::int64_t parse_time(const std::string& text) {
  std::tm tm{};
  strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  return static_cast<std::int64_t>(timegm(&tm)) * 1000 + std::stoi(text.substr(20, 3));
}

// The value written at time t: any reading read back can be checked.
double value_at(std::int64_t t) {
  return static_cast<double>((t / 1000) % 100'000) / 10.0;
}

TEST(Crash, AcknowledgedReadingsSurviveKill9) {
  TempDir tmp;
  const std::string data = tmp.path() + "/data";
  std::mt19937 rng(20261123);
  const std::int64_t t0 = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                                  .count() /
                              1000 * 1000 +
                          3'600'000;
  std::int64_t next_t = t0;
  std::map<std::int64_t, double> acknowledged;
  std::int64_t sent_until = t0;
  int kills_during_writes = 0;
  for (int round = 0; round < 20; ++round) {
    ServerProcess server(data, kQuickDemo, {}, "demo");
    ASSERT_TRUE(server.start()) << server.output();
    HttpClient c(server.port());
    ASSERT_EQ(c.sign_in("energy@hechingen.demo", "hechingen-demo").status, 200);
    // Everything acknowledged so far is there, and only what was sent.
    std::map<std::int64_t, double> stored;
    for (std::string from = rfc3339_ms(t0);;) {
      auto r = c.get("/api/v1/points/1/readings?limit=100000&from=" + from +
                     "&to=" + rfc3339_ms(sent_until + 1));
      ASSERT_EQ(r.status, 200) << r.body;
      const auto body = json::parse(r.body).as_object();
      for (const auto& item : body.at("items").as_array()) {
        auto t = parse_time(std::string(item.at("t").as_string()));
        stored[t] = item.at("value").to_number<double>();
      }
      if (body.at("next_from").is_null()) break;
      from = std::string(body.at("next_from").as_string());
    }
    for (const auto& [t, v] : acknowledged) {
      auto it = stored.find(t);
      ASSERT_NE(it, stored.end()) << "round " << round << ": acknowledged reading at "
                                  << rfc3339_ms(t) << " is missing";
      EXPECT_EQ(it->second, v);
    }
    for (const auto& [t, v] : stored) {
      EXPECT_LT(t, sent_until) << "a reading nobody sent";
      EXPECT_EQ(v, value_at(t)) << "at " << rfc3339_ms(t);
    }
    // Write until killed: batches of 20 readings a second apart.
    const int delay_ms = 30 + static_cast<int>(rng() % 400);
    std::thread killer([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
      server.stop(SIGKILL);
    });
    bool killed_mid_write = false;
    try {
      for (;;) {
        json::array readings;
        std::vector<std::int64_t> times;
        for (int i = 0; i < 20; ++i, next_t += 1000) {
          readings.push_back(json::object{{"t", rfc3339_ms(next_t)}, {"value", value_at(next_t)}});
          times.push_back(next_t);
        }
        sent_until = next_t;
        auto w = c.post("/api/v1/points/1/readings",
                        json::serialize(json::object{{"readings", std::move(readings)}}));
        if (w.status != 200) {
          killed_mid_write = true;
          break;
        }
        for (auto t : times) acknowledged[t] = value_at(t);
      }
    } catch (const std::exception&) {
      killed_mid_write = true;  // the connection died with the server
    }
    killer.join();
    if (killed_mid_write) ++kills_during_writes;
  }
  EXPECT_GE(kills_during_writes, 15);
  EXPECT_GT(acknowledged.size(), 1000u);
}

// The newest WAL segment of a data folder.
std::string newest_segment(const std::string& data) {
  std::string newest;
  for (const auto& e : std::filesystem::directory_iterator(data + "/tsdb/wal")) {
    const auto name = e.path().filename().string();
    if (name.size() == 20 && name.ends_with(".wal") && e.path().string() > newest)
      newest = e.path().string();
  }
  return newest;
}

TEST(Crash, AScribbledLogTailIsMovedAsideAndTheServerStarts) {
  TempDir tmp;
  const std::string data = tmp.path() + "/data";
  const std::int64_t t0 = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                                  .count() /
                              1000 * 1000 +
                          3'600'000;
  {
    ServerProcess server(data, kQuickDemo, {}, "demo");
    ASSERT_TRUE(server.start()) << server.output();
    HttpClient c(server.port());
    ASSERT_EQ(c.sign_in("energy@hechingen.demo", "hechingen-demo").status, 200);
    for (int batch = 0; batch < 10; ++batch) {
      json::array readings;
      for (int i = 0; i < 100; ++i) {
        const std::int64_t t = t0 + (batch * 100 + i) * 1000;
        readings.push_back(json::object{{"t", rfc3339_ms(t)}, {"value", value_at(t)}});
      }
      ASSERT_EQ(c.post("/api/v1/points/1/readings",
                       json::serialize(json::object{{"readings", std::move(readings)}}))
                    .status,
                200);
    }
    server.stop(SIGKILL);
  }
  // Scribble over the last 300 bytes of the log: the tail of the last batch.
  const auto segment = newest_segment(data);
  ASSERT_FALSE(segment.empty());
  const auto size = std::filesystem::file_size(segment);
  ASSERT_GT(size, 1000u);
  {
    std::fstream f(segment, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size - 300));
    std::mt19937 rng(7);
    for (int i = 0; i < 300; ++i) f.put(static_cast<char>(rng()));
  }
  ServerProcess server(data, kQuickDemo, {}, "demo");
  ASSERT_TRUE(server.start()) << server.output();
  EXPECT_NE(server.output().find("moved to"), std::string::npos) << server.output();
  HttpClient c(server.port());
  ASSERT_EQ(c.sign_in("energy@hechingen.demo", "hechingen-demo").status, 200);
  auto r = c.get("/api/v1/points/1/readings?limit=100000&from=" + rfc3339_ms(t0) +
                 "&to=" + rfc3339_ms(t0 + 1'000'000));
  ASSERT_EQ(r.status, 200) << r.body;
  const auto items = json::parse(r.body).as_object().at("items").as_array();
  // Whole batches before the damage: a prefix of what was written, intact.
  EXPECT_GE(items.size(), 800u);
  EXPECT_LT(items.size(), 1000u);
  EXPECT_EQ(items.size() % 100, 0u);
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::int64_t t = t0 + static_cast<std::int64_t>(i) * 1000;
    EXPECT_EQ(std::string(items[i].at("t").as_string()), rfc3339_ms(t));
    EXPECT_EQ(items[i].at("value").to_number<double>(), value_at(t));
  }
  // And it goes on taking readings.
  auto w =
      c.post("/api/v1/points/1/readings",
             "{\"readings\": [{\"t\": \"" + rfc3339_ms(t0 + 2'000'000) + "\", \"value\": 1}]}");
  EXPECT_EQ(w.status, 200) << w.body;
}

}  // namespace
}  // namespace citypulse::test
