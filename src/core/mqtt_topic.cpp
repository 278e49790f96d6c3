// Topic names and filters (spec 4.7) and shared subscriptions (4.8.2).
// Every function walks the string once through string_views: topic_matches
// runs for each retained message and subscription a PUBLISH is checked
// against, so it must not allocate.
#include "core/mqtt_topic.h"

namespace citypulse::mqtt {
namespace {

constexpr std::string_view kSharePrefix = "$share/";

// The levels of a name or filter, front to back. An empty string is one
// empty level, and "a/" is "a" then "" (4.7.1.1: an empty level is a level).
class LevelCursor {
 public:
  explicit LevelCursor(std::string_view topic) : rest_(topic) {}

  // The next level into `level`; false when every level was taken.
  bool next(std::string_view& level) {
    if (done_) return false;
    const auto split = first_level(rest_);
    level = split.level;
    rest_ = split.below;
    done_ = split.last;
    return true;
  }

 private:
  std::string_view rest_;
  bool done_ = false;
};

}  // namespace

TopicLevel first_level(std::string_view topic) {
  const std::size_t slash = topic.find('/');
  if (slash == std::string_view::npos) return {topic, {}, true};
  return {topic.substr(0, slash), topic.substr(slash + 1), false};
}

namespace {

bool within_depth(std::string_view topic, std::size_t max_levels) {
  return max_levels == 0 || topic_levels(topic) <= max_levels;
}

// The filter after any "$share/{group}/" has been taken off.
bool valid_plain_filter(std::string_view filter, std::size_t max_levels) {
  if (filter.empty()) return false;  // [MQTT-4.7.3-1]
  LevelCursor levels(filter);
  std::string_view level;
  bool after_hash = false;
  while (levels.next(level)) {
    // '#' stands alone, and only in the last level [MQTT-4.7.1-1].
    if (after_hash) return false;
    if (level.find('#') != std::string_view::npos) {
      if (level.size() != 1) return false;
      after_hash = true;
    }
    // '+' stands alone in its level [MQTT-4.7.1-2].
    if (level.find('+') != std::string_view::npos && level.size() != 1) return false;
    if (level.find('\0') != std::string_view::npos) return false;  // [MQTT-4.7.3-2]
  }
  return within_depth(filter, max_levels);
}

}  // namespace

bool valid_topic_name(std::string_view name, std::size_t max_levels) {
  if (name.empty()) return false;  // [MQTT-4.7.3-1]
  // No wildcards in a name [MQTT-3.3.2-2], and no null character [MQTT-4.7.3-2].
  if (name.find_first_of(std::string_view("+#\0", 3)) != std::string_view::npos) return false;
  return within_depth(name, max_levels);
}

bool valid_topic_filter(std::string_view filter, std::size_t max_levels) {
  const auto shared = split_shared(filter);
  if (!shared) return valid_plain_filter(filter, max_levels);
  // A share name is at least one character [MQTT-4.8.2-1] and holds no
  // '/', '+' or '#' [MQTT-4.8.2-2]; split_shared already stopped at '/'.
  if (shared->group.empty()) return false;
  if (shared->group.find_first_of("+#") != std::string_view::npos) return false;
  if (shared->group.find('\0') != std::string_view::npos) return false;  // [MQTT-4.7.3-2]
  // The depth limit is on the topic levels the filter matches, which
  // "$share/{group}/" is not part of.
  return valid_plain_filter(shared->filter, max_levels);
}

std::optional<SharedFilter> split_shared(std::string_view filter) {
  if (!filter.starts_with(kSharePrefix)) return std::nullopt;
  filter.remove_prefix(kSharePrefix.size());
  const std::size_t slash = filter.find('/');
  if (slash == std::string_view::npos) return SharedFilter{filter, {}};
  return SharedFilter{filter.substr(0, slash), filter.substr(slash + 1)};
}

bool topic_matches(std::string_view filter, std::string_view name) {
  // "$SYS/..." and the like are the server's: a wildcard in the first level
  // does not reach them [MQTT-4.7.2-1].
  if (name.starts_with('$') && (filter.starts_with('+') || filter.starts_with('#'))) return false;
  LevelCursor filter_levels(filter);
  LevelCursor name_levels(name);
  std::string_view f;
  std::string_view n;
  while (filter_levels.next(f)) {
    // '#' matches what is left, including nothing: "a/#" matches "a" (4.7.1.2).
    if (f == "#") return true;
    if (!name_levels.next(n)) return false;
    if (f != "+" && f != n) return false;
  }
  return !name_levels.next(n);
}

std::size_t topic_levels(std::string_view topic) {
  std::size_t levels = 1;
  for (const char c : topic) levels += c == '/' ? 1 : 0;
  return levels;
}

bool filters_overlap(std::string_view a, std::string_view b) {
  while (true) {
    const auto ea = a.find('/');
    const auto eb = b.find('/');
    const auto la = a.substr(0, ea);
    const auto lb = b.substr(0, eb);
    if (la == "#" || lb == "#") return true;
    if (la != "+" && lb != "+" && la != lb) return false;
    const bool a_last = ea == std::string_view::npos;
    const bool b_last = eb == std::string_view::npos;
    if (a_last || b_last) {
      // "a/#" also matches "a" (4.7.1.2).
      if (a_last && b_last) return true;
      const auto rest = a_last ? b.substr(eb + 1) : a.substr(ea + 1);
      return rest == "#";
    }
    a = a.substr(ea + 1);
    b = b.substr(eb + 1);
  }
}

}  // namespace citypulse::mqtt
