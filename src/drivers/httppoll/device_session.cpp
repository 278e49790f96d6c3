#include "drivers/httppoll/device_session.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>

#include "drivers/httppoll/device_io.h"
#include "drivers/worker_strand.h"

namespace citypulse::httppoll {

namespace asio = boost::asio;

namespace {

using WriteResult = Result<std::optional<double>>;

// What the worker threads share about the device; its requests run one at
// a time (the session's strand).
struct Device {
  Device(DeviceConfig config, std::string serial) : io(std::move(config), std::move(serial)) {}
  DeviceIo io;
  std::atomic<bool> closed{false};
};

drivers::PollReport poll_on_worker(Device& device, const std::string& group) {
  drivers::PollReport report;
  if (device.closed) {
    report.unreached = true;
    report.error = drivers::stopped_error().message;
    return report;
  }
  GroupPoll polled = device.io.poll_group(group);
  const TimeMs answered_at = now_ms();
  for (auto& c : polled.channels) {
    if (c.value) {
      report.readings.push_back({std::move(c.channel), answered_at, *c.value});
      continue;
    }
    if (report.failed++ == 0)
      report.error = fmt::format("{}: {}", c.channel, c.value.error().message);
  }
  report.unreached = polled.unanswered;
  return report;
}

class Session final : public drivers::DeviceSession {
 public:
  Session(asio::io_context& io, asio::thread_pool& workers, DeviceConfig config, std::string serial)
      : jobs_(io, workers, std::make_shared<Device>(std::move(config), std::move(serial))) {}
  ~Session() override { close(); }

  std::vector<drivers::PollGroupSchedule> groups() const override {
    std::vector<drivers::PollGroupSchedule> out;
    for (const auto& g : jobs_.device().io.config().groups) out.push_back({g.name, g.interval_ms});
    return out;
  }

  void poll(const std::string& group,
            std::move_only_function<void(drivers::PollReport)> done) override {
    jobs_.queue([group](Device& d) { return poll_on_worker(d, group); }, std::move(done));
  }

  void write(const std::string& channel, double value, std::optional<int> /*priority*/,
             std::move_only_function<void(WriteResult)> done) override {
    const auto& writes = jobs_.device().io.config().writes;
    if (std::ranges::none_of(writes, [&](const WriteAction& w) { return w.channel == channel; }))
      return jobs_.answer(std::move(done),
                          WriteResult(fail(ErrorCode::not_found,
                                           fmt::format("channel '{}' has no write in the device's "
                                                       "driver document",
                                                       channel),
                                           "/channel")));
    if (!std::isfinite(value))
      return jobs_.answer(
          std::move(done),
          WriteResult(fail(ErrorCode::invalid, "the value must be a finite number", "/value")));
    jobs_.queue(
        [channel, value](Device& d) -> WriteResult {
          if (d.closed) return fail(drivers::stopped_error());
          return d.io.write(channel, value);
        },
        std::move(done));
  }

  void close() override { jobs_.device().closed = true; }

 private:
  drivers::WorkerStrand<Device> jobs_;
};

}  // namespace

std::unique_ptr<drivers::DeviceSession> make_device_session(asio::io_context& io,
                                                            asio::thread_pool& workers,
                                                            DeviceConfig config,
                                                            std::string serial) {
  return std::make_unique<Session>(io, workers, std::move(config), std::move(serial));
}

}  // namespace citypulse::httppoll
