#include "app/bench_ingest.h"

#include <fmt/format.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include "api/json_io.h"
#include "app/http_load.h"
#include "app/load_loop.h"
#include "auth/secret.h"
#include "core/time.h"

extern char** environ;

namespace citypulse {
namespace json = boost::json;
namespace fs = std::filesystem;
namespace {

constexpr const char* kAdminEmail = "bench@citypulse.local";

// `citypulse serve` as a child process, output into a log file.
class ServerChild {
 public:
  ServerChild(std::string data_dir, std::uint16_t port, std::string password)
      : data_dir_(std::move(data_dir)), port_(port), password_(std::move(password)) {}
  ~ServerChild() {
    if (pid_ > 0) stop(SIGKILL);
  }

  Status start() {
    const std::string port = std::to_string(port_);
    std::vector<std::string> args = {"/proc/self/exe", "serve", "--data-dir",  data_dir_,
                                     "--http-port",    port,    "--log-level", "warn"};
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e)
      if (!std::string_view(*e).starts_with("CITYPULSE_")) env.emplace_back(*e);
    for (const auto& kv :
         {"CITYPULSE_ADMIN_EMAIL=" + std::string(kAdminEmail),
          "CITYPULSE_ADMIN_PASSWORD=" + password_, std::string("CITYPULSE_HTTP_ACCESS_LOG=false"),
          std::string("CITYPULSE_RATE_LIMIT_READ_PER_MINUTE=0"),
          std::string("CITYPULSE_RATE_LIMIT_WRITE_PER_MINUTE=0"),
          std::string("CITYPULSE_RATE_LIMIT_AUTH_PER_MINUTE=0")})
      env.push_back(kv);
    std::vector<char*> argv, envp;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    const std::string log = data_dir_ + "/server.log";
    pid_ = ::fork();
    if (pid_ < 0) return fail(ErrorCode::io, "fork failed");
    if (pid_ == 0) {
      FILE* out = std::fopen(log.c_str(), "a");
      if (out) {
        ::dup2(fileno(out), 1);
        ::dup2(fileno(out), 2);
      }
      ::execve(argv[0], argv.data(), envp.data());
      ::_exit(127);
    }
    // Ready when /healthz answers.
    LoadConnection probe(port_);
    for (int i = 0; i < 400; ++i) {
      if (auto r = probe.request("GET", "/healthz"); r && r->status == 200) return {};
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return fail(ErrorCode::io, fmt::format("the server exited at start (see {})", log));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return fail(ErrorCode::io, fmt::format("the server did not answer in 20 s (see {})", log));
  }

  // CPU seconds (user + system) the server has used so far; 0 when unknown.
  double cpu_seconds() const {
    std::FILE* f = std::fopen(fmt::format("/proc/{}/stat", pid_).c_str(), "r");
    if (!f) return 0;
    char text[1024] = {};
    const auto n = std::fread(text, 1, sizeof text - 1, f);
    std::fclose(f);
    // Fields after the command name, which may hold spaces: "(name) S ...".
    const std::string_view all(text, n);
    const auto close = all.rfind(')');
    if (close == std::string_view::npos) return 0;
    unsigned long utime = 0, stime = 0;
    if (std::sscanf(text + close + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime,
                    &stime) != 2)
      return 0;
    return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
  }

