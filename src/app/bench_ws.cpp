#include "app/bench_ws.h"

#include <fmt/format.h>
#include <signal.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <latch>
#include <memory>
#include <thread>
#include <vector>

#include "api/json_io.h"
#include "app/bench_fixture.h"
#include "app/bench_folder.h"
#include "app/bench_options.h"
#include "app/bench_process.h"
#include "app/bench_server.h"
#include "app/http_load.h"
#include "app/latencies.h"
#include "app/ws_load.h"
#include "auth/secret.h"
#include "core/time.h"

namespace citypulse {
namespace json = boost::json;
namespace {

constexpr int kMaxClients = 20'000;
constexpr int kMaxPoints = 1'000;  // per building
constexpr int kMaxBuildings = 10'000;
constexpr std::int64_t kMaxSetupPoints = 100'000;
// ingest.max_readings_per_request (10,000) a request, 100 requests a second.
constexpr int kMaxReadingsPerRequest = 10'000;
constexpr double kMaxRate = 100.0 * kMaxReadingsPerRequest;
constexpr std::int64_t kTickUs = 10'000;       // the writer's pace: a request every 10 ms
constexpr std::int64_t kPingEveryMs = 30'000;  // under the server's 60 s idle timeout
constexpr std::int64_t kQuietMs = 1'000;       // after the writer: done once nothing came this long
constexpr std::int64_t kDrainMs = 10'000;      // ...or this long after the writer ended
// Upgrades, sign-ins and subscriptions in flight over all client threads:
// well under the server's listen backlog (SOMAXCONN), so that no
// connection attempt waits for a SYN retry.
constexpr std::size_t kMaxHandshakes = 512;
constexpr const char* kViewerEmail = "viewer@bench.citypulse.local";

// --- Setting the server up over its API -------------------------------------

struct WsFixture {
  std::vector<std::int64_t> buildings;   // ids
  std::vector<std::int64_t> points;      // ids, in the writer's order
  std::vector<std::size_t> building_of;  // points[j] is in buildings[building_of[j]]
  std::string token;                     // the viewer's access token
  std::string api_key_header;            // "Authorization: ApiKey ...\r\n" (readings:write)
};

// POST of a new record; the answer.
Result<json::object> create(LoadConnection& c, const std::string& target, const json::object& body,
                            const std::string& auth) {
  return bench_api_call(c, "POST", target, json::serialize(body), auth, 201);
}

// Everything on one keep-alive connection, one request after the other.
// Idle: the tenant and the viewer only.
Result<WsFixture> set_up(std::uint16_t port, const std::string& admin_password, int buildings,
                         int points, int device_points, bool idle) {
  LoadConnection c(port);
  auto admin = bench_access_token(c, kBenchAdminEmail, admin_password);
  if (!admin) return std::unexpected(admin.error());
  const std::string auth = fmt::format("Authorization: Bearer {}\r\n", *admin);
  auto id_of = [&](const std::string& collection,
                   const json::object& body) -> Result<std::int64_t> {
    auto r = create(c, "/api/v1/" + collection, body, auth);
    if (!r) return std::unexpected(r.error());
    const auto* id = r->if_contains("id");
    if (!id || !id->is_int64()) return fail(ErrorCode::io, collection + ": no id in the answer");
    return id->get_int64();
  };
  auto tenant = id_of("tenants", {{"name", "Bench Realtime"}});
  if (!tenant) return std::unexpected(tenant.error());
  WsFixture f;
  if (!idle) {
    for (int b = 0; b < buildings; ++b) {
      auto id = id_of(
          "buildings",
          {{"tenant_id", *tenant}, {"name", fmt::format("Bench block {}", b)}, {"type", "office"}});
      if (!id) return std::unexpected(id.error());
      f.buildings.push_back(*id);
    }
    // The writer's order: the first device (device_points points) of
    // every building, then the second of every building, and so on.
    std::vector<std::vector<std::int64_t>> ids(static_cast<std::size_t>(buildings));
    for (int b = 0; b < buildings; ++b)
      for (int k = 0; k < points; ++k) {
        auto id = id_of("points", {{"building_id", f.buildings[static_cast<std::size_t>(b)]},
                                   {"name", fmt::format("Meter {}", k)},
                                   {"kind", "sensor"},
                                   {"quantity", "power"},
                                   {"unit", "kW"}});
        if (!id) return std::unexpected(id.error());
        ids[static_cast<std::size_t>(b)].push_back(*id);
      }
    for (int first = 0; first < points; first += device_points)
      for (std::size_t b = 0; b < ids.size(); ++b)
        for (int k = first; k < std::min(points, first + device_points); ++k) {
          f.points.push_back(ids[b][static_cast<std::size_t>(k)]);
          f.building_of.push_back(b);
        }
    auto key = create(c, "/api/v1/api-keys",
                      {{"name", "bench writer"},
                       {"tenant_id", *tenant},
                       {"permissions", json::array{"readings:write"}}},
                      auth);
    if (!key) return std::unexpected(key.error());
    const auto* secret = key->if_contains("key");
    if (!secret || !secret->is_string()) return fail(ErrorCode::io, "the API key came without key");
    f.api_key_header = fmt::format("Authorization: ApiKey {}\r\n", secret->get_string().c_str());
  }
  const std::string viewer_password = auth::random_token(24);
  auto viewer = create(c, "/api/v1/users",
                       {{"email", kViewerEmail},
                        {"password", viewer_password},
                        {"role", "viewer"},
                        {"tenant_id", *tenant}},
                       auth);
  if (!viewer) return std::unexpected(viewer.error());
  auto token = bench_access_token(c, kViewerEmail, viewer_password);
  if (!token) return std::unexpected(token.error());
  f.token = std::move(*token);
  return f;
}

// --- The clients -------------------------------------------------------------

// Reads the server's messages into a DOM whose memory is reused from one
// message to the next: no allocation for a message that fits the buffer.
class MessageReader {
 public:
  // The message (null when it is no JSON); it must be gone before the next read().
  json::value read(std::string_view text) {
    memory_.release();
    parser_.reset(json::storage_ptr(&memory_));
    boost::system::error_code ec;
    parser_.write(text.data(), text.size(), ec);
    if (ec) return nullptr;
    return parser_.release();
  }

