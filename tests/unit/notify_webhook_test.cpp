// Signed webhooks against a real HTTP receiver on loopback: the signature
// as a receiver verifies it (and the worked example in
// docs/notifications.md), what each answer means for retries, and the
// delivery queue retrying a webhook with growing delays until it is taken,
// or giving up.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <fstream>
#include <sstream>
#include <string>

#include "../support/notify_peers.h"
#include "notify/delivery_queue.h"
#include "notify/webhook.h"
#include "notify_test_recorder.h"

namespace citypulse::notify {
namespace {

using test::HttpReceiver;

constexpr std::string_view kBody =
    R"({"alarm_id":42,"severity":"major","state":"active_unacknowledged"})";

// The receiver's side, with OpenSSL directly rather than our helpers.
std::string expected_signature(std::string_view secret, std::string_view timestamp,
                               std::string_view body) {
  const std::string text = std::string(timestamp) + "." + std::string(body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac, &length);
  std::string hex = "sha256=";
  char digits[3];
  for (unsigned int i = 0; i < length; ++i) {
    std::snprintf(digits, sizeof digits, "%02x", mac[i]);
    hex += digits;
  }
  return hex;
}

WebhookTarget target_at(const std::string& url) {
  return WebhookTarget{url, "whsec-town-hall-7f3a", 5000};
}

// The value after "<key>:" on a line of the worked example's block.
std::string example_value(const std::string& doc, const std::string& key) {
  const std::size_t block = doc.find("### Worked example");
  EXPECT_NE(block, std::string::npos);
  const std::size_t at = doc.find("\n" + key + ":", block);
  EXPECT_NE(at, std::string::npos) << key;
  if (at == std::string::npos) return {};
  const std::size_t start = doc.find_first_not_of(' ', at + key.size() + 2);
  return doc.substr(start, doc.find('\n', start) - start);
}

TEST(NotifyWebhook, TheDocumentedExampleVerifies) {
  std::ifstream in(CITYPULSE_SOURCE_DIR "/docs/notifications.md");
  ASSERT_TRUE(in);
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  const std::string secret = example_value(doc, "secret");
  const std::string timestamp = example_value(doc, "timestamp");
  const std::string body = example_value(doc, "body");
  const std::string signature = example_value(doc, "signature");
  EXPECT_EQ(example_value(doc, "signed text"), timestamp + "." + body);
  EXPECT_EQ(webhook_signature(secret, std::stoll(timestamp), body), signature);
  EXPECT_EQ(expected_signature(secret, timestamp, body), signature);
}

TEST(NotifyWebhook, TheReceiverVerifiesTheSignature) {
  HttpReceiver receiver({200});
  const Result<int> status =
      post_webhook(target_at(receiver.url("/alarms?site=7")), kBody, 1'736'237'109'456);
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(*status, 200);
  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  const test::ReceivedRequest& r = requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/alarms?site=7");
  EXPECT_EQ(r.header("Content-Type"), "application/json");
  EXPECT_EQ(r.header("X-CityPulse-Timestamp"), "1736237109");
  EXPECT_EQ(r.body, kBody);
  EXPECT_EQ(r.header("X-CityPulse-Signature"),
            expected_signature("whsec-town-hall-7f3a", "1736237109", kBody));
  // Another secret or another time does not verify.
  EXPECT_NE(r.header("X-CityPulse-Signature"),
            expected_signature("whsec-other", "1736237109", kBody));
  EXPECT_NE(r.header("X-CityPulse-Signature"),
            expected_signature("whsec-town-hall-7f3a", "1736237110", kBody));
}

TEST(NotifyWebhook, TheAnswerDecidesWhetherToRetry) {
  struct Case {
    int status;
    ErrorCode code;
    bool retry;
  };
  for (const Case c :
       {Case{503, ErrorCode::unavailable, true}, Case{500, ErrorCode::unavailable, true},
        Case{429, ErrorCode::too_many_requests, true}, Case{408, ErrorCode::timed_out, true},
        Case{400, ErrorCode::invalid, false}, Case{404, ErrorCode::invalid, false},
        Case{401, ErrorCode::forbidden, false}, Case{301, ErrorCode::invalid, false}}) {
    HttpReceiver receiver({c.status});
    const Result<int> r = post_webhook(target_at(receiver.url()), kBody, now_ms());
    ASSERT_FALSE(r) << c.status;
    EXPECT_EQ(r.error().code, c.code) << c.status << ": " << r.error().message;
    EXPECT_EQ(retryable(r.error()), c.retry) << c.status;
    EXPECT_NE(r.error().message.find(std::to_string(c.status)), std::string::npos);
  }
  HttpReceiver accepted({204});
  const Result<int> r = post_webhook(target_at(accepted.url()), kBody, now_ms());
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 204);
}

TEST(NotifyWebhook, TimeoutsAndDeadPortsAreRetryable) {
  HttpReceiver silent({200}, /*silent=*/true);
  WebhookTarget target = target_at(silent.url());
  target.timeout_ms = 200;
  const Result<int> slow = post_webhook(target, kBody, now_ms());
  ASSERT_FALSE(slow);
  EXPECT_EQ(slow.error().code, ErrorCode::timed_out) << slow.error().message;
  EXPECT_TRUE(retryable(slow.error()));

  const Result<int> dead =
      post_webhook(target_at("http://127.0.0.1:" + std::to_string(test::free_port()) + "/hook"),
                   kBody, now_ms());
  ASSERT_FALSE(dead);
  EXPECT_EQ(dead.error().code, ErrorCode::unavailable) << dead.error().message;
  EXPECT_TRUE(retryable(dead.error()));
}

TEST(NotifyWebhook, OnlyHttpUrlsAndASecret) {
  for (const char* url :
       {"ftp://127.0.0.1/x", "file:///etc/passwd", "127.0.0.1:80/x", "http://127.0.0.1/a b"}) {
    const Result<int> r = post_webhook(target_at(url), kBody, now_ms());
    ASSERT_FALSE(r) << url;
    EXPECT_EQ(r.error().code, ErrorCode::invalid) << url;
    EXPECT_EQ(r.error().field, "url") << url;
  }
  WebhookTarget unsigned_target = target_at("http://127.0.0.1:1/hook");
  unsigned_target.secret.clear();
  const Result<int> r = post_webhook(unsigned_target, kBody, now_ms());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "secret");
}

