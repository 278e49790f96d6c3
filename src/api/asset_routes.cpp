#include "api/asset_routes.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <boost/json.hpp>
#include <charconv>
#include <map>

#include "api/etag.h"
#include "api/json_io.h"
#include "api/paging.h"
#include "api/problem.h"
#include "core/text.h"
#include "model/asset_schema.h"
#include "model/recipient_schema.h"
#include "model/rule_schema.h"
#include "rules/expression.h"
#include "rules/schedule_text.h"
#include "store/identity_store.h"

namespace citypulse {
namespace {

namespace json = boost::json;

HttpResponse error_response(const RequestContext& ctx, const Error& e) {
  return problem_response(e, ctx.request.path);
}

// Whether an If-Match / If-None-Match header value ("*" or a comma-separated
// list of entity tags) names the current version. If-None-Match compares
// weakly (RFC 9110 13.1.2), so W/"3" matches "3" there; If-Match compares
// strongly, and our tags are all strong, so a weak tag never matches it.
bool names_version(std::string_view header, std::int64_t version, bool weak) {
  const std::string current = etag_of(version);
  for (std::string_view tag : split_list(header)) {
    if (weak && tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == "*" || tag == current) return true;
  }
  return false;
}

// The precondition of an If-Match header against the current version: the
// header may be absent (no precondition), "*", or a list of entity tags.
Status check_if_match(const HttpRequest& req, std::int64_t current_version) {
  const auto header = req.header("If-Match");
  if (!header || names_version(*header, current_version, false)) return {};
  return fail(ErrorCode::precondition_failed,
              fmt::format("If-Match {} does not match the current version {}", *header,
                          etag_of(current_version)));
}

// The audit summary of a change: the fields that differ, before and after
// (bookkeeping fields left out). Either side may be absent (create, delete).
std::string change_summary(const json::object* before, const json::object* after) {
  static constexpr std::string_view kSkip[] = {"version", "created_at", "updated_at"};
  const auto skipped = [](std::string_view k) {
    return std::find(std::begin(kSkip), std::end(kSkip), k) != std::end(kSkip);
  };
  json::object was, now;
  if (before)
    for (const auto& [k, v] : *before)
      if (!skipped(k) && (!after || !after->contains(k) || after->at(k) != v)) was[k] = v;
  if (after)
    for (const auto& [k, v] : *after)
      if (!skipped(k) && (!before || !before->contains(k) || before->at(k) != v)) now[k] = v;
  json::object summary;
  if (before) summary["before"] = std::move(was);
  if (after) summary["after"] = std::move(now);
  return to_json_text(summary);
}

Result<bool> parse_cascade(const HttpRequest& req) {
  bool cascade = false;
  for (const auto& [k, v] : req.query) {
    if (k != "cascade")
      return fail(ErrorCode::bad_request,
                  fmt::format("unknown query parameter '{}'; DELETE accepts: cascade", k), k);
    if (v == "true")
      cascade = true;
    else if (v == "false")
      cascade = false;
    else
      return fail(ErrorCode::bad_request,
                  fmt::format("query parameter 'cascade' must be true or false, got '{}'", v),
                  "cascade");
  }
  return cascade;
}

HttpResponse record_response(int status, const json::object& body, std::int64_t version) {
  auto r = json_response(status, body);
  r.set_header("ETag", etag_of(version));
  return r;
}

// Tells the event bus (when there is one) that a record was created,
// changed or removed: the realtime API's asset_changed events. A record
// that is in a building (or is one) is about that building.
void publish_change(bus::EventBus* bus, std::string_view collection, Id tenant, Id id,
                    std::string_view action, const json::object& record) {
  if (!bus) return;
  bus::Event e;
  e.kind = bus::EventKind::asset_changed;
  e.tenant_id = collection == "tenants" ? id : tenant;
  if (collection == "buildings")
    e.building_id = id;
  else if (const auto* b = record.if_contains("building_id"); b && b->is_int64())
    e.building_id = b->get_int64();
  json::object details{{"collection", collection}, {"id", id}, {"action", action}};
  if (const auto* v = record.if_contains("version")) details["version"] = *v;
  e.details_json = json::serialize(details);
  bus->publish(std::move(e));
}

// What a resource checks beyond its schema before it stores a record (an
// expression rule's text and points); nullptr when the schema says all.
template <class T>
using RecordCheck = Status (*)(RequestContext& ctx, MetaStore& store, const T& record);

template <class T>
class Resource {
 public:
  Resource(MetaStore& store, const Schema<T>& schema, RemovedHook removed, bus::EventBus* bus,
           RecordCheck<T> check)
      : store_(store),
        repo_(repository<T>(store)),
        schema_(schema),
        removed_(std::move(removed)),
        bus_(bus),
        check_(check) {}

