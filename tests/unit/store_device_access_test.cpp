// Device credentials in the store: the three kinds and the fields each must
// (and must not) carry, user names, fingerprints and CN-only certificates
// that name one device while unrevoked, scope, the generation the directory
// watches, migration 4 on a file that has token credentials, and the
// directory's index of each kind.
#include "ingest/directory.h"
#include "store/device_access_store.h"
#include "store_test_support.h"

namespace citypulse::testing {
namespace {

const std::string kFingerprint(64, 'a');
const std::string kOtherFingerprint(64, 'b');

class StoreDeviceAccessTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    tenant_ = make_tenant("Stadt").id;
    device_ = make_device(tenant_).id;
    other_device_ = make_device(tenant_).id;
  }

  DeviceAccessStore& access() { return store().device_access(); }

  static DeviceCredential token(Id device, const std::string& hash) {
    DeviceCredential c;
    c.device_id = device;
    c.name = "token";
    c.token_hash = hash;
    c.hint = hash.substr(0, 6);
    return c;
  }
  static DeviceCredential basic(Id device, const std::string& username,
                                const std::string& client_id = "") {
    DeviceCredential c;
    c.kind = "basic";
    c.device_id = device;
    c.name = "basic";
    c.username = username;
    c.password_hash = "$argon2id$not-checked-by-the-store";
    c.client_id = client_id;
    return c;
  }
  static DeviceCredential certificate(Id device, const std::string& fingerprint,
                                      const std::string& cn) {
    DeviceCredential c;
    c.kind = "certificate";
    c.device_id = device;
    c.name = "certificate";
    c.certificate_fingerprint = fingerprint;
    c.certificate_cn = cn;
    return c;
  }

  Id tenant_ = 0, device_ = 0, other_device_ = 0;
};

TEST_F(StoreDeviceAccessTest, EachKindRoundTripsWithItsOwnFields) {
  const auto t = ok(access().create_credential(all(), token(device_, std::string(64, '1'))));
  const auto b = ok(access().create_credential(all(), basic(device_, "meter-7", "meter-7-client")));
  const auto c = ok(access().create_credential(all(), certificate(device_, kFingerprint, "cn-7")));
  const auto listed = ok(access().list_credentials(Scope::tenant(tenant_), device_));
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_EQ(listed[0].id, t.id);
  EXPECT_EQ(listed[0].kind, "token");
  EXPECT_EQ(listed[0].token_hash, std::string(64, '1'));
  EXPECT_TRUE(listed[0].username.empty());
  EXPECT_EQ(listed[1].id, b.id);
  EXPECT_EQ(listed[1].kind, "basic");
  EXPECT_EQ(listed[1].username, "meter-7");
  EXPECT_EQ(listed[1].client_id, "meter-7-client");
  EXPECT_EQ(listed[1].password_hash, "$argon2id$not-checked-by-the-store");
  EXPECT_TRUE(listed[1].token_hash.empty());
  EXPECT_EQ(listed[2].id, c.id);
  EXPECT_EQ(listed[2].kind, "certificate");
  EXPECT_EQ(listed[2].certificate_fingerprint, kFingerprint);
  EXPECT_EQ(listed[2].certificate_cn, "cn-7");
  EXPECT_EQ(listed[2].tenant_id, tenant_);
  // Empty fields are NULL in the file, so the partial unique indexes skip them.
  EXPECT_EQ(count_rows("device_credentials", "token_hash IS NULL"), 2);
  EXPECT_EQ(count_rows("device_credentials", "username IS NULL"), 2);
}

