// Small text helpers for protocol text (headers, emails, lists in config):
// ASCII only, on purpose — HTTP tokens and email domains are compared in
// ASCII, and locale-dependent case rules must not leak into them.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace citypulse {

// Without leading and trailing spaces and tabs.
std::string_view trim(std::string_view text);

// The trimmed, non-empty items of a comma-separated list.
std::vector<std::string_view> split_list(std::string_view text);

// A-Z lowered; every other byte as it is.
std::string lower_ascii(std::string_view text);

// Equal when lowered with lower_ascii.
bool iequals_ascii(std::string_view a, std::string_view b);

// A hash map keyed by text that is looked up by string_view without making
// a std::string: lookups on hot paths (a reading's key) allocate nothing.
struct TextHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <class V>
using TextMap = std::unordered_map<std::string, V, TextHash, std::equal_to<>>;

}  // namespace citypulse
