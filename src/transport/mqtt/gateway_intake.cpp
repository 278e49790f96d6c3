// The gateway API (ThingsBoard's, docs/mqtt.md "Gateways"): one gateway's
// connection speaks for the devices behind it, which it names by name.
//
//   v1/gateway/connect             {"device": "A", "type"?: "..."}: A is online
//   v1/gateway/disconnect          {"device": "A"}: A is offline (device_presence.h)
//   v1/gateway/telemetry           {"A": <telemetry body>, "B": ...}
//   v1/gateway/attributes          {"A": {"k": v, ...}, ...}
//   v1/gateway/attributes/request  {"id", "device", "client"?, "key" | "keys"}
//                                  → v1/gateway/attributes/response
//   v1/gateway/rpc                 the gateway's reply {"device", "id", "data"}
//
// Who a gateway may speak for: the devices of its tenant whose gateway_id is
// the gateway, by name. A name it has no device for is created behind it
// while the gateway is in provisioning (in the gateway's building, itself
// in provisioning so its points are created too); otherwise that part of
// the message is refused and the rest goes on. A device only speaks for
// others while its role is "gateway" (checked at connect, and again here).
//
// Telemetry for several devices is one acknowledgement: success when every
// device's readings were taken, the first failure's reason when none were,
// success with a reason string naming the failures otherwise.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"
#include "ingest/telemetry_json.h"
#include "store/device_access_store.h"
#include "store/scope.h"
#include "transport/mqtt/device_intake.h"

namespace citypulse::mqtt {
namespace json = boost::json;
namespace {

// Devices named in one message; the readings are bounded by the intake's
// per-message maximum as well.
constexpr std::size_t kMaxDevicesPerMessage = 1000;
// Devices behind one gateway: a gateway in provisioning that relays names
// from anywhere cannot fill the store.
constexpr std::size_t kMaxDevicesPerGateway = 10'000;

// One acknowledgement from the outcomes of a message's parts, whatever
// thread each comes on: the server's own failure (the store) wins, so a
// 3.1.1 gateway is closed on and sends the message again rather than be
// told readings are safe that are not; else success when any part
// succeeded, else the first device's refusal.
class JoinedParts {
 public:
  static std::shared_ptr<JoinedParts> make(IntakeDone done, std::size_t parts) {
    auto j = std::shared_ptr<JoinedParts>(new JoinedParts(std::move(done), parts));
    j->self_ = j;
    return j;
  }

  // The `done` of the message's part `index` (in message order), for `device_name`.
  IntakeDone part(std::size_t index, std::string device_name) {
    return [self = self_.lock(), index, name = std::move(device_name)](IntakeResult r) {
      self->finish(index, name, r);
    };
  }

 private:
  JoinedParts(IntakeDone done, std::size_t parts)
      : done_(std::move(done)), reasons_(parts, reason::success), left_(parts) {}

  static bool servers_fault(std::uint8_t reason) {
    return reason == reason::unspecified_error || reason == reason::server_unavailable ||
           reason == reason::server_busy;
  }

  void finish(std::size_t index, const std::string& name, const IntakeResult& r) {
    IntakeResult result;
    {
      std::lock_guard lock(mutex_);
      reasons_[index] = r.reason;
      if (!r.message.empty() && notes_.size() < 512)
        notes_ += fmt::format("{}'{}': {}", notes_.empty() ? "" : "; ", name, r.message);
      if (--left_ > 0) return;
      std::uint8_t joined = reason::success;
      const auto fault = std::find_if(reasons_.begin(), reasons_.end(), servers_fault);
      if (fault != reasons_.end())
        joined = *fault;
      else if (std::all_of(reasons_.begin(), reasons_.end(), [](auto x) { return x >= 0x80; }))
        joined = reasons_.front();
      result = {joined, std::move(notes_)};
    }
    done_(std::move(result));
  }

