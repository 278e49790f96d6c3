// A flood of device telemetry against a server with a small pending-readings
// ceiling: the overflow is answered 503 with Retry-After (never queued without
// bound), memory stays bounded, and after a SIGKILL every reading that was
// acknowledged is there — and nothing that was refused.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <csignal>
#include <fstream>
#include <thread>

#include "http_client.h"
#include "server_process.h"

namespace citypulse::test {
namespace {

namespace json = boost::json;

// Resident memory of a process, in KiB (VmRSS).
long rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
  return 0;
}

TEST(IngestBackpressure, AFloodIsRefusedWith503AndNothingAcknowledgedIsLost) {
  TempDir tmp;
  const std::string data = tmp.path() + "/data";
  // 64 KiB holds one request of 700 readings (80 bytes each) at a time.
  const std::map<std::string, std::string> env{{"CITYPULSE_INGEST_MAX_PENDING_BYTES", "65536"},
                                               {"CITYPULSE_HTTP_ACCESS_LOG", "false"}};
  auto server = std::make_unique<ServerProcess>(data, std::vector<std::string>{}, env);
  ASSERT_TRUE(server->start()) << server->output();
  HttpClient admin(server->port());
  ASSERT_EQ(admin.sign_in(kAdminEmail, kAdminPassword).status, 200);
  auto made = [&](const std::string& collection, const json::object& body) {
    auto r = admin.post("/api/v1/" + collection, json::serialize(body));
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? json::parse(r.body).at("id").as_int64() : 0;
  };
  const auto tenant = made("tenants", {{"name", "Flood Town"}});
  const auto building =
      made("buildings", {{"tenant_id", tenant}, {"name", "Depot"}, {"type", "depot"}});
  const auto point = made("points", {{"building_id", building},
                                     {"name", "Meter"},
                                     {"kind", "sensor"},
                                     {"quantity", "power"},
                                     {"unit", "kW"}});
  const auto device = made(
      "devices", {{"tenant_id", tenant},
                  {"building_id", building},
                  {"name", "Logger"},
                  {"protocol", "http"},
                  {"status", "active"},
                  {"channels", json::array{json::object{{"channel", "p"}, {"point_id", point}}}}});
  auto cred = admin.post("/api/v1/devices/" + std::to_string(device) + "/credentials", "{}");
  ASSERT_EQ(cred.status, 201) << cred.body;
  const std::string token(json::parse(cred.body).at("token").as_string());

  constexpr int kThreads = 6, kRequests = 25, kPerRequest = 700;
  const long rss_before = rss_kib(server->pid());
  std::atomic<long> rss_peak{rss_before};
  std::atomic<bool> flooding{true};
  // The memory the ceiling is about (readings accepted, not yet durable), as
  // the server reports it, and the process's resident memory.
  std::atomic<double> pending_peak{0};
  std::thread sampler([&] {
    HttpClient metrics(server->port());
    const std::string gauge = "\ncitypulse_ingest_pending_bytes ";
    while (flooding) {
      const long now = rss_kib(server->pid());
      for (long seen = rss_peak; now > seen && !rss_peak.compare_exchange_weak(seen, now);) {
      }
      const auto page = metrics.get("/metrics").body;
      if (const auto at = page.find(gauge); at != std::string::npos) {
        const double pending = std::stod(page.substr(at + gauge.size()));
        if (pending > pending_peak) pending_peak = pending;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  std::atomic<long> acknowledged{0}, refused{0}, other{0};
  std::atomic<bool> retry_after_seen{false};
  std::vector<std::thread> senders;
  // Three days ago on, a second apart: every reading at its own time.
  const std::int64_t base = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count() -
                            3 * 86'400'000LL;
  for (int t = 0; t < kThreads; ++t)
    senders.emplace_back([&, t] {
      HttpClient c(server->port());
      for (int i = 0; i < kRequests; ++i) {
        std::string body = "[";
        for (int k = 0; k < kPerRequest; ++k) {
          const std::int64_t ts =
              base + ((std::int64_t{t} * kRequests + i) * kPerRequest + k) * 1000;
          body += (k ? "," : "") + std::string("{\"ts\":") + std::to_string(ts) +
                  ",\"values\":{\"p\":" + std::to_string(k) + "}}";
        }
        body += "]";
        auto r = c.request("POST", "/api/v1/" + token + "/telemetry", body);
        if (r.status == 200) {
          acknowledged += json::parse(r.body).at("accepted").as_int64();
        } else if (r.status == 503) {
          ++refused;
          if (!r.header("Retry-After").empty()) retry_after_seen = true;
        } else {
          ++other;
        }
      }
    });
  for (auto& s : senders) s.join();
  flooding = false;
  sampler.join();

  EXPECT_EQ(other, 0);
  EXPECT_GT(refused, 0) << "the flood never reached the ceiling";
  EXPECT_TRUE(retry_after_seen);
  EXPECT_GT(acknowledged, 0);
  EXPECT_LE(pending_peak.load(), 65536.0);
  // Bodies in flight are bounded by the connections; nothing queues beyond
  // the ceiling. (The sanitizer's own bookkeeping is in these numbers.)
  EXPECT_LT(rss_peak - rss_before, 300 * 1024)
      << "KiB before " << rss_before << ", peak " << rss_peak;

  // Killed without a chance to flush: what was acknowledged is on disk.
  server->stop(SIGKILL);
  server = std::make_unique<ServerProcess>(data, std::vector<std::string>{}, env);
  ASSERT_TRUE(server->start()) << server->output();
  HttpClient again(server->port());
  ASSERT_EQ(again.sign_in(kAdminEmail, kAdminPassword).status, 200);
  auto r =
      again.get("/api/v1/points/" + std::to_string(point) +
                "/readings?from=2023-01-01T00:00:00Z&to=2030-01-01T00:00:00Z&bucket=1y&agg=count");
  ASSERT_EQ(r.status, 200) << r.body;
  std::int64_t stored = 0;
  const auto buckets = json::parse(r.body);
  for (const auto& b : buckets.at("items").as_array())
    stored += b.at("count").to_number<std::int64_t>();
  EXPECT_EQ(stored, acknowledged.load()) << "refused requests stored something, or acknowledged "
                                            "ones were lost";
  EXPECT_EQ(server->stop(SIGTERM), 0) << server->output();
}

}  // namespace
}  // namespace citypulse::test
