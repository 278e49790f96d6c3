// Template definitions of schema.h. Included only where the schemas are
// instantiated (asset_schema.cpp), so Boost.JSON's full headers and this code
// compile once.
#pragma once

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <boost/json.hpp>
#include <cmath>
#include <set>

#include "model/schema.h"

namespace citypulse::schema_detail {

namespace json = boost::json;

inline bool is_meta(std::string_view key) {
  return key == "id" || key == "version" || key == "created_at" || key == "updated_at";
}

inline std::string pointer(std::string_view name) {
  return fmt::format("/{}", name);
}

inline Error invalid(std::string_view name, std::string message) {
  return Error{ErrorCode::invalid, std::move(message), pointer(name)};
}

inline std::string_view type_name(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return "a number";
    case json::kind::string:
      return "a string";
    case json::kind::array:
      return "an array";
    case json::kind::object:
      return "an object";
  }
  return "a value";
}

// A whole number from any JSON number kind that holds one exactly.
inline std::optional<std::int64_t> as_whole(const json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(v.get_uint64());
  if (v.is_double()) {
    const double d = v.get_double();
    if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 9.0e15)
      return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

inline std::string range_text(double min, double max) {
  if (std::isinf(min)) return fmt::format("at most {}", max);
  if (std::isinf(max)) return fmt::format("at least {}", min);
  return fmt::format("between {} and {}", min, max);
}

inline std::string choices_text(std::span<const std::string_view> choices) {
  return fmt::format("{}", fmt::join(choices, ", "));
}

inline Result<std::string> read_text(std::string_view name, const json::value& v, double min,
                                     double max) {
  if (!v.is_string())
    return std::unexpected(
        invalid(name, fmt::format("'{}' must be a string, not {}", name, type_name(v))));
  const auto& s = v.get_string();
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f)
      return std::unexpected(
          invalid(name, fmt::format("'{}' must not contain control characters", name)));
  if (static_cast<double>(s.size()) < min)
    return std::unexpected(
        invalid(name, min <= 1 ? fmt::format("'{}' must not be empty", name)
                               : fmt::format("'{}' must have at least {} characters", name, min)));
  if (static_cast<double>(s.size()) > max)
    return std::unexpected(
        invalid(name, fmt::format("'{}' must have at most {} bytes", name, max)));
  return std::string(s);
}

// Tags are 1..64 bytes unless the field says longer (`max`).
inline Result<std::vector<std::string>> read_tags(std::string_view name, const json::value& v,
                                                  double max) {
  if (!v.is_array())
    return std::unexpected(
        invalid(name, fmt::format("'{}' must be an array of strings, not {}", name, type_name(v))));
  const auto& a = v.get_array();
  if (a.size() > 64)
    return std::unexpected(invalid(name, fmt::format("'{}' may hold at most 64 tags", name)));
  std::vector<std::string> tags;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto t = read_text(name, a[i], 1, std::isfinite(max) ? max : 64);
    if (!t) {
      auto e = t.error();
      e.field = fmt::format("/{}/{}", name, i);
      e.message = fmt::format("'{}' item {}: {}", name, i, e.message);
      return std::unexpected(e);
    }
    if (seen.insert(*t).second) tags.push_back(std::move(*t));  // duplicates collapse
  }
  return tags;
}

