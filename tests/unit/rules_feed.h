// Feeding crafted readings to a rule condition in the rules' unit tests:
// (minute, value) pairs in, the changes out, in order.
#pragma once

#include <initializer_list>
#include <utility>
#include <vector>

#include "rules/condition.h"

namespace citypulse::rules {

inline constexpr TimeMs kMinute = 60'000;

template <class Condition>
std::vector<ConditionChange> feed(Condition& c,
                                  std::initializer_list<std::pair<double, double>> readings) {
  std::vector<ConditionChange> out;
  for (auto [minute, value] : readings)
    for (const auto& change : c.on_reading(static_cast<TimeMs>(minute * kMinute), value))
      out.push_back(change);
  return out;
}

}  // namespace citypulse::rules
