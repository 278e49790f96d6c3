#include "app/bench_ingest.h"

#include <fmt/format.h>
#include <signal.h>

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
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
#include "app/load_loop.h"
#include "core/time.h"

namespace citypulse {
namespace json = boost::json;
namespace {

struct Sender {
  std::int64_t requests = 0, readings = 0, refused = 0, errors = 0;
  Latencies latencies;
  std::string first_error;
};

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
void send_load(const BenchIngestOptions& o, const BenchDevices& f, const sim::LoadFleet& fleet,
               std::uint16_t port, int first, int count, std::int64_t deadline_steady,
               Sender& out) {
  const bool batch = o.mode == "batch";
  const std::string headers =
      (batch ? f.api_key_header : std::string()) + "Content-Type: application/json\r\n";
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
    const int device = first + k;
    if (batch) {  // the device's first channel, a batch of its successive values
      body = "{\"readings\":[";
      for (int j = 0; j < o.batch; ++j)
        fmt::format_to(std::back_inserter(body), "{}{{\"point\":{},\"ts\":{},\"value\":{}}}",
                       j ? "," : "", f.points[static_cast<std::size_t>(device) * f.channels], d.t++,
                       fleet.value(device, 0, d.seq++));
      body += "]}";
    } else {
      fmt::format_to(std::back_inserter(body), "{{\"ts\":{},\"values\":{{", d.t++);
      const auto& channels = fleet.channels(device);
      for (std::size_t c = 0; c < channels.size(); ++c)
        fmt::format_to(std::back_inserter(body), "{}\"{}\":{}", c ? "," : "", channels[c].name,
                       fleet.value(device, static_cast<int>(c), d.seq));
      body += "}}";
      ++d.seq;
    }
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

}  // namespace

Status validate(const BenchIngestOptions& o) {
  if (!o.http) return fail(ErrorCode::invalid, "give --http (the transport measured)");
  if (o.devices < 1 || o.devices > 1000)
    return fail(ErrorCode::invalid, "--devices must be 1..1000");
  if (o.mode != "telemetry" && o.mode != "batch")
    return fail(ErrorCode::invalid, "--mode must be telemetry or batch");
  if (o.batch < 1 || o.batch > 10'000) return fail(ErrorCode::invalid, "--batch must be 1..10000");
  if (o.points_per_device < 1 || o.points_per_device > 100)
    return fail(ErrorCode::invalid, "--points-per-device must be 1..100");
  return validate_load_options(o.rate, o.duration_s, o.client_threads);
}

Status run_bench_ingest(const BenchIngestOptions& o) {
  BenchFolder folder(o.data_dir);
  if (auto s = folder.create(); !s) return s;
  BenchServer server(folder.path() + "/data");
  if (auto s = server.start(); !s) return s;
  const auto port = server.http_port();
  const sim::LoadFleet fleet(o.devices, o.points_per_device);
  auto fixture = create_bench_devices(port, server.password(), fleet, "http");
  if (!fixture) return std::unexpected(fixture.error());

  const int client_threads = std::min(o.client_threads, o.devices);
  const double server_cpu_before = process_cpu_seconds(server.pid());
  const double client_cpu_before = own_cpu_seconds();
  std::vector<Sender> senders(static_cast<std::size_t>(client_threads));
  std::vector<std::thread> threads;
  const auto started = steady_ms();
  const auto deadline = started + static_cast<std::int64_t>(o.duration_s * 1000);
  for (int i = 0, first = 0; i < client_threads; ++i) {
    // The devices as evenly over the threads as they go.
    const int count = (o.devices - first) / (client_threads - i);
    threads.emplace_back([&, i, first, count] {
      send_load(o, *fixture, fleet, port, first, count, deadline, senders[i]);
    });
    first += count;
  }
  for (auto& t : threads) t.join();
  const double seconds = static_cast<double>(steady_ms() - started) / 1000.0;
  const double server_cpu = process_cpu_seconds(server.pid()) - server_cpu_before;
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
  server.stop(SIGKILL);
  if (auto s = server.start(); !s) return s;
  auto stored = count_stored_readings(port, server.password(), fixture->points);
  if (!stored) return std::unexpected(stored.error());
  server.stop(SIGTERM);

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
