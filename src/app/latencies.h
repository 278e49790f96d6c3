// Latencies: a histogram of acknowledgement (or delivery) latencies for the
// load benchmarks — 10 µs steps up to 1 s, then 1 ms steps up to 60 s (a
// message queued behind a slow subscriber can wait seconds; the last slot
// holds everything slower) — plus the exact maximum. One per client
// thread, merged at the end.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace citypulse {

struct Latencies {
  static constexpr std::int64_t kFineSlots = 100'000;   // 10 µs each, to 1 s
  static constexpr std::int64_t kCoarseSlots = 59'001;  // 1 ms each, to 60 s and beyond
  static constexpr std::size_t kSlots = kFineSlots + kCoarseSlots;
  std::vector<std::uint32_t> slots = std::vector<std::uint32_t>(kSlots, 0);
  std::int64_t max_micros = 0;

  void add(std::int64_t micros) {
    micros = std::max<std::int64_t>(micros, 0);
    const auto slot = micros < 1'000'000
                          ? micros / 10
                          : kFineSlots + std::min((micros - 1'000'000) / 1000, kCoarseSlots - 1);
    slots[static_cast<std::size_t>(slot)]++;
    max_micros = std::max(max_micros, micros);
  }
  void merge(const Latencies& o) {
    for (std::size_t i = 0; i < kSlots; ++i) slots[i] += o.slots[i];
    max_micros = std::max(max_micros, o.max_micros);
  }
  // The latency below which `q` of the samples came, in ms (the slot's
  // upper edge); 0 without samples.
  double quantile(double q) const {
    std::uint64_t total = 0;
    for (auto s : slots) total += s;
    if (total == 0) return 0;
    const auto rank = static_cast<std::uint64_t>(q * static_cast<double>(total - 1));
    std::uint64_t seen = 0;
    std::size_t i = 0;
    while (i + 1 < kSlots && (seen += slots[i]) <= rank) ++i;
    const auto slot = static_cast<std::int64_t>(i);
    return slot < kFineSlots ? static_cast<double>(slot + 1) / 100.0
                             : 1000.0 + static_cast<double>(slot - kFineSlots + 1);
  }
  double max_ms() const { return static_cast<double>(max_micros) / 1000.0; }
};

}  // namespace citypulse