  HttpResponse list(RequestContext& ctx) {
    const auto names = filter_names(schema_);
    auto q = parse_list_query(ctx.request, schema_.collection, names);
    if (!q) return error_response(ctx, q.error());
    auto page = repo_.list(ctx.scope, *q);
    if (!page) return error_response(ctx, page.error());
    json::array items;
    items.reserve(page->records.size());
    for (const auto& r : page->records) items.push_back(encode(r, schema_));
    json::object body{{"items", std::move(items)}};
    body["next_cursor"] = next_cursor_json(page->next_after);
    return json_response(200, body);
  }

  // A body as create takes it: no query, the schema's fields, the
  // resource's own check.
  Result<T> new_record(RequestContext& ctx) {
    if (auto s = reject_query(ctx.request); !s) return std::unexpected(s.error());
    auto body = read_json_body(ctx.request);
    if (!body) return std::unexpected(body.error());
    auto record = decode(*body, schema_, DecodeMode::create, static_cast<const T*>(nullptr));
    if (!record) return record;
    if (check_)
      if (auto s = check_(ctx, store_, *record); !s) return std::unexpected(s.error());
    return record;
  }

  HttpResponse create(RequestContext& ctx) {
    auto record = new_record(ctx);
    if (!record) return error_response(ctx, record.error());
    auto stored = repo_.create(ctx.scope, std::move(*record));
    if (!stored) return error_response(ctx, stored.error());
    auto encoded = encode(*stored, schema_);
    ctx.audit = AuditNote{stored->tenant_id, stored->id, change_summary(nullptr, &encoded)};
    publish_change(bus_, schema_.collection, stored->tenant_id, stored->id, "created", encoded);
    auto r = record_response(201, std::move(encoded), stored->version);
    r.set_header("Location", fmt::format("/api/v1/{}/{}", schema_.collection, stored->id));
    return r;
  }

  // What create would say of a body, without storing it: the schema's
  // fields and the resource's own check (a form's live validation).
  // References to other records are checked when the record is stored.
  HttpResponse validate(RequestContext& ctx) {
    auto record = new_record(ctx);
    if (!record) return error_response(ctx, record.error());
    return json_response(200, json::object{{"valid", true}});
  }

  HttpResponse read(RequestContext& ctx) {
    if (auto s = reject_query(ctx.request); !s) return error_response(ctx, s.error());
    auto id = ctx.id_param("id");
    if (!id) return error_response(ctx, id.error());
    auto record = repo_.get(ctx.scope, *id);
    if (!record) return error_response(ctx, record.error());
    if (auto none_match = ctx.request.header("If-None-Match");
        none_match && names_version(*none_match, record->version, true)) {
      HttpResponse r;
      r.status = 304;
      r.set_header("ETag", etag_of(record->version));
      return r;
    }
    return record_response(200, encode(*record, schema_), record->version);
  }

  HttpResponse change(RequestContext& ctx, DecodeMode mode) {
    if (auto s = reject_query(ctx.request); !s) return error_response(ctx, s.error());
    auto id = ctx.id_param("id");
    if (!id) return error_response(ctx, id.error());
    auto body = read_json_body(ctx.request);
    if (!body) return error_response(ctx, body.error());
    auto current = repo_.get(ctx.scope, *id);
    if (!current) return error_response(ctx, current.error());
    if (auto s = check_if_match(ctx.request, current->version); !s)
      return error_response(ctx, s.error());
    auto record = decode(*body, schema_, mode, &*current);
    if (!record) return error_response(ctx, record.error());
    if (check_)
      if (auto s = check_(ctx, store_, *record); !s) return error_response(ctx, s.error());
    // The version read above guards the whole read-modify-write against a
    // concurrent update, whether or not the client sent If-Match.
    auto stored = repo_.update(ctx.scope, std::move(*record), current->version);
    if (!stored) return error_response(ctx, stored.error());
    auto encoded = encode(*stored, schema_);
    const auto was = encode(*current, schema_);
    ctx.audit = AuditNote{stored->tenant_id, stored->id, change_summary(&was, &encoded)};
    publish_change(bus_, schema_.collection, stored->tenant_id, stored->id, "changed", encoded);
    return record_response(200, std::move(encoded), stored->version);
  }