 private:
  std::vector<unsigned char> buffer_ = std::vector<unsigned char>(256 * 1024);
  json::monotonic_resource memory_{buffer_.data(), buffer_.size()};
  json::parser parser_;
};

// What every client sends, made once.
struct ClientScript {
  std::uint16_t port = 0;
  std::string auth;                    // {"type":"auth",...}
  std::vector<std::string> subscribe;  // by building index; empty: sign in only
  std::size_t max_handshakes = kMaxHandshakes;
};

// How the client threads are told to stop.
struct RunControl {
  std::atomic<std::int64_t> writer_end_ms{0};  // steady_ms() when the writer ended; 0: writing
  std::atomic<bool> release{false};            // idle: stop holding
};

struct ClientTally {
  std::int64_t delivered = 0;
  std::int64_t errors = 0;
  std::string first_error;
  std::vector<std::int64_t> received;  // by client of the group
  Latencies latencies;
};

// The clients [first, first + count) of one thread. Client i subscribes to
// building i % subscribe.size().
class ClientGroup {
 public:
  ClientGroup(const ClientScript& script, std::size_t first, std::size_t count)
      : script_(script),
        first_(first),
        clients_(count),
        load_(WsLoadOptions{.port = script.port}, count, events_) {
    tally_.received.assign(count, 0);
    events_.opened = [this](std::size_t k) {
      clients_[k] = Phase::signing_in;
      load_.send_text(k, script_.auth);
    };
    events_.message = [this](std::size_t k, std::string_view data, bool binary) {
      on_message(k, data, binary);
    };
    events_.closed = [this](std::size_t k, const WsClosed& closed) {
      clients_[k] = Phase::closed;
      if (closed.requested) return;
      error(k, closed.code != 0 ? fmt::format("the server closed the connection with {} ({})",
                                              closed.code, closed.reason)
                                : std::string(closed.reason));
    };
  }