TEST_F(StoreDeviceAccessTest, AKindCarriesItsFieldsAndNoOther) {
  auto expect_invalid = [&](DeviceCredential c, const std::string& field) {
    auto r = access().create_credential(all(), std::move(c));
    EXPECT_TRUE(failed_with(r, ErrorCode::invalid)) << field;
    if (!r) {
      EXPECT_EQ(r.error().field, field);
    }
  };
  auto c = token(device_, "h");
  c.kind = "x509";
  expect_invalid(c, "/kind");
  c = token(device_, "h");
  c.username = "u";
  expect_invalid(c, "/username");
  expect_invalid(token(device_, ""), "/token_hash");
  c = basic(device_, "u");
  c.password_hash.clear();
  expect_invalid(c, "/password");
  expect_invalid(basic(device_, ""), "/username");
  c = basic(device_, "u");
  c.certificate_cn = "cn";
  expect_invalid(c, "/cn");
  expect_invalid(certificate(device_, "", ""), "/fingerprint");
  expect_invalid(certificate(device_, std::string(64, 'A'), ""), "/fingerprint");
  expect_invalid(certificate(device_, "abc", ""), "/fingerprint");
  c = certificate(device_, kFingerprint, "");
  c.client_id = "id";
  expect_invalid(c, "/client_id");
  EXPECT_EQ(count_rows("device_credentials"), 0);
}

TEST_F(StoreDeviceAccessTest, AnUnrevokedUserNameNamesOneDevice) {
  const auto first = ok(access().create_credential(all(), basic(device_, "pump-1")));
  auto again = access().create_credential(all(), basic(other_device_, "pump-1"));
  ASSERT_TRUE(failed_with(again, ErrorCode::conflict));
  EXPECT_EQ(again.error().field, "/username");
  // Case matters, as in MQTT.
  ok(access().create_credential(all(), basic(other_device_, "Pump-1")));
  ok(access().revoke_credential(all(), device_, first.id));
  const auto second = ok(access().create_credential(all(), basic(other_device_, "pump-1")));
  EXPECT_GT(second.id, first.id);
}

TEST_F(StoreDeviceAccessTest, AFingerprintOrALoneCnNamesOneDevice) {
  const auto pinned = ok(access().create_credential(all(), certificate(device_, kFingerprint, "")));
  auto same = access().create_credential(all(), certificate(other_device_, kFingerprint, "x"));
  ASSERT_TRUE(failed_with(same, ErrorCode::conflict));
  EXPECT_EQ(same.error().field, "/fingerprint");

  ok(access().create_credential(all(), certificate(device_, "", "gateway-3")));
  auto cn = access().create_credential(all(), certificate(other_device_, "", "gateway-3"));
  ASSERT_TRUE(failed_with(cn, ErrorCode::conflict));
  EXPECT_EQ(cn.error().field, "/cn");
  // With a fingerprint the CN is only a further check: no clash with a CN-only one.
  ok(access().create_credential(all(), certificate(other_device_, kOtherFingerprint, "gateway-3")));

  ok(access().revoke_credential(all(), device_, pinned.id));
  ok(access().create_credential(all(), certificate(other_device_, kFingerprint, "")));
}

TEST_F(StoreDeviceAccessTest, OtherTenantsSeeNothing) {
  const Id stranger = make_tenant("Dorf").id;
  EXPECT_TRUE(failed_with(access().create_credential(Scope::tenant(stranger), basic(device_, "a")),
                          ErrorCode::not_found));
  const auto b = ok(access().create_credential(Scope::tenant(tenant_), basic(device_, "a")));
  EXPECT_TRUE(failed_with(access().list_credentials(Scope::tenant(stranger), device_),
                          ErrorCode::not_found));
  EXPECT_TRUE(failed_with(access().revoke_credential(Scope::tenant(stranger), device_, b.id),
                          ErrorCode::not_found));
  EXPECT_TRUE(
      failed_with(access().revoke_credential(all(), other_device_, b.id), ErrorCode::not_found));
}

TEST_F(StoreDeviceAccessTest, ChangesMoveTheGenerationAndOnlyUnrevokedAreIndexed) {
  const auto g0 = store().asset_generation();
  const auto b = ok(access().create_credential(all(), basic(device_, "a")));
  const auto g1 = store().asset_generation();
  EXPECT_GT(g1, g0);
  ok(access().create_credential(all(), certificate(device_, kFingerprint, "")));
  ok(access().revoke_credential(all(), device_, b.id));
  EXPECT_GT(store().asset_generation(), g1);
  const auto all_unrevoked = ok(access().all_credentials());
  ASSERT_EQ(all_unrevoked.size(), 1u);
  EXPECT_EQ(all_unrevoked[0].kind, "certificate");
}

