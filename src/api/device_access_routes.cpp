// Device access, managed by people:
//
//   POST   /api/v1/devices/{id}/credentials        {"kind"?, "name"?, ...} → 201
//            "token" (default): a random token, shown once;
//            "basic": {"username", "password"?, "client_id"?}, a password
//              made and shown once when none is given;
//            "certificate": {"fingerprint"? | "certificate"? (PEM), "cn"?}
//   GET    /api/v1/devices/{id}/credentials        kinds and public parts, no secret
//   DELETE /api/v1/devices/{id}/credentials/{cid}  revoke (the record stays)
//   GET    /api/v1/devices/{id}/activity           last seen, messages, readings, rejected
//   GET    /api/v1/devices/activity                the same for every device the caller
//            sees, ?building_id= for one building's; one store query
//   GET    /api/v1/devices/{id}/attributes         what the device reported
//   POST   /api/v1/integrations                    {"kind", "name"} → 201, the secret shown once
//   GET    /api/v1/integrations, /api/v1/integrations/{id}
//   DELETE /api/v1/integrations/{id}               revoke
//
// Tokens and secrets are random (256 bits), stored as SHA-256 hashes; the
// first characters are kept as a hint to tell them apart. Device passwords
// meet the policy people's do and are kept as Argon2id hashes. How the
// broker uses each kind: docs/mqtt.md, "Who may connect". Disabling a
// device is a change of its status (PATCH /devices/{id} {"status": "disabled"}).
#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <limits>

#include "api/ingest_routes.h"
#include "api/json_io.h"
#include "api/paging.h"
#include "api/problem.h"
#include "auth/certificate_fingerprint.h"
#include "auth/password.h"
#include "auth/secret.h"
#include "core/time.h"
#include "model/json_fields.h"
#include "store/device_access_store.h"

