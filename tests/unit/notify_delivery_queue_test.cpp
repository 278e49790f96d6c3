// The delivery queue with scripted attempts: order by due time, backoff,
// dead letters and their bound, a full queue, attempts that throw, and a
// prompt stop with retries still waiting.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "notify/delivery_queue.h"
#include "notify_test_recorder.h"

namespace citypulse::notify {
namespace {

DeliveryOptions fast(int max_attempts = 4) {
  DeliveryOptions options;
  options.retry =
      RetryPolicy{.base_delay_ms = 10, .max_delay_ms = 1000, .max_attempts = max_attempts};
  return options;
}

// An attempt that fails with `failures` in turn, then succeeds.
Delivery scripted(std::string id, std::vector<ErrorCode> failures,
                  std::shared_ptr<std::atomic<int>> calls = std::make_shared<std::atomic<int>>()) {
  return Delivery{std::move(id), Channel::sms, "+49171555", [failures, calls](TimeMs) -> Status {
                    const int n = (*calls)++;
                    if (n < static_cast<int>(failures.size()))
                      return fail(failures[static_cast<std::size_t>(n)], "scripted failure");
                    return {};
                  }};
}

TEST(NotifyRetry, BackoffDoublesUpToTheCap) {
  const RetryPolicy policy{.base_delay_ms = 100, .max_delay_ms = 1000, .max_attempts = 10};
  EXPECT_EQ(backoff_delay_ms(policy, 1), 100);
  EXPECT_EQ(backoff_delay_ms(policy, 2), 200);
  EXPECT_EQ(backoff_delay_ms(policy, 3), 400);
  EXPECT_EQ(backoff_delay_ms(policy, 4), 800);
  EXPECT_EQ(backoff_delay_ms(policy, 5), 1000);
  EXPECT_EQ(backoff_delay_ms(policy, 1'000'000), 1000);
  RetryPolicy jittered = policy;
  jittered.jitter = 0.5;
  EXPECT_EQ(backoff_delay_ms(jittered, 1, 0.0), 100);
  EXPECT_EQ(backoff_delay_ms(jittered, 1, 0.5), 75);
  EXPECT_EQ(backoff_delay_ms(jittered, 2, 0.999), 100);
}

TEST(NotifyRetry, PoliciesAreChecked) {
  EXPECT_TRUE(check_retry_policy(RetryPolicy{}));
  EXPECT_EQ(check_retry_policy(RetryPolicy{.base_delay_ms = 0}).error().field, "base_delay_ms");
  EXPECT_EQ(check_retry_policy(RetryPolicy{.base_delay_ms = 10, .max_delay_ms = 5}).error().field,
            "max_delay_ms");
  EXPECT_EQ(check_retry_policy(RetryPolicy{.max_attempts = 0}).error().field, "max_attempts");
  EXPECT_EQ(check_retry_policy(RetryPolicy{.jitter = 1.5}).error().field, "jitter");
  DeliveryOptions options;
  options.max_pending = 0;
  EXPECT_EQ(check_delivery_options(options).error().field, "max_pending");
}

TEST(NotifyRetry, OnlyPassingFailuresAreRetryable) {
  EXPECT_TRUE(retryable(Error{ErrorCode::unavailable, "", ""}));
  EXPECT_TRUE(retryable(Error{ErrorCode::timed_out, "", ""}));
  EXPECT_TRUE(retryable(Error{ErrorCode::too_many_requests, "", ""}));
  EXPECT_FALSE(retryable(Error{ErrorCode::invalid, "", ""}));
  EXPECT_FALSE(retryable(Error{ErrorCode::forbidden, "", ""}));
  EXPECT_FALSE(retryable(Error{ErrorCode::internal, "", ""}));
}

TEST(NotifyDeliveryQueue, DeliversInOrderAndRecordsEachAttempt) {
  KeptAttempts kept;
  DeliveryQueue queue(fast(), &kept);
  for (const char* id : {"a", "b", "c"}) ASSERT_TRUE(queue.enqueue(scripted(id, {})));
  ASSERT_TRUE(queue.wait_idle(2000));
  const auto records = kept.records();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].delivery_id, "a");
  EXPECT_EQ(records[1].delivery_id, "b");
  EXPECT_EQ(records[2].delivery_id, "c");
  for (const auto& r : records) {
    EXPECT_EQ(r.outcome, AttemptOutcome::delivered);
    EXPECT_EQ(r.attempt_no, 1);
    EXPECT_EQ(r.channel, Channel::sms);
  }
  EXPECT_EQ(queue.recent_attempts().size(), 3u);
  EXPECT_EQ(queue.pending(), 0u);
}

