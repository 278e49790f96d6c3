// Crash safety of the engine: a child process appends durable batches and
// reports each acknowledgement through a pipe; the parent kills it with
// SIGKILL at a random moment, reopens the engine and checks that every
// acknowledged sample is there, across twenty kills of the same folder.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>

#include "tsdb/engine.h"

namespace citypulse::tsdb {
namespace {

namespace fs = std::filesystem;

constexpr int kBatch = 50;

// Batch b holds series 1..5, times b*kBatch .. b*kBatch + kBatch - 1, value = time / 10.
std::vector<SeriesSample> batch(std::int64_t b) {
  std::vector<SeriesSample> out;
  for (int i = 0; i < kBatch; ++i) {
    const Timestamp t = b * kBatch + i;
    out.push_back({1 + t % 5, {t * 1000, static_cast<double>(t) / 10.0, 0}});
  }
  return out;
}

EngineOptions options(const fs::path& dir) {
  EngineOptions o;
  o.dir = dir;
  o.chunk_max_samples = 64;
  o.checkpoint_interval_ms = 15;  // checkpoints race with the kill too
  o.wal_segment_bytes = 32 << 10;
  return o;
}

// The child: appends durable batches from `first` on and writes the number
// of each acknowledged batch to `fd`. Never returns.
[[noreturn]] void writer(const fs::path& dir, std::int64_t first, int fd) {
  auto engine = Engine::open(options(dir));
  if (!engine) _exit(3);
  for (std::int64_t b = first;; ++b) {
    std::promise<Status> p;
    auto f = p.get_future();
    (*engine)->append(batch(b), true, true, [&p](Status s) { p.set_value(s); });
    if (!f.get()) _exit(4);
    const std::string line = std::to_string(b) + "\n";
    if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(5);
  }
}

TEST(EngineCrash, EveryAcknowledgedSampleSurvivesKill9) {
  const fs::path dir = fs::temp_directory_path() / ("cp-crash-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  std::mt19937 rng(7);
  std::int64_t next = 0;
  std::set<std::int64_t> acked;
  for (int kill = 0; kill < 20; ++kill) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      writer(dir, next, fds[1]);
    }
    ::close(fds[1]);
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + rng() % 120));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the writer stopped by itself: " << status;
    // Everything the pipe carried was acknowledged before the kill.
    std::string text;
    char buf[4096];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) text.append(buf, n);
    ::close(fds[0]);
    std::size_t pos = 0;
    while (true) {
      const auto nl = text.find('\n', pos);
      if (nl == std::string::npos) break;
      const std::int64_t b = std::stoll(text.substr(pos, nl - pos));
      acked.insert(b);
      next = std::max(next, b + 1);
      pos = nl + 1;
    }
    // Unacknowledged batches may or may not be there; start after them.
    next += 1000;
    auto engine = Engine::open(options(dir));
    ASSERT_TRUE(engine.has_value()) << engine.error().message;
    std::size_t missing = 0;
    for (SeriesId s = 1; s <= 5; ++s) {
      auto got = (*engine)->range(s, 0, INT64_MAX, SIZE_MAX);
      ASSERT_TRUE(got.has_value()) << got.error().message;
      std::set<Timestamp> times;
      for (const auto& x : *got) {
        times.insert(x.t);
        EXPECT_EQ(x.v, static_cast<double>(x.t / 1000) / 10.0) << "corrupt value at " << x.t;
      }
      for (std::int64_t b : acked)
        for (int i = 0; i < kBatch; ++i) {
          const Timestamp t = b * kBatch + i;
          if (1 + t % 5 == s && !times.contains(t * 1000)) ++missing;
        }
    }
    EXPECT_EQ(missing, 0u) << "after kill " << kill << " with " << acked.size()
                           << " acknowledged batches";
  }
  EXPECT_GT(acked.size(), 20u);  // the kills did land while writing
  fs::remove_all(dir);
}

// A crash leaves a log whose tail is garbage (here: scribbled over on
// purpose). The engine still opens, says what it moved aside, and what it
// reads back is intact and a prefix of what was written.
TEST(EngineCrash, AScribbledLogTailIsCutOffAndTheEngineStarts) {
  const fs::path dir = fs::temp_directory_path() / ("cp-scribble-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(fds[0]);
    writer(dir, 0, fds[1]);
  }
  ::close(fds[1]);
  // Kill it once it has acknowledged some batches (a loaded machine may take
  // a while to get there), so the log has a tail to damage.
  int acked = 0;
  char buf[256];
  for (ssize_t n; acked < 20 && (n = ::read(fds[0], buf, sizeof buf)) > 0;)
    acked += static_cast<int>(std::count(buf, buf + n, '\n'));
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(fds[0]);
  ASSERT_GE(acked, 20) << "the writer stopped before it had written enough";
  // Scribble over the second half of the newest segment.
  fs::path newest;
  for (const auto& e : fs::directory_iterator(dir / "wal"))
    if (e.path().extension() == ".wal" && (newest.empty() || e.path() > newest)) newest = e.path();
  ASSERT_FALSE(newest.empty());
  const auto size = fs::file_size(newest);
  ASSERT_GT(size, 64u);
  {
    std::FILE* f = std::fopen(newest.c_str(), "r+b");
    ASSERT_NE(f, nullptr);
    std::fseek(f, static_cast<long>(size / 2), SEEK_SET);
    std::mt19937 rng(3);
    for (std::uintmax_t i = size / 2; i < size; ++i) std::fputc(static_cast<int>(rng() & 0xff), f);
    std::fclose(f);
  }
  std::vector<std::string> warnings;
  auto o = options(dir);
  o.warn = [&](const std::string& m) { warnings.push_back(m); };
  auto engine = Engine::open(o);
  ASSERT_TRUE(engine.has_value()) << engine.error().message;
  EXPECT_FALSE(warnings.empty()) << "the damaged tail went unmentioned";
  bool moved_aside = false;
  for (const auto& e : fs::directory_iterator(dir / "wal"))
    moved_aside |= e.path().string().find(".corrupt-") != std::string::npos;
  EXPECT_TRUE(moved_aside);
  // What is there is intact, and every batch is whole or absent, the whole
  // ones forming a prefix.
  std::map<std::int64_t, int> per_batch;
  for (SeriesId s = 1; s <= 5; ++s) {
    auto got = (*engine)->range(s, 0, INT64_MAX, SIZE_MAX);
    ASSERT_TRUE(got.has_value()) << got.error().message;
    for (const auto& x : *got) {
      EXPECT_EQ(x.v, static_cast<double>(x.t / 1000) / 10.0);
      ++per_batch[x.t / 1000 / kBatch];
    }
  }
  ASSERT_FALSE(per_batch.empty());
  std::int64_t expect = 0;
  for (const auto& [b, n] : per_batch) {
    EXPECT_EQ(b, expect++) << "a hole before batch " << b;
    EXPECT_EQ(n, kBatch) << "batch " << b << " is partly there";
  }
  // And it keeps working.
  std::promise<Status> p;
  auto f = p.get_future();
  (*engine)->append(batch(100'000), true, true, [&p](Status s) { p.set_value(s); });
  EXPECT_TRUE(f.get());
  engine->reset();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace citypulse::tsdb