Delivery webhook_delivery(std::string id, const WebhookTarget& target) {
  return Delivery{std::move(id), Channel::webhook, "127.0.0.1", [target](TimeMs now) -> Status {
                    const Result<int> r = post_webhook(target, kBody, now);
                    if (!r) return fail(r.error());
                    return {};
                  }};
}

DeliveryOptions fast_retries(int max_attempts) {
  DeliveryOptions options;
  options.retry =
      RetryPolicy{.base_delay_ms = 20, .max_delay_ms = 1000, .max_attempts = max_attempts};
  return options;
}

TEST(NotifyWebhook, RetriedWithGrowingDelaysUntilTaken) {
  HttpReceiver receiver({503, 503, 200});
  KeptAttempts kept;
  {
    DeliveryQueue queue(fast_retries(5), &kept);
    ASSERT_TRUE(queue.enqueue(webhook_delivery("n-1", target_at(receiver.url()))));
    ASSERT_TRUE(queue.wait_idle(5000));
    EXPECT_TRUE(queue.dead_letters().empty());
    EXPECT_EQ(queue.recent_attempts().size(), 3u);
  }
  const auto records = kept.records();
  ASSERT_EQ(records.size(), 3u);
  const AttemptOutcome expected[] = {AttemptOutcome::retrying, AttemptOutcome::retrying,
                                     AttemptOutcome::delivered};
  for (std::size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i].delivery_id, "n-1");
    EXPECT_EQ(records[i].channel, Channel::webhook);
    EXPECT_EQ(records[i].attempt_no, static_cast<int>(i) + 1);
    EXPECT_EQ(records[i].outcome, expected[i]);
  }
  EXPECT_NE(records[0].error.find("503"), std::string::npos) << records[0].error;
  EXPECT_EQ(*records[0].next_at - records[0].at, 20);
  EXPECT_EQ(*records[1].next_at - records[1].at, 40);
  EXPECT_GE(records[1].at, *records[0].next_at);
  EXPECT_GE(records[2].at, *records[1].next_at);
  EXPECT_TRUE(records[2].error.empty());
  EXPECT_FALSE(records[2].next_at);

  // The receiver saw no retry before its time, and each attempt signed anew.
  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_GE(requests[1].received_at, *records[0].next_at);
  EXPECT_GE(requests[2].received_at, *records[1].next_at);
  for (const auto& r : requests)
    EXPECT_EQ(r.header("X-CityPulse-Signature"),
              expected_signature("whsec-town-hall-7f3a", r.header("X-CityPulse-Timestamp"), kBody));
}

TEST(NotifyWebhook, A400IsNotRetriedAndDeadLetters) {
  HttpReceiver receiver({400});
  KeptAttempts kept;
  DeliveryQueue queue(fast_retries(5), &kept);
  ASSERT_TRUE(queue.enqueue(webhook_delivery("n-2", target_at(receiver.url()))));
  ASSERT_TRUE(queue.wait_idle(5000));
  EXPECT_EQ(receiver.requests().size(), 1u);
  const auto records = kept.records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].outcome, AttemptOutcome::failed);
  const auto dead = queue.dead_letters();
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].delivery_id, "n-2");
  EXPECT_EQ(dead[0].attempts, 1);
  EXPECT_EQ(dead[0].outcome, AttemptOutcome::failed);
  EXPECT_EQ(dead[0].error.code, ErrorCode::invalid);
}

TEST(NotifyWebhook, ADeadPortIsRetriedThenDeadLettered) {
  KeptAttempts kept;
  DeliveryQueue queue(fast_retries(3), &kept);
  const std::string url = "http://127.0.0.1:" + std::to_string(test::free_port()) + "/hook";
  ASSERT_TRUE(queue.enqueue(webhook_delivery("n-3", target_at(url))));
  ASSERT_TRUE(queue.wait_idle(5000));
  const auto records = kept.records();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].outcome, AttemptOutcome::retrying);
  EXPECT_EQ(records[1].outcome, AttemptOutcome::retrying);
  EXPECT_EQ(records[2].outcome, AttemptOutcome::dead_lettered);
  EXPECT_FALSE(records[2].next_at);
  const auto dead = queue.dead_letters();
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].attempts, 3);
  EXPECT_EQ(dead[0].outcome, AttemptOutcome::dead_lettered);
  EXPECT_EQ(dead[0].error.code, ErrorCode::unavailable);
}

}  // namespace
}  // namespace citypulse::notify