namespace citypulse {
namespace json = boost::json;
namespace {

constexpr std::size_t kHintLength = 6;

json::value optional_id(std::optional<Id> id) {
  return id ? json::value(*id) : json::value(nullptr);
}

json::value optional_text(const std::string& text) {
  return text.empty() ? json::value(nullptr) : json::value(text);
}

// The public parts only: never a token, password or hash.
json::object credential_json(const DeviceCredential& c) {
  json::object o{{"id", c.id}, {"device_id", c.device_id}, {"kind", c.kind}, {"name", c.name}};
  if (c.kind == "basic") {
    o["username"] = c.username;
    o["client_id"] = optional_text(c.client_id);
  } else if (c.kind == "certificate") {
    o["fingerprint"] = optional_text(c.certificate_fingerprint);
    o["cn"] = optional_text(c.certificate_cn);
  } else {
    o["hint"] = c.hint;
  }
  o["created_by"] = optional_id(c.created_by);
  o["created_at"] = format_rfc3339(c.created_at);
  o["revoked"] = c.revoked;
  return o;
}

json::object integration_json(const Integration& i) {
  return {{"id", i.id},
          {"tenant_id", i.tenant_id},
          {"kind", i.kind},
          {"name", i.name},
          {"hint", i.hint},
          {"created_by", optional_id(i.created_by)},
          {"created_at", format_rfc3339(i.created_at)},
          {"revoked", i.revoked}};
}

std::optional<Id> acting_user(const RequestContext& ctx) {
  if (ctx.principal && ctx.principal->kind == auth::Principal::Kind::user) return ctx.principal->id;
  return std::nullopt;
}

Error at(Error e, std::string_view field) {
  e.field = std::string(field);
  return e;
}

// The fields only one kind has; any other kind's is an error naming it.
constexpr std::string_view kSpecificFields[] = {"username",    "password",    "client_id",
                                                "fingerprint", "certificate", "cn"};

bool belongs(std::string_view kind, std::string_view field) {
  if (kind == "basic") return field == "username" || field == "password" || field == "client_id";
  if (kind == "certificate")
    return field == "fingerprint" || field == "certificate" || field == "cn";
  return false;
}

// A user name or client id as MQTT carries them: UTF-8 without control
// characters (U+0000 is forbidden by [MQTT-1.5.4-2]; the rest would only
// make logs lie).
Status check_printable(const std::string& text, std::string_view field) {
  for (unsigned char c : text)
    if (c < 0x20 || c == 0x7f)
      return fail(ErrorCode::invalid,
                  fmt::format("'{}' must not contain control characters", field.substr(1)),
                  std::string(field));
  return {};
}

// A basic credential from the body; `password` receives the one the server
// made when the body gave none.
Result<DeviceCredential> basic_credential(const JsonFields& f, std::string& made_password) {
  DeviceCredential c;
  auto username = f.text("username", true, 200);
  if (!username) return std::unexpected(username.error());
  if (auto s = check_printable(**username, "/username"); !s) return std::unexpected(s.error());
  auto client_id = f.text("client_id", false, 200);
  if (!client_id) return std::unexpected(client_id.error());
  if (*client_id)
    if (auto s = check_printable(**client_id, "/client_id"); !s) return std::unexpected(s.error());
  auto password = f.text("password", false, 1024);
  if (!password) return std::unexpected(password.error());
  if (*password) {
    if (auto s = auth::check_password_policy(**password); !s) return std::unexpected(s.error());
  } else {
    made_password = auth::random_token(24);
  }
  auto hash = auth::hash_password(*password ? **password : made_password);
  if (!hash) return std::unexpected(hash.error());
  c.username = std::move(**username);
  c.client_id = client_id->value_or("");
  c.password_hash = std::move(*hash);
  return c;
}

Result<DeviceCredential> certificate_credential(const JsonFields& f) {
  DeviceCredential c;
  auto fingerprint = f.text("fingerprint", false, 200);
  if (!fingerprint) return std::unexpected(fingerprint.error());
  auto pem = f.text("certificate", false, 64 * 1024);
  if (!pem) return std::unexpected(pem.error());
  auto cn = f.text("cn", false, 200);
  if (!cn) return std::unexpected(cn.error());
  if (*fingerprint && *pem)
    return fail(ErrorCode::invalid, "give either 'fingerprint' or 'certificate', not both",
                "/certificate");
  if (!*fingerprint && !*pem && !*cn)
    return fail(ErrorCode::invalid,
                "a certificate credential needs a 'fingerprint', a 'certificate' (PEM) or a 'cn'",
                "/fingerprint");
  if (*fingerprint) {
    auto normal = auth::normalize_fingerprint(**fingerprint);
    if (!normal) return std::unexpected(at(normal.error(), "/fingerprint"));
    c.certificate_fingerprint = std::move(*normal);
  }
  if (*pem) {
    auto computed = auth::fingerprint_of_pem(**pem);
    if (!computed) return std::unexpected(at(computed.error(), "/certificate"));
    c.certificate_fingerprint = std::move(*computed);
  }
  if (*cn) {
    if (auto s = check_printable(**cn, "/cn"); !s) return std::unexpected(s.error());
    c.certificate_cn = std::move(**cn);
  }
  return c;
}

HttpResponse create_credential(RequestContext& ctx, const IngestDeps& deps) {
  auto id = ctx.id_param("id");
  if (!id) return problem_response(id.error(), ctx.request.path);
  // The device first: one out of scope is 404 whatever the body.
  if (auto device = deps.store.devices().get(ctx.scope, *id); !device)
    return problem_response(device.error(), ctx.request.path);
  json::value empty = json::object{};
  Result<json::value> body =
      ctx.request.body.empty() ? Result<json::value>(empty) : read_json_body(ctx.request);
  if (!body) return problem_response(body.error(), ctx.request.path);
  auto f = JsonFields::of(*body, {"kind", "name", "username", "password", "client_id",
                                  "fingerprint", "certificate", "cn"});
  if (!f) return problem_response(f.error(), ctx.request.path);
  auto kind_field = f->text("kind", false, 40);
  if (!kind_field) return problem_response(kind_field.error(), ctx.request.path);
  const std::string kind = kind_field->value_or("token");
  const auto kinds = credential_kinds();
  if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end())
    return problem_response(
        Error{ErrorCode::invalid,
              fmt::format("'kind' must be one of token, basic, certificate, not '{}'", kind),
              "/kind"},
        ctx.request.path);
  for (std::string_view field : kSpecificFields)
    if (f->has(field) && !belongs(kind, field))
      return problem_response(
          Error{ErrorCode::invalid, fmt::format("a {} credential has no '{}'", kind, field),
                fmt::format("/{}", field)},
          ctx.request.path);
  auto name = f->text("name", false, 100);
  if (!name) return problem_response(name.error(), ctx.request.path);