TEST(NotifyDeliveryQueue, AWaitingRetryDoesNotHoldBackNewDeliveries) {
  KeptAttempts kept;
  DeliveryOptions options = fast();
  options.retry.base_delay_ms = 150;
  DeliveryQueue queue(options, &kept);
  ASSERT_TRUE(queue.enqueue(scripted("slow", {ErrorCode::unavailable})));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(queue.enqueue(scripted("fresh", {})));
  ASSERT_TRUE(queue.wait_idle(2000));
  const auto records = kept.records();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].delivery_id, "slow");
  EXPECT_EQ(records[0].outcome, AttemptOutcome::retrying);
  EXPECT_EQ(records[1].delivery_id, "fresh");
  EXPECT_EQ(records[2].delivery_id, "slow");
  EXPECT_EQ(records[2].outcome, AttemptOutcome::delivered);
  EXPECT_EQ(records[2].attempt_no, 2);
}

TEST(NotifyDeliveryQueue, ExhaustedRetriesAndRefusalsDeadLetter) {
  KeptAttempts kept;
  DeliveryQueue queue(fast(3), &kept);
  ASSERT_TRUE(queue.enqueue(scripted(
      "busy", {ErrorCode::timed_out, ErrorCode::unavailable, ErrorCode::too_many_requests})));
  ASSERT_TRUE(queue.enqueue(scripted("refused", {ErrorCode::forbidden})));
  ASSERT_TRUE(queue.wait_idle(2000));
  const auto dead = queue.dead_letters();
  ASSERT_EQ(dead.size(), 2u);
  EXPECT_EQ(dead[0].delivery_id, "refused");
  EXPECT_EQ(dead[0].outcome, AttemptOutcome::failed);
  EXPECT_EQ(dead[0].attempts, 1);
  EXPECT_EQ(dead[0].error.code, ErrorCode::forbidden);
  EXPECT_EQ(dead[1].delivery_id, "busy");
  EXPECT_EQ(dead[1].outcome, AttemptOutcome::dead_lettered);
  EXPECT_EQ(dead[1].attempts, 3);
  EXPECT_EQ(dead[1].target, "+49171555");
  EXPECT_EQ(dead[1].error.code, ErrorCode::too_many_requests);
  EXPECT_GE(dead[1].last_attempt_at - dead[1].enqueued_at, 10 + 20);
  const auto records = kept.records();
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records.back().outcome, AttemptOutcome::dead_lettered);
  EXPECT_EQ(records.back().error, "too-many-requests: scripted failure");
}

TEST(NotifyDeliveryQueue, DeadLettersAndRecentAttemptsAreBounded) {
  DeliveryOptions options = fast(1);
  options.max_dead_letters = 2;
  options.max_recent_attempts = 3;
  DeliveryQueue queue(options);
  for (const char* id : {"1", "2", "3", "4", "5"})
    ASSERT_TRUE(queue.enqueue(scripted(id, {ErrorCode::invalid})));
  ASSERT_TRUE(queue.wait_idle(2000));
  const auto dead = queue.dead_letters();
  ASSERT_EQ(dead.size(), 2u);
  EXPECT_EQ(dead[0].delivery_id, "4");
  EXPECT_EQ(dead[1].delivery_id, "5");
  EXPECT_EQ(queue.dead_letters_dropped(), 3u);
  const auto recent = queue.recent_attempts();
  ASSERT_EQ(recent.size(), 3u);
  EXPECT_EQ(recent.front().delivery_id, "3");
}

