// SplitMix64 (Steele, Lea and Flood 2014): a well-mixed 64-bit number from
// any 64-bit input. What the simulator draws its deterministic choices
// from — a fault's place from (seed, kind, period), a sensor's noise from
// (seed, point, minute) — so that a draw depends on its inputs alone, not
// on the order of the draws before it. Not for secrets.
#pragma once

#include <cstdint>

namespace citypulse {

inline constexpr std::uint64_t kSplitMixIncrement = 0x9E3779B97F4A7C15ull;

constexpr std::uint64_t splitmix64(std::uint64_t x) {
  x += kSplitMixIncrement;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

}  // namespace citypulse