  // The exit status (128 + signal for a signal).
  int stop(int signal) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, signal);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  std::string data_dir_;
  std::uint16_t port_;
  std::string password_;
  pid_t pid_ = -1;
};

Result<json::object> call(LoadConnection& c, std::string_view method, const std::string& target,
                          const std::string& body, const std::string& headers, int want) {
  auto r = c.request(method, target, body,
                     headers + (body.empty() ? "" : "Content-Type: application/json\r\n"));
  if (!r) return std::unexpected(r.error());
  if (r->status != want)
    return fail(ErrorCode::io, fmt::format("{} {} answered {}: {}", method, target, r->status,
                                           r->body.substr(0, 300)));
  if (r->body.empty()) return json::object{};
  boost::system::error_code ec;
  auto v = json::parse(r->body, ec);
  if (ec || !v.is_object()) return fail(ErrorCode::io, target + " answered no JSON object");
  return std::move(v.as_object());
}

struct Fixture {
  std::vector<std::int64_t> points;
  std::vector<std::string> tokens;
  std::string api_key;
};

Result<std::string> sign_in(LoadConnection& c, const std::string& password) {
  auto r =
      call(c, "POST", "/api/v1/auth/login",
           json::serialize(json::object{{"email", kAdminEmail}, {"password", password}}), "", 200);
  if (!r) return std::unexpected(r.error());
  return fmt::format("Authorization: Bearer {}\r\n", r->at("access_token").as_string().c_str());
}

Result<Fixture> set_up(std::uint16_t port, const std::string& password, int devices) {
  LoadConnection c(port);
  auto auth = sign_in(c, password);
  if (!auth) return std::unexpected(auth.error());
  auto made = [&](const std::string& collection, const json::object& body) -> Result<std::int64_t> {
    auto r = call(c, "POST", "/api/v1/" + collection, json::serialize(body), *auth, 201);
    if (!r) return std::unexpected(r.error());
    return r->at("id").as_int64();
  };
  auto tenant = made("tenants", {{"name", "Bench Town"}});
  if (!tenant) return std::unexpected(tenant.error());
  auto building =
      made("buildings", {{"tenant_id", *tenant}, {"name", "Bench depot"}, {"type", "depot"}});
  if (!building) return std::unexpected(building.error());
  Fixture f;
  for (int i = 0; i < devices; ++i) {
    auto point = made("points", {{"building_id", *building},
                                 {"name", fmt::format("Meter {}", i)},
                                 {"key", fmt::format("bench.meter{}", i)},
                                 {"kind", "sensor"},
                                 {"quantity", "power"},
                                 {"unit", "kW"}});
    if (!point) return std::unexpected(point.error());
    auto device =
        made("devices",
             {{"tenant_id", *tenant},
              {"building_id", *building},
              {"name", fmt::format("Logger {}", i)},
              {"protocol", "http"},
              {"status", "active"},
              {"channels", json::array{json::object{{"channel", "p"}, {"point_id", *point}}}}});
    if (!device) return std::unexpected(device.error());
    auto cred =
        call(c, "POST", fmt::format("/api/v1/devices/{}/credentials", *device), "{}", *auth, 201);
    if (!cred) return std::unexpected(cred.error());
    f.points.push_back(*point);
    f.tokens.emplace_back(cred->at("token").as_string());
  }
  auto key = call(c, "POST", "/api/v1/api-keys",
                  json::serialize(json::object{{"name", "bench"},
                                               {"tenant_id", *tenant},
                                               {"permissions", json::array{"readings:write"}}}),
                  *auth, 201);
  if (!key) return std::unexpected(key.error());
  f.api_key = fmt::format("Authorization: ApiKey {}\r\n", key->at("key").as_string().c_str());
  return f;
}

// Acknowledgement latencies in 10 µs steps up to 1 s (the last slot: more).
struct Latencies {
  static constexpr std::size_t kSlots = 100'001;
  std::vector<std::uint32_t> slots = std::vector<std::uint32_t>(kSlots, 0);
  void add(std::int64_t micros) {
    slots[std::min<std::size_t>(static_cast<std::size_t>(micros / 10), kSlots - 1)]++;
  }
  void merge(const Latencies& o) {
    for (std::size_t i = 0; i < kSlots; ++i) slots[i] += o.slots[i];
  }
  // The latency below which `q` of the answers came, in ms.
  double quantile(double q) const {
    std::uint64_t total = 0;
    for (auto s : slots) total += s;
    if (total == 0) return 0;
    const auto rank = static_cast<std::uint64_t>(q * static_cast<double>(total - 1));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kSlots; ++i)
      if ((seen += slots[i]) > rank) return static_cast<double>(i + 1) / 100.0;
    return 1000;
  }
};

struct Sender {
  std::int64_t requests = 0, readings = 0, refused = 0, errors = 0;
  Latencies latencies;
  std::string first_error;
};

// CPU seconds (user + system) this process has used so far.
double own_cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(u.ru_utime) + seconds(u.ru_stime);
}

// The "accepted" count of an ingest answer, without a JSON tree: the parse
// would cost the client what the server is being measured on.
std::int64_t accepted_of(std::string_view body) {
  const auto at = body.find("\"accepted\":");
  if (at == std::string_view::npos) return 0;
  std::int64_t n = 0;
  const char* p = body.data() + at + 11;
  std::from_chars(p, body.data() + body.size(), n);
  return n;
}