  // Opens every connection, at most script.max_handshakes not yet ready at
  // a time, and waits until each is signed in (and subscribed). Fails on
  // the first client that fails, or when not all are ready in time.
  Status connect(std::int64_t timeout_ms) {
    const auto deadline = steady_ms() + timeout_ms;
    std::size_t next = 0;
    while (ready_ < clients_.size()) {
      while (next < clients_.size() && next - ready_ < script_.max_handshakes) {
        if (auto s = load_.open(next); !s)
          return fail(ErrorCode::io,
                      fmt::format("client {}: {}", first_ + next, s.error().message));
        clients_[next] = Phase::upgrading;
        ++next;
      }
      if (tally_.errors > 0) return fail(ErrorCode::io, tally_.first_error);
      if (steady_ms() > deadline)
        return fail(
            ErrorCode::timed_out,
            fmt::format("only {} of clients {}..{} were {} within {} s", ready_, first_,
                        first_ + clients_.size() - 1,
                        script_.subscribe.empty() ? "signed in" : "signed in and subscribed",
                        timeout_ms / 1000));
      if (auto s = load_.poll(50); !s) return s;
    }
    return tally_.errors > 0 ? fail(ErrorCode::io, tally_.first_error) : Status{};
  }

  // Reads what comes until the writer has ended and the clients are done
  // (live), or until released (idle). Fails only when epoll fails.
  Status run(const RunControl& control) {
    const bool live = !script_.subscribe.empty();
    std::int64_t next_ping = steady_ms() + kPingEveryMs;
    for (;;) {
      const auto now = steady_ms();
      if (now >= next_ping) {
        for (std::size_t k = 0; k < clients_.size(); ++k)
          if (load_.state(k) == WsLoad::State::open) load_.send_text(k, R"({"type":"ping"})");
        next_ping += kPingEveryMs;
      }
      if (!live) {
        if (control.release.load()) return {};
      } else if (const auto end = control.writer_end_ms.load(); end > 0) {
        const auto quiet_since = std::max(last_value_us_ / 1000, end);
        if (now - quiet_since >= kQuietMs || now - end >= kDrainMs) return {};
      }
      if (auto s = load_.poll(50); !s) return s;
    }
  }

  ClientTally& tally() { return tally_; }

 private:
  enum class Phase : std::uint8_t { waiting, upgrading, signing_in, subscribing, ready, closed };

  void became_ready(std::size_t k) {
    clients_[k] = Phase::ready;
    ++ready_;
  }

  void on_message(std::size_t k, std::string_view data, bool binary) {
    if (binary) {
      error(k, "a binary message (the API speaks JSON text)");
      return;
    }
    const json::value message = reader_.read(data);
    const json::object* o = message.if_object();
    const json::value* type = o ? o->if_contains("type") : nullptr;
    if (!type || !type->is_string()) {
      error(k,
            fmt::format("a message that is no JSON object with a type: {}", data.substr(0, 200)));
      return;
    }
    const std::string_view t = type->get_string();
    if (t == "readings") {
      readings(k, *o);
    } else if (t == "authenticated" && clients_[k] == Phase::signing_in) {
      if (script_.subscribe.empty()) {
        became_ready(k);
      } else {
        clients_[k] = Phase::subscribing;
        load_.send_text(k, script_.subscribe[(first_ + k) % script_.subscribe.size()]);
      }
    } else if (t == "subscribed" && clients_[k] == Phase::subscribing) {
      became_ready(k);
    } else if (t == "error") {
      error(k, fmt::format("the server answered {}", data.substr(0, 300)));
    }
    // heartbeat, pong; closing comes before the close frame, which counts
  }

  void readings(std::size_t k, const json::object& o) {
    const auto* values = o.if_contains("values");
    if (!values || !values->is_array()) return;
    const auto now = steady_us();
    for (const auto& v : values->get_array()) {
      const auto* item = v.if_object();
      const auto* value = item ? item->if_contains("value") : nullptr;
      if (!value || !value->is_number()) continue;
      boost::system::error_code ec;
      const double sent = value->to_number<double>(ec);
      if (ec) continue;
      ++tally_.received[k];
      ++tally_.delivered;
      tally_.latencies.add(now - static_cast<std::int64_t>(sent));
    }
    last_value_us_ = now;
  }

  void error(std::size_t k, std::string why) {
    ++tally_.errors;
    if (tally_.first_error.empty())
      tally_.first_error = fmt::format("client {}: {}", first_ + k, why);
  }

