#include "drivers/bacnet/device_config.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <set>

#include "drivers/bacnet/names.h"
#include "model/json_fields.h"

namespace citypulse::bacnet {

namespace json = boost::json;

const PointBinding* DeviceConfig::binding(std::string_view channel) const {
  for (const auto& p : points)
    if (p.channel == channel) return &p;
  return nullptr;
}

namespace {

constexpr std::size_t kMaxPoints = 5000, kMaxGroups = 20;

Error at(Error e, std::string field) {
  e.code = ErrorCode::invalid;
  e.field = std::move(field);
  return e;
}

Result<PollGroup> parse_group(const json::value& v, const std::string& prefix) {
  auto f = JsonFields::of(v, {"name", "interval_ms"}, prefix);
  if (!f) return std::unexpected(f.error());
  auto name = f->text("name", true, 64);
  if (!name) return std::unexpected(name.error());
  auto interval = f->integer("interval_ms", true, 1000, 86'400'000);
  if (!interval) return std::unexpected(interval.error());
  return PollGroup{**name, **interval};
}

Result<PointBinding> parse_point(const json::value& v, const std::string& prefix,
                                 const std::set<std::string>& groups,
                                 const std::string& default_group) {
  auto f = JsonFields::of(v, {"channel", "object", "property", "group", "cov"}, prefix);
  if (!f) return std::unexpected(f.error());
  PointBinding p;
  auto channel = f->text("channel", true, 100);
  if (!channel) return std::unexpected(channel.error());
  p.channel = **channel;
  auto object = f->text("object", true, 100);
  if (!object) return std::unexpected(object.error());
  auto id = parse_object_id(**object);
  if (!id) return std::unexpected(at(id.error(), f->pointer("object")));
  p.object = *id;
  if (auto property = f->text("property", false, 100); !property) {
    return std::unexpected(property.error());
  } else if (*property) {
    auto number = parse_property(**property);
    if (!number) return std::unexpected(at(number.error(), f->pointer("property")));
    p.property = *number;
  }
  auto group = f->text("group", false, 64);
  if (!group) return std::unexpected(group.error());
  p.group = group->value_or(default_group);
  if (!groups.contains(p.group))
    return fail(ErrorCode::invalid,
                fmt::format("group '{}' is not one of the document's groups", p.group),
                f->pointer("group"));
  auto cov = f->boolean("cov");
  if (!cov) return std::unexpected(cov.error());
  p.cov = cov->value_or(false);
  if (p.cov && !is_point_object(p.object.type))
    return fail(ErrorCode::invalid, "COV is asked of analog, binary and multistate objects only",
                f->pointer("cov"));
  return p;
}

}  // namespace

Result<DeviceConfig> parse_device_config(const json::value& document) {
  auto f =
      JsonFields::of(document, {"address", "device_instance", "timeout_ms", "retries",
                                "read_property_multiple", "cov_lifetime_s", "groups", "points"});
  if (!f) return std::unexpected(f.error());
  DeviceConfig c;
  auto address = f->text("address", true, 100);
  if (!address) return std::unexpected(address.error());
  auto parsed = parse_device_address(**address);
  if (!parsed) return std::unexpected(at(parsed.error(), "/address"));
  c.address = *parsed;
  auto instance = f->integer("device_instance", true, 0, kMaxInstance);
  if (!instance) return std::unexpected(instance.error());
  c.device_instance = static_cast<std::uint32_t>(**instance);
  auto timeout = f->integer("timeout_ms", false, 50, 60'000);
  if (!timeout) return std::unexpected(timeout.error());
  c.timeout_ms = timeout->value_or(3000);
  auto retries = f->integer("retries", false, 0, 5);
  if (!retries) return std::unexpected(retries.error());
  c.retries = static_cast<int>(retries->value_or(2));
  auto rpm = f->boolean("read_property_multiple");
  if (!rpm) return std::unexpected(rpm.error());
  c.read_property_multiple = rpm->value_or(true);
  auto lifetime = f->integer("cov_lifetime_s", false, 60, 86'400);
  if (!lifetime) return std::unexpected(lifetime.error());
  c.cov_lifetime_s = static_cast<std::uint32_t>(lifetime->value_or(600));

  std::set<std::string> group_names;
  if (const auto* groups = f->get("groups"); groups && !groups->is_null()) {
    if (!groups->is_array() || groups->as_array().size() > kMaxGroups)
      return fail(ErrorCode::invalid,
                  fmt::format("'groups' is an array of at most {} groups", kMaxGroups), "/groups");
    for (std::size_t i = 0; i < groups->as_array().size(); ++i) {
      auto g = parse_group(groups->as_array()[i], fmt::format("/groups/{}", i));
      if (!g) return std::unexpected(g.error());
      if (!group_names.insert(g->name).second)
        return fail(ErrorCode::invalid, fmt::format("group '{}' twice", g->name),
                    fmt::format("/groups/{}/name", i));
      c.groups.push_back(std::move(*g));
    }
  }
  if (c.groups.empty()) {
    c.groups.push_back({"default", 60'000});
    group_names.insert("default");
  }
  const auto* points = f->get("points");
  if (!points || !points->is_array() || points->as_array().size() > kMaxPoints)
    return fail(ErrorCode::invalid,
                fmt::format("'points' is an array of at most {} points", kMaxPoints), "/points");
  std::set<std::string> channels;
  for (std::size_t i = 0; i < points->as_array().size(); ++i) {
    auto p = parse_point(points->as_array()[i], fmt::format("/points/{}", i), group_names,
                         c.groups.front().name);
    if (!p) return std::unexpected(p.error());
    if (!channels.insert(p->channel).second)
      return fail(ErrorCode::invalid, fmt::format("channel '{}' twice", p->channel),
                  fmt::format("/points/{}/channel", i));
    c.points.push_back(std::move(*p));
  }
  return c;
}

json::value to_json(const DeviceConfig& c) {
  json::array groups, points;
  for (const auto& g : c.groups)
    groups.push_back({{"name", g.name}, {"interval_ms", g.interval_ms}});
  for (const auto& p : c.points)
    points.push_back({{"channel", p.channel},
                      {"object", to_string(p.object)},
                      {"property", property_name(p.property)},
                      {"group", p.group},
                      {"cov", p.cov}});
  return {{"address", to_string(c.address)},
          {"device_instance", c.device_instance},
          {"timeout_ms", c.timeout_ms},
          {"retries", c.retries},
          {"read_property_multiple", c.read_property_multiple},
          {"cov_lifetime_s", c.cov_lifetime_s},
          {"groups", std::move(groups)},
          {"points", std::move(points)}};
}

}  // namespace citypulse::bacnet