// What one device sends: its target, and the next reading's time and value.
struct DeviceLoad {
  std::string target;
  TimeMs t = 0;
  std::int64_t seq = 0;
};

// The devices [first, first + count) on one client thread: one epoll loop
// drives all their connections.
void send_load(const BenchIngestOptions& o, const Fixture& f, std::uint16_t port, int first,
               int count, std::int64_t deadline_steady, Sender& out) {
  const bool batch = o.mode == "batch";
  const std::string headers =
      (batch ? f.api_key : std::string()) + "Content-Type: application/json\r\n";
  std::vector<DeviceLoad> devices(static_cast<std::size_t>(count));
  for (int k = 0; k < count; ++k) {
    auto& d = devices[static_cast<std::size_t>(k)];
    d.target = batch ? "/api/v1/readings" : "/api/v1/" + f.tokens[first + k] + "/telemetry";
    // An hour back, a millisecond apart: distinct times, never in the future.
    d.t = now_ms() - 3'600'000;
  }
  std::string body;
  LoadTraffic traffic;
  traffic.connections = count;
  traffic.interval_us = o.rate > 0 ? 1e6 * o.devices / o.rate : 0;
  traffic.deadline_steady_ms = deadline_steady;
  traffic.next_request = [&](int k) {
    auto& d = devices[static_cast<std::size_t>(k)];
    body.clear();
    if (batch) {
      body = "{\"readings\":[";
      for (int j = 0; j < o.batch; ++j)
        body += fmt::format("{}{{\"point\":{},\"ts\":{},\"value\":{}}}", j ? "," : "",
                            f.points[first + k], d.t++, (d.seq + j) % 1000);
      body += "]}";
    } else {
      body = fmt::format("{{\"ts\":{},\"values\":{{\"p\":{}}}}}", d.t++, d.seq % 1000);
    }
    ++d.seq;
    return load_request("POST", d.target, body, headers);
  };
  traffic.on_answer = [&](int, const Result<LoadReply>& r, std::int64_t micros) {
    ++out.requests;
    if (r && r->status == 200) {
      out.readings += accepted_of(r->body);
      out.latencies.add(micros);
    } else if (r && r->status == 503) {
      ++out.refused;
    } else {
      ++out.errors;
      if (out.first_error.empty())
        out.first_error =
            r ? fmt::format("{}: {}", r->status, r->body.substr(0, 200)) : r.error().message;
    }
  };
  if (auto s = drive_load(port, traffic); !s) {
    ++out.errors;
    if (out.first_error.empty()) out.first_error = s.error().message;
  }
}

Result<std::int64_t> stored_readings(std::uint16_t port, const std::string& password,
                                     const Fixture& f) {
  LoadConnection c(port);
  auto auth = sign_in(c, password);
  if (!auth) return std::unexpected(auth.error());
  std::int64_t stored = 0;
  for (auto point : f.points) {
    auto r = call(c, "GET",
                  fmt::format("/api/v1/points/{}/readings?from=2000-01-01T00:00:00Z&"
                              "to=2100-01-01T00:00:00Z&bucket=1y&agg=count",
                              point),
                  "", *auth, 200);
    if (!r) return std::unexpected(r.error());
    for (const auto& b : r->at("items").as_array())
      stored += b.at("count").to_number<std::int64_t>();
  }
  return stored;
}

}  // namespace