TEST(NotifyDeliveryQueue, AFullQueueRefuses) {
  DeliveryOptions options = fast();
  options.max_pending = 2;
  std::mutex mutex;
  std::condition_variable released;
  bool open = false;
  DeliveryQueue queue(options);
  auto held = [&](std::string id) {
    return Delivery{std::move(id), Channel::email, "ops@town.example", [&](TimeMs) -> Status {
                      std::unique_lock lock(mutex);
                      released.wait(lock, [&] { return open; });
                      return {};
                    }};
  };
  ASSERT_TRUE(queue.enqueue(held("1")));
  ASSERT_TRUE(queue.enqueue(held("2")));
  const Status third = queue.enqueue(held("3"));
  ASSERT_FALSE(third);
  EXPECT_EQ(third.error().code, ErrorCode::unavailable);
  EXPECT_NE(third.error().message.find("full"), std::string::npos);
  {
    std::lock_guard lock(mutex);
    open = true;
  }
  released.notify_all();
  ASSERT_TRUE(queue.wait_idle(2000));
  EXPECT_TRUE(queue.enqueue(held("3")));
  EXPECT_TRUE(queue.wait_idle(2000));
}

TEST(NotifyDeliveryQueue, BadDeliveriesAreRefused) {
  DeliveryQueue queue(fast());
  EXPECT_EQ(queue.enqueue(scripted("", {})).error().field, "id");
  EXPECT_EQ(queue.enqueue(Delivery{"x", Channel::email, "", {}}).error().field, "attempt");
}

TEST(NotifyDeliveryQueue, AThrowingAttemptIsAFailureNotRetried) {
  KeptAttempts kept;
  DeliveryQueue queue(fast(), &kept);
  ASSERT_TRUE(queue.enqueue(Delivery{"t", Channel::webhook, "hooks.example", [](TimeMs) -> Status {
                                       throw std::runtime_error("broken template");
                                     }}));
  ASSERT_TRUE(queue.wait_idle(2000));
  const auto records = kept.records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].outcome, AttemptOutcome::failed);
  EXPECT_NE(records[0].error.find("broken template"), std::string::npos);
}

TEST(NotifyDeliveryQueue, RecordsUseTheGivenClock) {
  KeptAttempts kept;
  DeliveryOptions options = fast();
  const TimeMs offset = 5'000'000'000'000 - now_ms();  // far in the future
  options.clock = [offset] { return now_ms() + offset; };
  DeliveryQueue queue(options, &kept);
  ASSERT_TRUE(queue.enqueue(scripted("c", {ErrorCode::unavailable})));
  ASSERT_TRUE(queue.wait_idle(2000));
  const auto records = kept.records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_GE(records[0].at, 5'000'000'000'000);
  EXPECT_EQ(*records[0].next_at, records[0].at + 10);
}

TEST(NotifyDeliveryQueue, StopsPromptlyWithRetriesWaiting) {
  DeliveryOptions options = fast();
  options.retry.base_delay_ms = 60'000;
  options.retry.max_delay_ms = 60'000;
  const auto started = std::chrono::steady_clock::now();
  {
    DeliveryQueue queue(options);
    ASSERT_TRUE(queue.enqueue(scripted("later", {ErrorCode::unavailable})));
    for (int i = 0; i < 200 && queue.recent_attempts().empty(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    EXPECT_EQ(queue.pending(), 1u);
    EXPECT_FALSE(queue.wait_idle(10));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
}

}  // namespace
}  // namespace citypulse::notify