TEST_F(StoreDeviceAccessTest, TheDirectoryIndexesEachKind) {
  ok(access().create_credential(all(), token(device_, std::string(64, '2'))));
  const auto b = ok(access().create_credential(all(), basic(device_, "meter", "client-1")));
  const auto pinned =
      ok(access().create_credential(all(), certificate(device_, kFingerprint, "meter-cn")));
  const auto by_cn = ok(access().create_credential(all(), certificate(other_device_, "", "gw")));
  ingest::Directory directory(store());
  auto s = ok(directory.current());
  ASSERT_NE(s->device_by_token_hash(std::string(64, '2')), nullptr);
  const auto* basic_entry = s->basic_credential("meter");
  ASSERT_NE(basic_entry, nullptr);
  EXPECT_EQ(basic_entry->credential_id, b.id);
  EXPECT_EQ(basic_entry->device_id, device_);
  EXPECT_EQ(basic_entry->client_id, "client-1");
  EXPECT_EQ(basic_entry->password_hash, b.password_hash);
  EXPECT_EQ(s->basic_credential("Meter"), nullptr);
  const auto* cert = s->certificate_by_fingerprint(kFingerprint);
  ASSERT_NE(cert, nullptr);
  EXPECT_EQ(cert->credential_id, pinned.id);
  EXPECT_EQ(cert->cn, "meter-cn");
  // A CN that goes with a fingerprint names nobody on its own.
  EXPECT_EQ(s->certificate_by_cn("meter-cn"), nullptr);
  const auto* cn = s->certificate_by_cn("gw");
  ASSERT_NE(cn, nullptr);
  EXPECT_EQ(cn->device_id, other_device_);

  // Revoking moves the generation: the next snapshot no longer has it.
  ok(access().revoke_credential(all(), device_, b.id));
  ok(access().revoke_credential(all(), other_device_, by_cn.id));
  s = ok(directory.current());
  EXPECT_EQ(s->basic_credential("meter"), nullptr);
  EXPECT_EQ(s->certificate_by_cn("gw"), nullptr);
  EXPECT_NE(s->certificate_by_fingerprint(kFingerprint), nullptr);
}

// A file at version 3 (token credentials only, token_hash NOT NULL) is
// rebuilt by migration 4: its tokens stay, as kind "token", and an id freed
// by a removed credential is not handed out again.
TEST_F(StoreDeviceAccessTest, MigrationFourKeepsTokensAndIds) {
  const auto kept = ok(access().create_credential(all(), token(device_, std::string(64, '3'))));
  const auto gone = ok(access().create_credential(all(), token(device_, std::string(64, '4'))));
  close();
  ok(raw_sql(R"sql(
DELETE FROM device_credentials WHERE id = )sql" +
             std::to_string(gone.id) + R"sql(;
CREATE TABLE device_credentials_v3 (
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
INSERT INTO sqlite_sequence (name, seq)
  SELECT 'device_credentials_v3', seq FROM sqlite_sequence WHERE name = 'device_credentials';
INSERT INTO device_credentials_v3 SELECT id, tenant_id, device_id, name, token_hash, hint,
  created_by, created_at, revoked FROM device_credentials;
DROP TABLE device_credentials;
ALTER TABLE device_credentials_v3 RENAME TO device_credentials;
CREATE INDEX device_credentials_tenant_id ON device_credentials (tenant_id);
CREATE INDEX device_credentials_device_id ON device_credentials (device_id);
CREATE UNIQUE INDEX device_credentials_token_hash ON device_credentials (token_hash);
DELETE FROM schema_migrations WHERE version = 4;
)sql"));
  reopen(true);
  const auto listed = ok(access().list_credentials(all(), device_));
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].id, kept.id);
  EXPECT_EQ(listed[0].kind, "token");
  EXPECT_EQ(listed[0].token_hash, std::string(64, '3'));
  const auto next = ok(access().create_credential(all(), basic(device_, "after-migration")));
  EXPECT_GT(next.id, gone.id);
}

}  // namespace
}  // namespace citypulse::testing
