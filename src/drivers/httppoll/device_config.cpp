#include "drivers/httppoll/device_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "model/json_fields.h"
#include "webclient/http_call.h"

namespace citypulse::httppoll {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxTemplateBytes = 4000;
constexpr std::size_t kMaxHeaderValueBytes = 2000;

// Where each template may draw from (device_config.h).
const std::initializer_list<std::string_view> kPollNames = {"base_url", "serial"};
const std::initializer_list<std::string_view> kWriteNames = {"base_url", "serial", "channel",
                                                             "value"};

// RFC 9110 5.6.2: a field name is a token of tchars.
bool is_token(std::string_view name) {
  constexpr std::string_view kSpecials = "!#$%&'*+-.^_`|~";
  return !name.empty() && std::ranges::all_of(name, [&](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           kSpecials.find(c) != std::string_view::npos;
  });
}

bool has_control(std::string_view text) {
  return std::ranges::any_of(text, [](char c) {
    return (static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f;
  });
}

// What a parse remembers across fields: whether the document has a base
// URL, and the first field that needs the device's serial.
struct DocumentReader {
  bool has_base_url = false;
  std::string serial_used_at;

  Result<TextTemplate> parse(std::string_view text, std::initializer_list<std::string_view> names,
                             const std::string& at) {
    auto t = TextTemplate::parse(text, names);
    if (!t) return fail(ErrorCode::invalid, t.error().message, at);
    if (t->uses("base_url") && !has_base_url)
      return fail(ErrorCode::invalid, "uses {base_url}, but the document has no 'base_url'", at);
    if (t->uses("serial") && serial_used_at.empty()) serial_used_at = at;
    return t;
  }

  // An optional string member as a template.
  Result<std::optional<TextTemplate>> member(const JsonFields& f, std::string_view name,
                                             bool required,
                                             std::initializer_list<std::string_view> names) {
    auto text = f.text(name, required, kMaxTemplateBytes);
    if (!text) return std::unexpected(text.error());
    if (!*text) return std::nullopt;
    auto t = parse(**text, names, f.pointer(name));
    if (!t) return std::unexpected(t.error());
    return std::optional<TextTemplate>(std::move(*t));
  }

  // A URL: {base_url} or http(s):// first, no spaces or control characters.
  Result<TextTemplate> url(const JsonFields& f, std::initializer_list<std::string_view> names) {
    auto t = member(f, "url", true, names);
    if (!t) return std::unexpected(t.error());
    const std::string& text = (*t)->text();
    const std::string as_url =
        (*t)->starts_with("base_url") ? "http://host" + text.substr(10) : text;
    if (auto s = webclient::check_http_url(as_url); !s)
      return fail(
          ErrorCode::invalid,
          fmt::format("'url' must begin with {{base_url}}, http:// or https://, and hold no "
                      "spaces or control characters; got '{}'",
                      text),
          f.pointer("url"));
    return std::move(**t);
  }

  // A "headers" object: field name → value template.
  Result<std::vector<Header>> headers(const JsonFields& f,
                                      std::initializer_list<std::string_view> names) {
    std::vector<Header> out;
    const auto* v = f.get("headers");
    if (!v || v->is_null()) return out;
    if (!v->is_object() || v->get_object().size() > kMaxHeaders)
      return fail(ErrorCode::invalid,
                  fmt::format("'headers' must be an object of at most {} header fields, each "
                              "name with its value",
                              kMaxHeaders),
                  f.pointer("headers"));
    for (const auto& [key, value] : v->get_object()) {
      const std::string at = f.pointer("headers") + "/" + pointer_token(key);
      if (!is_token(key) || key.size() > 100)
        return fail(ErrorCode::invalid,
                    fmt::format("'{}' is not an HTTP header name", std::string_view(key)), at);
      if (!value.is_string() || value.get_string().size() > kMaxHeaderValueBytes ||
          has_control(value.get_string()))
        return fail(ErrorCode::invalid,
                    fmt::format("a header's value must be a string of at most {} bytes without "
                                "control characters",
                                kMaxHeaderValueBytes),
                    at);
      auto t = parse(value.get_string(), names, at);
      if (!t) return std::unexpected(t.error());
      out.push_back({std::string(key), std::move(*t)});
    }
    return out;
  }
};

Result<const json::array*> array_member(const JsonFields& f, std::string_view name,
                                        std::size_t max) {
  const auto* v = f.get(name);
  if (!v || v->is_null()) return nullptr;
  if (!v->is_array() || v->get_array().empty() || v->get_array().size() > max)
    return fail(ErrorCode::invalid,
                fmt::format("'{}' must be an array of 1 to {} elements", name, max),
                f.pointer(name));
  return &v->get_array();
}

Result<std::vector<PollGroup>> parse_groups(const JsonFields& document) {
  std::vector<PollGroup> groups;
  auto list = array_member(document, "groups", kMaxGroups);
  if (!list) return std::unexpected(list.error());
  if (!*list) return std::vector<PollGroup>{{"default", 60'000}};
  for (std::size_t i = 0; i < (*list)->size(); ++i) {
    auto f = JsonFields::of((**list)[i], {"name", "interval_ms"}, fmt::format("/groups/{}", i));
    if (!f) return std::unexpected(f.error());
    auto name = f->text("name", true, 64);
    if (!name) return std::unexpected(name.error());
    auto interval = f->integer("interval_ms", true, kMinIntervalMs, kMaxIntervalMs);
    if (!interval) return std::unexpected(interval.error());
    if (std::ranges::any_of(groups, [&](const PollGroup& g) { return g.name == **name; }))
      return fail(ErrorCode::invalid, fmt::format("two groups are named '{}'", **name),
                  f->pointer("name"));
    groups.push_back({**name, **interval});
  }
  return groups;
}

Result<ValuePoint> parse_point(const json::value& v, const std::string& at) {
  auto f = JsonFields::of(v, {"channel", "pointer", "scale", "offset"}, at);
  if (!f) return std::unexpected(f.error());
  ValuePoint p;
  auto channel = f->text("channel", true, 100);
  if (!channel) return std::unexpected(channel.error());
  p.channel = **channel;
  const auto* pointer = f->get("pointer");
  if (!pointer || !pointer->is_string())
    return fail(ErrorCode::invalid, "'pointer' is required: a JSON pointer into the answer",
                f->pointer("pointer"));
  p.pointer = std::string(pointer->get_string());
  if (p.pointer.size() > 500 || !is_json_pointer(p.pointer))
    return fail(
        ErrorCode::invalid,
        fmt::format("'pointer' must be a JSON pointer (RFC 6901) such as /state/temperature; "
                    "got '{}'",
                    p.pointer),
        f->pointer("pointer"));
  auto scale = f->number("scale", false, -1e9, 1e9);
  if (!scale) return std::unexpected(scale.error());
  if (*scale && **scale == 0)
    return fail(ErrorCode::invalid, "'scale' must not be 0", f->pointer("scale"));
  p.scale = scale->value_or(1.0);
  auto offset = f->number("offset", false, -1e9, 1e9);
  if (!offset) return std::unexpected(offset.error());
  p.offset = offset->value_or(0.0);
  return p;
}

Result<PollRequest> parse_request(const json::value& v, const std::string& at,
                                  const std::vector<PollGroup>& groups,
                                  std::set<std::string, std::less<>>& channels,
                                  std::size_t& point_count, DocumentReader& context) {
  auto f = JsonFields::of(v, {"name", "method", "url", "headers", "body", "group", "points"}, at);
  if (!f) return std::unexpected(f.error());
  PollRequest r;
  auto name = f->text("name", true, 64);
  if (!name) return std::unexpected(name.error());
  r.name = **name;
  auto method = f->text("method", false, 10);
  if (!method) return std::unexpected(method.error());
  r.method = method->value_or("GET");
  if (r.method != "GET" && r.method != "POST")
    return fail(ErrorCode::invalid, fmt::format("'method' must be GET or POST; got '{}'", r.method),
                f->pointer("method"));
  auto url = context.url(*f, kPollNames);
  if (!url) return std::unexpected(url.error());
  r.url = std::move(*url);
  auto headers = context.headers(*f, kPollNames);
  if (!headers) return std::unexpected(headers.error());
  r.headers = std::move(*headers);
  auto body = context.member(*f, "body", false, kPollNames);
  if (!body) return std::unexpected(body.error());
  if (*body && r.method == "GET")
    return fail(ErrorCode::invalid, "a GET request has no 'body'", f->pointer("body"));
  r.body = std::move(*body);
  auto group = f->text("group", false, 64);
  if (!group) return std::unexpected(group.error());
  r.group = group->value_or(groups.front().name);
  if (std::ranges::none_of(groups, [&](const PollGroup& g) { return g.name == r.group; }))
    return fail(ErrorCode::invalid, fmt::format("no poll group is named '{}'", r.group),
                f->pointer("group"));
  auto points = array_member(*f, "points", kMaxPoints);
  if (!points) return std::unexpected(points.error());
  if (!*points)
    return fail(ErrorCode::invalid, "missing required field 'points'", f->pointer("points"));
  for (std::size_t i = 0; i < (*points)->size(); ++i) {
    const std::string point_at = fmt::format("{}/{}", f->pointer("points"), i);
    auto p = parse_point((**points)[i], point_at);
    if (!p) return std::unexpected(p.error());
    if (!channels.insert(p->channel).second)
      return fail(
          ErrorCode::invalid,
          fmt::format("channel '{}' is read by two points; one point a channel", p->channel),
          point_at + "/channel");
    if (++point_count > kMaxPoints)
      return fail(ErrorCode::invalid, fmt::format("a document reads at most {} points", kMaxPoints),
                  point_at);
    r.points.push_back(std::move(*p));
  }
  return r;
}

Result<ReadBack> parse_read_back(const JsonFields& write, std::string_view channel,
                                 const std::vector<PollRequest>& requests) {
  auto f =
      JsonFields::of(*write.get("read_back"), {"request", "channel"}, write.pointer("read_back"));
  if (!f) return std::unexpected(f.error());
  auto request = f->text("request", true, 64);
  if (!request) return std::unexpected(request.error());
  auto named =
      std::ranges::find_if(requests, [&](const PollRequest& r) { return r.name == **request; });
  if (named == requests.end())
    return fail(ErrorCode::invalid, fmt::format("no request is named '{}'", **request),
                f->pointer("request"));
  auto read = f->text("channel", false, 100);
  if (!read) return std::unexpected(read.error());
  ReadBack back{static_cast<std::size_t>(named - requests.begin()),
                read->value_or(std::string(channel))};
  if (std::ranges::none_of(named->points,
                           [&](const ValuePoint& p) { return p.channel == back.channel; }))
    return fail(ErrorCode::invalid,
                fmt::format("request '{}' reads no channel '{}'", named->name, back.channel),
                f->pointer(read->has_value() ? "channel" : "request"));
  return back;
}

Result<WriteAction> parse_write(std::string_view channel, const json::value& v,
                                const std::string& at, const std::vector<PollRequest>& requests,
                                DocumentReader& context) {
  auto f = JsonFields::of(v, {"method", "url", "headers", "body", "read_back"}, at);
  if (!f) return std::unexpected(f.error());
  WriteAction w;
  w.channel = std::string(channel);
  auto method = f->text("method", false, 10);
  if (!method) return std::unexpected(method.error());
  w.method = method->value_or("PUT");
  if (w.method != "GET" && w.method != "POST" && w.method != "PUT" && w.method != "PATCH")
    return fail(ErrorCode::invalid,
                fmt::format("'method' must be GET, POST, PUT or PATCH; got '{}'", w.method),
                f->pointer("method"));
  auto url = context.url(*f, kWriteNames);
  if (!url) return std::unexpected(url.error());
  w.url = std::move(*url);
  auto headers = context.headers(*f, kWriteNames);
  if (!headers) return std::unexpected(headers.error());
  w.headers = std::move(*headers);
  auto body = context.member(*f, "body", w.method != "GET", kWriteNames);
  if (!body) return std::unexpected(body.error());
  if (*body && w.method == "GET")
    return fail(ErrorCode::invalid, "a GET write has no 'body': put {value} in its URL",
                f->pointer("body"));
  w.body = std::move(*body);
  const bool says_value =
      w.url.uses("value") || (w.body && w.body->uses("value")) ||
      std::ranges::any_of(w.headers, [](const Header& h) { return h.value.uses("value"); });
  if (!says_value)
    return fail(ErrorCode::invalid, "the write never sends {value}: put it in its body or URL",
                f->pointer(w.body ? "body" : "url"));
  if (const auto* back = f->get("read_back"); back && !back->is_null()) {
    auto r = parse_read_back(*f, channel, requests);
    if (!r) return std::unexpected(r.error());
    w.read_back = std::move(*r);
  }
  return w;
}

}  // namespace

bool is_json_pointer(std::string_view pointer) {
  if (pointer.empty()) return true;
  if (pointer.front() != '/') return false;
  for (std::size_t i = 0; i < pointer.size(); ++i)
    if (pointer[i] == '~' &&
        (i + 1 == pointer.size() || (pointer[i + 1] != '0' && pointer[i + 1] != '1')))
      return false;
  return true;
}

std::string pointer_token(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

Result<DeviceConfig> parse_device_config(const json::value& document) {
  auto f = JsonFields::of(
      document, {"base_url", "headers", "timeout_ms", "retries", "groups", "requests", "writes"});
  if (!f) return std::unexpected(f.error());
  DeviceConfig c;
  DocumentReader context;
  auto base = f->text("base_url", false, 500);
  if (!base) return std::unexpected(base.error());
  if (*base) {
    c.base_url = **base;
    if (auto s = webclient::check_http_url(c.base_url); !s)
      return fail(ErrorCode::invalid,
                  fmt::format("'base_url' must be an http:// or https:// URL without spaces; got "
                              "'{}'",
                              c.base_url),
                  "/base_url");
    if (c.base_url.find('{') != std::string::npos)
      return fail(ErrorCode::invalid, "'base_url' holds no placeholders", "/base_url");
    while (c.base_url.ends_with('/')) c.base_url.pop_back();
    context.has_base_url = true;
  }
  auto headers = context.headers(*f, {"serial"});
  if (!headers) return std::unexpected(headers.error());
  c.headers = std::move(*headers);
  auto timeout = f->integer("timeout_ms", false, 50, 60'000);
  if (!timeout) return std::unexpected(timeout.error());
  c.timeout_ms = static_cast<int>(timeout->value_or(c.timeout_ms));
  auto retries = f->integer("retries", false, 0, 5);
  if (!retries) return std::unexpected(retries.error());
  c.retries = static_cast<int>(retries->value_or(c.retries));
  auto groups = parse_groups(*f);
  if (!groups) return std::unexpected(groups.error());
  c.groups = std::move(*groups);

  auto requests = array_member(*f, "requests", kMaxRequests);
  if (!requests) return std::unexpected(requests.error());
  if (!*requests) return fail(ErrorCode::invalid, "missing required field 'requests'", "/requests");
  std::set<std::string, std::less<>> channels;
  std::size_t point_count = 0;
  for (std::size_t i = 0; i < (*requests)->size(); ++i) {
    const std::string at = fmt::format("/requests/{}", i);
    auto r = parse_request((**requests)[i], at, c.groups, channels, point_count, context);
    if (!r) return std::unexpected(r.error());
    if (std::ranges::any_of(c.requests, [&](const PollRequest& e) { return e.name == r->name; }))
      return fail(ErrorCode::invalid, fmt::format("two requests are named '{}'", r->name),
                  at + "/name");
    c.requests.push_back(std::move(*r));
  }

  if (const auto* writes = f->get("writes"); writes && !writes->is_null()) {
    if (!writes->is_object() || writes->get_object().size() > kMaxWrites)
      return fail(ErrorCode::invalid,
                  fmt::format("'writes' must be an object of at most {} channels, each with how "
                              "to write it",
                              kMaxWrites),
                  "/writes");
    for (const auto& [channel, write] : writes->get_object()) {
      const std::string at = "/writes/" + pointer_token(channel);
      if (channel.empty() || channel.size() > 100)
        return fail(ErrorCode::invalid, "a written channel's name has 1 to 100 characters", at);
      auto w = parse_write(channel, write, at, c.requests, context);
      if (!w) return std::unexpected(w.error());
      c.writes.push_back(std::move(*w));
    }
  }
  c.serial_used_at = std::move(context.serial_used_at);
  return c;
}

}  // namespace citypulse::httppoll
