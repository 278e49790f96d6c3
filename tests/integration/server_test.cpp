// The server as a process: start-up, operational endpoints, the command line,
// persistence across restarts and graceful shutdown.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include "http_client.h"
#include "server_process.h"

namespace citypulse::test {
namespace {

namespace json = boost::json;

json::object parse_object(const std::string& body) {
  return json::parse(body).as_object();
}

TEST(Server, AnswersHealthReadinessMetricsAndDocument) {
  TempDir tmp;
  ServerProcess server(tmp.path() + "/data");
  ASSERT_TRUE(server.start()) << server.output();
  HttpClient client(server.port());
  ASSERT_EQ(client.sign_in(kAdminEmail, kAdminPassword).status, 200);

  auto health = client.get("/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(parse_object(health.body).at("status").as_string(), "ok");

  auto ready = client.get("/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_GE(parse_object(ready.body).at("schema_version").as_int64(), 1);

  client.get("/api/v1/buildings");
  client.get("/api/v1/buildings/999999");
  auto metrics = client.get("/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.header("Content-Type").find("text/plain"), std::string::npos);
  EXPECT_NE(metrics.body.find("citypulse_http_requests_total{route=\"/api/v1/"
                              "buildings\",method=\"GET\",status=\"200\"} 1"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("route=\"/api/v1/buildings/{id}\",method=\"GET\",status=\"404\"} 1"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find(
                "citypulse_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"+Inf\"} "),
            std::string::npos);
  EXPECT_NE(metrics.body.find("process_resident_memory_bytes "), std::string::npos);
  EXPECT_NE(metrics.body.find("citypulse_uptime_seconds "), std::string::npos);

  auto doc = client.get("/api/v1/openapi.json");
  EXPECT_EQ(doc.status, 200);
  auto o = parse_object(doc.body);
  EXPECT_EQ(o.at("openapi").as_string(), "3.1.0");
  EXPECT_TRUE(o.at("components").at("schemas").as_object().contains("Building"));

  // Access log: one JSON object per line on stdout.
  EXPECT_EQ(server.stop(SIGTERM), 0);
  const auto out = server.output();
  EXPECT_NE(out.find(R"("route":"/api/v1/buildings/{id}","status":404)"), std::string::npos) << out;
}

TEST(Server, ServesThePlaceholderPageAndFallsBackForAppRoutes) {
  TempDir tmp;
  ServerProcess server(tmp.path() + "/data");
  ASSERT_TRUE(server.start()) << server.output();
  HttpClient client(server.port());
  ASSERT_EQ(client.sign_in(kAdminEmail, kAdminPassword).status, 200);
  auto root = client.get("/");
  EXPECT_EQ(root.status, 200);
  EXPECT_NE(root.header("Content-Type").find("text/html"), std::string::npos);
  EXPECT_NE(root.body.find("CityPulse"), std::string::npos);
  EXPECT_EQ(client.get("/buildings/3/floors").body, root.body);  // single-page-app route
  EXPECT_EQ(client.get("/api/v1/no-such-thing").status, 404);    // never the page under /api/
  auto head = client.request("HEAD", "/healthz");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
}

TEST(Server, ServesAWebRootWithoutEscapingIt) {
  TempDir tmp;
  const std::string web = tmp.path() + "/web";
  std::filesystem::create_directories(web + "/assets");
  std::ofstream(web + "/index.html") << "<html>index</html>";
  std::ofstream(web + "/assets/app.js") << "console.log(1)";
  std::ofstream(tmp.path() + "/secret.txt") << "secret";
  ServerProcess server(tmp.path() + "/data", {}, {{"CITYPULSE_HTTP_WEB_ROOT", web}});
  ASSERT_TRUE(server.start()) << server.output();
  HttpClient client(server.port());
  ASSERT_EQ(client.sign_in(kAdminEmail, kAdminPassword).status, 200);
  auto js = client.get("/assets/app.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.body, "console.log(1)");
  EXPECT_NE(js.header("Content-Type").find("javascript"), std::string::npos);
  EXPECT_EQ(client.get("/alarms").body, "<html>index</html>");
  auto escape = client.get("/../secret.txt");
  EXPECT_EQ(escape.body.find("secret"), std::string::npos);
  auto escape2 = client.get("/assets/%2e%2e/%2e%2e/secret.txt");
  EXPECT_EQ(escape2.body.find("secret"), std::string::npos);
}

// Without http.web_root the binary serves the web UI it was built with
// (`make` builds web/dist before the server): index.html for the app's own
// routes, and the hashed assets it names.
TEST(Server, ServesTheWebUiItWasBuiltWith) {
  TempDir tmp;
  ServerProcess server(tmp.path() + "/data");
  ASSERT_TRUE(server.start()) << server.output();
  HttpClient client(server.port());
  auto index = client.get("/");
  ASSERT_EQ(index.status, 200);
  EXPECT_NE(index.header("Content-Type").find("text/html"), std::string::npos);
  const auto at = index.body.find("/assets/index-");
  ASSERT_NE(at, std::string::npos) << "not the built web UI: " << index.body.substr(0, 300);
  const auto script = index.body.substr(at, index.body.find('"', at) - at);
  auto js = client.get(script);
  EXPECT_EQ(js.status, 200) << script;
  EXPECT_NE(js.header("Content-Type").find("javascript"), std::string::npos);
  EXPECT_GT(js.body.size(), 10'000u);
  EXPECT_EQ(client.get("/alarms/history").body, index.body);
}

TEST(Server, KeepsRecordsAcrossARestart) {
  TempDir tmp;
  const std::string data = tmp.path() + "/data";
  std::string building_body;
  {
    ServerProcess server(data);
    ASSERT_TRUE(server.start()) << server.output();
    HttpClient client(server.port());
    ASSERT_EQ(client.sign_in(kAdminEmail, kAdminPassword).status, 200);
    auto tenant = client.post("/api/v1/tenants", R"({"name":"Restartstadt"})");
    ASSERT_EQ(tenant.status, 201) << tenant.body;
    const auto tid = parse_object(tenant.body).at("id").as_int64();
    auto building = client.post("/api/v1/buildings", R"({"tenant_id":)" + std::to_string(tid) +
                                                         R"(,"name":"Schule","type":"school"})");
    ASSERT_EQ(building.status, 201) << building.body;
    building_body = building.body;
    EXPECT_EQ(server.stop(SIGTERM), 0) << server.output();
  }
  ServerProcess again(data);
  ASSERT_TRUE(again.start()) << again.output();
  HttpClient client(again.port());
  ASSERT_EQ(client.sign_in(kAdminEmail, kAdminPassword).status, 200);
  const auto id = parse_object(building_body).at("id").as_int64();
  auto read = client.get("/api/v1/buildings/" + std::to_string(id));
  ASSERT_EQ(read.status, 200);
  EXPECT_EQ(read.body, building_body);
}

TEST(Server, ShutsDownGracefullyUnderLoad) {
  TempDir tmp;
  ServerProcess server(tmp.path() + "/data");
  ASSERT_TRUE(server.start()) << server.output();
  std::string authorization;
  {
    HttpClient setup(server.port());
    ASSERT_EQ(setup.sign_in(kAdminEmail, kAdminPassword).status, 200);
    ASSERT_EQ(setup.post("/api/v1/tenants", R"({"name":"Lasttest"})").status, 201);
    authorization = setup.authorization();
  }
  // Clients hammer the server while it is told to stop: every response that
  // arrives must be whole and successful; afterwards connections are refused.
  std::atomic<bool> go{true};
  std::atomic<int> complete{0}, broken{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 4; ++i)
    clients.emplace_back([&] {
      HttpClient client(server.port());
      client.set_authorization(authorization);
      while (go) {
        try {
          auto r = client.get("/api/v1/tenants?limit=10");
          if (r.status == 200 && json::parse(r.body).as_object().contains("items"))
            ++complete;
          else
            ++broken;
        } catch (const std::exception&) {
          // Connection refused or closed between requests: expected once stopping.
        }
      }
    });
  // An idle keep-alive connection must not hold the shutdown up.
  HttpClient idle(server.port());
  ASSERT_EQ(idle.get("/healthz").status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto before = std::chrono::steady_clock::now();
  const int code = server.stop(SIGTERM);
  const auto took = std::chrono::steady_clock::now() - before;
  go = false;
  for (auto& t : clients) t.join();
  EXPECT_EQ(code, 0) << server.output();
  EXPECT_LT(took, std::chrono::seconds(5));
  EXPECT_GT(complete.load(), 0);
  EXPECT_EQ(broken.load(), 0);
  EXPECT_NE(server.output().find("stopped"), std::string::npos);
  // The store was flushed: the write-ahead log is checkpointed into the main file.
  const auto wal = tmp.path() + "/data/citypulse.db-wal";
  EXPECT_TRUE(!std::filesystem::exists(wal) || std::filesystem::file_size(wal) == 0);
}

TEST(Server, StopsOnSigintToo) {
  TempDir tmp;
  ServerProcess server(tmp.path() + "/data");
  ASSERT_TRUE(server.start()) << server.output();
  EXPECT_EQ(server.stop(SIGINT), 0);
}

TEST(CommandLine, InvalidConfigIsOneLineAndExitCode2) {
  TempDir tmp;
  const std::string file = tmp.path() + "/c.toml";
  std::ofstream(file) << "[http]\nport = 99999\n";
  std::string out;
  EXPECT_EQ(run_binary({"serve", "--config", file, "--data-dir", tmp.path() + "/d"}, out), 2);
  EXPECT_NE(out.find("http.port"), std::string::npos) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;

  EXPECT_EQ(run_binary({"serve", "--data-dir", tmp.path() + "/d"}, out,
                       {{"CITYPULSE_LOG_LEVEL", "loud"}}),
            2);
  EXPECT_NE(out.find("log.level"), std::string::npos) << out;
  EXPECT_NE(out.find("CITYPULSE_LOG_LEVEL"), std::string::npos) << out;

  EXPECT_EQ(run_binary({"serve", "--http-port", "http"}, out), 2);
  EXPECT_NE(out.find("http.port"), std::string::npos) << out;

  EXPECT_EQ(run_binary({"frobnicate"}, out), 2);
}

TEST(CommandLine, ConfigShowPrintsTheEffectiveConfig) {
  TempDir tmp;
  const std::string file = tmp.path() + "/c.toml";
  std::ofstream(file) << "[http]\nthreads = 3\n";
  std::string out;
  ASSERT_EQ(run_binary({"config", "show", "--config", file, "--http-port", "9123"}, out,
                       {{"CITYPULSE_STORAGE_DATA_DIR", "/srv/citypulse"}}),
            0)
      << out;
  EXPECT_NE(out.find("[http]"), std::string::npos);
  EXPECT_NE(out.find("port = 9123"), std::string::npos) << out;
  EXPECT_NE(out.find("threads = 3"), std::string::npos) << out;
  EXPECT_NE(out.find("data_dir = '/srv/citypulse'"), std::string::npos) << out;
  // What it prints is a valid configuration file.
  const std::string shown = tmp.path() + "/shown.toml";
  std::ofstream(shown) << out;
  std::string again;
  ASSERT_EQ(run_binary({"config", "show", "--config", shown}, again), 0) << again;
  EXPECT_EQ(again, out);
}

TEST(CommandLine, VersionAndMigrate) {
  TempDir tmp;
  std::string out;
  ASSERT_EQ(run_binary({"version"}, out), 0);
  EXPECT_EQ(out.rfind("citypulse ", 0), 0u) << out;
  ASSERT_EQ(run_binary({"migrate", "--data-dir", tmp.path() + "/d"}, out), 0) << out;
  EXPECT_NE(out.find("schema version"), std::string::npos) << out;
  EXPECT_TRUE(std::filesystem::exists(tmp.path() + "/d/citypulse.db"));
}

TEST(Demo, SeedsTheTownOnceAndServesIt) {
  TempDir tmp;
  const std::string data = tmp.path() + "/data";
  std::string first_list;
  for (int run = 0; run < 2; ++run) {
    ServerProcess server(data, kQuickDemo, {}, "demo");
    ASSERT_TRUE(server.start()) << server.output();
    HttpClient client(server.port());
    // The demo prints its logins and they work; the demo's own users stand
    // in for the test superadmin.
    EXPECT_NE(server.output().find("superadmin@citypulse.demo"), std::string::npos)
        << server.output();
    EXPECT_NE(server.output().find("viewer@hechingen.demo"), std::string::npos);
    ASSERT_EQ(client.sign_in("superadmin@citypulse.demo", "hechingen-demo").status, 200);
    // The superadmin the environment names is there too.
    EXPECT_EQ(HttpClient(server.port()).sign_in(kAdminEmail, kAdminPassword).status, 200);
    HttpClient viewer(server.port());
    ASSERT_EQ(viewer.sign_in("viewer@hechingen.demo", "hechingen-demo").status, 200);
    EXPECT_EQ(viewer.get("/api/v1/buildings").status, 200);
    EXPECT_EQ(viewer.post("/api/v1/buildings", R"({"name":"x"})").status, 403);
    auto tenants = parse_object(client.get("/api/v1/tenants").body);
    ASSERT_EQ(tenants.at("items").as_array().size(), 1u);
    EXPECT_EQ(tenants.at("items").as_array()[0].at("name").as_string(), "Stadt Hechingen");
    auto buildings = client.get("/api/v1/buildings");
    auto list = parse_object(buildings.body).at("items").as_array();
    EXPECT_GE(list.size(), 5u);
    if (run == 0)
      first_list = buildings.body;
    else
      EXPECT_EQ(buildings.body, first_list);  // seeding again changed nothing
    const auto id = list[0].at("id").as_int64();
    auto tree = parse_object(client.get("/api/v1/buildings/" + std::to_string(id) + "/tree").body);
    EXPECT_FALSE(tree.at("floors").as_array().empty());
    auto points = parse_object(client.get("/api/v1/points?limit=1000").body).at("items").as_array();
    EXPECT_GT(points.size(), 100u);
    EXPECT_NE(server.output().find("http://localhost:"), std::string::npos);
    EXPECT_EQ(server.stop(SIGTERM), 0);
  }
}

TEST(Demo, ATownGrowsWhenAskedForMoreBuildingsAndKeepsWhatItHad) {
  TempDir tmp;
  const std::string data = tmp.path() + "/data";
  std::vector<std::string> seven = kQuickDemo, nine = kQuickDemo;
  nine[1] = "9";
  std::string before;
  for (const auto* args : {&seven, &nine}) {
    ServerProcess server(data, *args, {}, "demo");
    ASSERT_TRUE(server.start()) << server.output();
    HttpClient client(server.port());
    ASSERT_EQ(client.sign_in("admin@hechingen.demo", "hechingen-demo").status, 200);
    auto list = parse_object(client.get("/api/v1/buildings?limit=100").body).at("items").as_array();
    EXPECT_EQ(list.size(), args == &seven ? 7u : 9u);
    if (args == &seven) {
      before = json::serialize(list);
    } else {
      list.resize(7);
      EXPECT_EQ(json::serialize(list), before);  // the first seven as they were
    }
    EXPECT_EQ(server.stop(SIGTERM), 0) << server.output();
  }
  // Another seed would draw other rooms and devices: refused, naming the town's.
  std::string out;
  std::vector<std::string> args = {"demo", "--data-dir", data, "--seed", "2"};
  args.insert(args.end(), kQuickDemo.begin(), kQuickDemo.end());
  EXPECT_EQ(run_binary(args, out), 2) << out;
  EXPECT_NE(out.find("made with --seed 1"), std::string::npos) << out;
}

TEST(Demo, BadOptionsExitTwoNamingTheOption) {
  TempDir tmp;
  const std::string data = tmp.path() + "/data";
  for (const auto& [option, value] :
       std::vector<std::pair<std::string, std::string>>{{"--buildings", "0"},
                                                        {"--buildings", "501"},
                                                        {"--history", "-1"},
                                                        {"--history", "3651"},
                                                        {"--faults", "-1"}}) {
    std::string out;
    EXPECT_EQ(run_binary({"demo", "--data-dir", data, option, value}, out), 2) << option << out;
    EXPECT_NE(out.find(option), std::string::npos) << out;
  }
  EXPECT_FALSE(std::filesystem::exists(data + "/citypulse.db"));  // nothing was made
}

}  // namespace
}  // namespace citypulse::test
