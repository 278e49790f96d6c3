#include "store/migrations.h"

namespace citypulse {
namespace {

// Version 1: the asset model. One column per schema field, named as the field
// (store/tables.h and a unit test hold the two together); a device's channels
// live in device_channels. Every reference cascades on delete, so removing a
// record with cascade=true is one DELETE and SQLite removes the rest; without
// cascade the store refuses first, counting what would go. Every foreign-key
// column is indexed, or those cascades and counts would scan whole tables.
// Ids are never reused (AUTOINCREMENT): they leave the store in grants
// (a user limited to building 7), the audit log and clients' caches, where a
// reused id would silently point at another record.
constexpr std::string_view kAssetModel = R"sql(
CREATE TABLE tenants (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  timezone TEXT NOT NULL,
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX tenants_name ON tenants (name);

CREATE TABLE sites (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id BIGINT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  address TEXT NOT NULL,
  latitude DOUBLE PRECISION,
  longitude DOUBLE PRECISION,
  tags TEXT NOT NULL,
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX sites_tenant_id ON sites (tenant_id);

CREATE TABLE buildings (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id BIGINT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  site_id BIGINT REFERENCES sites (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  address TEXT NOT NULL,
  latitude DOUBLE PRECISION,
  longitude DOUBLE PRECISION,
  gross_floor_area_m2 DOUBLE PRECISION,
  year_built BIGINT,
  timezone TEXT NOT NULL,
  tags TEXT NOT NULL,
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX buildings_tenant_id ON buildings (tenant_id);
CREATE INDEX buildings_site_id ON buildings (site_id);

CREATE TABLE floors (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id BIGINT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  building_id BIGINT NOT NULL REFERENCES buildings (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  level BIGINT NOT NULL,
  elevation_m DOUBLE PRECISION,
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX floors_tenant_id ON floors (tenant_id);
CREATE INDEX floors_building_id ON floors (building_id);

CREATE TABLE spaces (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id BIGINT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  building_id BIGINT NOT NULL REFERENCES buildings (id) ON DELETE CASCADE,
  floor_id BIGINT NOT NULL REFERENCES floors (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  usage TEXT NOT NULL,
  area_m2 DOUBLE PRECISION,
  zone TEXT NOT NULL,
  tags TEXT NOT NULL,
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX spaces_tenant_id ON spaces (tenant_id);
CREATE INDEX spaces_building_id ON spaces (building_id);
CREATE INDEX spaces_floor_id ON spaces (floor_id);

CREATE TABLE equipment (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id BIGINT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  building_id BIGINT NOT NULL REFERENCES buildings (id) ON DELETE CASCADE,
  space_id BIGINT REFERENCES spaces (id) ON DELETE CASCADE,
  parent_id BIGINT REFERENCES equipment (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  vendor TEXT NOT NULL,
  model TEXT NOT NULL,
  tags TEXT NOT NULL,
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX equipment_tenant_id ON equipment (tenant_id);
CREATE INDEX equipment_building_id ON equipment (building_id);
CREATE INDEX equipment_space_id ON equipment (space_id);
CREATE INDEX equipment_parent_id ON equipment (parent_id);

CREATE TABLE points (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id BIGINT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  building_id BIGINT NOT NULL REFERENCES buildings (id) ON DELETE CASCADE,
  space_id BIGINT REFERENCES spaces (id) ON DELETE CASCADE,
  equipment_id BIGINT REFERENCES equipment (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  key TEXT NOT NULL,
  kind TEXT NOT NULL,
  quantity TEXT NOT NULL,
  unit TEXT NOT NULL,
  min_value DOUBLE PRECISION,
  max_value DOUBLE PRECISION,
  expected_interval_s BIGINT,
  tags TEXT NOT NULL,
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX points_tenant_id ON points (tenant_id);
CREATE INDEX points_building_id ON points (building_id);
CREATE INDEX points_space_id ON points (space_id);
CREATE INDEX points_equipment_id ON points (equipment_id);
CREATE UNIQUE INDEX points_tenant_key ON points (tenant_id, key) WHERE key <> '';

CREATE TABLE devices (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id BIGINT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  building_id BIGINT REFERENCES buildings (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  protocol TEXT NOT NULL,
  vendor TEXT NOT NULL,
  model TEXT NOT NULL,
  serial TEXT NOT NULL,
  status TEXT NOT NULL,
  tags TEXT NOT NULL,
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX devices_tenant_id ON devices (tenant_id);
CREATE INDEX devices_building_id ON devices (building_id);
CREATE UNIQUE INDEX devices_tenant_serial ON devices (tenant_id, serial) WHERE serial <> '';

-- The primary key's index serves lookups by device_id.
CREATE TABLE device_channels (
  device_id BIGINT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
  channel TEXT NOT NULL,
  point_id BIGINT NOT NULL REFERENCES points (id) ON DELETE CASCADE,
  PRIMARY KEY (device_id, channel)
);
CREATE INDEX device_channels_point_id ON device_channels (point_id);
)sql";

// Version 2: who may use the server. A tenant's users and API keys go with it
// (ON DELETE CASCADE; MetaStore refuses without cascade first), a user's
// refresh tokens with the user. The audit log has no foreign keys at all: it
// must outlive the tenants, users and keys it names.
//
// users, refresh_tokens and api_keys use AUTOINCREMENT (SQLite-only spelling;
// a PostgreSQL identity column behaves so anyway) because their ids leave the
// store: a user id is the "sub" of access tokens and, like a key id, is named
// by audit entries. A plain rowid is reused after the highest row is deleted,
// and a token of a removed user would then speak for whoever got its id.
// Booleans are BOOLEAN, compared with TRUE/FALSE (SQLite >= 3.23 and
// PostgreSQL both spell them so). buildings and permissions are JSON arrays
// in TEXT, as tags are; NULL buildings means the whole tenant.
constexpr std::string_view kIdentity = R"sql(
CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id BIGINT REFERENCES tenants (id) ON DELETE CASCADE,
  email TEXT NOT NULL,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL,
  buildings TEXT,
  disabled BOOLEAN NOT NULL,
  password_hash TEXT NOT NULL,
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  tokens_valid_after BIGINT NOT NULL
);
CREATE INDEX users_tenant_id ON users (tenant_id);
CREATE UNIQUE INDEX users_email ON users (email);

CREATE TABLE refresh_tokens (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  family TEXT NOT NULL,
  token_hash TEXT NOT NULL,
  issued_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT,
  revoked BOOLEAN NOT NULL
);
CREATE INDEX refresh_tokens_user_id ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);
CREATE UNIQUE INDEX refresh_tokens_token_hash ON refresh_tokens (token_hash);
CREATE INDEX refresh_tokens_expires_at ON refresh_tokens (expires_at);

-- created_by has no foreign key: the key outlives the user who made it.
CREATE TABLE api_keys (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id BIGINT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  prefix TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  permissions TEXT NOT NULL,
  buildings TEXT,
  expires_at BIGINT,
  last_used_at BIGINT,
  created_by BIGINT,
  created_at BIGINT NOT NULL,
  revoked BOOLEAN NOT NULL
);
CREATE INDEX api_keys_tenant_id ON api_keys (tenant_id);
CREATE UNIQUE INDEX api_keys_prefix ON api_keys (prefix);

-- Append-only, so a plain rowid only ever grows and the id is the order.
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id BIGINT,
  at BIGINT NOT NULL,
  user_id BIGINT,
  api_key_id BIGINT,
  actor TEXT NOT NULL,
  remote TEXT NOT NULL,
  action TEXT NOT NULL,
  resource TEXT NOT NULL,
  resource_id BIGINT,
  summary TEXT NOT NULL
);
CREATE INDEX audit_log_tenant_id ON audit_log (tenant_id);
CREATE INDEX audit_log_user_id ON audit_log (user_id);
CREATE INDEX audit_log_at ON audit_log (at);
)sql";

// Version 3: how devices get their readings in. Token and secret hashes are
// unique: the directory finds a caller by them. Activity and attributes are
// per device and go with it; integrations go with their tenant.
constexpr std::string_view kDeviceAccess = R"sql(
CREATE TABLE device_credentials (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id BIGINT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  device_id BIGINT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL,
  hint TEXT NOT NULL,
  created_by BIGINT,
  created_at BIGINT NOT NULL,
  revoked BOOLEAN NOT NULL
);
CREATE INDEX device_credentials_tenant_id ON device_credentials (tenant_id);
CREATE INDEX device_credentials_device_id ON device_credentials (device_id);
CREATE UNIQUE INDEX device_credentials_token_hash ON device_credentials (token_hash);

CREATE TABLE integrations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id BIGINT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  hint TEXT NOT NULL,
  created_by BIGINT,
  created_at BIGINT NOT NULL,
  revoked BOOLEAN NOT NULL
);
CREATE INDEX integrations_tenant_id ON integrations (tenant_id);
CREATE UNIQUE INDEX integrations_secret_hash ON integrations (secret_hash);

CREATE TABLE device_activity (
  device_id BIGINT PRIMARY KEY REFERENCES devices (id) ON DELETE CASCADE,
  last_seen_at BIGINT,
  messages BIGINT NOT NULL,
  readings BIGINT NOT NULL,
  rejected BIGINT NOT NULL
);

CREATE TABLE device_attributes (
  device_id BIGINT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (device_id, key)
);
)sql";

// Version 4: devices also sign in with a user name and password or a client
// certificate. token_hash becomes optional, so the table is rebuilt (SQLite
// cannot drop a NOT NULL); rows keep their ids and, through sqlite_sequence,
// ids of removed rows stay unused. A user name, a fingerprint and a
// CN-only certificate name one device while unrevoked: partial unique
// indexes back the store's own checks.
constexpr std::string_view kDeviceCredentialKinds = R"sql(
CREATE TABLE device_credentials_v4 (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id BIGINT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  device_id BIGINT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  token_hash TEXT,
  hint TEXT NOT NULL,
  username TEXT,
  password_hash TEXT,
  client_id TEXT,
  certificate_fingerprint TEXT,
  certificate_cn TEXT,
  created_by BIGINT,
  created_at BIGINT NOT NULL,
  revoked BOOLEAN NOT NULL
);
INSERT INTO sqlite_sequence (name, seq)
  SELECT 'device_credentials_v4', seq FROM sqlite_sequence WHERE name = 'device_credentials';
INSERT INTO device_credentials_v4 (id, tenant_id, device_id, kind, name, token_hash, hint,
  created_by, created_at, revoked)
  SELECT id, tenant_id, device_id, 'token', name, token_hash, hint, created_by, created_at, revoked
  FROM device_credentials;
DROP TABLE device_credentials;
ALTER TABLE device_credentials_v4 RENAME TO device_credentials;
CREATE INDEX device_credentials_tenant_id ON device_credentials (tenant_id);
CREATE INDEX device_credentials_device_id ON device_credentials (device_id);
CREATE UNIQUE INDEX device_credentials_token_hash ON device_credentials (token_hash);
CREATE UNIQUE INDEX device_credentials_username ON device_credentials (username)
  WHERE revoked = FALSE AND username IS NOT NULL;
CREATE UNIQUE INDEX device_credentials_certificate_fingerprint
  ON device_credentials (certificate_fingerprint)
  WHERE revoked = FALSE AND certificate_fingerprint IS NOT NULL;
CREATE UNIQUE INDEX device_credentials_certificate_cn ON device_credentials (certificate_cn)
  WHERE revoked = FALSE AND certificate_cn IS NOT NULL AND certificate_fingerprint IS NULL;
)sql";

// Version 5: a device may be a gateway for others (the MQTT gateway API)
// and may name MQTT topic filters whose messages are its readings.
constexpr std::string_view kDeviceGateways = R"sql(
ALTER TABLE devices ADD COLUMN role TEXT NOT NULL DEFAULT 'device';
ALTER TABLE devices ADD COLUMN gateway_id BIGINT REFERENCES devices (id) ON DELETE CASCADE;
ALTER TABLE devices ADD COLUMN mqtt_topics TEXT NOT NULL DEFAULT '[]';
CREATE INDEX devices_gateway_id ON devices (gateway_id);
)sql";

// Version 6: rules (docs/alarms.md). Their scope references go with the
// record they name, like every reference of the asset model.
constexpr std::string_view kRules = R"sql(
CREATE TABLE rules (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id BIGINT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  type TEXT NOT NULL,
  severity TEXT NOT NULL,
  status TEXT NOT NULL,
  building_id BIGINT REFERENCES buildings (id) ON DELETE CASCADE,
  space_id BIGINT REFERENCES spaces (id) ON DELETE CASCADE,
  equipment_id BIGINT REFERENCES equipment (id) ON DELETE CASCADE,
  point_id BIGINT REFERENCES points (id) ON DELETE CASCADE,
  device_id BIGINT REFERENCES devices (id) ON DELETE CASCADE,
  quantity TEXT NOT NULL,
  threshold DOUBLE PRECISION,
  deadband DOUBLE PRECISION,
  on_delay_s BIGINT,
  off_delay_s BIGINT,
  min_value DOUBLE PRECISION,
  max_value DOUBLE PRECISION,
  max_change DOUBLE PRECISION,
  window_s BIGINT,
  direction TEXT NOT NULL,
  tolerance DOUBLE PRECISION,
  duration_s BIGINT,
  interval_factor DOUBLE PRECISION,
  expression TEXT NOT NULL,
  message TEXT NOT NULL,
  action TEXT NOT NULL,
  tags TEXT NOT NULL,
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX rules_tenant_id ON rules (tenant_id);
CREATE INDEX rules_building_id ON rules (building_id);
CREATE INDEX rules_space_id ON rules (space_id);
CREATE INDEX rules_equipment_id ON rules (equipment_id);
CREATE INDEX rules_point_id ON rules (point_id);
CREATE INDEX rules_device_id ON rules (device_id);
)sql";

// Version 7: alarms and their history (store/alarm_store.h). An alarm
// outlives its rule and point, so those are plain columns; it goes with its
// tenant.
constexpr std::string_view kAlarms = R"sql(
CREATE TABLE alarms (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id BIGINT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  rule_id BIGINT NOT NULL,
  point_id BIGINT NOT NULL,
  building_id BIGINT NOT NULL,
  severity TEXT NOT NULL,
  state TEXT NOT NULL,
  condition BOOLEAN NOT NULL,
  message TEXT NOT NULL,
  value DOUBLE PRECISION NOT NULL,
  raised_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  cleared_at BIGINT,
  closed_at BIGINT,
  count BIGINT NOT NULL,
  acknowledged_by BIGINT,
  acknowledged_at BIGINT,
  shelved_by BIGINT,
  shelved_until BIGINT,
  shelve_reason TEXT NOT NULL,
  suppress_reason TEXT NOT NULL,
  assigned_to BIGINT,
  incident TEXT NOT NULL,
  version BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX alarms_tenant_id ON alarms (tenant_id, id);
CREATE INDEX alarms_open ON alarms (tenant_id, building_id) WHERE state <> 'normal';
CREATE INDEX alarms_rule_point ON alarms (rule_id, point_id);
CREATE TABLE alarm_notes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  alarm_id BIGINT NOT NULL REFERENCES alarms (id) ON DELETE CASCADE,
  tenant_id BIGINT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  at BIGINT NOT NULL,
  kind TEXT NOT NULL,
  user_id BIGINT,
  text TEXT NOT NULL,
  state TEXT NOT NULL
);
CREATE INDEX alarm_notes_alarm_id ON alarm_notes (alarm_id);
CREATE INDEX alarm_notes_tenant_at ON alarm_notes (tenant_id, at);
)sql";

// Version 8: notification recipients (model/recipient.h) and the record of
// every delivery attempt (store/alarm_store.h). An attempt outlives its
// alarm and recipient, like an alarm its rule.
constexpr std::string_view kNotifications = R"sql(
CREATE TABLE recipients (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id BIGINT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  channel TEXT NOT NULL,
  address TEXT NOT NULL,
  secret TEXT NOT NULL,
  user_id BIGINT,
  building_id BIGINT REFERENCES buildings (id) ON DELETE CASCADE,
  min_severity TEXT NOT NULL,
  quiet_from TEXT NOT NULL,
  quiet_to TEXT NOT NULL,
  escalate_after_s BIGINT NOT NULL,
  status TEXT NOT NULL,
  tags TEXT NOT NULL,
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX recipients_tenant_id ON recipients (tenant_id);
CREATE INDEX recipients_building_id ON recipients (building_id);
CREATE TABLE notification_attempts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id BIGINT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  alarm_id BIGINT,
  building_id BIGINT,
  recipient_id BIGINT NOT NULL,
  channel TEXT NOT NULL,
  target TEXT NOT NULL,
  kind TEXT NOT NULL,
  attempt_no BIGINT NOT NULL,
  at BIGINT NOT NULL,
  outcome TEXT NOT NULL,
  error TEXT NOT NULL,
  next_at BIGINT
);
CREATE INDEX notification_attempts_tenant_id ON notification_attempts (tenant_id, id);
CREATE INDEX notification_attempts_alarm_id ON notification_attempts (alarm_id);
)sql";

// Version 9: anomaly rules and rule schedules.
constexpr std::string_view kRuleSchedules = R"sql(
ALTER TABLE rules ADD COLUMN sigmas DOUBLE PRECISION;
ALTER TABLE rules ADD COLUMN weeks BIGINT;
ALTER TABLE rules ADD COLUMN min_sigma DOUBLE PRECISION;
ALTER TABLE rules ADD COLUMN schedule TEXT NOT NULL DEFAULT '';
)sql";

constexpr std::string_view kBuildingFootprints = R"sql(
ALTER TABLE buildings ADD COLUMN footprint TEXT NOT NULL DEFAULT '';
)sql";

// Version 11: energy accounting (store/energy_store.h). Settings are JSON
// documents the energy module reads; the ledger holds each meter's hourly
// energy in blocks of 720 hours, rewritten whole.
constexpr std::string_view kEnergy = R"sql(
CREATE TABLE meter_settings (
  point_id BIGINT PRIMARY KEY REFERENCES points (id) ON DELETE CASCADE,
  document TEXT NOT NULL,
  version BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE building_energy_settings (
  building_id BIGINT PRIMARY KEY REFERENCES buildings (id) ON DELETE CASCADE,
  document TEXT NOT NULL,
  version BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE meter_energy_blocks (
  point_id BIGINT NOT NULL REFERENCES meter_settings (point_id) ON DELETE CASCADE,
  block BIGINT NOT NULL,
  settings_version BIGINT NOT NULL,
  energy BLOB NOT NULL,
  quality BLOB NOT NULL,
  source BLOB NOT NULL,
  PRIMARY KEY (point_id, block)
) WITHOUT ROWID;
)sql";

// Version 12: the driver document of each device CityPulse polls itself
// (store/driver_store.h).
constexpr std::string_view kDeviceDrivers = R"sql(
CREATE TABLE device_drivers (
  device_id BIGINT PRIMARY KEY REFERENCES devices (id) ON DELETE CASCADE,
  document TEXT NOT NULL,
  version BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
)sql";

// Version 13: the commands sent to the plant (store/command_store.h), and the
// control schedules (store/schedule_store.h). The partial indexes keep a
// restart's search for what is unfinished short; the unique one lets a
// schedule's change be written once per point, whatever happens to the process.
constexpr std::string_view kCommands = R"sql(
CREATE TABLE commands (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id BIGINT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  building_id BIGINT NOT NULL,
  point_id BIGINT NOT NULL REFERENCES points (id) ON DELETE CASCADE,
  device_id BIGINT NOT NULL,
  channel TEXT NOT NULL,
  protocol TEXT NOT NULL,
  value DOUBLE PRECISION,
  priority INTEGER,
  origin TEXT NOT NULL,
  user_id BIGINT,
  api_key_id BIGINT,
  actor TEXT NOT NULL,
  requested_at BIGINT NOT NULL,
  deadline_at BIGINT NOT NULL,
  expires_at BIGINT,
  previous DOUBLE PRECISION,
  ends BIGINT,
  schedule_id BIGINT,
  transition_at BIGINT,
  status TEXT NOT NULL,
  completed_at BIGINT,
  read_back DOUBLE PRECISION,
  error TEXT NOT NULL,
  ended_at BIGINT
);
CREATE INDEX commands_by_point ON commands (point_id, id);
CREATE INDEX commands_pending ON commands (id) WHERE status = 'pending';
CREATE INDEX commands_open_overrides ON commands (id)
  WHERE expires_at IS NOT NULL AND ended_at IS NULL;
CREATE UNIQUE INDEX commands_once_per_change ON commands (schedule_id, transition_at, point_id)
  WHERE schedule_id IS NOT NULL;
CREATE TABLE control_schedules (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id BIGINT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  building_id BIGINT NOT NULL REFERENCES buildings (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  document TEXT NOT NULL,
  targets TEXT NOT NULL,
  zone_point_id BIGINT REFERENCES points (id) ON DELETE SET NULL,
  outdoor_point_id BIGINT REFERENCES points (id) ON DELETE SET NULL,
  state TEXT NOT NULL,
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX control_schedules_by_building ON control_schedules (building_id);
)sql";

// A schedule's write that failed or timed out is made again (with backoff)
// while its change is in force: one command per attempt, the first being 0.
constexpr std::string_view kScheduleWriteAttempts = R"sql(
ALTER TABLE commands ADD COLUMN attempt INTEGER NOT NULL DEFAULT 0;
DROP INDEX commands_once_per_change;
CREATE UNIQUE INDEX commands_once_per_attempt
  ON commands (schedule_id, transition_at, point_id, attempt)
  WHERE schedule_id IS NOT NULL;
)sql";

constexpr Migration kMigrations[] = {
    {1, "asset model", kAssetModel},
    {2, "identity", kIdentity},
    {3, "device access", kDeviceAccess},
    {4, "device credential kinds", kDeviceCredentialKinds},
    {5, "device gateways and topics", kDeviceGateways},
    {6, "rules", kRules},
    {7, "alarms", kAlarms},
    {8, "notifications", kNotifications},
    {9, "anomaly rules and schedules", kRuleSchedules},
    {10, "building footprints", kBuildingFootprints},
    {11, "energy accounting", kEnergy},
    {12, "device drivers", kDeviceDrivers},
    {13, "commands and schedules", kCommands},
    {14, "schedule write attempts", kScheduleWriteAttempts},
};

constexpr bool versions_are_consecutive() {
  int expected = 1;
  for (const auto& m : kMigrations)
    if (m.version != expected++) return false;
  return true;
}
static_assert(versions_are_consecutive(), "migration versions must be 1, 2, 3... in order");

}  // namespace

std::span<const Migration> migrations() {
  return kMigrations;
}

int latest_schema_version() {
  return kMigrations[std::size(kMigrations) - 1].version;
}

}  // namespace citypulse