  const ClientScript& script_;
  std::size_t first_;
  std::vector<Phase> clients_;
  WsLoadEvents events_;
  WsLoad load_;
  MessageReader reader_;
  ClientTally tally_;
  std::size_t ready_ = 0;
  std::int64_t last_value_us_ = 0;
};

// --- The writer --------------------------------------------------------------

struct WriterTally {
  std::int64_t requests = 0;
  std::int64_t written = 0;  // readings answered 200
  std::int64_t refused = 0;  // readings answered 503 (back-pressure)
  std::int64_t errors = 0;
  std::string first_error;
  std::vector<std::int64_t> by_building;  // readings written into each building
  Latencies answers;                      // a request sent to its answer (durable: 200)
  double seconds = 0;
};

WriterTally write_readings(std::uint16_t port, const WsFixture& f, double rate, double duration_s) {
  WriterTally t;
  const std::size_t buildings = f.buildings.size(), points = f.points.size();
  t.by_building.assign(buildings, 0);
  const std::string headers = f.api_key_header + "Content-Type: application/json\r\n";
  const auto total = static_cast<std::int64_t>(std::floor(rate * duration_s));
  LoadConnection c(port);
  std::string body;
  std::vector<std::size_t> in_request;  // the buildings of the request's readings
  std::size_t next = 0;                 // the next point, in the writer's order
  std::int64_t sent = 0;
  const auto start = steady_us();
  const auto end = start + static_cast<std::int64_t>(duration_s * 1e6);
  std::int64_t tick = 1;
  for (bool last = false; !last;) {
    auto at = std::min(end, start + tick * kTickUs);
    const auto now = steady_us();
    if (now < at)
      std::this_thread::sleep_for(std::chrono::microseconds(at - now));
    else
      at = std::min(end, now);  // late: what fell due meanwhile goes at once
    last = at >= end;
    tick = (at - start) / kTickUs + 1;
    const auto due = last ? total
                          : std::min(total, static_cast<std::int64_t>(std::floor(
                                                rate * static_cast<double>(at - start) / 1e6)));
    const auto count = std::min<std::int64_t>(due - sent, kMaxReadingsPerRequest);
    if (count <= 0) continue;
    // Values are exact integers in a double (well under 2^53 µs); the time
    // is the wall clock now, never later (the API refuses future readings).
    const auto value = steady_us();
    const auto ts = now_ms();
    body.assign(R"({"readings":[)");
    in_request.clear();
    for (std::int64_t k = 0; k < count; ++k) {
      fmt::format_to(std::back_inserter(body), R"({}{{"point":{},"ts":{},"value":{}}})",
                     k ? "," : "", f.points[next], ts, value);
      in_request.push_back(f.building_of[next]);
      next = (next + 1) % points;
    }
    body += "]}";
    sent += count;
    ++t.requests;
    auto r = c.request("POST", "/api/v1/readings", body, headers);
    t.answers.add(steady_us() - value);
    if (r && r->status == 200) {
      t.written += count;
      for (auto b : in_request) ++t.by_building[b];
      continue;
    }
    if (r && r->status == 503) {
      t.refused += count;
      continue;
    }
    ++t.errors;
    if (t.first_error.empty())
      t.first_error = r ? fmt::format("writer: POST /api/v1/readings answered {}: {}", r->status,
                                      r->body.substr(0, 300))
                        : fmt::format("writer: {}", r.error().message);
  }
  t.seconds = static_cast<double>(steady_us() - start) / 1e6;
  return t;
}

// --- The run -----------------------------------------------------------------

int buildings_of(const BenchWsOptions& o) {
  if (o.buildings > 0) return o.buildings;
  return std::max(1, static_cast<int>(std::ceil(o.rate / o.points)));
}

Status check_open_file_limit(int clients) {
  // A descriptor a connection, plus the writer's, the server probe's, logs.
  rlimit limit{};
  const auto needed = static_cast<rlim_t>(clients) + 64;
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < needed)
    return fail(ErrorCode::io,
                fmt::format("{} clients need {} open files, but the limit is {} (ulimit -n)",
                            clients, needed, limit.rlim_cur));
  return {};
}

}  // namespace

