#include "drivers/modbus/read_once.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>

#include "drivers/modbus/connection.h"
#include "drivers/modbus/device_io.h"

namespace citypulse::modbus {

namespace asio = boost::asio;

namespace {

bool unanswered(const Error& e) {
  return e.code == ErrorCode::timed_out || e.code == ErrorCode::unavailable ||
         e.code == ErrorCode::io;
}

Result<drivers::ReadReport> read_on_worker(const DeviceConfig& config,
                                           const std::vector<std::size_t>& selected) {
  const auto started = std::chrono::steady_clock::now();
  Connection connection(endpoint_of(config));
  drivers::ReadReport report;
  auto reads = read_points(connection, config, selected, &report.requests);
  connection.close();
  report.elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - started)
                          .count();
  report.read_at = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  // Nothing came back and nobody answered: the device is out of reach, and
  // the first failure (the one that was really sent) says how.
  bool reached = reads.empty();
  for (const auto& r : reads) reached = reached || r.value || !unanswered(r.value.error());
  if (!reached) {
    Error e = reads.front().value.error();
    if (e.code == ErrorCode::io) e.code = ErrorCode::unavailable;
    return std::unexpected(std::move(e));
  }
  // In the document's order, which is the editor's row order.
  std::sort(reads.begin(), reads.end(),
            [](const PointRead& a, const PointRead& b) { return a.point < b.point; });
  for (auto& r : reads) {
    const RegisterPoint& point = config.points[r.point];
    drivers::ChannelRead c{.channel = point.channel,
                           .value = std::nullopt,
                           .raw = raw_text(point, r.raw),
                           .error = std::nullopt};
    if (r.value)
      c.value = *r.value;
    else
      c.error = std::move(r.value.error());
    report.channels.push_back(std::move(c));
  }
  return report;
}

}  // namespace

std::string raw_text(const RegisterPoint& point, const std::vector<std::uint16_t>& raw) {
  std::string out;
  for (std::uint16_t word : raw) {
    if (!out.empty()) out += ' ';
    out += has_registers(point.table) ? fmt::format("0x{:04X}", word) : fmt::format("{}", word);
  }
  return out;
}

void read_once(asio::io_context& io, asio::thread_pool& workers, DeviceConfig config,
               std::vector<std::size_t> selected,
               std::move_only_function<void(Result<drivers::ReadReport>)> done) {
  // The guard keeps io running until the result is posted (device_session.h).
  asio::post(workers, [io = &io, guard = asio::make_work_guard(io), config = std::move(config),
                       selected = std::move(selected), done = std::move(done)]() mutable {
    auto result = read_on_worker(config, selected);
    asio::post(*io, [done = std::move(done), result = std::move(result)]() mutable {
      done(std::move(result));
    });
    guard.reset();
  });
}

}  // namespace citypulse::modbus
