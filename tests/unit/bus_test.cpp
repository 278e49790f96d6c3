// The in-process event bus: ids in order for every subscriber whatever
// thread publishes, subscriptions that end when their handle goes, and the
// replay buffer — exactly the missed events while they are held, a clear
// "resynchronise" once they are not, bounded by age and by bytes.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "bus/local_bus.h"

namespace citypulse::bus {
namespace {

Event readings_of(Id tenant, Id point, double value) {
  Event e;
  e.kind = EventKind::readings;
  e.tenant_id = tenant;
  e.values.push_back({point, 1, 1'800'000'000'000, value, 0});
  return e;
}

TEST(EventKind, NamesRoundTrip) {
  for (std::size_t i = 0; i < kEventKindCount; ++i) {
    const auto kind = static_cast<EventKind>(i);
    EXPECT_EQ(event_kind_from_name(event_kind_name(kind)), kind);
  }
  EXPECT_EQ(event_kind_name(EventKind::asset_changed), "asset_changed");
  EXPECT_FALSE(event_kind_from_name("alarm"));
}

TEST(LocalBus, EverySubscriberSeesEveryEventInIdOrder) {
  LocalBus bus;
  const auto before = bus.last_id();
  std::vector<std::uint64_t> first, second;
  auto a = bus.subscribe([&](const EventPtr& e) { first.push_back(e->id); });
  auto b = bus.subscribe([&](const EventPtr& e) { second.push_back(e->id); });
  constexpr int kThreads = 4, kEach = 2000;
  std::vector<std::thread> publishers;
  for (int t = 0; t < kThreads; ++t)
    publishers.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) bus.publish(readings_of(1, t, i));
    });
  for (auto& p : publishers) p.join();
  ASSERT_EQ(first.size(), std::size_t{kThreads * kEach});
  EXPECT_EQ(first, second);
  for (std::size_t i = 0; i < first.size(); ++i) EXPECT_EQ(first[i], before + 1 + i);
  EXPECT_EQ(bus.last_id(), first.back());
}

TEST(LocalBus, AnEventGetsItsIdAndTimeFromTheBus) {
  LocalBus bus;
  Event e = readings_of(3, 7, 21.5);
  e.id = 42;
  const auto published = bus.publish(std::move(e));
  EXPECT_EQ(published->id, bus.last_id());
  EXPECT_NE(published->id, 42u);
  EXPECT_GT(published->at, 0);
  EXPECT_EQ(published->tenant_id, 3);
  EXPECT_EQ(published->values.at(0).value, 21.5);
}

TEST(LocalBus, IdsOfALaterBusStartAboveAnEarlierOnes) {
  std::uint64_t earlier = 0;
  {
    LocalBus bus;
    for (int i = 0; i < 100; ++i) earlier = bus.publish(readings_of(1, 1, i))->id;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  LocalBus later;
  EXPECT_GT(later.publish(readings_of(1, 1, 0))->id, earlier);
  // What the earlier bus gave is none of the later one's: resynchronise.
  EXPECT_FALSE(later.replay_after(earlier).complete);
}

TEST(LocalBus, ASubscriptionEndsWithItsHandle) {
  LocalBus bus;
  int calls = 0;
  {
    auto s = bus.subscribe([&](const EventPtr&) { ++calls; });
    bus.publish(readings_of(1, 1, 1));
    Subscription moved = std::move(s);
    bus.publish(readings_of(1, 1, 2));
  }
  bus.publish(readings_of(1, 1, 3));
  EXPECT_EQ(calls, 2);
}

TEST(LocalBus, ReplayGivesExactlyTheMissedEvents) {
  LocalBus bus;
  std::vector<std::uint64_t> ids;
  for (int i = 0; i < 10; ++i) ids.push_back(bus.publish(readings_of(1, 1, i))->id);
  auto replay = bus.replay_after(ids[3]);
  ASSERT_TRUE(replay.complete);
  ASSERT_EQ(replay.events.size(), 6u);
  for (std::size_t i = 0; i < 6; ++i) EXPECT_EQ(replay.events[i]->id, ids[4 + i]);
  // Up to date: nothing missed.
  replay = bus.replay_after(ids.back());
  EXPECT_TRUE(replay.complete);
  EXPECT_TRUE(replay.events.empty());
  // Seen nothing yet of this bus: everything it has.
  replay = bus.replay_after(ids.front() - 1);
  EXPECT_TRUE(replay.complete);
  EXPECT_EQ(replay.events.size(), 10u);
  // An id from the future, or from long before: resynchronise.
  EXPECT_FALSE(bus.replay_after(ids.back() + 1).complete);
  EXPECT_FALSE(bus.replay_after(0).complete);
}

TEST(LocalBus, EventsPastTheAgeLimitAreDroppedAndReplaySaysSo) {
  LocalBus bus(ReplayLimits{.max_age_ms = 50, .max_bytes = std::size_t{1} << 30});
  const auto old_id = bus.publish(readings_of(1, 1, 1))->id;
  const auto seen = bus.publish(readings_of(1, 1, 2))->id;
  std::this_thread::sleep_for(std::chrono::milliseconds(80));
  const auto fresh = bus.publish(readings_of(1, 1, 3))->id;
  EXPECT_EQ(bus.held_events(), 1u);
  EXPECT_FALSE(bus.replay_after(old_id).complete);
  // The last dropped event was seen: nothing is missing.
  auto replay = bus.replay_after(seen);
  ASSERT_TRUE(replay.complete);
  ASSERT_EQ(replay.events.size(), 1u);
  EXPECT_EQ(replay.events[0]->id, fresh);
}

TEST(LocalBus, TheReplayBufferStaysWithinItsBytes) {
  constexpr std::size_t kLimit = 64 * 1024;
  LocalBus bus(ReplayLimits{.max_age_ms = 3'600'000, .max_bytes = kLimit});
  std::uint64_t first = 0;
  for (int i = 0; i < 10'000; ++i) {
    Event e = readings_of(1, 1, i);
    e.values.resize(8);
    const auto id = bus.publish(std::move(e))->id;
    if (i == 0) first = id;
    ASSERT_LE(bus.held_bytes(), kLimit);
  }
  EXPECT_GT(bus.held_events(), 10u);
  EXPECT_LT(bus.held_events(), 10'000u);
  EXPECT_FALSE(bus.replay_after(first).complete);
  EXPECT_TRUE(bus.replay_after(bus.last_id() - 5).complete);
}

}  // namespace
}  // namespace citypulse::bus
