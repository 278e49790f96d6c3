#include "notify/delivery_queue.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <exception>

namespace citypulse::notify {
namespace {

DeliveryOptions clamped(DeliveryOptions options) {
  RetryPolicy& retry = options.retry;
  retry.base_delay_ms = std::max(1, retry.base_delay_ms);
  retry.max_delay_ms = std::max(retry.base_delay_ms, retry.max_delay_ms);
  retry.max_attempts = std::clamp(retry.max_attempts, 1, 100);
  retry.jitter = std::clamp(retry.jitter, 0.0, 1.0);
  options.max_pending = std::max<std::size_t>(1, options.max_pending);
  options.max_dead_letters = std::max<std::size_t>(1, options.max_dead_letters);
  options.max_recent_attempts = std::max<std::size_t>(1, options.max_recent_attempts);
  if (!options.clock) options.clock = now_ms;
  return options;
}

template <class T>
void push_bounded(std::deque<T>& list, T item, std::size_t bound,
                  std::uint64_t* dropped = nullptr) {
  list.push_back(std::move(item));
  while (list.size() > bound) {
    list.pop_front();
    if (dropped != nullptr) ++*dropped;
  }
}

// An attempt is the caller's code: what it throws stays here.
Status run_attempt(const Delivery& delivery, TimeMs at) {
  try {
    return delivery.attempt(at);
  } catch (const std::exception& e) {
    return fail(ErrorCode::internal, fmt::format("the attempt threw: {}", e.what()));
  } catch (...) {
    return fail(ErrorCode::internal, "the attempt threw");
  }
}

}  // namespace

std::string_view channel_name(Channel channel) {
  switch (channel) {
    case Channel::email:
      return "email";
    case Channel::webhook:
      return "webhook";
    case Channel::sms:
      return "sms";
  }
  return "email";
}

std::string_view outcome_name(AttemptOutcome outcome) {
  switch (outcome) {
    case AttemptOutcome::delivered:
      return "delivered";
    case AttemptOutcome::retrying:
      return "retrying";
    case AttemptOutcome::failed:
      return "failed";
    case AttemptOutcome::dead_lettered:
      return "dead_lettered";
  }
  return "failed";
}

Status check_delivery_options(const DeliveryOptions& options) {
  if (Status retry = check_retry_policy(options.retry); !retry) return retry;
  if (options.max_pending == 0)
    return fail(ErrorCode::invalid, "the queue must hold at least one delivery", "max_pending");
  if (options.max_dead_letters == 0)
    return fail(ErrorCode::invalid, "keep at least one dead letter", "max_dead_letters");
  if (options.max_recent_attempts == 0)
    return fail(ErrorCode::invalid, "keep at least one attempt", "max_recent_attempts");
  return {};
}

DeliveryQueue::DeliveryQueue(DeliveryOptions options, DeliveryRecorder* recorder)
    : options_(clamped(std::move(options))),
      recorder_(recorder),
      jitter_draws_(static_cast<std::minstd_rand::result_type>(options_.jitter_seed)),
      worker_([this] { run(); }) {}

DeliveryQueue::~DeliveryQueue() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  worker_.join();
}

TimeMs DeliveryQueue::now() const {
  return options_.clock();
}

Status DeliveryQueue::enqueue(Delivery delivery) {
  if (delivery.id.empty()) return fail(ErrorCode::invalid, "a delivery needs an id", "id");
  if (!delivery.attempt) return fail(ErrorCode::invalid, "a delivery needs an attempt", "attempt");
  const TimeMs at = now();
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return fail(ErrorCode::unavailable, "the delivery queue is stopping");
    if (pending_locked() >= options_.max_pending)
      return fail(ErrorCode::unavailable,
                  fmt::format("the delivery queue is full ({} deliveries waiting or running)",
                              options_.max_pending));
    waiting_.emplace(DueKey{at, arrivals_++}, Waiting{std::move(delivery), 0, at});
  }
  wake_.notify_one();
  return {};
}

