// A device whose requests block (libmodbus, libcurl), run without blocking
// the driver host's thread (drivers/device_session.h): its jobs go to a
// worker pool the host owns, and their results come back to the host.
//
// - One job at a time per device, in the order queued: the jobs share a
//   strand of the pool (the device's connection is not thread-safe, and a
//   small device answers one request at a time anyway).
// - Each result is posted to the host's io_context, where `done` runs:
//   callbacks run on the host's thread, exactly once, never inside the call
//   that queued them. While a job is queued or running it holds work on the
//   io_context, so the host's thread does not end before every callback has
//   run; stop that thread before joining the pool.
// - The device state is shared with the jobs, so a session may go away
//   while one of its jobs still runs.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <memory>
#include <utility>

#include "core/result.h"

namespace citypulse::drivers {

// What a job queued before the session closed answers, without asking the
// device.
inline Error stopped_error() {
  return {ErrorCode::unavailable, "the device's driver stopped before this request was sent", {}};
}

template <class Device>
class WorkerStrand {
 public:
  WorkerStrand(boost::asio::io_context& io, boost::asio::thread_pool& workers,
               std::shared_ptr<Device> device)
      : io_(io),
        strand_(boost::asio::make_strand(workers.get_executor())),
        device_(std::move(device)) {}

  Device& device() const { return *device_; }

  // Runs job(device) on the strand, then done(result) on the host's thread.
  template <class Job, class Done>
  void queue(Job job, Done done) {
    boost::asio::post(
        strand_, [device = device_, io = &io_, guard = boost::asio::make_work_guard(io_),
                  job = std::move(job), done = std::move(done)]() mutable {
          auto result = job(*device);
          boost::asio::post(*io, [done = std::move(done), result = std::move(result)]() mutable {
            done(std::move(result));
          });
          guard.reset();
        });
  }

  // done(result) on the host's thread, for an answer known without asking
  // the device.
  template <class Done, class Value>
  void answer(Done done, Value result) {
    boost::asio::post(io_, [done = std::move(done), result = std::move(result)]() mutable {
      done(std::move(result));
    });
  }

 private:
  boost::asio::io_context& io_;
  boost::asio::strand<boost::asio::thread_pool::executor_type> strand_;
  std::shared_ptr<Device> device_;
};

}  // namespace citypulse::drivers
