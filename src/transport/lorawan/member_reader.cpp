#include "transport/lorawan/member_reader.h"

#include <fmt/format.h>

#include <boost/json/parse.hpp>
#include <cmath>

namespace citypulse::lorawan {
namespace {

// The value as a double when it is a number of any JSON kind.
std::optional<double> as_double(const boost::json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_double()) return v.get_double();
  return std::nullopt;
}

}  // namespace

Result<boost::json::object> parse_json_object(std::string_view body) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(body, ec);
  if (ec)
    return fail(ErrorCode::bad_request, fmt::format("the body is not JSON: {}", ec.message()), "");
  if (!value.is_object()) return fail(ErrorCode::bad_request, "the body must be a JSON object", "");
  return std::move(value.get_object());
}

std::string pointer_to(const ObjectAt& in, std::string_view name) {
  return fmt::format("{}/{}", in.pointer, name);
}

const boost::json::value* MemberReader::member(const ObjectAt& in, std::string_view name) const {
  if (failed()) return nullptr;
  const boost::json::value* v = in.json->if_contains(name);
  return v == nullptr || v->is_null() ? nullptr : v;
}

void MemberReader::fail(std::string message, std::string field) {
  if (!error_) error_ = Error{ErrorCode::bad_request, std::move(message), std::move(field)};
}

void MemberReader::wrong_type(const ObjectAt& in, std::string_view name,
                              std::string_view expected) {
  const std::string field = pointer_to(in, name);
  fail(fmt::format("'{}' must be {}", field, expected), field);
}

std::optional<ObjectAt> MemberReader::object(const ObjectAt& in, std::string_view name) {
  const boost::json::value* v = member(in, name);
  if (v == nullptr) return std::nullopt;
  if (!v->is_object()) {
    wrong_type(in, name, "an object");
    return std::nullopt;
  }
  return ObjectAt{&v->get_object(), pointer_to(in, name)};
}

std::vector<ObjectAt> MemberReader::objects(const ObjectAt& in, std::string_view name) {
  std::vector<ObjectAt> out;
  const boost::json::value* v = member(in, name);
  if (v == nullptr) return out;
  if (!v->is_array()) {
    wrong_type(in, name, "an array");
    return out;
  }
  const boost::json::array& items = v->get_array();
  out.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string field = fmt::format("{}/{}", pointer_to(in, name), i);
    if (!items[i].is_object()) {
      fail(fmt::format("'{}' must be an object", field), field);
      return {};
    }
    out.push_back(ObjectAt{&items[i].get_object(), field});
  }
  return out;
}

std::optional<std::string_view> MemberReader::text(const ObjectAt& in, std::string_view name) {
  const boost::json::value* v = member(in, name);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) {
    wrong_type(in, name, "a string");
    return std::nullopt;
  }
  return std::string_view(v->get_string());
}

std::vector<std::string_view> MemberReader::texts(const ObjectAt& in, std::string_view name) {
  std::vector<std::string_view> out;
  const boost::json::value* v = member(in, name);
  if (v == nullptr) return out;
  if (!v->is_array()) {
    wrong_type(in, name, "an array");
    return out;
  }
  const boost::json::array& items = v->get_array();
  out.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!items[i].is_string()) {
      const std::string field = fmt::format("{}/{}", pointer_to(in, name), i);
      fail(fmt::format("'{}' must be a string", field), field);
      return {};
    }
    out.emplace_back(items[i].get_string());
  }
  return out;
}

std::optional<bool> MemberReader::boolean(const ObjectAt& in, std::string_view name) {
  const boost::json::value* v = member(in, name);
  if (v == nullptr) return std::nullopt;
  if (!v->is_bool()) {
    wrong_type(in, name, "true or false");
    return std::nullopt;
  }
  return v->get_bool();
}

std::optional<double> MemberReader::number(const ObjectAt& in, std::string_view name) {
  const boost::json::value* v = member(in, name);
  if (v == nullptr) return std::nullopt;
  const std::optional<double> d = as_double(*v);
  // Boost.JSON reads an overlong exponent such as 1e400 as infinity.
  if (!d || !std::isfinite(*d)) {
    wrong_type(in, name, "a finite number");
    return std::nullopt;
  }
  return d;
}

std::optional<std::int64_t> MemberReader::integer(const ObjectAt& in, std::string_view name,
                                                  std::int64_t min, std::int64_t max) {
  const boost::json::value* v = member(in, name);
  if (v == nullptr) return std::nullopt;
  // Every bound we check is far inside ±2^53, so the double compares exactly.
  const std::optional<double> d = as_double(*v);
  if (!d || *d != std::floor(*d) || *d < static_cast<double>(min) ||
      *d > static_cast<double>(max)) {
    wrong_type(in, name, fmt::format("an integer from {} to {}", min, max));
    return std::nullopt;
  }
  return static_cast<std::int64_t>(*d);
}

std::optional<TimeMs> MemberReader::instant(const ObjectAt& in, std::string_view name) {
  const std::optional<std::string_view> s = text(in, name);
  if (!s) return std::nullopt;
  // The longest RFC 3339 form (nanoseconds and an offset) has 35 characters;
  // refusing longer text up front keeps a huge string out of the message.
  if (s->size() > 40) {
    fail(fmt::format("'{}' is not an RFC 3339 date-time", pointer_to(in, name)),
         pointer_to(in, name));
    return std::nullopt;
  }
  const Result<TimeMs> t = parse_rfc3339(*s);
  if (!t) {
    fail(fmt::format("'{}': {}", pointer_to(in, name), t.error().message), pointer_to(in, name));
    return std::nullopt;
  }
  return *t;
}

}  // namespace citypulse::lorawan
