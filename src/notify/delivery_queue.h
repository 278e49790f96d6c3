// Deliveries of notifications with retries: one worker thread runs each
// delivery's attempts in order of due time, retries what retryable() (retry.h)
// allows with exponential backoff, and puts what cannot be delivered on a
// bounded dead-letter list. Every attempt is reported to a DeliveryRecorder,
// so the alarm service can keep them with the alarm.
//
// Memory is bounded everywhere: the queue refuses new deliveries when full,
// and the recent attempts and dead letters keep only the newest.
//
// Threads: enqueue() and the accessors from any thread. Attempts and the
// recorder run on the worker thread, one at a time, never under the queue's
// lock, so they may call the accessors. The destructor stops the worker
// after the attempt it is running (bounded by that channel's timeout) and
// drops the deliveries still waiting, unreported: the queue is memory only,
// and whoever persisted the notifications enqueues them again at start.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "notify/retry.h"

namespace citypulse::notify {

enum class Channel : std::uint8_t { email, webhook, sms };
std::string_view channel_name(Channel channel);  // "email", "webhook", "sms"

enum class AttemptOutcome : std::uint8_t {
  delivered,      // the attempt succeeded; the delivery is done
  retrying,       // a retryable failure; another attempt is due at next_at
  failed,         // a failure not worth retrying; on the dead-letter list
  dead_lettered,  // the last allowed attempt failed retryably; on the dead-letter list
};
std::string_view outcome_name(AttemptOutcome outcome);  // as spelled above

struct Delivery {
  std::string id;  // the caller's (a notification's id), echoed in every record
  Channel channel = Channel::email;
  std::string target;  // for people: an address, a host; never a secret
  // One try. Gets the attempt's time (the queue's clock), e.g. to time-stamp
  // a signed webhook. Runs on the worker thread; an exception it throws is
  // a failure that is not retried.
  std::function<Status(TimeMs now)> attempt;
};

struct AttemptRecord {
  std::string delivery_id;
  Channel channel = Channel::email;
  int attempt_no = 0;  // 1 for the first attempt
  TimeMs at = 0;       // when the attempt started
  AttemptOutcome outcome = AttemptOutcome::delivered;
  std::string error;              // empty when delivered; else "<to_string(code)>: <message>"
  std::optional<TimeMs> next_at;  // when retrying: the next attempt's due time
};

struct DeadLetter {
  std::string delivery_id;
  Channel channel = Channel::email;
  std::string target;
  int attempts = 0;  // how many were made
  TimeMs enqueued_at = 0;
  TimeMs last_attempt_at = 0;
  AttemptOutcome outcome = AttemptOutcome::failed;  // failed or dead_lettered
  Error error;                                      // the last attempt's
};

// Where attempts go to be kept (the alarm service's store). Called on the
// worker thread after each attempt, before the next one; it must not block
// for long, since deliveries wait behind it. Must outlive the queue.
class DeliveryRecorder {
 public:
  virtual ~DeliveryRecorder() = default;
  virtual void on_attempt(const AttemptRecord& record) = 0;
};

struct DeliveryOptions {
  RetryPolicy retry;
  std::size_t max_pending = 10'000;         // waiting or running; more are refused
  std::size_t max_dead_letters = 1'000;     // the newest are kept
  std::size_t max_recent_attempts = 1'000;  // the newest are kept
  std::uint64_t jitter_seed = 1;            // the jitter's draws, reproducible
  std::function<TimeMs()> clock;  // wall time for due times and records; now_ms() if empty
};

// invalid (naming the field) for a bad retry policy (check_retry_policy) or
// a bound of 0.
Status check_delivery_options(const DeliveryOptions& options);

class DeliveryQueue {
 public:
  // Starts the worker. `options` must pass check_delivery_options (values
  // out of range are clamped into it). `recorder` may be null.
  explicit DeliveryQueue(DeliveryOptions options, DeliveryRecorder* recorder = nullptr);
  ~DeliveryQueue();
  DeliveryQueue(const DeliveryQueue&) = delete;
  DeliveryQueue& operator=(const DeliveryQueue&) = delete;

  // Schedules the delivery's first attempt now. invalid when the id is
  // empty or there is no attempt; unavailable (nothing queued) when
  // max_pending deliveries are waiting or running.
  Status enqueue(Delivery delivery);

  // Waits up to `timeout_ms` until no delivery waits or runs; whether that
  // happened. For shutdown grace and tests.
  bool wait_idle(int timeout_ms);

  std::size_t pending() const;                         // waiting or running
  std::vector<AttemptRecord> recent_attempts() const;  // oldest first
  std::vector<DeadLetter> dead_letters() const;        // oldest first
  std::uint64_t dead_letters_dropped() const;          // pushed out by newer ones

 private:
  struct Waiting {
    Delivery delivery;
    int attempts_made = 0;
    TimeMs enqueued_at = 0;
  };
  using DueKey = std::pair<TimeMs, std::uint64_t>;  // due time, then order of arrival

  void run();
  void settle(Waiting waiting, TimeMs at, const Status& result);
  TimeMs now() const;
  std::size_t pending_locked() const;  // with mutex_ held

  const DeliveryOptions options_;
  DeliveryRecorder* const recorder_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;  // something new is due, or stop
  std::condition_variable idle_;  // a delivery settled
  std::map<DueKey, Waiting> waiting_;
  std::uint64_t arrivals_ = 0;
  bool running_attempt_ = false;
  bool stopping_ = false;
  std::deque<AttemptRecord> recent_;
  std::deque<DeadLetter> dead_;
  std::uint64_t dead_dropped_ = 0;
  std::minstd_rand jitter_draws_;  // worker thread only
  std::thread worker_;             // last: starts after everything above exists
};

}  // namespace citypulse::notify