std::size_t DeliveryQueue::pending_locked() const {
  return waiting_.size() + (running_attempt_ ? 1 : 0);
}

std::size_t DeliveryQueue::pending() const {
  std::lock_guard lock(mutex_);
  return pending_locked();
}

bool DeliveryQueue::wait_idle(int timeout_ms) {
  std::unique_lock lock(mutex_);
  return idle_.wait_for(lock, std::chrono::milliseconds(std::max(0, timeout_ms)),
                        [this] { return pending_locked() == 0; });
}

std::vector<AttemptRecord> DeliveryQueue::recent_attempts() const {
  std::lock_guard lock(mutex_);
  return {recent_.begin(), recent_.end()};
}

std::vector<DeadLetter> DeliveryQueue::dead_letters() const {
  std::lock_guard lock(mutex_);
  return {dead_.begin(), dead_.end()};
}

std::uint64_t DeliveryQueue::dead_letters_dropped() const {
  std::lock_guard lock(mutex_);
  return dead_dropped_;
}

void DeliveryQueue::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (waiting_.empty()) {
      wake_.wait(lock);
      continue;
    }
    const auto first = waiting_.begin();
    const TimeMs due = first->first.first;
    if (const TimeMs t = now(); due > t) {
      // Woken early by a new delivery or by stop; the loop looks again.
      wake_.wait_for(lock, std::chrono::milliseconds(due - t));
      continue;
    }
    Waiting waiting = std::move(first->second);
    waiting_.erase(first);
    running_attempt_ = true;
    lock.unlock();
    const TimeMs at = now();
    const Status result = run_attempt(waiting.delivery, at);
    settle(std::move(waiting), at, result);
    lock.lock();
    running_attempt_ = false;
    idle_.notify_all();
  }
}

// The worker's bookkeeping after one attempt: the record, then the retry
// or the dead letter. The recorder hears of the attempt before its retry
// can run.
void DeliveryQueue::settle(Waiting waiting, TimeMs at, const Status& result) {
  ++waiting.attempts_made;
  AttemptRecord record{waiting.delivery.id,
                       waiting.delivery.channel,
                       waiting.attempts_made,
                       at,
                       AttemptOutcome::delivered,
                       {},
                       std::nullopt};
  if (!result) {
    const Error& error = result.error();
    record.error = fmt::format("{}: {}", to_string(error.code), error.message);
    if (!retryable(error))
      record.outcome = AttemptOutcome::failed;
    else if (waiting.attempts_made >= options_.retry.max_attempts)
      record.outcome = AttemptOutcome::dead_lettered;
    else {
      record.outcome = AttemptOutcome::retrying;
      const double u = std::uniform_real_distribution<double>(0.0, 1.0)(jitter_draws_);
      record.next_at = at + backoff_delay_ms(options_.retry, waiting.attempts_made, u);
    }
  }
  if (recorder_ != nullptr) {
    try {
      recorder_->on_attempt(record);
    } catch (...) {
      // A recorder that fails must not end the worker; the attempt stays in
      // recent_attempts().
    }
  }

  std::lock_guard lock(mutex_);
  push_bounded(recent_, record, options_.max_recent_attempts);
  if (record.outcome == AttemptOutcome::retrying) {
    waiting_.emplace(DueKey{*record.next_at, arrivals_++}, std::move(waiting));
  } else if (record.outcome != AttemptOutcome::delivered) {
    DeadLetter letter{std::move(waiting.delivery.id),
                      waiting.delivery.channel,
                      std::move(waiting.delivery.target),
                      waiting.attempts_made,
                      waiting.enqueued_at,
                      at,
                      record.outcome,
                      result.error()};
    push_bounded(dead_, std::move(letter), options_.max_dead_letters, &dead_dropped_);
  }
}

}  // namespace citypulse::notify