  std::mutex mutex_;
  IntakeDone done_;
  std::vector<std::uint8_t> reasons_;  // by part
  std::size_t left_;
  std::string notes_;
  std::weak_ptr<JoinedParts> self_;
};

// The payload as a JSON object; nullopt when it is none.
std::optional<json::object> json_object_of(std::string_view payload) {
  boost::system::error_code ec;
  auto body = json::parse(payload, ec);
  if (ec || !body.is_object()) return std::nullopt;
  return std::move(body.as_object());
}

IntakeResult bad_payload(std::string message) {
  return IntakeResult{reason::payload_format_invalid, std::move(message)};
}

IntakeResult unknown_child(const ingest::DeviceEntry& gateway, std::string_view name) {
  return IntakeResult{
      reason::implementation_specific_error,
      fmt::format("no device '{}' behind gateway {} (a gateway in provisioning creates it)", name,
                  gateway.id)};
}

// A device name as the API accepts one: 1..200 bytes without control characters.
bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 200) return false;
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f) return false;
  return true;
}

std::optional<std::string> device_member(const json::object& o) {
  const auto* d = o.if_contains("device");
  if (!d || !d->is_string() || !valid_name(d->get_string())) return std::nullopt;
  return std::string(d->get_string());
}

}  // namespace

// The gateway API's steps, with the intake's members at hand.
struct DeviceIntake::GatewayApi {
  DeviceIntake& in;
  // By value: the steps run on workers after the connection may be gone.
  Id gateway_id = 0;
  Id tenant_id = 0;

  // The gateway as the directory has it now, while it still is one; on a
  // worker (may block).
  Result<const ingest::DeviceEntry*> gateway_entry(const ingest::Snapshot& s) const {
    const auto* g = s.device(gateway_id);
    if (!g || !g->gateway || g->disabled() || g->tenant_id != tenant_id)
      return fail(ErrorCode::forbidden,
                  fmt::format("device {} is not an enabled gateway", gateway_id));
    return g;
  }

  // The child `name` of the gateway, created when the gateway is in
  // provisioning; nullopt (and `refusal` set) when it may not speak for it.
  // On a worker.
  std::optional<Id> child(const ingest::DeviceEntry& gateway, const std::string& name,
                          std::string_view type, bool may_create, IntakeResult& refusal) const {
    auto snapshot = in.directory_.current();
    if (!snapshot) {
      refusal = {reason::unspecified_error, snapshot.error().message};
      return std::nullopt;
    }
    if (const auto* c = (*snapshot)->child(gateway.id, name)) {
      if (c->disabled()) {
        refusal = {reason::implementation_specific_error,
                   fmt::format("device {} ('{}') is disabled", c->id, name)};
        return std::nullopt;
      }
      return c->id;
    }
    if (!gateway.provisioning() || !may_create) {
      refusal = unknown_child(gateway, name);
      return std::nullopt;
    }
    if ((*snapshot)->children_of(gateway.id) >= kMaxDevicesPerGateway) {
      refusal = {reason::quota_exceeded,
                 fmt::format("gateway {} has {} devices already, the most one may have", gateway.id,
                             kMaxDevicesPerGateway)};
      return std::nullopt;
    }
    // One creation at a time, checked again under the lock: two messages
    // naming a new device must not make it twice.
    static std::mutex creating;
    std::lock_guard lock(creating);
    if (auto again = in.directory_.current())
      if (const auto* c = (*again)->child(gateway.id, name)) return c->id;
    Device d;
    d.name = name;
    d.protocol = gateway.protocol;
    // At most 200 bytes, cut before a UTF-8 continuation byte.
    std::size_t cut = std::min<std::size_t>(type.size(), 200);
    while (cut > 0 && cut < type.size() && (static_cast<unsigned char>(type[cut]) & 0xC0) == 0x80)
      --cut;
    d.model = std::string(type.substr(0, cut));
    d.building_id = gateway.building_id;
    d.gateway_id = gateway.id;
    d.status = "provisioning";
    d.tags = {"auto_created"};
    auto created = in.store_.devices().create(Scope::tenant(gateway.tenant_id), std::move(d));
    if (!created) {
      refusal = {reason::unspecified_error,
                 fmt::format("cannot create device '{}': {}", name, created.error().message)};
      return std::nullopt;
    }
    spdlog::info("gateway {} created device {} ('{}')", gateway.id, created->id, name);
    return created->id;
  }

  // Runs `step` on a worker with the gateway checked; failures answer `done`.
  template <class Step>
  void on_worker(IntakeDone done, Step step) const {
    in.run_work([api = *this, done = std::move(done), step = std::move(step)]() mutable {
      auto snapshot = api.in.directory_.current();
      if (!snapshot) {
        done(IntakeResult{reason::unspecified_error, snapshot.error().message});
        return;
      }
      auto gateway = api.gateway_entry(**snapshot);
      if (!gateway) {
        done(IntakeResult{reason::not_authorized, gateway.error().message});
        return;
      }
      step(**gateway, done);
    });
  }