Status validate(const BenchIngestOptions& o) {
  if (!o.http) return fail(ErrorCode::invalid, "give --http (the transport measured)");
  if (o.devices < 1 || o.devices > 1000)
    return fail(ErrorCode::invalid, "--devices must be 1..1000");
  if (o.rate < 0) return fail(ErrorCode::invalid, "--rate must not be negative");
  if (o.duration_s <= 0 || o.duration_s > 3600)
    return fail(ErrorCode::invalid, "--duration must be 0..3600 s");
  if (o.mode != "telemetry" && o.mode != "batch")
    return fail(ErrorCode::invalid, "--mode must be telemetry or batch");
  if (o.batch < 1 || o.batch > 10'000) return fail(ErrorCode::invalid, "--batch must be 1..10000");
  if (o.client_threads < 1 || o.client_threads > 64)
    return fail(ErrorCode::invalid, "--client-threads must be 1..64");
  return {};
}

Status run_bench_ingest(const BenchIngestOptions& o) {
  std::string dir = o.data_dir;
  const bool temporary = dir.empty();
  if (temporary) {
    std::string pattern = (fs::temp_directory_path() / "citypulse-bench-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) return fail(ErrorCode::io, "cannot make a temporary folder");
    dir = pattern;
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  struct Cleanup {
    bool on;
    std::string dir;
    ~Cleanup() {
      std::error_code e;
      if (on) fs::remove_all(dir, e);
    }
  } cleanup{temporary, dir};

  auto port = free_loopback_port();
  if (!port) return std::unexpected(port.error());
  const std::string password = auth::random_token(24);
  auto server = std::make_unique<ServerChild>(dir + "/data", *port, password);
  if (auto s = server->start(); !s) return s;
  auto fixture = set_up(*port, password, o.devices);
  if (!fixture) return std::unexpected(fixture.error());

  const int client_threads = std::min(o.client_threads, o.devices);
  const double server_cpu_before = server->cpu_seconds();
  const double client_cpu_before = own_cpu_seconds();
  std::vector<Sender> senders(static_cast<std::size_t>(client_threads));
  std::vector<std::thread> threads;
  const auto started = steady_ms();
  const auto deadline = started + static_cast<std::int64_t>(o.duration_s * 1000);
  for (int i = 0, first = 0; i < client_threads; ++i) {
    // The devices as evenly over the threads as they go.
    const int count = (o.devices - first) / (client_threads - i);
    threads.emplace_back([&, i, first, count] {
      send_load(o, *fixture, *port, first, count, deadline, senders[i]);
    });
    first += count;
  }
  for (auto& t : threads) t.join();
  const double seconds = static_cast<double>(steady_ms() - started) / 1000.0;
  const double server_cpu = server->cpu_seconds() - server_cpu_before;
  const double client_cpu = own_cpu_seconds() - client_cpu_before;

  Sender all;
  for (const auto& s : senders) {
    all.requests += s.requests;
    all.readings += s.readings;
    all.refused += s.refused;
    all.errors += s.errors;
    all.latencies.merge(s.latencies);
    if (all.first_error.empty()) all.first_error = s.first_error;
  }

  // Acknowledged means durable: kill without warning, start again, count.
  server->stop(SIGKILL);
  server = std::make_unique<ServerChild>(dir + "/data", *port, password);
  if (auto s = server->start(); !s) return s;
  auto stored = stored_readings(*port, password, *fixture);
  if (!stored) return std::unexpected(stored.error());
  server->stop(SIGTERM);

  json::object line{
      {"bench", "ingest"},
      {"transport", "http"},
      {"mode", o.mode},
      {"devices", o.devices},
      {"client_threads", client_threads},
      {"batch", o.mode == "batch" ? o.batch : 1},
      {"target_rate", o.rate},
      {"duration_s", seconds},
      {"requests", all.requests},
      {"requests_per_s", static_cast<double>(all.requests - all.refused - all.errors) / seconds},
      {"readings_per_s", static_cast<double>(all.readings) / seconds},
      {"p50_ms", all.latencies.quantile(0.50)},
      {"p99_ms", all.latencies.quantile(0.99)},
      {"refused_503", all.refused},
      // CPU per answered request: what a request costs the machine, on
      // each side, beside how many went through.
      {"server_cpu_us_per_request", 1e6 * server_cpu / std::max<double>(1, all.requests)},
      {"client_cpu_us_per_request", 1e6 * client_cpu / std::max<double>(1, all.requests)},
      {"errors", all.errors},
      {"acknowledged", all.readings},
      {"stored_after_kill", *stored},
      {"durable", *stored == all.readings}};
  if (!all.first_error.empty()) line["first_error"] = all.first_error;
  fmt::print("{}\n", to_json_text(line));
  if (*stored != all.readings)
    return fail(
        ErrorCode::internal,
        fmt::format("{} readings acknowledged but {} stored after a kill", all.readings, *stored));
  return {};
}

}  // namespace citypulse
