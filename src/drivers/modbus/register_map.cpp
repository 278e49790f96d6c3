#include "drivers/modbus/register_map.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <cmath>
#include <set>

#include "model/json_fields.h"

namespace citypulse::modbus {
namespace {

constexpr std::array kTables = {"holding", "input", "coil", "discrete"};
constexpr std::array kTypes = {"int16", "uint16", "int32", "uint32", "float32", "float64", "bool"};
constexpr std::array kOrders = {"big", "little"};

template <class Enum, std::size_t N>
std::optional<Enum> find_name(const std::array<const char*, N>& names, std::string_view name) {
  for (std::size_t i = 0; i < N; ++i)
    if (name == names[i]) return static_cast<Enum>(i);
  return std::nullopt;
}

template <std::size_t N>
std::string listed(const std::array<const char*, N>& names) {
  std::string out;
  for (std::size_t i = 0; i < N; ++i) out += fmt::format("{}{}", i == 0 ? "" : ", ", names[i]);
  return out;
}

// An optional member that must be one of `names`.
template <class Enum, std::size_t N>
Result<std::optional<Enum>> named(const JsonFields& f, std::string_view member,
                                  const std::array<const char*, N>& names) {
  auto text = f.text(member, false, 20);
  if (!text) return std::unexpected(text.error());
  if (!*text) return std::nullopt;
  if (auto e = find_name<Enum>(names, **text)) return e;
  return fail(ErrorCode::invalid,
              fmt::format("'{}' must be one of {}; got '{}'", member, listed(names), **text),
              f.pointer(member));
}

// The array member `name` of 0..max elements (required: 1..max).
Result<const boost::json::array*> array_member(const JsonFields& f, std::string_view name,
                                               std::size_t max, bool required) {
  const auto* v = f.get(name);
  if (!v || v->is_null()) {
    if (required)
      return fail(ErrorCode::invalid, fmt::format("missing required field '{}'", name),
                  f.pointer(name));
    return nullptr;
  }
  const std::size_t min = required ? 1 : 0;
  if (!v->is_array() || v->get_array().size() < min || v->get_array().size() > max)
    return fail(ErrorCode::invalid,
                fmt::format("'{}' must be an array of {} to {} elements", name, min, max),
                f.pointer(name));
  return &v->get_array();
}

Result<PollGroup> parse_group(const boost::json::value& v, const std::string& at) {
  auto f = JsonFields::of(v, {"name", "interval_ms"}, at);
  if (!f) return std::unexpected(f.error());
  PollGroup g;
  auto name = f->text("name", true, 64);
  if (!name) return std::unexpected(name.error());
  g.name = **name;
  auto interval = f->integer("interval_ms", true, kMinIntervalMs, kMaxIntervalMs);
  if (!interval) return std::unexpected(interval.error());
  g.interval_ms = **interval;
  return g;
}

// The rules between a point's fields, once each field is well-formed alone.
Status check_point(const RegisterPoint& p, const JsonFields& f, bool has_type, bool has_scale) {
  const bool bits = !has_registers(p.table);
  const ValueFormat& v = p.format;
  if (bits && v.type != ValueType::boolean)
    return fail(ErrorCode::invalid,
                fmt::format("a {} holds one bit: 'type' must be bool", to_string(p.table)),
                f.pointer("type"));
  for (const char* order : {"word_order", "byte_order"})
    if (bits && f.has(order))
      return fail(ErrorCode::invalid,
                  fmt::format("a {} is one bit: it has no '{}'", to_string(p.table), order),
                  f.pointer(order));
  if (!bits && !has_type)
    return fail(ErrorCode::invalid, "missing required field 'type'", f.pointer("type"));
  if (v.bit && (bits || v.type != ValueType::boolean))
    return fail(ErrorCode::invalid,
                "'bit' takes a bool out of a holding or input register: it needs type bool",
                f.pointer("bit"));
  if (!bits && v.type == ValueType::boolean && !v.bit)
    return fail(ErrorCode::invalid, "a bool in a register is a bit field: it needs 'bit' (0..15)",
                f.pointer("bit"));
  if (v.type == ValueType::boolean && has_scale)
    return fail(ErrorCode::invalid, "a bool has no scale or offset", f.pointer("scale"));
  if (p.address + item_count(p) - 1 > 0xFFFF)
    return fail(ErrorCode::invalid,
                fmt::format("a {} at {} runs past address 65535", to_string(v.type), p.address),
                f.pointer("address"));
  if (p.writable && (p.table == Table::input || p.table == Table::discrete))
    return fail(ErrorCode::invalid,
                fmt::format("{} is read-only in Modbus: only holding and coil points are writable",
                            p.table == Table::input ? "an input register" : "a discrete input"),
                f.pointer("writable"));
  return {};
}

Result<RegisterPoint> parse_point(const boost::json::value& v, const std::string& at,
                                  const std::vector<PollGroup>& groups) {
  auto f = JsonFields::of(v,
                          {"channel", "table", "address", "type", "word_order", "byte_order",
                           "scale", "offset", "bit", "group", "writable"},
                          at);
  if (!f) return std::unexpected(f.error());
  RegisterPoint p;
  auto channel = f->text("channel", true, 100);
  if (!channel) return std::unexpected(channel.error());
  p.channel = **channel;
  if (!f->get("table"))
    return fail(ErrorCode::invalid, "missing required field 'table'", f->pointer("table"));
  auto table = named<Table>(*f, "table", kTables);
  if (!table) return std::unexpected(table.error());
  p.table = **table;
  auto address = f->integer("address", true, 0, 0xFFFF);
  if (!address) return std::unexpected(address.error());
  p.address = static_cast<std::uint16_t>(**address);
  auto type = named<ValueType>(*f, "type", kTypes);
  if (!type) return std::unexpected(type.error());
  p.format.type = type->value_or(has_registers(p.table) ? ValueType::uint16 : ValueType::boolean);
  auto word_order = named<Order>(*f, "word_order", kOrders);
  if (!word_order) return std::unexpected(word_order.error());
  p.format.word_order = word_order->value_or(Order::big);
  auto byte_order = named<Order>(*f, "byte_order", kOrders);
  if (!byte_order) return std::unexpected(byte_order.error());
  p.format.byte_order = byte_order->value_or(Order::big);
  auto scale = f->number("scale", false, -1e9, 1e9);
  if (!scale) return std::unexpected(scale.error());
  if (*scale && **scale == 0)
    return fail(ErrorCode::invalid, "'scale' must not be 0", f->pointer("scale"));
  p.format.scale = scale->value_or(1.0);
  auto offset = f->number("offset", false, -1e9, 1e9);
  if (!offset) return std::unexpected(offset.error());
  p.format.offset = offset->value_or(0.0);
  auto bit = f->integer("bit", false, 0, 15);
  if (!bit) return std::unexpected(bit.error());
  if (*bit) p.format.bit = static_cast<std::uint8_t>(**bit);
  auto group = f->text("group", false, 64);
  if (!group) return std::unexpected(group.error());
  p.group = group->value_or(groups.front().name);
  if (std::none_of(groups.begin(), groups.end(),
                   [&](const PollGroup& g) { return g.name == p.group; }))
    return fail(ErrorCode::invalid, fmt::format("no poll group is named '{}'", p.group),
                f->pointer("group"));
  auto writable = f->boolean("writable");
  if (!writable) return std::unexpected(writable.error());
  p.writable = writable->value_or(false);
  const bool has_scale = (*scale && **scale != 1.0) || (*offset && **offset != 0.0);
  if (auto s = check_point(p, *f, type->has_value(), has_scale); !s)
    return std::unexpected(s.error());
  return p;
}

template <class T>
Status take_integer(const JsonFields& f, std::string_view name, std::int64_t min, std::int64_t max,
                    T& out) {
  auto v = f.integer(name, false, min, max);
  if (!v) return std::unexpected(v.error());
  if (*v) out = static_cast<T>(**v);
  return {};
}

}  // namespace

bool has_registers(Table table) {
  return table == Table::holding || table == Table::input;
}

unsigned register_count(ValueType type) {
  switch (type) {
    case ValueType::int32:
    case ValueType::uint32:
    case ValueType::float32:
      return 2;
    case ValueType::float64:
      return 4;
    default:
      return 1;
  }
}

unsigned item_count(const RegisterPoint& point) {
  return has_registers(point.table) ? register_count(point.format.type) : 1;
}

const char* to_string(Table table) {
  return kTables[static_cast<std::size_t>(table)];
}
const char* to_string(ValueType type) {
  return kTypes[static_cast<std::size_t>(type)];
}
const char* to_string(Order order) {
  return kOrders[static_cast<std::size_t>(order)];
}
std::optional<Table> parse_table(std::string_view name) {
  return find_name<Table>(kTables, name);
}
std::optional<ValueType> parse_value_type(std::string_view name) {
  return find_name<ValueType>(kTypes, name);
}
std::optional<Order> parse_order(std::string_view name) {
  return find_name<Order>(kOrders, name);
}

bool is_host_name(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  // Each dot-separated label: 1..63 letters, digits and hyphens, no hyphen at
  // either end (RFC 1123 2.1). A dotted quad passes as four numeric labels, so
  // an all-numeric name must also be a valid IPv4 address.
  bool numeric = true;
  int labels = 0;
  std::size_t start = 0;
  while (start <= host.size()) {
    const std::size_t end = std::min(host.find('.', start), host.size());
    const std::string_view label = host.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    for (char c : label) {
      const bool digit = c >= '0' && c <= '9';
      if (!digit && c != '-' && !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z')) return false;
      numeric = numeric && digit;
    }
    if (numeric && (label.size() > 3 || std::stoi(std::string(label)) > 255)) return false;
    ++labels;
    start = end + 1;
  }
  return !numeric || labels == 4;
}

Result<DeviceConfig> parse_device_config_text(std::string_view text) {
  boost::system::error_code ec;
  auto document = boost::json::parse(text, ec);
  if (ec) return fail(ErrorCode::bad_request, "the register map is not JSON: " + ec.message());
  return parse_device_config(document);
}

Result<DeviceConfig> parse_device_config(const boost::json::value& document) {
  auto f = JsonFields::of(document, {"host", "port", "unit_id", "timeout_ms", "retries", "max_gap",
                                     "groups", "points"});
  if (!f) return std::unexpected(f.error());
  DeviceConfig c;
  auto host = f->text("host", true, 253);
  if (!host) return std::unexpected(host.error());
  if (!is_host_name(**host))
    return fail(ErrorCode::invalid,
                fmt::format("'host' must be an IPv4 address or a host name; got '{}'", **host),
                "/host");
  c.host = **host;
  for (auto s :
       {take_integer(*f, "port", 1, 65535, c.port), take_integer(*f, "unit_id", 0, 255, c.unit_id),
        take_integer(*f, "timeout_ms", 10, 60'000, c.timeout_ms),
        take_integer(*f, "retries", 0, 10, c.retries),
        take_integer(*f, "max_gap", 0, 100, c.max_gap)})
    if (!s) return std::unexpected(s.error());
  if (c.unit_id > 247 && c.unit_id != 255)
    return fail(ErrorCode::invalid, "'unit_id' must be from 0 to 247, or 255", "/unit_id");

  auto groups = array_member(*f, "groups", kMaxGroups, true);
  if (!groups) return std::unexpected(groups.error());
  for (std::size_t i = 0; i < (*groups)->size(); ++i) {
    auto g = parse_group((**groups)[i], fmt::format("/groups/{}", i));
    if (!g) return std::unexpected(g.error());
    for (const auto& earlier : c.groups)
      if (earlier.name == g->name)
        return fail(ErrorCode::invalid, fmt::format("two groups are named '{}'", g->name),
                    fmt::format("/groups/{}/name", i));
    c.groups.push_back(std::move(*g));
  }

  auto points = array_member(*f, "points", kMaxPoints, false);
  if (!points) return std::unexpected(points.error());
  std::set<std::string, std::less<>> channels;
  for (std::size_t i = 0; *points && i < (*points)->size(); ++i) {
    auto p = parse_point((**points)[i], fmt::format("/points/{}", i), c.groups);
    if (!p) return std::unexpected(p.error());
    if (!channels.insert(p->channel).second)
      return fail(ErrorCode::invalid, fmt::format("two points are named '{}'", p->channel),
                  fmt::format("/points/{}/channel", i));
    c.points.push_back(std::move(*p));
  }
  return c;
}

boost::json::value to_json(const DeviceConfig& config) {
  boost::json::array groups;
  for (const auto& g : config.groups)
    groups.push_back(boost::json::object{{"name", g.name}, {"interval_ms", g.interval_ms}});
  boost::json::array points;
  for (const auto& p : config.points) {
    boost::json::object o{{"channel", p.channel}, {"table", to_string(p.table)},
                          {"address", p.address}, {"type", to_string(p.format.type)},
                          {"group", p.group},     {"writable", p.writable}};
    if (has_registers(p.table)) {
      o["word_order"] = to_string(p.format.word_order);
      o["byte_order"] = to_string(p.format.byte_order);
    }
    if (p.format.type != ValueType::boolean) {
      o["scale"] = p.format.scale;
      o["offset"] = p.format.offset;
    }
    o["bit"] = p.format.bit ? boost::json::value(*p.format.bit) : boost::json::value(nullptr);
    points.push_back(std::move(o));
  }
  return boost::json::object{{"host", config.host},         {"port", config.port},
                             {"unit_id", config.unit_id},   {"timeout_ms", config.timeout_ms},
                             {"retries", config.retries},   {"max_gap", config.max_gap},
                             {"groups", std::move(groups)}, {"points", std::move(points)}};
}

}  // namespace citypulse::modbus
