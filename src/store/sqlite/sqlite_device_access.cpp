#include "store/sqlite/sqlite_device_access.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/time.h"
#include "store/sqlite/building_scope.h"
#include "store/sqlite/identity_values.h"
#include "store/sqlite/repository.h"
#include "store/tables.h"

namespace citypulse {

namespace {
using namespace std::string_view_literals;
constexpr std::array kIntegrationKinds = {"chirpstack"sv, "things_stack"sv};
constexpr std::array kCredentialKinds = {"token"sv, "basic"sv, "certificate"sv};
}  // namespace

std::span<const std::string_view> integration_kinds() {
  return kIntegrationKinds;
}

std::span<const std::string_view> credential_kinds() {
  return kCredentialKinds;
}

}  // namespace citypulse

namespace citypulse::sqlite {
namespace {

constexpr std::string_view kCredentialColumns =
    "SELECT id, tenant_id, device_id, kind, name, token_hash, hint, username, password_hash, "
    "client_id, certificate_fingerprint, certificate_cn, created_by, created_at, revoked "
    "FROM device_credentials";
constexpr std::string_view kIntegrationColumns =
    "SELECT id, tenant_id, kind, name, secret_hash, hint, created_by, created_at, revoked "
    "FROM integrations";

Status check_unique_hash(Connection& db, std::string_view table, std::string_view column,
                         std::string_view hash) {
  auto st = db.prepare(fmt::format("SELECT 1 FROM {} WHERE {} = ?", table, column));
  if (!st) return std::unexpected(st.error());
  st->bind(hash);
  auto row = st->step();
  if (!row) return std::unexpected(row.error());
  if (*row) return fail(ErrorCode::conflict, "a secret with this hash exists already");
  return {};
}

// Conflict, naming `field`, when an unrevoked credential matches `condition`
// (one parameter, `value`): a user name, fingerprint or CN must name one
// device.
Status check_unclaimed(Connection& db, std::string_view condition, std::string_view value,
                       std::string_view what, std::string_view field) {
  auto st = db.prepare(fmt::format(
      "SELECT device_id FROM device_credentials WHERE revoked = FALSE AND {}", condition));
  if (!st) return std::unexpected(st.error());
  st->bind(value);
  auto row = st->step();
  if (!row) return std::unexpected(row.error());
  if (*row)
    return fail(ErrorCode::conflict,
                fmt::format("{} '{}' belongs to device {} already", what, value, st->int64(0)),
                std::string(field));
  return {};
}

bool is_fingerprint(std::string_view text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// The fields a kind must carry, and none of another kind's: a credential is
// one way of signing in, never a mixture.
Status check_credential_fields(const DeviceCredential& c) {
  const auto kinds = credential_kinds();
  if (std::find(kinds.begin(), kinds.end(), c.kind) == kinds.end())
    return fail(ErrorCode::invalid,
                fmt::format("'kind' must be one of token, basic, certificate, not '{}'", c.kind),
                "/kind");
  const bool token = c.kind == "token", basic = c.kind == "basic",
             certificate = c.kind == "certificate";
  struct Field {
    bool set;
    bool allowed;
    std::string_view pointer;
  };
  const Field fields[] = {{!c.token_hash.empty(), token, "/token_hash"},
                          {!c.username.empty(), basic, "/username"},
                          {!c.password_hash.empty(), basic, "/password"},
                          {!c.client_id.empty(), basic, "/client_id"},
                          {!c.certificate_fingerprint.empty(), certificate, "/fingerprint"},
                          {!c.certificate_cn.empty(), certificate, "/cn"}};
  for (const auto& f : fields)
    if (f.set && !f.allowed)
      return fail(ErrorCode::invalid,
                  fmt::format("a {} credential has no '{}'", c.kind, f.pointer.substr(1)),
                  std::string(f.pointer));
  if (token && c.token_hash.empty())
    return fail(ErrorCode::invalid, "a credential needs a token hash", "/token_hash");
  if (basic && c.username.empty())
    return fail(ErrorCode::invalid, "a basic credential needs a user name", "/username");
  if (basic && c.password_hash.empty())
    return fail(ErrorCode::invalid, "a basic credential needs a password", "/password");
  if (certificate && c.certificate_fingerprint.empty() && c.certificate_cn.empty())
    return fail(ErrorCode::invalid, "a certificate credential needs a fingerprint or a CN",
                "/fingerprint");
  if (certificate && !c.certificate_fingerprint.empty() &&
      !is_fingerprint(c.certificate_fingerprint))
    return fail(ErrorCode::invalid, "a fingerprint is 64 lower-case hex digits (SHA-256)",
                "/fingerprint");
  return {};
}

Status check_credential_unclaimed(Connection& db, const DeviceCredential& c) {
  if (c.kind == "token")
    return check_unique_hash(db, "device_credentials", "token_hash", c.token_hash);
  if (c.kind == "basic")
    return check_unclaimed(db, "username = ?", c.username, "user name", "/username");
  if (!c.certificate_fingerprint.empty())
    return check_unclaimed(db, "certificate_fingerprint = ?", c.certificate_fingerprint,
                           "the certificate", "/fingerprint");
  return check_unclaimed(db, "certificate_cn = ? AND certificate_fingerprint IS NULL",
                         c.certificate_cn, "the certificate CN", "/cn");
}

// NULL for an empty text: the unique indexes skip NULLs, not empty strings.
void bind_text_or_null(Statement& st, std::string_view text) {
  if (text.empty())
    st.bind_null();
  else
    st.bind(text);
}

}  // namespace

Result<std::vector<DeviceCredential>> SqliteDeviceAccessStore::credentials_where(
    std::string_view condition, const std::vector<SqlValue>& params) {
  auto st = db_.prepare(fmt::format("{} WHERE {} ORDER BY id", kCredentialColumns, condition));
  if (!st) return std::unexpected(st.error());
  bind_all(*st, params);
  std::vector<DeviceCredential> out;
  for (;;) {
    auto row = st->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return out;
    DeviceCredential c;
    c.id = st->int64(0);
    c.tenant_id = st->int64(1);
    c.device_id = st->int64(2);
    c.kind = st->text(3);
    c.name = st->text(4);
    c.token_hash = st->text(5);
    c.hint = st->text(6);
    c.username = st->text(7);
    c.password_hash = st->text(8);
    c.client_id = st->text(9);
    c.certificate_fingerprint = st->text(10);
    c.certificate_cn = st->text(11);
    c.created_by = optional_int64(*st, 12);
    c.created_at = st->int64(13);
    c.revoked = st->int64(14) != 0;
    out.push_back(std::move(c));
  }
}

Result<std::vector<Integration>> SqliteDeviceAccessStore::integrations_where(
    std::string_view condition, const std::vector<SqlValue>& params) {
  auto st = db_.prepare(fmt::format("{} WHERE {} ORDER BY id", kIntegrationColumns, condition));
  if (!st) return std::unexpected(st.error());
  bind_all(*st, params);
  std::vector<Integration> out;
  for (;;) {
    auto row = st->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return out;
    Integration i;
    i.id = st->int64(0);
    i.tenant_id = st->int64(1);
    i.kind = st->text(2);
    i.name = st->text(3);
    i.secret_hash = st->text(4);
    i.hint = st->text(5);
    i.created_by = optional_int64(*st, 6);
    i.created_at = st->int64(7);
    i.revoked = st->int64(8) != 0;
    out.push_back(std::move(i));
  }
}

// ---- credentials ----

Result<DeviceCredential> SqliteDeviceAccessStore::create_credential(const Scope& scope,
                                                                    DeviceCredential credential) {
  auto device = devices_.get(scope, credential.device_id);
  if (!device) return std::unexpected(device.error());
  return guarded([&]() -> Result<DeviceCredential> {
    if (auto s = check_credential_fields(credential); !s) return std::unexpected(s.error());
    std::lock_guard lock(mutex_);
    auto tx = Transaction::begin(db_, Transaction::Mode::write);
    if (!tx) return std::unexpected(tx.error());
    if (auto s = check_credential_unclaimed(db_, credential); !s) return std::unexpected(s.error());
    credential.tenant_id = device->tenant_id;
    credential.created_at = now_ms();
    credential.revoked = false;
    auto st = db_.prepare(
        "INSERT INTO device_credentials (tenant_id, device_id, kind, name, token_hash, hint, "
        "username, password_hash, client_id, certificate_fingerprint, certificate_cn, "
        "created_by, created_at, revoked) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, FALSE)");
    if (!st) return std::unexpected(st.error());
    st->bind(credential.tenant_id).bind(credential.device_id).bind(credential.kind);
    st->bind(credential.name);
    bind_text_or_null(*st, credential.token_hash);
    st->bind(credential.hint);
    for (const auto* text : {&credential.username, &credential.password_hash, &credential.client_id,
                             &credential.certificate_fingerprint, &credential.certificate_cn})
      bind_text_or_null(*st, *text);
    st->bind(credential.created_by).bind(credential.created_at);
    if (auto s = st->run(); !s) return std::unexpected(s.error());
    credential.id = db_.last_insert_id();
    if (auto s = tx->commit(); !s) return std::unexpected(s.error());
    generation_.fetch_add(1);
    return credential;
  });
}

Result<std::vector<DeviceCredential>> SqliteDeviceAccessStore::list_credentials(const Scope& scope,
                                                                                Id device_id) {
  auto device = devices_.get(scope, device_id);
  if (!device) return std::unexpected(device.error());
  return guarded([&]() -> Result<std::vector<DeviceCredential>> {
    std::lock_guard lock(mutex_);
    return credentials_where("device_id = ?", {device_id});
  });
}

Result<DeviceCredential> SqliteDeviceAccessStore::revoke_credential(const Scope& scope,
                                                                    Id device_id,
                                                                    Id credential_id) {
  auto device = devices_.get(scope, device_id);
  if (!device) return std::unexpected(device.error());
  return guarded([&]() -> Result<DeviceCredential> {
    std::lock_guard lock(mutex_);
    auto tx = Transaction::begin(db_, Transaction::Mode::write);
    if (!tx) return std::unexpected(tx.error());
    auto found = credentials_where("id = ? AND device_id = ?", {credential_id, device_id});
    if (!found) return std::unexpected(found.error());
    if (found->empty())
      return fail(ErrorCode::not_found,
                  fmt::format("device {} has no credential {}", device_id, credential_id));
    auto st = db_.prepare("UPDATE device_credentials SET revoked = TRUE WHERE id = ?");
    if (!st) return std::unexpected(st.error());
    st->bind(credential_id);
    if (auto s = st->run(); !s) return std::unexpected(s.error());
    if (auto s = tx->commit(); !s) return std::unexpected(s.error());
    generation_.fetch_add(1);
    auto c = std::move(found->front());
    c.revoked = true;
    return c;
  });
}

Result<std::vector<DeviceCredential>> SqliteDeviceAccessStore::all_credentials() {
  return guarded([&]() -> Result<std::vector<DeviceCredential>> {
    std::lock_guard lock(mutex_);
    return credentials_where("revoked = FALSE", {});
  });
}

// ---- integrations ----

Result<Integration> SqliteDeviceAccessStore::create_integration(const Scope& scope,
                                                                Integration integration) {
  return guarded([&]() -> Result<Integration> {
    if (auto s = check_may_manage(scope, "integrations"); !s) return std::unexpected(s.error());
    const auto kinds = integration_kinds();
    if (std::find(kinds.begin(), kinds.end(), integration.kind) == kinds.end())
      return fail(
          ErrorCode::invalid,
          fmt::format("'kind' must be one of chirpstack, things_stack, not '{}'", integration.kind),
          "/kind");
    if (integration.secret_hash.empty())
      return fail(ErrorCode::invalid, "an integration needs a secret hash", "/secret_hash");
    std::lock_guard lock(mutex_);
    auto tx = Transaction::begin(db_, Transaction::Mode::write);
    if (!tx) return std::unexpected(tx.error());
    auto tenant = assign_tenant(
        db_, scope,
        integration.tenant_id != 0 ? std::optional<Id>(integration.tenant_id) : std::nullopt, true,
        "integration");
    if (!tenant) return std::unexpected(tenant.error());
    integration.tenant_id = **tenant;
    if (auto s = check_unique_hash(db_, "integrations", "secret_hash", integration.secret_hash); !s)
      return std::unexpected(s.error());
    integration.created_at = now_ms();
    integration.revoked = false;
    auto st = db_.prepare(
        "INSERT INTO integrations (tenant_id, kind, name, secret_hash, hint, created_by, "
        "created_at, revoked) VALUES (?, ?, ?, ?, ?, ?, ?, FALSE)");
    if (!st) return std::unexpected(st.error());
    st->bind(integration.tenant_id)
        .bind(integration.kind)
        .bind(integration.name)
        .bind(integration.secret_hash)
        .bind(integration.hint)
        .bind(integration.created_by)
        .bind(integration.created_at);
    if (auto s = st->run(); !s) return std::unexpected(s.error());
    integration.id = db_.last_insert_id();
    if (auto s = tx->commit(); !s) return std::unexpected(s.error());
    generation_.fetch_add(1);
    return integration;
  });
}

Result<std::vector<Integration>> SqliteDeviceAccessStore::list_integrations(const Scope& scope) {
  return guarded([&]() -> Result<std::vector<Integration>> {
    std::vector<SqlValue> params;
    const std::string condition = "1 = 1" + tenant_condition(scope, params);
    std::lock_guard lock(mutex_);
    return integrations_where(condition, params);
  });
}

Result<Integration> SqliteDeviceAccessStore::revoke_integration(const Scope& scope, Id id) {
  return guarded([&]() -> Result<Integration> {
    if (auto s = check_may_manage(scope, "integrations"); !s) return std::unexpected(s.error());
    std::vector<SqlValue> params{id};
    const std::string condition = "id = ?" + tenant_condition(scope, params);
    std::lock_guard lock(mutex_);
    auto tx = Transaction::begin(db_, Transaction::Mode::write);
    if (!tx) return std::unexpected(tx.error());
    auto found = integrations_where(condition, params);
    if (!found) return std::unexpected(found.error());
    if (found->empty())
      return fail(ErrorCode::not_found, fmt::format("integration {} does not exist", id));
    auto st = db_.prepare("UPDATE integrations SET revoked = TRUE WHERE id = ?");
    if (!st) return std::unexpected(st.error());
    st->bind(id);
    if (auto s = st->run(); !s) return std::unexpected(s.error());
    if (auto s = tx->commit(); !s) return std::unexpected(s.error());
    generation_.fetch_add(1);
    auto i = std::move(found->front());
    i.revoked = true;
    return i;
  });
}

Result<std::vector<Integration>> SqliteDeviceAccessStore::all_integrations() {
  return guarded([&]() -> Result<std::vector<Integration>> {
    std::lock_guard lock(mutex_);
    return integrations_where("revoked = FALSE", {});
  });
}

// ---- activity ----

Status SqliteDeviceAccessStore::add_activity(std::span<const DeviceActivity> deltas) {
  return guarded([&]() -> Status {
    std::lock_guard lock(mutex_);
    auto tx = Transaction::begin(db_, Transaction::Mode::write);
    if (!tx) return std::unexpected(tx.error());
    // The SELECT keeps a removed device from failing the batch on the
    // foreign key: its counts simply go.
    constexpr std::string_view kAdd =
        "INSERT INTO device_activity (device_id, last_seen_at, messages, readings, rejected) "
        "SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM devices WHERE id = ?1) "
        "ON CONFLICT (device_id) DO UPDATE SET "
        "last_seen_at = max(coalesce(last_seen_at, excluded.last_seen_at), "
        "coalesce(excluded.last_seen_at, last_seen_at)), "
        "messages = messages + excluded.messages, readings = readings + excluded.readings, "
        "rejected = rejected + excluded.rejected";
    for (const auto& d : deltas) {
      // One statement per row: the connection's cache hands the same one back.
      auto st = db_.prepare(kAdd);
      if (!st) return std::unexpected(st.error());
      st->bind(d.device_id).bind(d.last_seen_at).bind(d.messages).bind(d.readings).bind(d.rejected);
      if (auto s = st->run(); !s) return s;
    }
    return tx->commit();
  });
}

Result<DeviceActivity> SqliteDeviceAccessStore::activity(const Scope& scope, Id device_id) {
  auto device = devices_.get(scope, device_id);
  if (!device) return std::unexpected(device.error());
  return guarded([&]() -> Result<DeviceActivity> {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(
        "SELECT last_seen_at, messages, readings, rejected FROM device_activity "
        "WHERE device_id = ?");
    if (!st) return std::unexpected(st.error());
    st->bind(device_id);
    auto row = st->step();
    if (!row) return std::unexpected(row.error());
    DeviceActivity a;
    a.device_id = device_id;
    if (*row) {
      a.last_seen_at = optional_int64(*st, 0);
      a.messages = st->int64(1);
      a.readings = st->int64(2);
      a.rejected = st->int64(3);
    }
    return a;
  });
}

Result<std::vector<DeviceActivity>> SqliteDeviceAccessStore::activities(
    const Scope& scope, std::optional<Id> building) {
  return guarded([&]() -> Result<std::vector<DeviceActivity>> {
    // The devices' own scope rules (tenant, building grants) on the devices
    // table, joined with the counters: devices that never reported have no
    // counter row and still belong in the answer.
    std::vector<SqlValue> params;
    std::string sql =
        "SELECT devices.id, device_activity.last_seen_at, coalesce(device_activity.messages, 0), "
        "coalesce(device_activity.readings, 0), coalesce(device_activity.rejected, 0) "
        "FROM devices LEFT JOIN device_activity ON device_activity.device_id = devices.id "
        "WHERE TRUE";
    if (auto tenant = scope.tenant_id()) {
      sql += " AND devices.tenant_id = ?";
      params.emplace_back(*tenant);
    }
    if (building) {
      sql += " AND devices.building_id = ?";
      params.emplace_back(*building);
    }
    sql += building_condition(scope, table_info("devices"), params);
    sql += " ORDER BY devices.id";
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(sql);
    if (!st) return std::unexpected(st.error());
    bind_all(*st, params);
    std::vector<DeviceActivity> out;
    for (;;) {
      auto row = st->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) break;
      DeviceActivity a;
      a.device_id = st->int64(0);
      a.last_seen_at = optional_int64(*st, 1);
      a.messages = st->int64(2);
      a.readings = st->int64(3);
      a.rejected = st->int64(4);
      out.push_back(a);
    }
    return out;
  });
}

// ---- attributes ----

Status SqliteDeviceAccessStore::set_attributes(
    Id device_id, std::span<const std::pair<std::string, std::string>> values, TimeMs at) {
  return guarded([&]() -> Status {
    std::lock_guard lock(mutex_);
    auto tx = Transaction::begin(db_, Transaction::Mode::write);
    if (!tx) return std::unexpected(tx.error());
    auto exists = db_.prepare("SELECT 1 FROM devices WHERE id = ?");
    if (!exists) return std::unexpected(exists.error());
    exists->bind(device_id);
    auto row = exists->step();
    if (!row) return std::unexpected(row.error());
    if (!*row)
      return fail(ErrorCode::not_found, fmt::format("device {} does not exist", device_id));
    for (const auto& [key, value] : values) {
      auto st = db_.prepare(
          "INSERT INTO device_attributes (device_id, key, value, updated_at) VALUES (?, ?, ?, ?) "
          "ON CONFLICT (device_id, key) DO UPDATE SET value = excluded.value, "
          "updated_at = excluded.updated_at");
      if (!st) return std::unexpected(st.error());
      st->bind(device_id).bind(key).bind(value).bind(at);
      if (auto s = st->run(); !s) return s;
    }
    return tx->commit();
  });
}

Result<std::vector<DeviceAttribute>> SqliteDeviceAccessStore::attributes(const Scope& scope,
                                                                         Id device_id) {
  auto device = devices_.get(scope, device_id);
  if (!device) return std::unexpected(device.error());
  return guarded([&]() -> Result<std::vector<DeviceAttribute>> {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(
        "SELECT key, value, updated_at FROM device_attributes WHERE device_id = ? ORDER BY key");
    if (!st) return std::unexpected(st.error());
    st->bind(device_id);
    std::vector<DeviceAttribute> out;
    for (;;) {
      auto row = st->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) return out;
      out.push_back({st->text(0), st->text(1), st->int64(2)});
    }
  });
}

}  // namespace citypulse::sqlite
