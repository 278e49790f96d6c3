// DeviceHealth: online, degraded after a partial answer or a first miss,
// offline after three misses in a row with probes at a doubling backoff up
// to its ceiling, and back online at the first answer.
#include <gtest/gtest.h>

#include "drivers/device_health.h"

namespace citypulse::drivers {
namespace {

TEST(DeviceHealth, MissesOpenTheCircuitAndProbesBackOff) {
  DeviceHealth h({.offline_after = 3, .first_backoff_ms = 5'000, .max_backoff_ms = 20'000});
  EXPECT_EQ(h.status(), DeviceStatus::online);
  EXPECT_TRUE(h.may_poll(0));
  EXPECT_FALSE(h.record(PollOutcome::answered, 1'000));
  EXPECT_EQ(h.last_success_at(), 1'000);
  EXPECT_EQ(h.since(), 1'000);  // online since the first answer
  EXPECT_TRUE(h.record(PollOutcome::unreached, 2'000, "no answer"));
  EXPECT_EQ(h.status(), DeviceStatus::degraded);
  EXPECT_TRUE(h.may_poll(2'001));
  EXPECT_FALSE(h.record(PollOutcome::unreached, 3'000, "no answer"));
  EXPECT_TRUE(h.record(PollOutcome::unreached, 4'000, "still none"));
  EXPECT_EQ(h.status(), DeviceStatus::offline);
  EXPECT_EQ(h.since(), 4'000);
  EXPECT_EQ(h.last_error(), "still none");
  EXPECT_EQ(h.consecutive_failures(), 3);
  // The circuit is open: no poll until the probe's time.
  EXPECT_EQ(h.next_probe_at(), 9'000);
  EXPECT_FALSE(h.may_poll(8'999));
  EXPECT_TRUE(h.may_poll(9'000));
  // Failed probes double the wait, up to the ceiling.
  EXPECT_FALSE(h.record(PollOutcome::unreached, 9'000));
  EXPECT_EQ(h.next_probe_at(), 19'000);
  EXPECT_FALSE(h.record(PollOutcome::unreached, 19'000));
  EXPECT_EQ(h.next_probe_at(), 39'000);
  EXPECT_FALSE(h.record(PollOutcome::unreached, 39'000));
  EXPECT_EQ(h.next_probe_at(), 59'000);  // 20 s, not 40
  // An answered probe closes it.
  EXPECT_TRUE(h.record(PollOutcome::answered, 59'000));
  EXPECT_EQ(h.status(), DeviceStatus::online);
  EXPECT_EQ(h.consecutive_failures(), 0);
  EXPECT_TRUE(h.may_poll(59'001));
}

TEST(DeviceHealth, APartialAnswerIsDegradedNotAMiss) {
  DeviceHealth h;
  EXPECT_TRUE(h.record(PollOutcome::partly, 1'000, "analog-input:9: object: unknown-object"));
  EXPECT_EQ(h.status(), DeviceStatus::degraded);
  EXPECT_EQ(h.consecutive_failures(), 0);
  EXPECT_EQ(h.last_success_at(), 1'000);
  for (int i = 0; i < 10; ++i) h.record(PollOutcome::partly, 2'000 + i);
  EXPECT_EQ(h.status(), DeviceStatus::degraded);  // answering in part never opens the circuit
  EXPECT_TRUE(h.record(PollOutcome::answered, 3'000));
  EXPECT_EQ(status_name(h.status()), "online");
}

}  // namespace
}  // namespace citypulse::drivers
