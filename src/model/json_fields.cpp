#include "model/json_fields.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <boost/json.hpp>
#include <cmath>

namespace citypulse {

std::string JsonFields::pointer(std::string_view name) const {
  return fmt::format("{}/{}", prefix_, name);
}

Error JsonFields::wrong_type(std::string_view name, std::string_view expected) const {
  return Error{ErrorCode::invalid, fmt::format("'{}' must be {}", name, expected), pointer(name)};
}

Result<const boost::json::value*> JsonFields::required_member(std::string_view name,
                                                              bool required) const {
  const auto* v = object_->if_contains(name);
  if (v && v->is_null()) v = nullptr;
  if (!v && required)
    return fail(ErrorCode::invalid, fmt::format("missing required field '{}'", name),
                pointer(name));
  return v;
}

Result<JsonFields> JsonFields::of(const boost::json::value& body,
                                  std::initializer_list<std::string_view> known,
                                  std::string prefix) {
  if (!body.is_object())
    return fail(ErrorCode::invalid,
                prefix.empty() ? std::string("the body must be a JSON object")
                               : fmt::format("'{}' must be a JSON object", prefix),
                prefix);
  for (const auto& [k, v] : body.get_object())
    if (std::find(known.begin(), known.end(), std::string_view(k)) == known.end())
      return fail(
          ErrorCode::invalid,
          fmt::format("unknown field '{}'; known: {}", std::string_view(k), fmt::join(known, ", ")),
          fmt::format("{}/{}", prefix, std::string_view(k)));
  return JsonFields(body.get_object(), std::move(prefix));
}

Result<std::optional<double>> JsonFields::number(std::string_view name, bool required, double min,
                                                 double max) const {
  auto v = required_member(name, required);
  if (!v) return std::unexpected(v.error());
  if (!*v) return std::nullopt;
  if (!(*v)->is_number()) return fail(wrong_type(name, "a number"));
  const double x = (*v)->to_number<double>();
  if (!std::isfinite(x) || x < min || x > max)
    return fail(ErrorCode::invalid, fmt::format("'{}' must be from {} to {}", name, min, max),
                pointer(name));
  return x;
}

Result<std::optional<std::int64_t>> JsonFields::integer(std::string_view name, bool required,
                                                        std::int64_t min, std::int64_t max) const {
  auto v = required_member(name, required);
  if (!v) return std::unexpected(v.error());
  if (!*v) return std::nullopt;
  if (!(*v)->is_int64() && !(*v)->is_uint64()) return fail(wrong_type(name, "a whole number"));
  if ((*v)->is_uint64() && (*v)->get_uint64() > static_cast<std::uint64_t>(max))
    return fail(ErrorCode::invalid, fmt::format("'{}' must be from {} to {}", name, min, max),
                pointer(name));
  const std::int64_t x =
      (*v)->is_int64() ? (*v)->get_int64() : static_cast<std::int64_t>((*v)->get_uint64());
  if (x < min || x > max)
    return fail(ErrorCode::invalid, fmt::format("'{}' must be from {} to {}", name, min, max),
                pointer(name));
  return x;
}

bool JsonFields::is_null(std::string_view name) const {
  const auto* v = object_->if_contains(name);
  return v && v->is_null();
}

Result<std::optional<std::string>> JsonFields::text(std::string_view name, bool required,
                                                    std::size_t max_length) const {
  const auto* v = object_->if_contains(name);
  if (!v) {
    if (required)
      return fail(ErrorCode::invalid, fmt::format("missing required field '{}'", name),
                  pointer(name));
    return std::nullopt;
  }
  if (!v->is_string()) return fail(wrong_type(name, "a string"));
  const auto& s = v->get_string();
  if (s.empty() || s.size() > max_length)
    return fail(ErrorCode::invalid,
                fmt::format("'{}' must have 1 to {} characters", name, max_length), pointer(name));
  return std::string(s);
}

Result<std::optional<bool>> JsonFields::boolean(std::string_view name) const {
  const auto* v = object_->if_contains(name);
  if (!v) return std::nullopt;
  if (!v->is_bool()) return fail(wrong_type(name, "true or false"));
  return v->get_bool();
}

Result<std::optional<Id>> JsonFields::id(std::string_view name) const {
  const auto* v = object_->if_contains(name);
  if (!v || v->is_null()) return std::nullopt;
  if (v->is_int64() && v->get_int64() > 0) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() > 0 && v->get_uint64() <= INT64_MAX)
    return static_cast<Id>(v->get_uint64());
  return fail(wrong_type(name, "a positive integer id"));
}

Result<std::optional<TimeMs>> JsonFields::instant(std::string_view name) const {
  const auto* v = object_->if_contains(name);
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_string()) return fail(wrong_type(name, "an RFC 3339 time"));
  auto t = parse_rfc3339(std::string_view(v->get_string()));
  if (!t) return fail(wrong_type(name, "an RFC 3339 time such as 2027-01-31T00:00:00Z"));
  return *t;
}

Result<std::optional<std::vector<Id>>> JsonFields::ids(std::string_view name) const {
  const auto* v = object_->if_contains(name);
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_array() || v->get_array().size() > 10'000)
    return fail(wrong_type(name, "an array of at most 10000 ids"));
  std::vector<Id> out;
  for (std::size_t i = 0; i < v->get_array().size(); ++i) {
    const auto& e = v->get_array()[i];
    if (!e.is_int64() || e.get_int64() < 1)
      return fail(ErrorCode::invalid, fmt::format("'{}' must hold positive integer ids", name),
                  fmt::format("{}/{}", pointer(name), i));
    out.push_back(e.get_int64());
  }
  return out;
}

Result<std::optional<std::vector<std::string>>> JsonFields::texts(std::string_view name) const {
  const auto* v = object_->if_contains(name);
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_array() || v->get_array().size() > 100)
    return fail(wrong_type(name, "an array of at most 100 strings"));
  std::vector<std::string> out;
  for (std::size_t i = 0; i < v->get_array().size(); ++i) {
    const auto& e = v->get_array()[i];
    if (!e.is_string() || e.get_string().empty() || e.get_string().size() > 100)
      return fail(ErrorCode::invalid,
                  fmt::format("'{}' must hold strings of 1 to 100 characters", name),
                  fmt::format("{}/{}", pointer(name), i));
    out.emplace_back(e.get_string());
  }
  return out;
}

}  // namespace citypulse
