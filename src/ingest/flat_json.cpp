#include "ingest/flat_json.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

namespace citypulse::ingest {
namespace {

// Walks the object depth first, in body order, building each key in one
// buffer. The work is linear in the body: every value is visited at most
// once, and the recursion is at most max_depth deep.
class Flattener {
 public:
  Flattener(const FlattenLimits& limits, std::vector<FlatValue>& out)
      : limits_(limits), out_(out) {}

  // False once the bound is passed (the walk stops there).
  bool walk(const boost::json::object& object, std::size_t depth) {
    for (const auto& [name, value] : object) {
      if (depth == 1 && std::find(limits_.skip_top.begin(), limits_.skip_top.end(),
                                  std::string_view(name)) != limits_.skip_top.end())
        continue;
      const std::size_t mark = key_.size();
      const std::size_t grown = mark + (mark == 0 ? 0 : 1) + name.size();
      // A longer key only gets longer further down, so the whole subtree goes.
      if (name.empty() || grown > limits_.max_key) continue;
      if (mark != 0) key_ += '.';
      key_.append(name.data(), name.size());
      bool within = true;
      if (value.is_object()) {
        if (depth < limits_.max_depth) within = walk(value.get_object(), depth + 1);
      } else if (value.is_bool()) {
        within = add(value.get_bool() ? 1.0 : 0.0);
      } else if (value.is_int64()) {
        within = add(static_cast<double>(value.get_int64()));
      } else if (value.is_uint64()) {
        within = add(static_cast<double>(value.get_uint64()));
      } else if (value.is_double() && std::isfinite(value.get_double())) {
        within = add(value.get_double());
      }
      key_.resize(mark);
      if (!within) return false;
    }
    return true;
  }

 private:
  bool add(double value) {
    if (seen_.contains(key_)) return true;
    if (out_.size() >= limits_.max_values) return false;
    seen_.insert(key_);
    out_.push_back(FlatValue{key_, value});
    return true;
  }

  const FlattenLimits& limits_;
  std::vector<FlatValue>& out_;
  std::string key_;
  std::unordered_set<std::string> seen_;
};

}  // namespace

bool flatten_values(const boost::json::object& object, const FlattenLimits& limits,
                    std::vector<FlatValue>& out) {
  return Flattener(limits, out).walk(object, 1);
}

}  // namespace citypulse::ingest