Status validate(const BenchWsOptions& o) {
  if (o.clients < 1 || o.clients > kMaxClients)
    return fail(ErrorCode::invalid, fmt::format("--clients must be 1..{}", kMaxClients));
  if (o.points < 1 || o.points > kMaxPoints)
    return fail(ErrorCode::invalid, fmt::format("--points must be 1..{}", kMaxPoints));
  if (o.device_points < 1 || o.device_points > kMaxPoints)
    return fail(ErrorCode::invalid, fmt::format("--device-points must be 1..{}", kMaxPoints));
  if (o.buildings < 0 || o.buildings > kMaxBuildings)
    return fail(ErrorCode::invalid,
                fmt::format("--buildings must be 1..{} (0: from --rate)", kMaxBuildings));
  if (!(o.rate <= kMaxRate))  // NaN too
    return fail(ErrorCode::invalid, fmt::format("--rate must be 0..{:.0f}", kMaxRate));
  if (!std::isfinite(o.duration_s)) return fail(ErrorCode::invalid, "--duration must be 0..3600 s");
  if (auto s = validate_load_options(o.rate, o.duration_s, o.client_threads); !s) return s;
  if (!o.idle) {
    const std::int64_t points = static_cast<std::int64_t>(buildings_of(o)) * o.points;
    if (points > kMaxSetupPoints)
      return fail(ErrorCode::invalid,
                  fmt::format("--buildings × --points is {}; at most {} points are set up", points,
                              kMaxSetupPoints));
    // One reading of a point per request at most, so that no request holds
    // two readings of one point at one time.
    if (o.rate > 100.0 * static_cast<double>(points))
      return fail(ErrorCode::invalid,
                  fmt::format("--rate may be at most 100 readings a second per point: {} for {} "
                              "points",
                              100 * points, points));
  }
  return {};
}

