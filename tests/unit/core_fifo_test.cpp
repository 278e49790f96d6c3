// Fifo<T>: order, the operations the MQTT sessions use, and the promise that
// matters to idle connections — no memory while empty, and a drained burst
// gives its memory back.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/fifo.h"

namespace citypulse {
namespace {

std::vector<int> contents(const Fifo<int>& f) {
  return {f.begin(), f.end()};
}

TEST(Fifo, KeepsOrderThroughPushesPopsAndCompaction) {
  Fifo<int> f;
  EXPECT_TRUE(f.empty());
  int next_in = 0, next_out = 0;
  // Interleaved so the head passes the compaction threshold many times.
  for (int round = 0; round < 50; ++round) {
    for (int i = 0; i < 40; ++i) f.push_back(next_in++);
    for (int i = 0; i < 30; ++i) {
      ASSERT_EQ(f.front(), next_out);
      f.pop_front();
      ++next_out;
    }
    ASSERT_EQ(f.size(), static_cast<std::size_t>(next_in - next_out));
    for (std::size_t i = 0; i < f.size(); ++i) ASSERT_EQ(f[i], next_out + static_cast<int>(i));
  }
  while (!f.empty()) {
    ASSERT_EQ(f.front(), next_out++);
    f.pop_front();
  }
  EXPECT_EQ(next_out, next_in);
}

TEST(Fifo, EmptyHoldsNoMemoryAndADrainedBurstIsGivenBack) {
  // An allocation shows as a live shared_ptr count held by the container.
  auto token = std::make_shared<int>(7);
  {
    Fifo<std::shared_ptr<int>> f;
    for (int i = 0; i < 10'000; ++i) f.push_back(token);
    EXPECT_EQ(token.use_count(), 10'001);
    for (int i = 0; i < 9'999; ++i) f.pop_front();
    // Popped elements let go at once, not at the next compaction.
    EXPECT_EQ(token.use_count(), 2);
    f.pop_front();
    EXPECT_TRUE(f.empty());
    EXPECT_EQ(token.use_count(), 1);
  }
  Fifo<std::string> strings;
  EXPECT_EQ(strings.capacity(), 0u);
  for (int i = 0; i < 10'000; ++i) strings.push_back(std::string(40, 'x'));
  EXPECT_GE(strings.capacity(), 10'000u);
  while (!strings.empty()) strings.pop_front();
  // What is kept for reuse is bounded; the burst's 10,000 slots are not.
  EXPECT_LE(strings.capacity(), 64u);
  strings.push_back("again");
  EXPECT_EQ(strings.front(), "again");
  strings.clear();
  EXPECT_LE(strings.capacity(), 64u);
}

TEST(Fifo, EraseAndEraseIfRemoveFromTheMiddle) {
  Fifo<int> f;
  for (int i = 0; i < 10; ++i) f.push_back(i);
  f.pop_front();
  f.pop_front();            // 2..9
  auto it = f.begin() + 3;  // 5
  it = f.erase(it);
  EXPECT_EQ(*it, 6);
  EXPECT_EQ(contents(f), (std::vector<int>{2, 3, 4, 6, 7, 8, 9}));
  EXPECT_EQ(f.erase_if([](int v) { return v % 2 == 0; }), 4u);
  EXPECT_EQ(contents(f), (std::vector<int>{3, 7, 9}));
  EXPECT_EQ(f.erase_if([](int) { return true; }), 3u);
  EXPECT_TRUE(f.empty());
  f.push_back(1);
  EXPECT_EQ(contents(f), (std::vector<int>{1}));
}

TEST(Fifo, AssignAndClear) {
  Fifo<int> f;
  f.push_back(99);
  f.pop_front();
  const std::vector<int> source{4, 5, 6};
  f.assign(source.begin(), source.end());
  EXPECT_EQ(contents(f), source);
  EXPECT_EQ(f.back(), 6);
  f.clear();
  EXPECT_TRUE(f.empty());
  EXPECT_EQ(f.size(), 0u);
}

}  // namespace
}  // namespace citypulse
