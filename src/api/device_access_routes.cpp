// Device access, managed by people:
//
//   POST   /api/v1/devices/{id}/credentials        {"name"?} → 201, the token shown once
//   GET    /api/v1/devices/{id}/credentials        without tokens
//   DELETE /api/v1/devices/{id}/credentials/{cid}  revoke (the record stays)
//   GET    /api/v1/devices/{id}/activity           last seen, messages, readings, rejected
//   GET    /api/v1/devices/{id}/attributes         what the device reported
//   POST   /api/v1/integrations                    {"kind", "name"} → 201, the secret shown once
//   GET    /api/v1/integrations, /api/v1/integrations/{id}
//   DELETE /api/v1/integrations/{id}               revoke
//
// Tokens and secrets are random (256 bits), stored as SHA-256 hashes; the
// first characters are kept as a hint to tell them apart. Disabling a device
// is a change of its status (PATCH /devices/{id} {"status": "disabled"}).
#include <fmt/format.h>

#include <boost/json.hpp>

#include "api/ingest_routes.h"
#include "api/json_fields.h"
#include "api/json_io.h"
#include "api/problem.h"
#include "auth/secret.h"
#include "core/time.h"
#include "store/device_access_store.h"

namespace citypulse {
namespace json = boost::json;
namespace {

constexpr std::size_t kHintLength = 6;

json::value optional_id(std::optional<Id> id) {
  return id ? json::value(*id) : json::value(nullptr);
}

json::object credential_json(const DeviceCredential& c) {
  return {{"id", c.id},
          {"device_id", c.device_id},
          {"name", c.name},
          {"hint", c.hint},
          {"created_by", optional_id(c.created_by)},
          {"created_at", format_rfc3339(c.created_at)},
          {"revoked", c.revoked}};
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
  auto f = JsonFields::of(*body, {"name"});
  if (!f) return problem_response(f.error(), ctx.request.path);
  auto name = f->text("name", false, 100);
  if (!name) return problem_response(name.error(), ctx.request.path);
  const std::string token = auth::random_token(32);
  DeviceCredential c;
  c.device_id = *id;
  c.name = name->value_or("access token");
  c.token_hash = auth::sha256_hex(token);
  c.hint = token.substr(0, kHintLength);
  c.created_by = acting_user(ctx);
  auto stored = deps.store.device_access().create_credential(ctx.scope, std::move(c));
  if (!stored) return problem_response(stored.error(), ctx.request.path);
  ctx.audit = AuditNote{stored->tenant_id, stored->id,
                        to_json_text(json::object{{"device_id", *id}, {"hint", stored->hint}})};
  auto out = credential_json(*stored);
  out["token"] = token;
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

HttpResponse device_activity(RequestContext& ctx, const IngestDeps& deps) {
  auto id = ctx.id_param("id");
  if (!id) return problem_response(id.error(), ctx.request.path);
  auto a = deps.pipeline.activity(ctx.scope, *id);
  if (!a) return problem_response(a.error(), ctx.request.path);
  return json_response(
      200,
      json::object{{"device_id", *id},
                   {"last_seen_at", a->last_seen_at ? json::value(format_rfc3339(*a->last_seen_at))
                                                    : json::value(nullptr)},
                   {"messages", a->messages},
                   {"readings", a->readings},
                   {"rejected", a->rejected}});
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