  std::string token, made_password;
  Result<DeviceCredential> made = DeviceCredential{};
  if (kind == "basic") {
    made = basic_credential(*f, made_password);
  } else if (kind == "certificate") {
    made = certificate_credential(*f);
  } else {
    token = auth::random_token(32);
    made->token_hash = auth::sha256_hex(token);
    made->hint = token.substr(0, kHintLength);
  }
  if (!made) return problem_response(made.error(), ctx.request.path);
  DeviceCredential c = std::move(*made);
  c.kind = kind;
  c.device_id = *id;
  c.name = name->value_or(kind == "token"   ? "access token"
                          : kind == "basic" ? "user name and password"
                                            : "client certificate");
  c.created_by = acting_user(ctx);
  auto stored = deps.store.device_access().create_credential(ctx.scope, std::move(c));
  if (!stored) return problem_response(stored.error(), ctx.request.path);
  auto out = credential_json(*stored);
  json::object note{{"device_id", *id}, {"kind", stored->kind}};
  for (const char* key : {"hint", "username", "fingerprint", "cn"})
    if (auto it = out.find(key); it != out.end()) note[key] = it->value();
  ctx.audit = AuditNote{stored->tenant_id, stored->id, to_json_text(note)};
  if (!token.empty()) out["token"] = token;
  if (!made_password.empty()) out["password"] = made_password;
  auto r = json_response(201, out);
  r.set_header("Location", fmt::format("/api/v1/devices/{}/credentials/{}", *id, stored->id));
  return r;
}

HttpResponse list_credentials(RequestContext& ctx, const IngestDeps& deps) {
  auto id = ctx.id_param("id");
  if (!id) return problem_response(id.error(), ctx.request.path);
  auto list = deps.store.device_access().list_credentials(ctx.scope, *id);
  if (!list) return problem_response(list.error(), ctx.request.path);
  json::array items;
  for (const auto& c : *list) items.push_back(credential_json(c));
  return json_response(200, json::object{{"items", std::move(items)}});
}

HttpResponse revoke_credential(RequestContext& ctx, const IngestDeps& deps) {
  auto id = ctx.id_param("id");
  if (!id) return problem_response(id.error(), ctx.request.path);
  auto cid = ctx.id_param("credential_id");
  if (!cid) return problem_response(cid.error(), ctx.request.path);
  auto revoked = deps.store.device_access().revoke_credential(ctx.scope, *id, *cid);
  if (!revoked) return problem_response(revoked.error(), ctx.request.path);
  ctx.audit = AuditNote{revoked->tenant_id, revoked->id,
                        to_json_text(json::object{{"device_id", *id}, {"revoked", true}})};
  HttpResponse r;
  r.status = 204;
  return r;
}

json::object activity_json(const DeviceActivity& a) {
  return {{"device_id", a.device_id},
          {"last_seen_at",
           a.last_seen_at ? json::value(format_rfc3339(*a.last_seen_at)) : json::value(nullptr)},
          {"messages", a.messages},
          {"readings", a.readings},
          {"rejected", a.rejected}};
}

HttpResponse device_activity(RequestContext& ctx, const IngestDeps& deps) {
  auto id = ctx.id_param("id");
  if (!id) return problem_response(id.error(), ctx.request.path);
  auto a = deps.pipeline.activity(ctx.scope, *id);
  if (!a) return problem_response(a.error(), ctx.request.path);
  return json_response(200, activity_json(*a));
}

// ?building_id= only. A building the caller does not see gives an empty
// list, as the devices list filtered by it does: no 404 that would tell a
// building-limited caller which ids exist.
HttpResponse all_devices_activity(RequestContext& ctx, const IngestDeps& deps) {
  std::optional<Id> building;
  for (const auto& [k, v] : ctx.request.query) {
    if (k != "building_id")
      return problem_response(
          Error{
              ErrorCode::bad_request,
              fmt::format("unknown query parameter '{}'; devices/activity accepts: building_id", k),
              k},
          ctx.request.path);
    auto id = parse_integer("building_id", v, 1, std::numeric_limits<Id>::max());
    if (!id)
      return problem_response(
          Error{ErrorCode::bad_request,
                fmt::format("query parameter 'building_id' must be a positive integer id, got '{}'",
                            v),
                "building_id"},
          ctx.request.path);
    building = *id;
  }
  auto list = deps.pipeline.activities(ctx.scope, building);
  if (!list) return problem_response(list.error(), ctx.request.path);
  json::array items;
  items.reserve(list->size());
  for (const auto& a : *list) items.push_back(activity_json(a));
  return json_response(200, json::object{{"items", std::move(items)}});
}

HttpResponse device_attributes(RequestContext& ctx, const IngestDeps& deps) {
  auto id = ctx.id_param("id");
  if (!id) return problem_response(id.error(), ctx.request.path);
  auto list = deps.store.device_access().attributes(ctx.scope, *id);
  if (!list) return problem_response(list.error(), ctx.request.path);
  json::array items;
  for (const auto& a : *list) {
    boost::system::error_code ec;
    items.push_back(json::object{{"key", a.key},
                                 {"value", json::parse(a.value_json, ec)},
                                 {"updated_at", format_rfc3339(a.updated_at)}});
  }
  return json_response(200, json::object{{"device_id", *id}, {"items", std::move(items)}});
}

HttpResponse create_integration(RequestContext& ctx, const IngestDeps& deps) {
  auto body = read_json_body(ctx.request);
  if (!body) return problem_response(body.error(), ctx.request.path);
  auto f = JsonFields::of(*body, {"kind", "name", "tenant_id"});
  if (!f) return problem_response(f.error(), ctx.request.path);
  auto kind = f->text("kind", true, 40);
  if (!kind) return problem_response(kind.error(), ctx.request.path);
  auto name = f->text("name", false, 100);
  if (!name) return problem_response(name.error(), ctx.request.path);
  auto tenant = f->id("tenant_id");
  if (!tenant) return problem_response(tenant.error(), ctx.request.path);
  const std::string secret = auth::random_token(32);
  Integration i;
  i.tenant_id = tenant->value_or(0);
  i.kind = **kind;
  i.name = name->value_or(**kind);
  i.secret_hash = auth::sha256_hex(secret);
  i.hint = secret.substr(0, kHintLength);
  i.created_by = acting_user(ctx);
  auto stored = deps.store.device_access().create_integration(ctx.scope, std::move(i));
  if (!stored) return problem_response(stored.error(), ctx.request.path);
  ctx.audit = AuditNote{stored->tenant_id, stored->id,
                        to_json_text(json::object{{"kind", stored->kind}, {"hint", stored->hint}})};
  auto out = integration_json(*stored);
  out["secret"] = secret;
  out["webhook"] =
      stored->kind == "chirpstack" ? "/api/v1/integrations/chirpstack" : "/api/v1/integrations/ttn";
  auto r = json_response(201, out);
  r.set_header("Location", fmt::format("/api/v1/integrations/{}", stored->id));
  return r;
}

HttpResponse list_integrations(RequestContext& ctx, const IngestDeps& deps) {
  auto list = deps.store.device_access().list_integrations(ctx.scope);
  if (!list) return problem_response(list.error(), ctx.request.path);
  json::array items;
  for (const auto& i : *list) items.push_back(integration_json(i));
  return json_response(200, json::object{{"items", std::move(items)}});
}

HttpResponse get_integration(RequestContext& ctx, const IngestDeps& deps) {
  auto id = ctx.id_param("id");
  if (!id) return problem_response(id.error(), ctx.request.path);
  auto list = deps.store.device_access().list_integrations(ctx.scope);
  if (!list) return problem_response(list.error(), ctx.request.path);
  for (const auto& i : *list)
    if (i.id == *id) return json_response(200, integration_json(i));
  return problem_response(
      Error{ErrorCode::not_found, fmt::format("integration {} does not exist", *id), {}},
      ctx.request.path);
}

HttpResponse revoke_integration(RequestContext& ctx, const IngestDeps& deps) {
  auto id = ctx.id_param("id");
  if (!id) return problem_response(id.error(), ctx.request.path);
  auto revoked = deps.store.device_access().revoke_integration(ctx.scope, *id);
  if (!revoked) return problem_response(revoked.error(), ctx.request.path);
  ctx.audit =
      AuditNote{revoked->tenant_id, revoked->id, to_json_text(json::object{{"revoked", true}})};
  HttpResponse r;
  r.status = 204;
  return r;
}

}  // namespace