  Verdict telemetry(const MessagePtr& message, IntakeDone& done) const {
    const auto body = json_object_of(message->payload);
    const auto* o = body ? &*body : nullptr;
    if (!o || o->empty() || o->size() > kMaxDevicesPerMessage) {
      done(bad_payload(fmt::format(
          "gateway telemetry is a JSON object of 1 to {} \"device name\": telemetry members",
          kMaxDevicesPerMessage)));
      return Verdict::taken;
    }
    struct Part {
      std::string name;
      ingest::Telemetry readings;
    };
    std::vector<Part> parts;
    std::size_t left = in.options_.max_readings_per_message;
    const auto now = now_ms();
    for (const auto& [name, value] : *o) {
      if (!valid_name(name)) {
        done(bad_payload("a device name is 1 to 200 characters"));
        return Verdict::taken;
      }
      auto readings = ingest::parse_telemetry(value, now, left);
      if (!readings) {
        done(bad_payload(
            fmt::format("device '{}': {}", std::string_view(name), readings.error().message)));
        return Verdict::taken;
      }
      left -= readings->size();
      parts.push_back({std::string(name), std::move(*readings)});
    }
    // All devices' readings or none: room is checked once for the message.
    if (!in.pipeline_.has_room(ingest::Source::mqtt)) return Verdict::busy;
    if (auto snapshot = in.directory_.current_if_fresh()) {
      const auto* gateway = snapshot->device(gateway_id);
      std::vector<Id> children;
      for (const auto& p : parts) {
        const auto* c = gateway && gateway->gateway && !gateway->disabled()
                            ? snapshot->child(gateway->id, p.name)
                            : nullptr;
        if (!c || c->disabled()) break;
        children.push_back(c->id);
      }
      if (children.size() == parts.size()) {
        auto joined = JoinedParts::make(std::move(done), parts.size());
        for (std::size_t i = 0; i < parts.size(); ++i) {
          auto part_done = joined->part(i, parts[i].name);
          in.take_readings(tenant_id, children[i], std::move(parts[i].readings), part_done, false);
        }
        return Verdict::taken;
      }
    }
    // A new device, a stale directory or a refusal: worked out on a worker.
    on_worker(std::move(done), [api = *this, parts = std::move(parts)](
                                   const ingest::DeviceEntry& gateway, IntakeDone& done) mutable {
      auto joined = JoinedParts::make(std::move(done), parts.size());
      for (std::size_t i = 0; i < parts.size(); ++i) {
        auto& p = parts[i];
        auto part_done = joined->part(i, p.name);
        IntakeResult refusal;
        const auto child = api.child(gateway, p.name, {}, true, refusal);
        if (!child) {
          part_done(std::move(refusal));
          continue;
        }
        ingest::IngestRequest request;
        request.source = ingest::Source::mqtt;
        request.tenant_id = gateway.tenant_id;
        request.device_id = *child;
        request.started_steady_ms = steady_ms();
        request.readings = std::move(p.readings);
        api.in.submit_on_worker(std::move(request), std::move(part_done));
      }
    });
    return Verdict::taken;
  }

  Verdict connect(const MessagePtr& message, IntakeDone& done) const {
    const auto body = json_object_of(message->payload);
    const auto* o = body ? &*body : nullptr;
    auto name = o ? device_member(*o) : std::nullopt;
    if (!name) {
      done(bad_payload("connect is {\"device\": \"<name of 1 to 200 characters>\", \"type\"?}"));
      return Verdict::taken;
    }
    std::string type;
    if (const auto* t = o->if_contains("type"); t && t->is_string()) type = t->get_string();
    // Taken here, in message order: a disconnect after this message voids
    // it, however late the worker gets to it (device_presence.h).
    const auto ticket = in.presence_ ? in.presence_->child_named(gateway_id, *name) : 0;
    on_worker(std::move(done), [api = *this, name = std::move(*name), type = std::move(type),
                                ticket](const ingest::DeviceEntry& gateway, IntakeDone& done) {
      IntakeResult refusal;
      const auto child = api.child(gateway, name, type, true, refusal);
      if (!child) {
        if (api.in.presence_) api.in.presence_->child_refused(api.gateway_id, name, ticket);
        done(std::move(refusal));
        return;
      }
      if (api.in.presence_) api.announce(gateway, name, ticket, *child);
      api.in.pipeline_.record_message(*child);
      done(IntakeResult{});
    });
    return Verdict::taken;
  }

