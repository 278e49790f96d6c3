// The driver host's side of a device session (drivers/device_session.h), for
// the sessions' unit tests: a host thread of the test's own running an
// io_context, a worker pool, and polls and writes started on the host's
// thread whose callbacks are checked to run there, never inside the call
// that started them. Header-only, so that unit tests use it without
// cp_test_support.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include "drivers/device_session.h"

namespace citypulse::test {

// The reading of `channel` in a poll's report; null when it has none.
inline const drivers::ChannelReading* reading(const drivers::PollReport& report,
                                              const std::string& channel) {
  for (const auto& r : report.readings)
    if (r.channel == channel) return &r;
  return nullptr;
}

class SessionHost {
 public:
  using WriteResult = Result<std::optional<double>>;

  explicit SessionHost(std::size_t workers = 2) : workers_(workers) {
    host_ = std::thread([this] { io_.run(); });
  }
  ~SessionHost() {
    // Sessions go on the host's thread, as the driver host drops them.
    on_host([this] { sessions_.clear(); });
    guard_.reset();
    host_.join();  // waits for the jobs still queued
    workers_.join();
  }
  SessionHost(const SessionHost&) = delete;
  SessionHost& operator=(const SessionHost&) = delete;

  boost::asio::io_context& io() { return io_; }
  boost::asio::thread_pool& workers() { return workers_; }

  drivers::DeviceSession& keep(std::unique_ptr<drivers::DeviceSession> session) {
    sessions_.push_back(std::move(session));
    return *sessions_.back();
  }

  // Runs `f` on the host's thread and waits for it.
  void on_host(std::function<void()> f) {
    std::promise<void> ran;
    boost::asio::post(io_, [&] {
      f();
      ran.set_value();
    });
    ran.get_future().wait();
  }

  // Starts a poll on the host's thread; the future is its report.
  std::future<drivers::PollReport> poll(drivers::DeviceSession& s, const std::string& group) {
    auto report = std::make_shared<std::promise<drivers::PollReport>>();
    auto future = report->get_future();
    on_host([&, report] {
      auto in_call = std::make_shared<bool>(true);
      s.poll(group, [this, report, in_call](drivers::PollReport r) {
        EXPECT_FALSE(*in_call) << "answered inside poll()";
        EXPECT_EQ(std::this_thread::get_id(), host_.get_id());
        report->set_value(std::move(r));
      });
      *in_call = false;
    });
    return future;
  }

  // Starts a write on the host's thread; the future is its result.
  std::future<WriteResult> start_write(drivers::DeviceSession& s, const std::string& channel,
                                       double value) {
    auto result = std::make_shared<std::promise<WriteResult>>();
    auto future = result->get_future();
    on_host([&, result] {
      auto in_call = std::make_shared<bool>(true);
      s.write(channel, value, std::nullopt, [this, result, in_call](WriteResult r) {
        EXPECT_FALSE(*in_call) << "answered inside write()";
        EXPECT_EQ(std::this_thread::get_id(), host_.get_id());
        result->set_value(std::move(r));
      });
      *in_call = false;
    });
    return future;
  }

  // A write's result, waited for up to 10 s.
  WriteResult write(drivers::DeviceSession& s, const std::string& channel, double value) {
    auto future = start_write(s, channel, value);
    if (future.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
      ADD_FAILURE() << "the write did not end within 10 s";
      return fail(ErrorCode::timed_out, "the test gave up waiting");
    }
    return future.get();
  }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_{
      io_.get_executor()};
  boost::asio::thread_pool workers_;
  std::thread host_;
  std::vector<std::unique_ptr<drivers::DeviceSession>> sessions_;
};

}  // namespace citypulse::test
