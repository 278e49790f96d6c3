// Reading what `citypulse bench ...` prints: one JSON line among log lines.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace citypulse::test {

// Every line of `output` that is a JSON object, in order.
inline std::vector<boost::json::object> json_lines(const std::string& output) {
  std::vector<boost::json::object> lines;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line.front() == '{') lines.push_back(boost::json::parse(line).as_object());
  return lines;
}

// The first line of `output` that is a JSON object (stderr is mixed in).
inline boost::json::object json_line(const std::string& output) {
  auto lines = json_lines(output);
  if (!lines.empty()) return lines.front();
  ADD_FAILURE() << "no JSON line in: " << output;
  return {};
}

// The number `key` of `o`; a test failure when there is none.
inline double number(const boost::json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  if (!v || !v->is_number()) {
    ADD_FAILURE() << "no number " << key << " in " << boost::json::serialize(o);
    return 0;
  }
  return v->to_number<double>();
}

}  // namespace citypulse::test
