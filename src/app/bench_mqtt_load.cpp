#include "app/bench_mqtt_load.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <latch>
#include <thread>

#include "app/bench_process.h"
#include "core/time.h"

namespace citypulse {
namespace {

// The publishing time a delivered payload carries, or -1.
std::int64_t sent_us_of(std::string_view payload) {
  constexpr std::string_view kPrefix = "{\"ts\":";
  if (!payload.starts_with(kPrefix)) return -1;
  std::int64_t us = -1;
  std::from_chars(payload.data() + kPrefix.size(), payload.data() + payload.size(), us);
  return us;
}

void merge(MqttTally& into, const MqttTally& t) {
  into.acknowledged += t.acknowledged;
  into.refused += t.refused;
  into.delivered += t.delivered;
  into.last_delivery_us = std::max(into.last_delivery_us, t.last_delivery_us);
  into.acknowledgement.merge(t.acknowledgement);
  into.delivery.merge(t.delivery);
  into.counts.published += t.counts.published;
  into.counts.read_by_broker += t.counts.read_by_broker;
  into.counts.unacknowledged += t.counts.unacknowledged;
  into.counts.errors += t.counts.errors;
  if (into.counts.first_error.empty()) into.counts.first_error = t.counts.first_error;
}

// The clients' indices by thread: publishers evenly over `threads`,
// subscribers on one more.
std::vector<std::vector<int>> split(const std::vector<MqttLoadClient>& clients, int threads) {
  std::vector<int> publishers, subscribers;
  for (int i = 0; i < static_cast<int>(clients.size()); ++i)
    (clients[static_cast<std::size_t>(i)].subscription.empty() ? publishers : subscribers)
        .push_back(i);
  std::vector<std::vector<int>> groups;
  const int n = static_cast<int>(publishers.size());
  const int t = std::max(1, std::min(threads, n));
  for (int g = 0, first = 0; g < t && first < n; ++g) {
    const int count = (n - first) / (t - g);  // as evenly as they go
    groups.emplace_back(publishers.begin() + first, publishers.begin() + first + count);
    first += count;
  }
  if (!subscribers.empty()) groups.push_back(std::move(subscribers));
  return groups;
}

}  // namespace

Result<MqttRun> run_mqtt_load(const MqttRunSpec& spec) {
  const auto groups = split(spec.clients, spec.threads);
  const auto n = groups.size();
  std::vector<MqttTally> tallies(n);
  std::vector<Status> connected(n), ran(n);
  std::vector<std::int64_t> ended_us(n, 0);
  std::latch signed_in(static_cast<std::ptrdiff_t>(n)), go(1), release(1);
  std::atomic<bool> stop_early{false};
  std::int64_t deadline = 0;  // written before `go` opens

  MqttRun out;
  out.broker_rss_before = process_rss_bytes(spec.broker_pid);
  const auto connect_start = steady_us();
  std::vector<std::thread> threads;
  for (std::size_t g = 0; g < n; ++g)
    threads.emplace_back([&, g] {
      auto& t = tallies[g];
      const auto& members = groups[g];
      MqttLoadEvents events;
      events.next_message = [&](int k, std::string& topic, std::string& payload) {
        spec.next_message(members[static_cast<std::size_t>(k)], topic, payload);
      };
      events.acknowledged = [&t](int, std::uint8_t reason, std::int64_t micros) {
        if (reason >= 0x80) {
          ++t.refused;
          return;
        }
        ++t.acknowledged;
        t.acknowledgement.add(micros);
      };
      events.delivered = [&t](int, std::string_view, std::string_view payload) {
        ++t.delivered;
        t.last_delivery_us = steady_us();
        if (const auto sent = sent_us_of(payload); sent >= 0)
          t.delivery.add(t.last_delivery_us - sent);
      };
      std::vector<MqttLoadClient> clients;
      for (int i : members) clients.push_back(spec.clients[static_cast<std::size_t>(i)]);
      MqttLoad load(spec.load, std::move(clients), events);
      connected[g] = load.connect(120'000);
      signed_in.count_down();
      go.wait();
      if (!stop_early && connected[g]) {
        if (spec.hold)
          release.wait();
        else
          ran[g] = load.run(deadline);
      }
      ended_us[g] = steady_us();
      t.counts = load.counts();
    });
  auto finish = [&] {
    release.count_down();
    for (auto& th : threads) th.join();
  };

  signed_in.wait();
  const auto start = steady_us();
  out.connect_seconds = static_cast<double>(start - connect_start) / 1e6;
  for (const auto& s : connected)
    if (!s) {
      stop_early = true;
      go.count_down();
      finish();
      return std::unexpected(s.error());
    }
  const double client_cpu = own_cpu_seconds();
  const double broker_cpu = process_cpu_seconds(spec.broker_pid);
  deadline = start / 1000 + static_cast<std::int64_t>(spec.duration_s * 1000);
  go.count_down();
  if (spec.hold) {
    std::this_thread::sleep_for(std::chrono::milliseconds(deadline - steady_ms()));
    out.broker_rss_after = process_rss_bytes(spec.broker_pid);
  }
  finish();
  // Timed by the publishers, whose threads end with their drain: a
  // subscriber's waits a quiet time longer (it is timed by its deliveries).
  std::int64_t end = 0;
  for (std::size_t g = 0; g < n; ++g)
    if (spec.clients[static_cast<std::size_t>(groups[g].front())].subscription.empty())
      end = std::max(end, ended_us[g]);
  if (end == 0) end = *std::max_element(ended_us.begin(), ended_us.end());
  if (!spec.hold) out.broker_rss_after = process_rss_bytes(spec.broker_pid);
  out.client_cpu_seconds = own_cpu_seconds() - client_cpu;
  out.broker_cpu_seconds = process_cpu_seconds(spec.broker_pid) - broker_cpu;
  out.seconds = static_cast<double>(end - start) / 1e6;
  for (const auto& s : ran)
    if (!s) return std::unexpected(s.error());
  for (const auto& t : tallies) merge(out.tally, t);
  out.delivery_seconds =
      static_cast<double>(std::max(out.tally.last_delivery_us, start) - start) / 1e6;
  return out;
}

}  // namespace citypulse