Status run_bench_ws(const BenchWsOptions& o) {
  const int buildings = buildings_of(o);
  const int threads = std::min(o.client_threads, o.clients);
  if (auto s = check_open_file_limit(o.clients); !s) return s;
  BenchFolder folder(o.data_dir);
  if (auto s = folder.create(); !s) return s;
  // Room for every client on the HTTP listener; tokens that outlive the
  // longest run (they are checked on every renewal only, but expire).
  BenchServer server(
      folder.path() + "/citypulse",
      {fmt::format("CITYPULSE_HTTP_MAX_CONNECTIONS={}", o.clients + 256),
       "CITYPULSE_AUTH_ACCESS_TOKEN_TTL_S=86400", "CITYPULSE_RATE_LIMIT_INGEST_PER_MINUTE=0"});
  if (auto s = server.start(); !s) return s;
  const auto port = server.http_port();

  const auto setup_start = steady_us();
  auto fixture = set_up(port, server.password(), buildings, o.points, o.device_points, o.idle);
  if (!fixture) return std::unexpected(fixture.error());
  const double setup_s = static_cast<double>(steady_us() - setup_start) / 1e6;

  ClientScript script;
  script.port = port;
  script.auth = json::serialize(json::object{{"type", "auth"}, {"token", fixture->token}});
  if (!o.idle)
    for (auto id : fixture->buildings)
      script.subscribe.push_back(json::serialize(
          json::object{{"type", "subscribe"}, {"id", "s"}, {"buildings", json::array{id}}}));
  script.max_handshakes = std::max<std::size_t>(1, kMaxHandshakes / threads);

  // One client first: what the server builds once for all (the directory
  // of points, the token's key) is then in the memory before.
  {
    ClientGroup warm(script, 0, 1);
    if (auto s = warm.connect(30'000); !s) return s;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // its close is handled
  const auto rss_before = process_rss_bytes(server.pid());

  std::vector<std::unique_ptr<ClientGroup>> groups(static_cast<std::size_t>(threads));
  std::vector<Status> connected(groups.size()), ran(groups.size());
  std::latch ready(static_cast<std::ptrdiff_t>(groups.size())), go(1);
  std::atomic<bool> abandon{false};
  RunControl control;
  const std::int64_t connect_timeout_ms = 30'000 + 10 * static_cast<std::int64_t>(o.clients);
  const auto connect_start = steady_us();
  std::vector<std::thread> pool;
  for (std::size_t g = 0; g < groups.size(); ++g)
    pool.emplace_back([&, g] {
      const auto n = static_cast<std::size_t>(o.clients);
      const std::size_t first = g * n / groups.size(), last = (g + 1) * n / groups.size();
      groups[g] = std::make_unique<ClientGroup>(script, first, last - first);
      connected[g] = groups[g]->connect(connect_timeout_ms);
      ready.count_down();
      go.wait();
      if (!abandon && connected[g]) ran[g] = groups[g]->run(control);
    });
  auto join = [&] {
    control.release = true;
    control.writer_end_ms = steady_ms();
    for (auto& t : pool) t.join();
  };
  ready.wait();
  const double connect_s = static_cast<double>(steady_us() - connect_start) / 1e6;
  for (const auto& s : connected)
    if (!s) {
      abandon = true;
      go.count_down();
      join();
      server.stop(SIGTERM);
      return std::unexpected(s.error());
    }
  auto rss_after = process_rss_bytes(server.pid());

  const double client_cpu = own_cpu_seconds();
  const double server_cpu = process_cpu_seconds(server.pid());
  const auto start = steady_us();
  go.count_down();
  WriterTally writer;
  if (o.idle) {
    std::this_thread::sleep_for(
        std::chrono::microseconds(static_cast<std::int64_t>(o.duration_s * 1e6)));
    rss_after = process_rss_bytes(server.pid());
    control.release = true;
  } else {
    std::thread w([&] {
      writer = write_readings(port, *fixture, o.rate, o.duration_s);
      control.writer_end_ms = steady_ms();
    });
    w.join();
  }
  for (auto& t : pool) t.join();
  const double seconds = o.idle ? static_cast<double>(steady_us() - start) / 1e6 : writer.seconds;
  const double server_cpu_s = process_cpu_seconds(server.pid()) - server_cpu;
  const double client_cpu_s = own_cpu_seconds() - client_cpu;
  const auto rss_end = process_rss_bytes(server.pid());

  ClientTally all;
  std::vector<std::int64_t> received;
  for (auto& g : groups) {
    auto& t = g->tally();
    all.delivered += t.delivered;
    all.errors += t.errors;
    if (all.first_error.empty()) all.first_error = t.first_error;
    all.latencies.merge(t.latencies);
    received.insert(received.end(), t.received.begin(), t.received.end());
  }
  groups.clear();  // closes the connections before the server stops
  for (const auto& s : ran)
    if (!s) return std::unexpected(s.error());

  const std::int64_t errors = all.errors + writer.errors;
  const std::string first_error = all.first_error.empty() ? writer.first_error : all.first_error;
  json::object line{
      {"bench", "ws"}, {"idle", o.idle}, {"clients", o.clients}, {"client_threads", threads}};
  if (!o.idle) {
    std::int64_t expected = 0, behind = 0;
    for (std::size_t i = 0; i < received.size(); ++i) {
      const auto written = writer.by_building[i % writer.by_building.size()];
      expected += written;
      if (received[i] < written) ++behind;
    }
    line["points"] = o.points;
    line["device_points"] = std::min(o.device_points, o.points);
    line["buildings"] = buildings;
    line["rate"] = o.rate;
    line["duration_s"] = seconds;
    line["setup_s"] = setup_s;
    line["connect_s"] = connect_s;
    line["requests"] = writer.requests;
    line["written"] = writer.written;
    line["refused"] = writer.refused;
    line["delivered"] = all.delivered;
    line["expected_deliveries"] = expected;
    line["behind_clients"] = behind;
    line["p50_ms"] = all.latencies.quantile(0.50);
    line["p99_ms"] = all.latencies.quantile(0.99);
    line["max_ms"] = all.latencies.max_ms();
    // The writer's requests, sent to answered: an answer means the readings
    // are durable, which is also when they go out to subscribers.
    line["write_p50_ms"] = writer.answers.quantile(0.50);
    line["write_p99_ms"] = writer.answers.quantile(0.99);
  } else {
    line["duration_s"] = seconds;
    line["setup_s"] = setup_s;
    line["connect_s"] = connect_s;
  }
  line["rss_before_bytes"] = rss_before;
  line["rss_after_bytes"] = rss_after;
  if (!o.idle) line["rss_end_bytes"] = rss_end;
  line["bytes_per_client"] = static_cast<double>(rss_after - rss_before) / o.clients;
  line["server_cpu_s"] = server_cpu_s;
  line["client_cpu_s"] = client_cpu_s;
  line["errors"] = errors;
  if (!first_error.empty()) line["first_error"] = first_error;
  fmt::print("{}\n", to_json_text(line));
  std::fflush(stdout);
  server.stop(SIGTERM);
  if (errors > 0)
    return fail(ErrorCode::io, fmt::format("{} errors; the first: {}", errors, first_error));
  return {};
}

}  // namespace citypulse