  // The child `name` resolved to is online by the gateway's word, in its
  // own building (a device just created is in the gateway's). On a worker.
  void announce(const ingest::DeviceEntry& gateway, std::string_view name, std::uint64_t ticket,
                Id child) const {
    auto snapshot = in.directory_.current();
    const auto* entry = snapshot ? (*snapshot)->device(child) : nullptr;
    in.presence_->child_resolved(gateway_id, name, ticket, gateway.tenant_id, child,
                                 entry ? entry->building_id : gateway.building_id);
  }

  // v1/gateway/disconnect: the device it names is offline by the gateway's
  // word. On the I/O thread, in message order; the message is routed and
  // acknowledged as any other.
  Verdict disconnect(const MessagePtr& message) const {
    if (!in.presence_) return Verdict::not_mine;
    const auto body = json_object_of(message->payload);
    if (auto name = body ? device_member(*body) : std::nullopt)
      in.presence_->child_disconnected(gateway_id, *name);
    return Verdict::not_mine;
  }

  Verdict attributes(const MessagePtr& message, IntakeDone& done) const {
    const auto body = json_object_of(message->payload);
    const auto* o = body ? &*body : nullptr;
    if (!o || o->empty() || o->size() > kMaxDevicesPerMessage) {
      done(bad_payload("gateway attributes are {\"device name\": {\"key\": value, ...}, ...}"));
      return Verdict::taken;
    }
    struct Part {
      std::string name;
      std::vector<std::pair<std::string, std::string>> values;
    };
    std::vector<Part> parts;
    for (const auto& [name, value] : *o) {
      const auto* values = value.if_object();
      if (!valid_name(name) || !values || values->size() > 1000) {
        done(bad_payload(
            fmt::format("device '{}': attributes are a JSON object of at most 1000 key: value",
                        std::string_view(name).substr(0, 200))));
        return Verdict::taken;
      }
      Part p{std::string(name), {}};
      for (const auto& [key, v] : *values) {
        if (key.empty() || key.size() > 255) {
          done(bad_payload("an attribute key is 1 to 255 characters"));
          return Verdict::taken;
        }
        p.values.emplace_back(std::string(key), json::serialize(v));
      }
      parts.push_back(std::move(p));
    }
    on_worker(std::move(done), [api = *this, parts = std::move(parts)](
                                   const ingest::DeviceEntry& gateway, IntakeDone& done) {
      auto joined = JoinedParts::make(std::move(done), parts.size());
      for (std::size_t i = 0; i < parts.size(); ++i) {
        const auto& p = parts[i];
        auto part_done = joined->part(i, p.name);
        IntakeResult refusal;
        const auto child = api.child(gateway, p.name, {}, false, refusal);
        if (!child) {
          part_done(std::move(refusal));
          continue;
        }
        auto s = api.in.store_.device_access().set_attributes(*child, p.values, now_ms());
        if (s) api.in.pipeline_.record_message(*child);
        part_done(s ? IntakeResult{} : IntakeResult{reason::unspecified_error, s.error().message});
      }
    });
    return Verdict::taken;
  }

