#include "drivers/modbus/device_session.h"

#include <fmt/format.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>

#include "drivers/modbus/connection.h"
#include "drivers/modbus/device_io.h"
#include "drivers/modbus/read_plan.h"
#include "drivers/modbus/register_codec.h"

namespace citypulse::modbus {

namespace asio = boost::asio;

namespace {

using WriteResult = Result<std::optional<double>>;

TimeMs wall_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// As in device_io.cpp: the device is out of reach, not refusing one request.
bool unanswered(const Error& e) {
  return e.code == ErrorCode::timed_out || e.code == ErrorCode::unavailable ||
         e.code == ErrorCode::io;
}

Error closed_error() {
  return {ErrorCode::unavailable, "the device's driver stopped before this request was sent", {}};
}

// What the worker threads share about the device; its connection is used by
// one job at a time (the session's strand).
struct Device {
  explicit Device(DeviceConfig c) : config(std::move(c)), connection(endpoint_of(config)) {}
  const DeviceConfig config;
  Connection connection;
  std::atomic<bool> closed{false};
};

drivers::PollReport poll_on_worker(Device& device, const std::string& group) {
  drivers::PollReport report;
  if (device.closed) {
    report.unreached = true;
    report.error = closed_error().message;
    return report;
  }
  GroupPoll polled = poll_group(device.connection, device.config, group);
  const TimeMs answered_at = wall_now();
  for (auto& v : polled.values)
    report.readings.push_back({std::move(v.channel), answered_at, v.value});
  report.failed = polled.failures.size();
  if (!polled.failures.empty()) {
    const auto& first = polled.failures.front();
    report.error = fmt::format("{}: {}", first.channel, first.error.message);
  }
  bool all_unanswered = !polled.failures.empty();
  for (const auto& f : polled.failures) all_unanswered = all_unanswered && unanswered(f.error);
  report.unreached = polled.values.empty() && all_unanswered;
  return report;
}

WriteResult write_on_worker(Device& device, std::size_t index, double value) {
  if (device.closed) return std::unexpected(closed_error());
  const RegisterPoint& point = device.config.points[index];
  if (auto written = write_point(device.connection, point, value); !written)
    return std::unexpected(written.error());
  // The point's own registers only: what the device now holds there.
  const auto plan = plan_reads(device.config.points, {index}, 0);
  if (plan.size() != 1)
    return fail(ErrorCode::internal, fmt::format("no single read for channel '{}'", point.channel));
  auto block = device.connection.read(plan.front());
  if (!block) {
    Error e = block.error();
    e.message = "written, but not read back: " + e.message;
    return std::unexpected(e);
  }
  auto back = decode_point(point, *block);
  if (!back) return std::unexpected(back.error());
  return std::optional<double>(*back);
}

class Session final : public drivers::DeviceSession {
 public:
  Session(asio::io_context& io, asio::thread_pool& workers, DeviceConfig config)
      : io_(io),
        strand_(asio::make_strand(workers.get_executor())),
        device_(std::make_shared<Device>(std::move(config))) {}
  ~Session() override { close(); }

  std::vector<drivers::PollGroupSchedule> groups() const override {
    std::vector<drivers::PollGroupSchedule> out;
    for (const auto& g : device_->config.groups) out.push_back({g.name, g.interval_ms});
    return out;
  }

  void poll(const std::string& group,
            std::move_only_function<void(drivers::PollReport)> done) override {
    queue([group](Device& d) { return poll_on_worker(d, group); }, std::move(done));
  }

  void write(const std::string& channel, double value, std::optional<int> /*priority*/,
             std::move_only_function<void(WriteResult)> done) override {
    const auto& points = device_->config.points;
    std::size_t index = 0;
    while (index < points.size() && points[index].channel != channel) ++index;
    if (index == points.size())
      return answer(std::move(done),
                    fail(ErrorCode::not_found,
                         fmt::format("channel '{}' is not in the device's register map", channel),
                         "/channel"));
    const auto& p = points[index];
    if (!p.writable || (p.table != Table::holding && p.table != Table::coil))
      return answer(std::move(done), fail(ErrorCode::invalid,
                                          fmt::format("channel '{}' is not writable ({} {})",
                                                      channel, to_string(p.table), p.address),
                                          "/channel"));
    queue([index, value](Device& d) { return write_on_worker(d, index, value); }, std::move(done));
  }

  void close() override { device_->closed = true; }

 private:
  // Runs `job` on the device's strand of the pool, then `done` with its
  // result on the host's thread. The work guard keeps the host's io_context
  // running until the result is posted.
  template <class Job, class Done>
  void queue(Job job, Done done) {
    asio::post(strand_, [device = device_, io = &io_, guard = asio::make_work_guard(io_),
                         job = std::move(job), done = std::move(done)]() mutable {
      auto result = job(*device);
      asio::post(*io, [done = std::move(done), result = std::move(result)]() mutable {
        done(std::move(result));
      });
      guard.reset();
    });
  }

  void answer(std::move_only_function<void(WriteResult)> done, WriteResult result) {
    asio::post(io_, [done = std::move(done), result = std::move(result)]() mutable {
      done(std::move(result));
    });
  }

  asio::io_context& io_;
  asio::strand<asio::thread_pool::executor_type> strand_;
  std::shared_ptr<Device> device_;
};

}  // namespace

std::unique_ptr<drivers::DeviceSession> make_device_session(asio::io_context& io,
                                                            asio::thread_pool& workers,
                                                            DeviceConfig config) {
  return std::make_unique<Session>(io, workers, std::move(config));
}

}  // namespace citypulse::modbus