  HttpResponse remove(RequestContext& ctx) {
    auto id = ctx.id_param("id");
    if (!id) return error_response(ctx, id.error());
    auto cascade = parse_cascade(ctx.request);
    if (!cascade) return error_response(ctx, cascade.error());
    std::optional<std::int64_t> expected;
    auto current = repo_.get(ctx.scope, *id);
    if (!current) return error_response(ctx, current.error());
    if (ctx.request.header("If-Match")) {
      if (auto s = check_if_match(ctx.request, current->version); !s)
        return error_response(ctx, s.error());
      expected = current->version;
    }
    if (auto s = repo_.remove(ctx.scope, *id, *cascade, expected); !s)
      return error_response(ctx, s.error());
    const auto was = encode(*current, schema_);
    ctx.audit = AuditNote{current->tenant_id, current->id, change_summary(&was, nullptr)};
    if (*cascade) ctx.audit->summary.insert(1, "\"cascade\":true,");
    publish_change(bus_, schema_.collection, current->tenant_id, current->id, "removed", was);
    if (removed_) removed_(current->id);
    HttpResponse r;
    r.status = 204;
    return r;
  }

 private:
  MetaStore& store_;
  Repository<T>& repo_;
  const Schema<T>& schema_;
  RemovedHook removed_;
  bus::EventBus* bus_;
  RecordCheck<T> check_;
};

// Who may read, create and remove, and change a resource's records.
struct ResourceAccess {
  auth::Permission read = auth::Permission::assets_read;
  auth::Permission make = auth::Permission::assets_write;
  auth::Permission edit = auth::Permission::assets_write;
};

// A rule's schedule reads (bad_request naming the position,
// /schedule/<offset>). An expression rule's text compiles (likewise,
// /expression/<offset>), and each point it names is one the caller sees in
// the rule's tenant (invalid otherwise, as an unknown reference is).
Status check_rule_expression(RequestContext& ctx, MetaStore& store, const Rule& rule) {
  if (!rule.schedule.empty())
    if (auto schedule = rules::parse_schedule(rule.schedule); !schedule)
      return std::unexpected(schedule.error());
  if (rule.type != "expression") return {};
  auto expression = rules::Expression::compile(rule.expression);
  if (!expression) return std::unexpected(expression.error());
  for (const auto point_id : expression->points()) {
    auto point = store.points().get(ctx.scope, point_id);
    if (!point && point.error().code != ErrorCode::not_found) return std::unexpected(point.error());
    const Id tenant = rule.tenant_id != 0 ? rule.tenant_id : ctx.scope.tenant_id().value_or(0);
    if (!point || (tenant != 0 && point->tenant_id != tenant))
      return fail(ErrorCode::invalid,
                  fmt::format("'expression': point {} does not exist in this tenant", point_id),
                  "/expression");
  }
  return {};
}

// A recipient that names a user names one of the rule's tenant (invalid
// otherwise, as an unknown reference is).
Status check_recipient_user(RequestContext& ctx, MetaStore& store, const Recipient& recipient) {
  if (!recipient.user_id) return {};
  const Id tenant =
      recipient.tenant_id != 0 ? recipient.tenant_id : ctx.scope.tenant_id().value_or(0);
  auto user = store.identity().get_user(Scope::tenant(tenant), *recipient.user_id);
  if (user) return {};
  if (user.error().code != ErrorCode::not_found) return std::unexpected(user.error());
  return fail(ErrorCode::invalid,
              fmt::format("user {} does not exist in this tenant", *recipient.user_id), "/user_id");
}

// Registers the six routes of one resource; the handlers share its ownership.
// POST /<collection>/validate answers as create would, storing nothing.
template <class T>
std::shared_ptr<Resource<T>> add_resource(Router& router, MetaStore& store, bus::EventBus* bus,
                                          const Schema<T>& schema, RemovedHook removed = {},
                                          ResourceAccess access = {},
                                          RecordCheck<T> check = nullptr) {
  auto r = std::make_shared<Resource<T>>(store, schema, std::move(removed), bus, check);
  const std::string base = fmt::format("/api/v1/{}", schema.collection);
  const std::string one = base + "/{id}";
  const auto make = RouteAccess::needs(access.make, RateClass::write);
  const auto edit = RouteAccess::needs(access.edit, RateClass::write);
  const auto read = RouteAccess::needs(access.read, RateClass::read);
  router.add("GET", base, read, [r](RequestContext& c) { return r->list(c); });
  router.add("POST", base, make, [r](RequestContext& c) { return r->create(c); });
  router.add("GET", one, read, [r](RequestContext& c) { return r->read(c); });
  router.add("PUT", one, edit,
             [r](RequestContext& c) { return r->change(c, DecodeMode::replace); });
  router.add("PATCH", one, edit,
             [r](RequestContext& c) { return r->change(c, DecodeMode::patch); });
  router.add("DELETE", one, make, [r](RequestContext& c) { return r->remove(c); });
  return r;
}

// Every record of a building in one collection.
template <class T>
Result<std::vector<T>> all_in_building(MetaStore& store, const Scope& scope, Id building) {
  return list_all(repository<T>(store), scope, {{"building_id", std::to_string(building)}});
}

// GET /api/v1/buildings/{id}/tree: floors hold spaces; equipment sits in its
// space (or at building level) with its points and its sub-equipment; points
// of no equipment sit in their space (or at building level).
HttpResponse building_tree(RequestContext& ctx, MetaStore& store) {
  if (auto s = reject_query(ctx.request); !s) return error_response(ctx, s.error());
  auto id = ctx.id_param("id");
  if (!id) return error_response(ctx, id.error());
  auto building = store.buildings().get(ctx.scope, *id);
  if (!building) return error_response(ctx, building.error());
  auto floors = all_in_building<Floor>(store, ctx.scope, *id);
  auto spaces = all_in_building<Space>(store, ctx.scope, *id);
  auto equipment = all_in_building<Equipment>(store, ctx.scope, *id);
  auto points = all_in_building<Point>(store, ctx.scope, *id);
  for (const Error* e :
       {floors ? nullptr : &floors.error(), spaces ? nullptr : &spaces.error(),
        equipment ? nullptr : &equipment.error(), points ? nullptr : &points.error()})
    if (e) return error_response(ctx, *e);

  std::map<Id, json::array> points_of_equipment, points_of_space, children_of;
  json::array building_points, building_equipment;
  for (const auto& p : *points) {
    auto o = encode(p, point_schema());
    if (p.equipment_id)
      points_of_equipment[*p.equipment_id].push_back(std::move(o));
    else if (p.space_id)
      points_of_space[*p.space_id].push_back(std::move(o));
    else
      building_points.push_back(std::move(o));
  }
  // Sub-equipment first, deepest last in id order is not guaranteed, so build
  // each equipment's JSON recursively from the parent map.
  std::map<Id, std::vector<const Equipment*>> by_parent;
  std::map<Id, json::array> equipment_of_space;
  for (const auto& e : *equipment) by_parent[e.parent_id.value_or(0)].push_back(&e);
  std::function<json::object(const Equipment&)> equipment_json = [&](const Equipment& e) {
    auto o = encode(e, equipment_schema());
    o["points"] = std::move(points_of_equipment[e.id]);
    json::array children;
    for (const Equipment* c : by_parent[e.id]) children.push_back(equipment_json(*c));
    o["children"] = std::move(children);
    return o;
  };
  for (const Equipment* e : by_parent[0]) {
    if (e->space_id)
      equipment_of_space[*e->space_id].push_back(equipment_json(*e));
    else
      building_equipment.push_back(equipment_json(*e));
  }
  std::map<Id, json::array> spaces_of_floor;
  for (const auto& s : *spaces) {
    auto o = encode(s, space_schema());
    o["equipment"] = std::move(equipment_of_space[s.id]);
    o["points"] = std::move(points_of_space[s.id]);
    spaces_of_floor[s.floor_id].push_back(std::move(o));
  }
  json::array floor_list;
  for (const auto& f : *floors) {
    auto o = encode(f, floor_schema());
    o["spaces"] = std::move(spaces_of_floor[f.id]);
    floor_list.push_back(std::move(o));
  }
  json::object body{{"building", encode(*building, building_schema())},
                    {"floors", std::move(floor_list)},
                    {"equipment", std::move(building_equipment)},
                    {"points", std::move(building_points)}};
  return json_response(200, body);
}

}  // namespace

void add_asset_routes(Router& router, MetaStore& store, bus::EventBus* bus,
                      RemovedHook tenant_removed) {
  using auth::Permission;
  // Tenants come and go only across tenants; a tenant's own settings are its admin's.
  add_resource(router, store, bus, tenant_schema(), std::move(tenant_removed),
               {Permission::assets_read, Permission::tenants_manage, Permission::tenant_write});
  add_resource(router, store, bus, site_schema());
  add_resource(router, store, bus, building_schema());
  add_resource(router, store, bus, floor_schema());
  add_resource(router, store, bus, space_schema());
  add_resource(router, store, bus, equipment_schema());
  add_resource(router, store, bus, point_schema());
  add_resource(router, store, bus, device_schema());
  auto rules =
      add_resource(router, store, bus, rule_schema(), {},
                   {Permission::alarms_read, Permission::alarms_manage, Permission::alarms_manage},
                   check_rule_expression);
  router.add("POST", "/api/v1/rules/validate",
             RouteAccess::needs(Permission::alarms_manage, RateClass::read),
             [rules](RequestContext& c) { return rules->validate(c); });
  add_resource(router, store, bus, recipient_schema(), {},
               {Permission::alarms_read, Permission::alarms_manage, Permission::alarms_manage},
               check_recipient_user);
  router.add("GET", "/api/v1/buildings/{id}/tree",
             RouteAccess::needs(auth::Permission::assets_read, RateClass::read),
             [&store](RequestContext& c) { return building_tree(c, store); });
}

}  // namespace citypulse