inline Result<std::vector<DeviceChannel>> read_channels(std::string_view name,
                                                        const json::value& v) {
  if (!v.is_array())
    return std::unexpected(
        invalid(name, fmt::format("'{}' must be an array of {{channel, point_id}} objects", name)));
  const auto& a = v.get_array();
  if (a.size() > 10'000)
    return std::unexpected(
        invalid(name, fmt::format("'{}' may hold at most 10000 channels", name)));
  std::vector<DeviceChannel> out;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::string at = fmt::format("/{}/{}", name, i);
    auto bad = [&](std::string msg) {
      return std::unexpected(Error{ErrorCode::invalid, std::move(msg), at});
    };
    if (!a[i].is_object()) return bad(fmt::format("'{}' item {} must be an object", name, i));
    const auto& o = a[i].get_object();
    DeviceChannel c;
    bool has_channel = false, has_point = false;
    for (const auto& [k, val] : o) {
      if (k == "channel") {
        auto t = read_text("channel", val, 1, 100);
        if (!t) return bad(fmt::format("'{}' item {}: {}", name, i, t.error().message));
        c.channel = std::move(*t);
        has_channel = true;
      } else if (k == "point_id") {
        auto id = as_whole(val);
        if (!id || *id < 1)
          return bad(fmt::format("'{}' item {}: 'point_id' must be a positive integer", name, i));
        c.point_id = *id;
        has_point = true;
      } else {
        return bad(fmt::format("'{}' item {}: unknown field '{}'", name, i, std::string_view(k)));
      }
    }
    if (!has_channel || !has_point)
      return bad(fmt::format("'{}' item {} needs both 'channel' and 'point_id'", name, i));
    if (!seen.insert(c.channel).second)
      return bad(fmt::format("'{}': channel '{}' is mapped twice", name, c.channel));
    out.push_back(std::move(c));
  }
  return out;
}

template <class T>
bool same_value(const T& a, const T& b, const Member<T>& m) {
  return std::visit([&](auto p) { return a.*p == b.*p; }, m);
}

// Reads one field's JSON value into the record.
template <class T>
Status read_field(const FieldSpec<T>& f, const json::value& v, T& out) {
  const auto name = f.name;
  return std::visit(
      [&](auto p) -> Status {
        using M = std::decay_t<decltype(out.*p)>;
        if constexpr (std::is_same_v<M, std::int64_t> ||
                      std::is_same_v<M, std::optional<std::int64_t>>) {
          if (v.is_null()) {
            if constexpr (std::is_same_v<M, std::optional<std::int64_t>>) {
              if (!f.required) {
                out.*p = std::nullopt;
                return {};
              }
            }
            return std::unexpected(invalid(name, fmt::format("'{}' must not be null", name)));
          }
          auto i = as_whole(v);
          if (!i)
            return std::unexpected(invalid(
                name,
                fmt::format("'{}' must be {}, not {}", name,
                            f.type == FieldType::ref ? "the integer id of a record" : "an integer",
                            v.is_double() ? "a fraction" : type_name(v))));
          const double lo = f.type == FieldType::ref ? 1 : f.min;
          if (static_cast<double>(*i) < lo || static_cast<double>(*i) > f.max)
            return std::unexpected(invalid(
                name, f.type == FieldType::ref
                          ? fmt::format("'{}' must be a positive id", name)
                          : fmt::format("'{}' must be {}", name, range_text(f.min, f.max))));
          out.*p = *i;
          return {};
        } else if constexpr (std::is_same_v<M, std::optional<double>>) {
          if (v.is_null()) {
            if (f.required)
              return std::unexpected(invalid(name, fmt::format("'{}' must not be null", name)));
            out.*p = std::nullopt;
            return {};
          }
          if (!v.is_number())
            return std::unexpected(
                invalid(name, fmt::format("'{}' must be a number, not {}", name, type_name(v))));
          const double d = v.to_number<double>();
          if (!std::isfinite(d) || d < f.min || d > f.max)
            return std::unexpected(
                invalid(name, fmt::format("'{}' must be {}", name, range_text(f.min, f.max))));
          out.*p = d;
          return {};
        } else if constexpr (std::is_same_v<M, std::string>) {
          if (f.type == FieldType::choice) {
            if (!v.is_string())
              return std::unexpected(
                  invalid(name, fmt::format("'{}' must be a string, not {}", name, type_name(v))));
            const std::string_view s = v.get_string();
            for (auto c : f.choices)
              if (c == s) {
                out.*p = std::string(s);
                return {};
              }
            return std::unexpected(invalid(name, fmt::format("'{}' must be one of: {}; got '{}'",
                                                             name, choices_text(f.choices), s)));
          }
          auto t = read_text(name, v, f.min, f.max);
          if (!t) return std::unexpected(t.error());
          out.*p = std::move(*t);
          return {};
        } else if constexpr (std::is_same_v<M, std::vector<std::string>>) {
          auto t = read_tags(name, v, f.max);
          if (!t) return std::unexpected(t.error());
          out.*p = std::move(*t);
          return {};
        } else {
          auto c = read_channels(name, v);
          if (!c) return std::unexpected(c.error());
          out.*p = std::move(*c);
          return {};
        }
      },
      f.member);
}