void add_device_access_routes(Router& router, const IngestDeps& deps) {
  using auth::Permission;
  const auto read = RouteAccess::needs(Permission::assets_read, RateClass::read);
  const auto write = RouteAccess::needs(Permission::assets_write, RateClass::write);
  router.add("POST", "/api/v1/devices/{id}/credentials", write,
             [deps](RequestContext& c) { return create_credential(c, deps); });
  router.add("GET", "/api/v1/devices/{id}/credentials", read,
             [deps](RequestContext& c) { return list_credentials(c, deps); });
  router.add("DELETE", "/api/v1/devices/{id}/credentials/{credential_id}", write,
             [deps](RequestContext& c) { return revoke_credential(c, deps); });
  router.add("GET", "/api/v1/devices/activity", read,
             [deps](RequestContext& c) { return all_devices_activity(c, deps); });
  router.add("GET", "/api/v1/devices/{id}/activity", read,
             [deps](RequestContext& c) { return device_activity(c, deps); });
  router.add("GET", "/api/v1/devices/{id}/attributes", read,
             [deps](RequestContext& c) { return device_attributes(c, deps); });
  router.add("POST", "/api/v1/integrations", write,
             [deps](RequestContext& c) { return create_integration(c, deps); });
  router.add("GET", "/api/v1/integrations", read,
             [deps](RequestContext& c) { return list_integrations(c, deps); });
  router.add("GET", "/api/v1/integrations/{id}", read,
             [deps](RequestContext& c) { return get_integration(c, deps); });
  router.add("DELETE", "/api/v1/integrations/{id}", write,
             [deps](RequestContext& c) { return revoke_integration(c, deps); });
}

}  // namespace citypulse