  Verdict attribute_request(const MessagePtr& message, IntakeDone& done) const {
    const auto body = json_object_of(message->payload);
    const auto* o = body ? &*body : nullptr;
    auto name = o ? device_member(*o) : std::nullopt;
    const auto* id = o ? o->if_contains("id") : nullptr;
    const auto* key = o ? o->if_contains("key") : nullptr;
    const auto* keys = o ? o->if_contains("keys") : nullptr;
    if (!name || !id || !(id->is_int64() || id->is_uint64() || id->is_string()) ||
        !((key && key->is_string()) || (keys && keys->is_array()))) {
      done(bad_payload(
          "an attribute request is {\"id\", \"device\", \"client\"?, \"key\" or \"keys\"}"));
      return Verdict::taken;
    }
    bool client_side = true;
    if (const auto* c = o->if_contains("client"); c && c->is_bool()) client_side = c->get_bool();
    // "key" (a string) asks for one value, else "keys" for several.
    const bool single = key && key->is_string();
    std::vector<std::string> wanted;
    if (single) {
      wanted.emplace_back(key->get_string());
    } else {
      for (const auto& k : keys->get_array())
        if (k.is_string() && wanted.size() < 1000) wanted.emplace_back(k.get_string());
    }
    on_worker(std::move(done), [api = *this, name = std::move(*name), id = json::value(*id),
                                wanted = std::move(wanted), single,
                                client_side](const ingest::DeviceEntry& gateway, IntakeDone& done) {
      IntakeResult refusal;
      const auto child = api.child(gateway, name, {}, false, refusal);
      if (!child) {
        done(std::move(refusal));
        return;
      }
      json::object values;
      // Only client attributes are kept; shared ones have none yet.
      if (client_side) {
        auto stored =
            api.in.store_.device_access().attributes(Scope::tenant(gateway.tenant_id), *child);
        if (!stored) {
          done(IntakeResult{reason::unspecified_error, stored.error().message});
          return;
        }
        for (const auto& a : *stored)
          if (std::find(wanted.begin(), wanted.end(), a.key) != wanted.end()) {
            boost::system::error_code ec;
            values[a.key] = json::parse(a.value_json, ec);
          }
      }
      json::object answer{{"id", id}, {"device", name}};
      if (single) {
        auto* v = values.if_contains(wanted.front());
        answer["value"] = v ? *v : json::value(nullptr);
      } else {
        answer["values"] = std::move(values);
      }
      auto m = std::make_shared<Message>();
      m->topic = gateway_topic(gateway.tenant_id, gateway.id, "attributes/response");
      m->payload = json::serialize(answer);
      m->qos = 1;
      api.in.broker_.publish(m);
      done(IntakeResult{});
    });
    return Verdict::taken;
  }

  // The gateway's reply to a request for one of its devices. Also routed
  // (the server's own requests on the same topic are not replies: they
  // carry "data" with "method").
  Verdict rpc_reply(const MessagePtr& message, IntakeDone& done) const {
    const auto body = json_object_of(message->payload);
    const auto* o = body ? &*body : nullptr;
    auto name = o ? device_member(*o) : std::nullopt;
    const auto* id = o ? o->if_contains("id") : nullptr;
    if (!name || !id || !(id->is_int64() || id->is_uint64() || id->is_string())) {
      done(bad_payload("an RPC reply is {\"device\", \"id\", \"data\"}"));
      return Verdict::taken;
    }
    const std::string request_id =
        id->is_string() ? std::string(id->get_string()) : json::serialize(*id);
    const auto* data = o->if_contains("data");
    std::string reply = data ? json::serialize(*data) : std::string("null");
    on_worker(std::move(done),
              [api = *this, name = std::move(*name), request_id, reply = std::move(reply)](
                  const ingest::DeviceEntry& gateway, IntakeDone& done) mutable {
                auto snapshot = api.in.directory_.current();
                const auto* c = snapshot ? (*snapshot)->child(gateway.id, name) : nullptr;
                if (!c) {
                  done(unknown_child(gateway, name));
                  return;
                }
                if (c->disabled()) {
                  done(IntakeResult{reason::implementation_specific_error,
                                    fmt::format("device {} ('{}') is disabled", c->id, name)});
                  return;
                }
                api.in.rpc_.answer(c->id, request_id, std::move(reply));
                done(IntakeResult{});
              });
    return Verdict::taken;
  }
};

Intake::Verdict DeviceIntake::gateway(const ClientIdentity& client, std::string_view below,
                                      const MessagePtr& message, IntakeDone& done) {
  const GatewayApi api{*this, *client.device_id, client.tenant_id};
  if (below == "disconnect") return api.disconnect(message);
  // Most of the rest is done on the blocking pool.
  if (!work_has_room()) return Verdict::busy;
  if (below == "telemetry") return api.telemetry(message, done);
  if (below == "connect") return api.connect(message, done);
  if (below == "attributes") return api.attributes(message, done);
  if (below == "attributes/request") return api.attribute_request(message, done);
  if (below == "rpc") {
    // The server's own requests travel the same topic; only replies are
    // the gateway's to answer.
    return api.rpc_reply(message, done);
  }
  // Anything else: routed and acknowledged as it is.
  return Verdict::not_mine;
}

}  // namespace citypulse::mqtt
