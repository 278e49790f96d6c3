// Topic names and topic filters (spec 4.7): their syntax, matching a name
// against a filter, and the "$share/{group}/{filter}" form of a shared
// subscription (4.8.2).
//
// Names and filters here are whole MQTT strings (already valid UTF-8 from
// the decoder); levels are separated by '/', and an empty level is a level.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace citypulse::mqtt {

// A topic name a client may publish to: not empty [MQTT-4.7.3-1], no
// wildcard character [MQTT-3.3.2-2], at most `max_levels` levels (the
// broker's mqtt.max_topic_depth; 0: no limit).
bool valid_topic_name(std::string_view name, std::size_t max_levels = 0);

// A topic filter a client may subscribe to: not empty [MQTT-4.7.3-1]; '#'
// only alone in the last level [MQTT-4.7.1-1]; '+' only alone in its level
// [MQTT-4.7.1-2]; at most `max_levels` levels (0: no limit). A shared
// filter must have a group name of at least one character without '+', '#'
// or '/' [MQTT-4.8.2-1], [MQTT-4.8.2-2], followed by a valid filter.
bool valid_topic_filter(std::string_view filter, std::size_t max_levels = 0);

struct SharedFilter {
  std::string_view group;   // "g" of "$share/g/a/b"
  std::string_view filter;  // "a/b" of "$share/g/a/b"
};

// The parts of "$share/{group}/{filter}"; nullopt for a filter that does not
// start with "$share/". The parts are not validated (valid_topic_filter does).
std::optional<SharedFilter> split_shared(std::string_view filter);

// Whether the topic name matches the (non-shared) filter. A name starting
// with '$' is not matched by a filter starting with a wildcard
// [MQTT-4.7.2-1]; "a/#" also matches "a" (4.7.1.2).
bool topic_matches(std::string_view filter, std::string_view name);

// Whether some topic name matches both (non-shared) filters: a subscription
// to one could receive what the other names.
bool filters_overlap(std::string_view a, std::string_view b);

// The first level of a name or filter and what follows its '/'; `last`
// when there is no '/' (4.7.1.1: "a/" is "a" then the empty level "").
struct TopicLevel {
  std::string_view level;
  std::string_view below;
  bool last = true;
};
TopicLevel first_level(std::string_view topic);

// Levels in a name or filter ("a/b" has 2, "" and "a" have 1).
std::size_t topic_levels(std::string_view topic);

}  // namespace citypulse::mqtt