template <class T>
json::value write_field(const FieldSpec<T>& f, const T& record) {
  return std::visit(
      [&](auto p) -> json::value {
        const auto& v = record.*p;
        using M = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<M, std::optional<std::int64_t>> ||
                      std::is_same_v<M, std::optional<double>>) {
          if (!v) return nullptr;
          return json::value(*v);
        } else if constexpr (std::is_same_v<M, std::vector<std::string>>) {
          json::array a;
          for (const auto& s : v) a.emplace_back(s);
          return a;
        } else if constexpr (std::is_same_v<M, std::vector<DeviceChannel>>) {
          json::array a;
          for (const auto& c : v)
            a.push_back(json::object{{"channel", c.channel}, {"point_id", c.point_id}});
          return a;
        } else {
          return json::value(v);
        }
      },
      f.member);
}

}  // namespace citypulse::schema_detail

namespace citypulse {

template <class T>
Result<T> decode(const boost::json::value& body, const Schema<T>& schema, DecodeMode mode,
                 const T* current) {
  using namespace schema_detail;
  if (!body.is_object())
    return fail(ErrorCode::invalid,
                fmt::format("the request body must be a JSON object, not {}", type_name(body)));
  const auto& obj = body.get_object();
  T out = mode == DecodeMode::patch ? *current : T{};
  if (mode != DecodeMode::create)
    static_cast<RecordMeta&>(out) = static_cast<const RecordMeta&>(*current);

  for (const auto& [key, value] : obj) {
    const std::string_view k = key;
    if (is_meta(k)) continue;
    if (k == "tenant_id" && schema.tenant != TenantField::none) {
      if (schema.tenant == TenantField::derived) continue;
      auto id = as_whole(value);
      if (!id || *id < 1)
        return std::unexpected(
            invalid(k, "'tenant_id' must be the positive integer id of a tenant"));
      if (mode != DecodeMode::create && *id != current->tenant_id)
        return std::unexpected(invalid(k, "'tenant_id' cannot be changed"));
      out.tenant_id = *id;
      continue;
    }
    const FieldSpec<T>* f = find_field(schema, k);
    if (!f)
      return std::unexpected(
          invalid(k, fmt::format("unknown field '{}' for a {}", k, schema.name)));
    if (f->access == Access::derived) continue;
    if (auto s = read_field(*f, value, out); !s) return std::unexpected(s.error());
    if (f->access == Access::immutable && mode != DecodeMode::create &&
        !same_value(out, *current, f->member))
      return std::unexpected(invalid(k, fmt::format("'{}' cannot be changed after creation", k)));
  }
  if (mode != DecodeMode::patch) {
    for (const auto& f : schema.fields) {
      if (f.access == Access::derived) continue;
      if (!obj.contains(f.name)) {
        // A replacement may leave out what cannot change anyway, and what
        // it cannot have read.
        if ((f.access == Access::immutable || f.access == Access::write_only) &&
            mode == DecodeMode::replace)
          std::visit([&](auto p) { out.*p = current->*p; }, f.member);
        else if (f.required)
          return std::unexpected(
              invalid(f.name, fmt::format("missing required field '{}'", f.name)));
      }
    }
  }
  if (schema.check)
    if (auto s = schema.check(out); !s) return std::unexpected(s.error());
  return out;
}

template <class T>
boost::json::object encode(const T& record, const Schema<T>& schema) {
  using namespace schema_detail;
  json::object o;
  o["id"] = record.id;
  if (schema.tenant != TenantField::none) o["tenant_id"] = record.tenant_id;
  for (const auto& f : schema.fields)
    if (f.access != Access::write_only) o[f.name] = write_field(f, record);
  o["version"] = record.version;
  o["created_at"] = format_rfc3339(record.created_at);
  o["updated_at"] = format_rfc3339(record.updated_at);
  return o;
}

template <class T>
boost::json::object json_schema(const Schema<T>& schema) {
  using namespace schema_detail;
  json::object props;
  json::array required;
  auto meta_int = [](std::string_view desc) {
    return json::object{{"type", "integer"}, {"readOnly", true}, {"description", desc}};
  };
  props["id"] = meta_int("Assigned by the server.");
  required.emplace_back("id");
  if (schema.tenant != TenantField::none) {
    auto t = meta_int(schema.tenant == TenantField::derived
                          ? "The owning tenant; taken from the parent record."
                          : "The owning tenant; from the caller's scope, or given once on create.");
    if (schema.tenant == TenantField::explicit_) t.erase("readOnly");
    props["tenant_id"] = std::move(t);
  }
  for (const auto& f : schema.fields) {
    json::object p;
    const bool nullable = std::visit(
        [](auto m) {
          using M = std::decay_t<decltype(std::declval<T>().*m)>;
          return std::is_same_v<M, std::optional<std::int64_t>> ||
                 std::is_same_v<M, std::optional<double>>;
        },
        f.member);
    auto type = [&](std::string_view t) {
      if (nullable && !f.required)
        p["type"] = json::array{t, "null"};
      else
        p["type"] = t;
    };
    switch (f.type) {
      case FieldType::ref:
        type("integer");
        p["minimum"] = 1;
        p["x-references"] = f.ref;
        break;
      case FieldType::integer:
      case FieldType::number:
        type(f.type == FieldType::integer ? "integer" : "number");
        if (!std::isinf(f.min)) p["minimum"] = f.min;
        if (!std::isinf(f.max)) p["maximum"] = f.max;
        break;
      case FieldType::text:
        type("string");
        if (f.min > 0) p["minLength"] = f.min;
        if (!std::isinf(f.max)) p["maxLength"] = f.max;
        break;
      case FieldType::choice: {
        type("string");
        json::array e;
        for (auto c : f.choices) e.emplace_back(c);
        p["enum"] = std::move(e);
        break;
      }
      case FieldType::tags:
        p["type"] = "array";
        p["items"] = json::object{
            {"type", "string"},
            {"minLength", 1},
            {"maxLength", std::isfinite(f.max) ? static_cast<std::int64_t>(f.max) : 64}};
        p["maxItems"] = 64;
        break;
      case FieldType::channels:
        p["type"] = "array";
        p["items"] = json::object{
            {"type", "object"},
            {"additionalProperties", false},
            {"required", json::array{"channel", "point_id"}},
            {"properties",
             json::object{{"channel",
                           json::object{{"type", "string"}, {"minLength", 1}, {"maxLength", 100}}},
                          {"point_id", json::object{{"type", "integer"}, {"minimum", 1}}}}}};
        break;
    }
    if (f.access == Access::derived) p["readOnly"] = true;
    if (f.access == Access::write_only) p["writeOnly"] = true;
    if (!f.description.empty()) p["description"] = f.description;
    props[f.name] = std::move(p);
    if (f.required) required.emplace_back(f.name);
  }
  props["version"] = meta_int("Grows by one with every update; the ETag of the record.");
  props["created_at"] =
      json::object{{"type", "string"}, {"format", "date-time"}, {"readOnly", true}};
  props["updated_at"] =
      json::object{{"type", "string"}, {"format", "date-time"}, {"readOnly", true}};
  return json::object{{"type", "object"},
                      {"description", schema.description},
                      {"additionalProperties", false},
                      {"required", std::move(required)},
                      {"properties", std::move(props)}};
}

template <class T>
std::vector<std::string_view> filter_names(const Schema<T>& schema) {
  std::vector<std::string_view> names;
  if (schema.tenant != TenantField::none) names.push_back("tenant_id");
  for (const auto& f : schema.fields) {
    if (f.type == FieldType::ref || f.type == FieldType::choice) names.push_back(f.name);
    if (f.type == FieldType::tags && f.name == "tags") names.push_back("tag");
  }
  return names;
}

}  // namespace citypulse
