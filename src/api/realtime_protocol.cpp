#include "api/realtime_protocol.h"

#include <fmt/format.h>

#include <array>
#include <boost/json.hpp>
#include <set>

namespace citypulse::realtime {
namespace json = boost::json;
namespace {

Error bad(std::string message, std::string field) {
  return Error{ErrorCode::bad_request, std::move(message), std::move(field)};
}

// Only the members `allowed` (besides "type").
Status only(const json::object& o, std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, v] : o) {
    if (key == "type") continue;
    bool known = false;
    for (auto a : allowed) known = known || key == a;
    if (!known)
      return std::unexpected(bad(fmt::format("unknown member '{}'", std::string_view(key)),
                                 fmt::format("/{}", std::string_view(key))));
  }
  return {};
}

Result<std::string> subscription_id(const json::object& o) {
  const auto* id = o.if_contains("id");
  if (!id || !id->is_string() || id->get_string().empty() || id->get_string().size() > kMaxIdBytes)
    return std::unexpected(
        bad(fmt::format("'id' is a string of 1 to {} bytes naming the subscription", kMaxIdBytes),
            "/id"));
  return std::string(id->get_string());
}

// A non-empty array of distinct positive ids, at most kMaxIdsPerSubscription.
Result<std::vector<Id>> ids_of(const json::value& v, const std::string& field, bool may_be_empty) {
  const auto* a = v.if_array();
  if (!a || (a->empty() && !may_be_empty) || a->size() > kMaxIdsPerSubscription)
    return std::unexpected(
        bad(fmt::format("'{}' is an array of 1 to {} ids", field.substr(1), kMaxIdsPerSubscription),
            field));
  std::vector<Id> out;
  std::set<Id> seen;
  for (std::size_t i = 0; i < a->size(); ++i) {
    const auto& x = (*a)[i];
    if (!x.is_int64() || x.get_int64() <= 0)
      return std::unexpected(bad("an id is a positive integer", fmt::format("{}/{}", field, i)));
    if (seen.insert(x.get_int64()).second) out.push_back(x.get_int64());
  }
  return out;
}

Result<ClientMessage> subscribe(const json::object& o) {
  auto id = subscription_id(o);
  if (!id) return std::unexpected(id.error());
  SubscribeMessage m;
  m.id = std::move(*id);
  int kinds = 0;
  for (auto k : {"points", "buildings", "alarms", "events"}) kinds += o.contains(k) ? 1 : 0;
  if (kinds != 1)
    return std::unexpected(
        bad("a subscription names exactly one of points, buildings, alarms, events", ""));
  if (auto s = only(o, {"id", "points", "buildings", "alarms", "events", "max_rate"}); !s)
    return std::unexpected(s.error());
  if (const auto* r = o.if_contains("max_rate")) {
    const double rate = r->is_number() ? r->to_number<double>() : 0;
    if (!(rate > 0 && rate <= kMaxRate) || !(o.contains("points") || o.contains("buildings")))
      return std::unexpected(bad(fmt::format("'max_rate' is a number of values a second above 0, "
                                             "at most {}, for points or buildings",
                                             kMaxRate),
                                 "/max_rate"));
    m.max_rate = rate;
  }
  if (const auto* p = o.if_contains("points")) {
    m.kind = SubscribeMessage::Kind::points;
    auto ids = ids_of(*p, "/points", false);
    if (!ids) return std::unexpected(ids.error());
    m.ids = std::move(*ids);
  } else if (const auto* b = o.if_contains("buildings")) {
    m.kind = SubscribeMessage::Kind::buildings;
    auto ids = ids_of(*b, "/buildings", false);
    if (!ids) return std::unexpected(ids.error());
    m.ids = std::move(*ids);
  } else if (const auto* a = o.if_contains("alarms")) {
    m.kind = SubscribeMessage::Kind::alarms;
    const auto* ao = a->if_object();
    if (!ao) return std::unexpected(bad("'alarms' is an object", "/alarms"));
    for (const auto& [key, v] : *ao) {
      if (key == "buildings") {
        auto ids = ids_of(v, "/alarms/buildings", false);
        if (!ids) return std::unexpected(ids.error());
        m.ids = std::move(*ids);
      } else if (key == "min_severity") {
        const auto s = v.is_string() ? severity_from_name(v.get_string()) : std::nullopt;
        if (!s)
          return std::unexpected(
              bad("'min_severity' is one of info, warning, minor, major, critical",
                  "/alarms/min_severity"));
        m.min_severity = *s;
      } else {
        return std::unexpected(bad(fmt::format("unknown member '{}'", std::string_view(key)),
                                   fmt::format("/alarms/{}", std::string_view(key))));
      }
    }
  } else {
    m.kind = SubscribeMessage::Kind::events;
    const auto* kinds = o.at("events").if_array();
    if (!kinds || kinds->empty())
      return std::unexpected(bad("'events' is a non-empty array of event kinds", "/events"));
    for (std::size_t i = 0; i < kinds->size(); ++i) {
      const auto& x = (*kinds)[i];
      const auto kind = x.is_string() ? bus::event_kind_from_name(x.get_string()) : std::nullopt;
      // Readings and alarms have subscriptions of their own.
      if (!kind || *kind == bus::EventKind::readings || *kind == bus::EventKind::alarm_changed)
        return std::unexpected(
            bad("an event kind is one of device_status, asset_changed, command_result",
                fmt::format("/events/{}", i)));
      if (std::find(m.events.begin(), m.events.end(), *kind) == m.events.end())
        m.events.push_back(*kind);
    }
  }
  return m;
}

}  // namespace

Result<ClientMessage> parse_client_message(std::string_view text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  const auto* o = ec ? nullptr : v.if_object();
  if (!o) return std::unexpected(bad("a message is a JSON object", ""));
  const auto* type = o->if_contains("type");
  if (!type || !type->is_string())
    return std::unexpected(bad("a message has a string 'type'", "/type"));
  const std::string_view t = type->get_string();
  if (t == "auth") {
    if (auto s = only(*o, {"token"}); !s) return std::unexpected(s.error());
    const auto* token = o->if_contains("token");
    if (!token || !token->is_string() || token->get_string().empty() ||
        token->get_string().size() > 8192)
      return std::unexpected(bad("'token' is an access token or API key", "/token"));
    return AuthMessage{std::string(token->get_string())};
  }
  if (t == "subscribe") return subscribe(*o);
  if (t == "unsubscribe") {
    if (auto s = only(*o, {"id"}); !s) return std::unexpected(s.error());
    auto id = subscription_id(*o);
    if (!id) return std::unexpected(id.error());
    return UnsubscribeMessage{std::move(*id)};
  }
  if (t == "resume") {
    if (auto s = only(*o, {"after"}); !s) return std::unexpected(s.error());
    const auto* after = o->if_contains("after");
    if (!after || !(after->is_uint64() || (after->is_int64() && after->get_int64() >= 0)))
      return std::unexpected(bad("'after' is the id of the last event received", "/after"));
    return ResumeMessage{after->is_uint64() ? after->get_uint64()
                                            : static_cast<std::uint64_t>(after->get_int64())};
  }
  if (t == "ping") {
    if (auto s = only(*o, {}); !s) return std::unexpected(s.error());
    return PingMessage{};
  }
  return std::unexpected(
      bad("'type' is one of auth, subscribe, unsubscribe, resume, ping", "/type"));
}

}  // namespace citypulse::realtime
