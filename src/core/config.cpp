#include "core/config.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>
#include <charconv>
#include <cstdlib>
#include <sstream>
#include <variant>
#include <vector>

#include "core/text.h"

namespace citypulse {
namespace {

struct IntKey {
  int* value;
  int min, max;
};
struct Int64Key {
  std::int64_t* value;
  std::int64_t min, max;
};
struct BoolKey {
  bool* value;
};
struct TextKey {
  std::string* value;
  std::vector<std::string_view> choices;  // empty: any text
  bool secret = false;                    // never printed
  // Further syntax the text must have; empty text is not checked (it is
  // every optional key's default).
  Status (*check)(std::string_view key, std::string_view text) = nullptr;
};

struct Key {
  std::string_view name;  // "section.key"
  std::variant<IntKey, Int64Key, BoolKey, TextKey> target;
};

Error key_error(std::string_view key, std::string message) {
  return Error{ErrorCode::invalid, fmt::format("config key {}: {}", key, message),
               std::string(key)};
}

Status check_smtp_url(std::string_view key, std::string_view text) {
  if (text.starts_with("smtp://") || text.starts_with("smtps://")) return {};
  return std::unexpected(key_error(key, "expected an smtp:// or smtps:// URL"));
}

Status check_http_url(std::string_view key, std::string_view text) {
  if (text.starts_with("http://") || text.starts_with("https://")) return {};
  return std::unexpected(key_error(key, "expected an http:// or https:// URL"));
}

Status check_tile_url(std::string_view key, std::string_view text) {
  if (auto s = check_http_url(key, text); !s) return s;
  for (std::string_view part : {"{z}", "{x}", "{y}"})
    if (text.find(part) == std::string_view::npos)
      return std::unexpected(key_error(key, fmt::format("the template has no {}", part)));
  return {};
}

Status check_bridge_url(std::string_view key, std::string_view text) {
  if (auto e = parse_bridge_url(text); !e)
    return std::unexpected(key_error(key, e.error().message));
  return {};
}

// Filters as the external broker will see them: the shared-subscription
// prefix is the bridge's to add (share_group), and the wildcards stand alone
// (MQTT 5 section 4.7.1); the broker checks the rest.
Status check_bridge_topics(std::string_view key, std::string_view text) {
  for (auto filter : split_list(text)) {
    if (filter.starts_with("$share/"))
      return std::unexpected(key_error(
          key, fmt::format("'{}': name the filter alone; mqtt.bridge.share_group adds $share/",
                           filter)));
    std::size_t begin = 0;
    while (true) {
      const auto end = filter.find('/', begin);
      const auto level =
          filter.substr(begin, end == std::string_view::npos ? filter.npos : end - begin);
      const bool wildcard = level.find_first_of("+#") != std::string_view::npos;
      if (wildcard && level.size() != 1)
        return std::unexpected(
            key_error(key, fmt::format("'{}': a wildcard must fill a whole topic level", filter)));
      if (level == "#" && end != std::string_view::npos)
        return std::unexpected(
            key_error(key, fmt::format("'{}': '#' must be the last level", filter)));
      if (end == std::string_view::npos) break;
      begin = end + 1;
    }
  }
  return {};
}

// A share name has no '/', '+' or '#' (MQTT 5 section 4.8.2).
Status check_share_group(std::string_view key, std::string_view text) {
  if (text.find_first_of("/+#") != std::string_view::npos)
    return std::unexpected(
        key_error(key, fmt::format("'{}' may not contain '/', '+' or '#'", text)));
  return {};
}

std::vector<Key> keys_of(Config& c) {
  return {
      {"http.bind", TextKey{&c.http.bind, {}}},
      {"http.port", IntKey{&c.http.port, 0, 65535}},
      {"http.threads", IntKey{&c.http.threads, 1, 256}},
      {"http.max_body_bytes", Int64Key{&c.http.max_body_bytes, 1024, std::int64_t{1} << 32}},
      {"http.max_header_bytes", Int64Key{&c.http.max_header_bytes, 1024, 1 << 20}},
      {"http.read_timeout_ms", IntKey{&c.http.read_timeout_ms, 100, 3'600'000}},
      {"http.shutdown_grace_ms", IntKey{&c.http.shutdown_grace_ms, 0, 600'000}},
      {"http.max_connections", IntKey{&c.http.max_connections, 1, 1'000'000}},
      {"http.max_import_bytes", Int64Key{&c.http.max_import_bytes, 1024, std::int64_t{1} << 36}},
      {"http.web_root", TextKey{&c.http.web_root, {}}},
      {"http.access_log", BoolKey{&c.http.access_log}},
      {"http.cors_origins", TextKey{&c.http.cors_origins, {}}},
      {"http.tls_cert", TextKey{&c.http.tls_cert, {}}},
      {"http.tls_key", TextKey{&c.http.tls_key, {}}},
      {"auth.jwt_secret", TextKey{&c.auth.jwt_secret, {}, true}},
      {"auth.access_token_ttl_s", IntKey{&c.auth.access_token_ttl_s, 60, 24 * 3600}},
      {"auth.refresh_token_ttl_s", IntKey{&c.auth.refresh_token_ttl_s, 300, 90 * 24 * 3600}},
      {"auth.login_max_failures", IntKey{&c.auth.login_max_failures, 1, 1000}},
      {"auth.login_lockout_s", IntKey{&c.auth.login_lockout_s, 1, 24 * 3600}},
      {"rate_limit.read_per_minute", IntKey{&c.rate_limit.read_per_minute, 0, 1'000'000}},
      {"rate_limit.write_per_minute", IntKey{&c.rate_limit.write_per_minute, 0, 1'000'000}},
      {"rate_limit.auth_per_minute", IntKey{&c.rate_limit.auth_per_minute, 0, 1'000'000}},
      {"rate_limit.ingest_per_minute", IntKey{&c.rate_limit.ingest_per_minute, 0, 100'000'000}},
      {"rate_limit.device_failures_per_minute",
       IntKey{&c.rate_limit.device_failures_per_minute, 0, 100'000'000}},
      {"ingest.max_pending_bytes",
       Int64Key{&c.ingest.max_pending_bytes, 64 << 10, std::int64_t{1} << 40}},
      {"ingest.max_readings_per_request", IntKey{&c.ingest.max_readings_per_request, 1, 1'000'000}},
      {"ingest.out_of_bounds", TextKey{&c.ingest.out_of_bounds, {"flag", "reject"}}},
      {"ingest.max_future_s", IntKey{&c.ingest.max_future_s, 0, 24 * 3600}},
      {"ingest.dedup_window_s", IntKey{&c.ingest.dedup_window_s, 1, 30 * 24 * 3600}},
      {"ingest.dedup_max_entries", IntKey{&c.ingest.dedup_max_entries, 0, 10'000'000}},
      {"mqtt.bind", TextKey{&c.mqtt.bind, {}}},
      {"mqtt.port", IntKey{&c.mqtt.port, -1, 65535}},
      {"mqtt.tls_port", IntKey{&c.mqtt.tls_port, -1, 65535}},
      {"mqtt.tls_cert", TextKey{&c.mqtt.tls_cert, {}}},
      {"mqtt.tls_key", TextKey{&c.mqtt.tls_key, {}}},
      {"mqtt.tls_client_ca", TextKey{&c.mqtt.tls_client_ca, {}}},
      {"mqtt.threads", IntKey{&c.mqtt.threads, 1, 256}},
      {"mqtt.max_connections", IntKey{&c.mqtt.max_connections, 1, 10'000'000}},
      {"mqtt.max_packet_size", Int64Key{&c.mqtt.max_packet_size, 64, 268'435'460}},
      {"mqtt.max_inflight", IntKey{&c.mqtt.max_inflight, 1, 65535}},
      {"mqtt.max_queued_per_session", IntKey{&c.mqtt.max_queued_per_session, 0, 10'000'000}},
      {"mqtt.max_topic_depth", IntKey{&c.mqtt.max_topic_depth, 1, 1000}},
      {"mqtt.max_keep_alive_s", IntKey{&c.mqtt.max_keep_alive_s, 0, 65535}},
      {"mqtt.max_session_expiry_s", IntKey{&c.mqtt.max_session_expiry_s, 0, 2'147'483'647}},
      {"mqtt.connect_per_minute", IntKey{&c.mqtt.connect_per_minute, 0, 100'000'000}},
      {"mqtt.allow_anonymous", BoolKey{&c.mqtt.allow_anonymous}},
      {"mqtt.deny", TextKey{&c.mqtt.deny, {}}},
      {"mqtt.websocket", BoolKey{&c.mqtt.websocket}},
      {"mqtt.ack_after_durable", BoolKey{&c.mqtt.ack_after_durable}},
      {"mqtt.bridge.url", TextKey{&c.mqtt.bridge.url, {}, false, check_bridge_url}},
      {"mqtt.bridge.client_id", TextKey{&c.mqtt.bridge.client_id, {}}},
      {"mqtt.bridge.username", TextKey{&c.mqtt.bridge.username, {}}},
      {"mqtt.bridge.password", TextKey{&c.mqtt.bridge.password, {}, true}},
      {"mqtt.bridge.tenant", Int64Key{&c.mqtt.bridge.tenant, 0, std::int64_t{1} << 62}},
      {"mqtt.bridge.topics", TextKey{&c.mqtt.bridge.topics, {}, false, check_bridge_topics}},
      {"mqtt.bridge.share_group",
       TextKey{&c.mqtt.bridge.share_group, {}, false, check_share_group}},
      {"mqtt.bridge.qos", IntKey{&c.mqtt.bridge.qos, 0, 2}},
      {"mqtt.bridge.keep_alive_s", IntKey{&c.mqtt.bridge.keep_alive_s, 0, 65535}},
      {"mqtt.bridge.protocol", TextKey{&c.mqtt.bridge.protocol, {"5", "3.1.1"}}},
      {"mqtt.bridge.session_expiry_s", IntKey{&c.mqtt.bridge.session_expiry_s, 0, 2'147'483'647}},
      {"mqtt.bridge.tls_ca", TextKey{&c.mqtt.bridge.tls_ca, {}}},
      {"mqtt.bridge.tls_cert", TextKey{&c.mqtt.bridge.tls_cert, {}}},
      {"mqtt.bridge.tls_key", TextKey{&c.mqtt.bridge.tls_key, {}}},
      {"mqtt.bridge.reconnect_min_ms", IntKey{&c.mqtt.bridge.reconnect_min_ms, 10, 600'000}},
      {"mqtt.bridge.reconnect_max_ms", IntKey{&c.mqtt.bridge.reconnect_max_ms, 10, 3'600'000}},
      {"storage.data_dir", TextKey{&c.storage.data_dir, {}}},
      {"tsdb.wal_sync_ms", IntKey{&c.tsdb.wal_sync_ms, 1, 10'000}},
      {"tsdb.late_window_h", IntKey{&c.tsdb.late_window_h, 1, 24 * 366}},
      {"tsdb.raw_retention_days", IntKey{&c.tsdb.raw_retention_days, 0, 100 * 366}},
      {"tsdb.hourly_retention_days", IntKey{&c.tsdb.hourly_retention_days, 0, 100 * 366}},
      {"tsdb.daily_retention_days", IntKey{&c.tsdb.daily_retention_days, 0, 100 * 366}},
      {"realtime.replay_age_s", IntKey{&c.realtime.replay_age_s, 0, 24 * 3600}},
      {"realtime.replay_max_mb", Int64Key{&c.realtime.replay_max_mb, 1, 1 << 20}},
      {"realtime.max_subscriptions", IntKey{&c.realtime.max_subscriptions, 1, 10'000}},
      {"realtime.max_pending_events", IntKey{&c.realtime.max_pending_events, 1, 1'000'000}},
      {"realtime.max_unsent_kb", Int64Key{&c.realtime.max_unsent_kb, 16, 1 << 20}},
      {"notify.smtp_url", TextKey{&c.notify.smtp_url, {}, false, check_smtp_url}},
      {"notify.smtp_from", TextKey{&c.notify.smtp_from, {}}},
      {"notify.smtp_username", TextKey{&c.notify.smtp_username, {}}},
      {"notify.smtp_password", TextKey{&c.notify.smtp_password, {}, true}},
      {"notify.smtp_tls",
       TextKey{&c.notify.smtp_tls, {"none", "starttls_if_offered", "starttls_required"}}},
      {"notify.smtp_ca_file", TextKey{&c.notify.smtp_ca_file, {}}},
      {"notify.sms_url", TextKey{&c.notify.sms_url, {}, false, check_http_url}},
      {"notify.sms_method", TextKey{&c.notify.sms_method, {"POST", "GET"}}},
      {"notify.sms_body", TextKey{&c.notify.sms_body, {}}},
      {"notify.sms_content_type", TextKey{&c.notify.sms_content_type, {}}},
      {"notify.sms_authorization", TextKey{&c.notify.sms_authorization, {}, true}},
      {"notify.retry_base_ms", IntKey{&c.notify.retry_base_ms, 1, 3'600'000}},
      {"notify.retry_max_ms", IntKey{&c.notify.retry_max_ms, 1, 24 * 3'600'000}},
      {"notify.retry_max_attempts", IntKey{&c.notify.retry_max_attempts, 1, 100}},
      {"notify.flood_alarms", IntKey{&c.notify.flood_alarms, 1, 1'000'000}},
      {"notify.flood_window_s", IntKey{&c.notify.flood_window_s, 1, 24 * 3600}},
      {"notify.digest_interval_s", IntKey{&c.notify.digest_interval_s, 1, 24 * 3600}},
      {"notify.public_url", TextKey{&c.notify.public_url, {}, false, check_http_url}},
      {"web.map_tiles", TextKey{&c.web.map_tiles, {}, false, check_tile_url}},
      {"web.map_attribution", TextKey{&c.web.map_attribution, {}}},
      {"log.level", TextKey{&c.log.level, {"trace", "debug", "info", "warn", "error", "off"}}},
      {"workers.threads", IntKey{&c.workers.threads, 1, 256}},
      {"drivers.enabled", BoolKey{&c.drivers.enabled}},
      {"drivers.bacnet_bind", TextKey{&c.drivers.bacnet_bind, {}}},
      {"drivers.bacnet_port", IntKey{&c.drivers.bacnet_port, 0, 65535}},
      {"drivers.modbus_workers", IntKey{&c.drivers.modbus_workers, 1, 256}},
  };
}

template <class N>
Status set_number(std::string_view key, N* out, N min, N max, std::int64_t v) {
  if (v < min || v > max)
    return std::unexpected(key_error(key, fmt::format("{} is outside {}..{}", v, min, max)));
  *out = static_cast<N>(v);
  return {};
}

// Applies a value to a key; `v` is either the text of an environment variable /
// command-line option or a TOML node.
Status apply_value(const Key& k, const std::variant<std::string_view, const toml::node*>& v) {
  const auto* text = std::get_if<std::string_view>(&v);
  const toml::node* node = text ? nullptr : std::get<const toml::node*>(v);
  auto as_int = [&]() -> Result<std::int64_t> {
    if (node) {
      if (auto i = node->value_exact<std::int64_t>()) return *i;
      return std::unexpected(key_error(k.name, "expected an integer"));
    }
    std::int64_t i = 0;
    auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), i);
    if (ec != std::errc{} || p != text->data() + text->size())
      return std::unexpected(
          key_error(k.name, fmt::format("expected an integer, got '{}'", *text)));
    return i;
  };
  return std::visit(
      [&](const auto& t) -> Status {
        using T = std::decay_t<decltype(t)>;
        if constexpr (std::is_same_v<T, IntKey> || std::is_same_v<T, Int64Key>) {
          auto i = as_int();
          if (!i) return std::unexpected(i.error());
          return set_number(k.name, t.value, t.min, t.max, *i);
        } else if constexpr (std::is_same_v<T, BoolKey>) {
          if (node) {
            if (auto b = node->value_exact<bool>()) {
              *t.value = *b;
              return {};
            }
            return std::unexpected(key_error(k.name, "expected true or false"));
          }
          if (*text == "true" || *text == "1")
            *t.value = true;
          else if (*text == "false" || *text == "0")
            *t.value = false;
          else
            return std::unexpected(
                key_error(k.name, fmt::format("expected true or false, got '{}'", *text)));
          return {};
        } else {
          std::string s;
          if (node) {
            auto str = node->value_exact<std::string>();
            if (!str) return std::unexpected(key_error(k.name, "expected a string"));
            s = *str;
          } else {
            s = std::string(*text);
          }
          if (!t.choices.empty()) {
            bool ok = false;
            for (auto c : t.choices) ok = ok || c == s;
            if (!ok)
              return std::unexpected(key_error(
                  k.name, fmt::format("'{}' is not one of {}", s, fmt::join(t.choices, ", "))));
          }
          if (t.check && !s.empty())
            if (auto checked = t.check(k.name, s); !checked) return checked;
          *t.value = std::move(s);
          return {};
        }
      },
      k.target);
}

std::string env_name(std::string_view key) {
  std::string name = "CITYPULSE_";
  for (char c : key)
    name += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

}  // namespace

Result<MqttBridgeEndpoint> parse_bridge_url(std::string_view url) {
  MqttBridgeEndpoint e;
  std::string_view rest;
  if (url.starts_with("mqtt://")) {
    rest = url.substr(7);
  } else if (url.starts_with("mqtts://")) {
    rest = url.substr(8);
    e.tls = true;
    e.port = 8883;
  } else {
    return fail(ErrorCode::invalid,
                fmt::format("'{}' is not an MQTT URL: expected mqtt://host:port or "
                            "mqtts://host:port",
                            url));
  }
  if (rest.ends_with('/')) rest.remove_suffix(1);
  std::string_view host, port;
  if (rest.starts_with('[')) {  // [IPv6]:port
    const auto close = rest.find(']');
    if (close == std::string_view::npos)
      return fail(ErrorCode::invalid, fmt::format("'{}': an IPv6 address without ']'", url));
    host = rest.substr(1, close - 1);
    const auto after = rest.substr(close + 1);
    if (!after.empty()) {
      if (!after.starts_with(':'))
        return fail(ErrorCode::invalid, fmt::format("'{}': expected ':port' after ']'", url));
      port = after.substr(1);
      if (port.empty()) return fail(ErrorCode::invalid, fmt::format("'{}': an empty port", url));
    }
  } else {
    const auto colon = rest.rfind(':');
    host = rest.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = rest.substr(colon + 1);
      if (port.empty()) return fail(ErrorCode::invalid, fmt::format("'{}': an empty port", url));
    }
  }
  if (host.empty()) return fail(ErrorCode::invalid, fmt::format("'{}' names no host", url));
  if (rest.find('@') != std::string_view::npos)
    return fail(ErrorCode::invalid,
                fmt::format("'{}': no user name or password in the URL (they have keys of "
                            "their own: mqtt.bridge.username, mqtt.bridge.password)",
                            url));
  if (!rest.starts_with('[') && host.find(':') != std::string_view::npos)
    return fail(ErrorCode::invalid,
                fmt::format("'{}': an IPv6 address goes in brackets ([::1]:1883)", url));
  if (host.find_first_of("/?#@ []") != std::string_view::npos)
    return fail(ErrorCode::invalid,
                fmt::format("'{}': only a scheme, a host and a port are allowed", url));
  e.host = std::string(host);
  if (!port.empty()) {
    int p = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc{} || end != port.data() + port.size() || p < 1 || p > 65535)
      return fail(ErrorCode::invalid,
                  fmt::format("'{}': the port must be a number in 1..65535", url));
    e.port = p;
  }
  return e;
}

Status check_config(const Config& config) {
  if (config.notify.retry_base_ms > config.notify.retry_max_ms)
    return std::unexpected(
        key_error("notify.retry_base_ms", "must not be more than notify.retry_max_ms"));
  if (!config.notify.smtp_username.empty() && config.notify.smtp_tls != "starttls_required" &&
      !config.notify.smtp_url.starts_with("smtps://"))
    return std::unexpected(
        key_error("notify.smtp_tls",
                  "credentials are sent over TLS only: use starttls_required or an smtps:// URL"));
  const auto& b = config.mqtt.bridge;
  if (b.url.empty()) return {};
  const auto endpoint = parse_bridge_url(b.url);
  if (!endpoint) return std::unexpected(key_error("mqtt.bridge.url", endpoint.error().message));
  if (b.tenant <= 0)
    return std::unexpected(key_error("mqtt.bridge.tenant",
                                     "required with mqtt.bridge.url: the id of the tenant whose "
                                     "data the bridged messages are"));
  if (split_list(b.topics).empty())
    return std::unexpected(key_error("mqtt.bridge.topics",
                                     "required with mqtt.bridge.url: the filters to subscribe to"));
  if (b.reconnect_min_ms > b.reconnect_max_ms)
    return std::unexpected(
        key_error("mqtt.bridge.reconnect_min_ms",
                  fmt::format("{} is more than mqtt.bridge.reconnect_max_ms ({})",
                              b.reconnect_min_ms, b.reconnect_max_ms)));
  if (b.tls_cert.empty() != b.tls_key.empty())
    return std::unexpected(
        key_error(b.tls_cert.empty() ? "mqtt.bridge.tls_cert" : "mqtt.bridge.tls_key",
                  "mqtt.bridge.tls_cert and tls_key go together"));
  if (!endpoint->tls && (!b.tls_ca.empty() || !b.tls_cert.empty()))
    return std::unexpected(
        key_error(b.tls_ca.empty() ? "mqtt.bridge.tls_cert" : "mqtt.bridge.tls_ca",
                  "set, but mqtt.bridge.url is mqtt://: TLS needs mqtts://"));
  return {};
}

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    if (const char* v = std::getenv(name.c_str())) return std::string(v);
    return std::nullopt;
  };
}

Status set_config_key(Config& config, std::string_view key, std::string_view text) {
  for (const auto& k : keys_of(config))
    if (k.name == key) return apply_value(k, text);
  return fail(ErrorCode::invalid, fmt::format("config key {}: unknown key", key), std::string(key));
}

Result<Config> load_config(const std::string* toml_file, const EnvLookup& env) {
  Config config;
  const auto keys = keys_of(config);
  if (toml_file) {
    toml::table table;
    try {
      table = toml::parse_file(*toml_file);
    } catch (const toml::parse_error& e) {
      return fail(ErrorCode::invalid, fmt::format("config file {}: line {}: {}", *toml_file,
                                                  e.source().begin.line, e.description()));
    }
    // Every key in the file must be known: walk the file, not the key table.
    // Sections nest ([mqtt.bridge] holds mqtt.bridge.url).
    auto walk = [&](auto& self, const std::string& section, const toml::table& sub) -> Status {
      for (const auto& [name, value] : sub) {
        const std::string full = fmt::format("{}.{}", section, name.str());
        const Key* found = nullptr;
        for (const auto& k : keys)
          if (k.name == full) found = &k;
        if (!found) {
          if (const auto* nested = value.as_table()) {
            if (auto s = self(self, full, *nested); !s) return s;
            continue;
          }
          return std::unexpected(key_error(full, "unknown key"));
        }
        if (auto s = apply_value(*found, &value); !s) return s;
      }
      return {};
    };
    for (const auto& [section, node] : table) {
      const auto* sub = node.as_table();
      if (!sub) return std::unexpected(key_error(section.str(), "expected a [section] table"));
      if (auto s = walk(walk, std::string(section.str()), *sub); !s)
        return std::unexpected(s.error());
    }
  }
  for (const auto& k : keys) {
    const std::string name = env_name(k.name);
    if (auto v = env(name)) {
      if (auto s = apply_value(k, std::string_view(*v)); !s) {
        auto e = s.error();
        e.message += fmt::format(" (from environment variable {})", name);
        return std::unexpected(e);
      }
    }
  }
  if (auto s = check_config(config); !s) return std::unexpected(s.error());
  return config;
}

std::string render_config(const Config& config) {
  Config copy = config;
  std::string out;
  std::string_view section;
  for (const auto& k : keys_of(copy)) {
    const auto dot = k.name.rfind('.');  // "mqtt.bridge.url" is url in [mqtt.bridge]
    const auto sec = k.name.substr(0, dot);
    if (sec != section) {
      out += fmt::format("{}[{}]\n", out.empty() ? "" : "\n", sec);
      section = sec;
    }
    out += fmt::format("{} = ", k.name.substr(dot + 1));
    std::visit(
        [&](const auto& t) {
          using T = std::decay_t<decltype(t)>;
          if constexpr (std::is_same_v<T, BoolKey>)
            out += *t.value ? "true" : "false";
          else if constexpr (std::is_same_v<T, TextKey>) {
            // A secret shows only whether it is set; the output may end up in
            // a support ticket.
            if (t.secret && !t.value->empty()) {
              out += "\"(set, not shown)\"";
              return;
            }
            std::ostringstream s;
            s << toml::value<std::string>(*t.value);
            out += s.str();
          } else
            out += std::to_string(*t.value);
        },
        k.target);
    out += '\n';
  }
  return out;
}

}  // namespace citypulse
