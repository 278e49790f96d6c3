// IdentityStore on SQLite: users (tenancy, unique emails, buildings, versions,
// lists), refresh tokens (rotation, reuse, revocation, purge), API keys, the
// audit log, tenant removal with identities, and migration 2 on a file of
// version 1.
#include <atomic>
#include <thread>

#include "store/identity_store.h"
#include "store/migrations.h"
#include "sqlite/connection.h"
#include "store_test_support.h"

namespace citypulse::testing {
namespace {

class StoreIdentityTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    a_ = make_tenant("Stadt A").id;
    b_ = make_tenant("Stadt B").id;
    a1_ = make_building(a_).id;
    a2_ = make_building(a_).id;
    b1_ = make_building(b_).id;
  }

  IdentityStore& ids() { return store().identity(); }

  static User user_value(const std::string& email, std::optional<Id> tenant = std::nullopt,
                         const std::string& role = "viewer") {
    User u;
    u.tenant_id = tenant;
    u.email = email;
    u.display_name = "Anna Muster";
    u.role = role;
    u.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA";
    return u;
  }
  User make_user(const std::string& email, std::optional<Id> tenant,
                 const std::string& role = "viewer") {
    return ok(ids().create_user(all(), user_value(email, tenant, role)));
  }

  static RefreshToken token_value(Id user, const std::string& family, const std::string& hash,
                                  TimeMs expires_at = 4'000'000'000'000) {
    RefreshToken t;
    t.user_id = user;
    t.family = family;
    t.token_hash = hash;
    t.issued_at = 1'700'000'000'000;
    t.expires_at = expires_at;
    return t;
  }
  RefreshToken stored_token(const std::string& hash) {
    auto t = ok(ids().find_refresh_token(hash));
    if (!t) throw std::runtime_error("token " + hash + " not stored");
    return *t;
  }

  static ApiKey key_value(const std::string& prefix, Id tenant = 0) {
    ApiKey k;
    k.tenant_id = tenant;
    k.name = "BMS gateway";
    k.prefix = prefix;
    k.secret_hash = std::string(64, 'a');
    k.permissions = {"points:read", "readings:write"};
    return k;
  }

  static AuditEntry entry_value(std::optional<Id> tenant, const std::string& action,
                                TimeMs at = 0) {
    AuditEntry e;
    e.tenant_id = tenant;
    e.at = at;
    e.actor = "anna@example.org";
    e.remote = "127.0.0.1:50000";
    e.action = action;
    e.resource = "buildings";
    e.summary = R"({"name":"Neu"})";
    return e;
  }

  Id a_ = 0, b_ = 0, a1_ = 0, a2_ = 0, b1_ = 0;
};

std::vector<Id> ids_of(const auto& records) {
  std::vector<Id> out;
  for (const auto& r : records) out.push_back(r.id);
  return out;
}

// ---- users ----

TEST_F(StoreIdentityTest, CreateAssignsTheTenantVersionAndTimesAndLowerCasesTheEmail) {
  User u = user_value("Anna.Muster@Example.ORG");
  u.id = 77;
  u.version = 9;
  u.tokens_valid_after = 123;
  const User stored = ok(ids().create_user(Scope::tenant(a_), u));
  EXPECT_NE(stored.id, 77);
  EXPECT_EQ(stored.tenant_id, a_);
  EXPECT_EQ(stored.email, "anna.muster@example.org");
  EXPECT_EQ(stored.version, 1);
  EXPECT_GT(stored.created_at, 0);
  EXPECT_EQ(stored.updated_at, stored.created_at);
  EXPECT_EQ(stored.tokens_valid_after, 123);
  EXPECT_EQ(stored.password_hash, u.password_hash);
  EXPECT_FALSE(stored.buildings);
  const User got = ok(ids().get_user(Scope::tenant(a_), stored.id));
  EXPECT_EQ(got.email, stored.email);
  EXPECT_EQ(got.display_name, "Anna Muster");
  EXPECT_EQ(got.role, "viewer");
  EXPECT_EQ(got.version, 1);
}

TEST_F(StoreIdentityTest, TheTenantOfANewUserComesFromTheScopeOrMustExist) {
  auto other = ids().create_user(Scope::tenant(a_), user_value("x@example.org", b_));
  ASSERT_TRUE(failed_with(other, ErrorCode::invalid));
  EXPECT_EQ(other.error().field, "/tenant_id");
  auto missing = ids().create_user(all(), user_value("y@example.org", 999));
  ASSERT_TRUE(failed_with(missing, ErrorCode::invalid));
  EXPECT_EQ(missing.error().field, "/tenant_id");
  EXPECT_EQ(ok(ids().create_user(Scope::tenant(a_), user_value("z@example.org", a_))).tenant_id,
            a_);
  EXPECT_FALSE(make_user("root@example.org", std::nullopt).tenant_id) << "a superadmin";
  EXPECT_EQ(count_rows("users"), 2);
}

TEST_F(StoreIdentityTest, AnotherTenantsUserBehavesAsIfItDidNotExist) {
  User u = make_user("anna@example.org", a_);
  const Scope b = Scope::tenant(b_);
  EXPECT_TRUE(failed_with(ids().get_user(b, u.id), ErrorCode::not_found));
  u.display_name = "Hijacked";
  EXPECT_TRUE(failed_with(ids().update_user(b, u, std::nullopt), ErrorCode::not_found));
  EXPECT_TRUE(failed_with(ids().remove_user(b, u.id, std::nullopt), ErrorCode::not_found));
  EXPECT_TRUE(ok(ids().list_users(b, {})).records.empty());
  EXPECT_EQ(ok(ids().get_user(all(), u.id)).display_name, "Anna Muster");
}

TEST_F(StoreIdentityTest, ASuperadminIsVisibleOnlyToTheAllTenantsScope) {
  const User root = make_user("root@example.org", std::nullopt, "superadmin");
  const User anna = make_user("anna@example.org", a_);
  EXPECT_TRUE(failed_with(ids().get_user(Scope::tenant(a_), root.id), ErrorCode::not_found));
  EXPECT_TRUE(failed_with(ids().remove_user(Scope::tenant(a_), root.id, std::nullopt),
                          ErrorCode::not_found));
  EXPECT_EQ(ids_of(ok(ids().list_users(Scope::tenant(a_), {})).records), std::vector<Id>{anna.id});
  EXPECT_EQ(ids_of(ok(ids().list_users(all(), {})).records), (std::vector<Id>{root.id, anna.id}));
  EXPECT_EQ(ok(ids().get_user(all(), root.id)).role, "superadmin");
}

TEST_F(StoreIdentityTest, EmailsAreUniqueAcrossTheStoreWhateverTheirCase) {
  User anna = make_user("anna@example.org", a_);
  auto clash = ids().create_user(all(), user_value("ANNA@example.org", b_));
  ASSERT_TRUE(failed_with(clash, ErrorCode::conflict));
  EXPECT_EQ(clash.error().field, "/email");
  EXPECT_EQ(clash.error().message.find("Stadt"), std::string::npos) << "names no other tenant";
  User bob = make_user("bob@example.org", b_);
  bob.email = "Anna@Example.org";
  auto update = ids().update_user(all(), bob, std::nullopt);
  ASSERT_TRUE(failed_with(update, ErrorCode::conflict));
  EXPECT_EQ(update.error().field, "/email");
  // A user keeps its own address, in any case.
  anna.email = "ANNA@EXAMPLE.ORG";
  EXPECT_EQ(ok(ids().update_user(all(), anna, std::nullopt)).email, "anna@example.org");
  auto empty = ids().create_user(all(), user_value("", a_));
  ASSERT_TRUE(failed_with(empty, ErrorCode::invalid));
  EXPECT_EQ(empty.error().field, "/email");
}

TEST_F(StoreIdentityTest, BuildingsMustBeTheTenantsAndAreStoredSortedWithoutDuplicates) {
  User u = user_value("anna@example.org", a_);
  u.buildings = std::vector<Id>{a2_, a1_, a2_};
  const User stored = ok(ids().create_user(all(), u));
  EXPECT_EQ(stored.buildings, (std::vector<Id>{a1_, a2_}));
  EXPECT_EQ(ok(ids().get_user(all(), stored.id)).buildings, (std::vector<Id>{a1_, a2_}));

  u.email = "bob@example.org";
  u.buildings = std::vector<Id>{a1_, b1_};
  auto foreign = ids().create_user(all(), u);
  ASSERT_TRUE(failed_with(foreign, ErrorCode::invalid));
  EXPECT_EQ(foreign.error().field, "/buildings/1");
  u.buildings = std::vector<Id>{999};
  auto missing = ids().create_user(all(), u);
  ASSERT_TRUE(failed_with(missing, ErrorCode::invalid));
  EXPECT_EQ(missing.error().field, "/buildings/0");

  User root = user_value("root@example.org");
  root.buildings = std::vector<Id>{a1_};
  auto superadmin = ids().create_user(all(), root);
  ASSERT_TRUE(failed_with(superadmin, ErrorCode::invalid));
  EXPECT_EQ(superadmin.error().field, "/buildings");

  User changed = stored;
  changed.buildings = std::vector<Id>{b1_};
  auto update = ids().update_user(all(), changed, std::nullopt);
  ASSERT_TRUE(failed_with(update, ErrorCode::invalid));
  EXPECT_EQ(update.error().field, "/buildings/0");
  changed.buildings = std::vector<Id>{};
  EXPECT_EQ(ok(ids().update_user(all(), changed, std::nullopt)).buildings, std::vector<Id>{})
      << "an empty list (no building) is not the whole tenant";
  EXPECT_EQ(count_rows("users"), 1);
}

TEST_F(StoreIdentityTest, UpdateBumpsTheVersionAndAStaleVersionChangesNothing) {
  const User v1 = make_user("anna@example.org", a_);
  User u = v1;
  u.tenant_id.reset();  // unset keeps the tenant
  u.display_name = "Anna M.";
  u.disabled = true;
  u.tokens_valid_after = 5000;
  const User v2 = ok(ids().update_user(Scope::tenant(a_), u, 1));
  EXPECT_EQ(v2.version, 2);
  EXPECT_EQ(v2.tenant_id, a_);
  EXPECT_EQ(v2.created_at, v1.created_at);
  EXPECT_GT(v2.updated_at, v1.updated_at);
  EXPECT_TRUE(v2.disabled);
  EXPECT_EQ(v2.tokens_valid_after, 5000);

  u.display_name = "Lost update";
  auto stale = ids().update_user(Scope::tenant(a_), u, 1);
  EXPECT_TRUE(failed_with(stale, ErrorCode::precondition_failed));
  EXPECT_EQ(ok(ids().get_user(all(), v1.id)).display_name, "Anna M.");
  EXPECT_EQ(ok(ids().get_user(all(), v1.id)).version, 2);

  u.tenant_id = b_;
  auto move = ids().update_user(all(), u, std::nullopt);
  ASSERT_TRUE(failed_with(move, ErrorCode::invalid));
  EXPECT_EQ(move.error().field, "/tenant_id");
  EXPECT_EQ(ok(ids().get_user(all(), v1.id)).tenant_id, a_);
}

TEST_F(StoreIdentityTest, RemoveHonoursTheVersionAndTakesTheUsersTokens) {
  const User anna = make_user("anna@example.org", a_);
  const User bob = make_user("bob@example.org", a_);
  ok(ids().add_refresh_token(token_value(anna.id, "f1", "h1")));
  ok(ids().add_refresh_token(token_value(anna.id, "f2", "h2")));
  ok(ids().add_refresh_token(token_value(bob.id, "f3", "h3")));
  AuditEntry e = entry_value(a_, "login");
  e.user_id = anna.id;
  ok(ids().append_audit(e));

  EXPECT_TRUE(failed_with(ids().remove_user(Scope::tenant(a_), anna.id, 7),
                          ErrorCode::precondition_failed));
  EXPECT_EQ(count_rows("refresh_tokens"), 3);
  ok(ids().remove_user(Scope::tenant(a_), anna.id, 1));
  EXPECT_TRUE(failed_with(ids().get_user(all(), anna.id), ErrorCode::not_found));
  EXPECT_EQ(count_rows("refresh_tokens", fmt::format("user_id = {}", anna.id)), 0);
  EXPECT_EQ(count_rows("refresh_tokens"), 1);
  EXPECT_EQ(count_rows("audit_log"), 1) << "the audit log outlives the user";
}

TEST_F(StoreIdentityTest, IdsOfRemovedUsersAreNeverReused) {
  make_user("anna@example.org", a_);
  const User last = make_user("bob@example.org", a_);
  ok(ids().remove_user(all(), last.id, std::nullopt));
  // An access token of the removed user must not speak for the next one.
  EXPECT_GT(make_user("carl@example.org", a_).id, last.id);
}

TEST_F(StoreIdentityTest, ListFiltersByRoleEmailAndDisabled) {
  const User anna = make_user("anna@example.org", a_, "admin");
  User bob = make_user("bob@example.org", a_, "viewer");
  const User carl = make_user("carl@example.org", a_, "viewer");
  make_user("dora@example.org", b_, "viewer");
  bob.disabled = true;
  ok(ids().update_user(all(), bob, std::nullopt));
  const Scope a = Scope::tenant(a_);
  auto list = [&](std::vector<ListFilter> filters) {
    ListQuery q;
    q.filters = std::move(filters);
    return ids().list_users(a, q);
  };
  EXPECT_EQ(ids_of(ok(list({{"role", "viewer"}})).records), (std::vector<Id>{bob.id, carl.id}));
  EXPECT_EQ(ids_of(ok(list({{"email", "ANNA@example.org"}})).records), std::vector<Id>{anna.id});
  EXPECT_EQ(ids_of(ok(list({{"disabled", "true"}})).records), std::vector<Id>{bob.id});
  EXPECT_EQ(ids_of(ok(list({{"disabled", "false"}, {"role", "viewer"}})).records),
            std::vector<Id>{carl.id});
  auto bad_value = list({{"disabled", "yes"}});
  ASSERT_TRUE(failed_with(bad_value, ErrorCode::bad_request));
  EXPECT_EQ(bad_value.error().field, "disabled");
  auto unknown = list({{"password_hash", "x"}});
  ASSERT_TRUE(failed_with(unknown, ErrorCode::bad_request));
  EXPECT_EQ(unknown.error().field, "password_hash");
}

TEST_F(StoreIdentityTest, ListPagesWithACursorAndRejectsABadLimit) {
  std::vector<Id> made;
  for (int i = 0; i < 5; ++i) made.push_back(make_user(fmt::format("u{}@example.org", i), a_).id);
  make_user("root@example.org", std::nullopt);
  std::vector<Id> seen;
  ListQuery q;
  q.limit = 2;
  int pages = 0;
  for (;;) {
    auto page = ok(ids().list_users(Scope::tenant(a_), q));
    ++pages;
    EXPECT_LE(page.records.size(), 2u);
    for (Id id : ids_of(page.records)) seen.push_back(id);
    if (!page.next_after) break;
    q.after = *page.next_after;
  }
  EXPECT_EQ(seen, made);
  EXPECT_EQ(pages, 3);
  for (std::size_t limit : {std::size_t{0}, std::size_t{1001}}) {
    ListQuery bad;
    bad.limit = limit;
    EXPECT_TRUE(failed_with(ids().list_users(all(), bad), ErrorCode::bad_request)) << limit;
  }
  ListQuery negative;
  negative.after = -1;
  EXPECT_TRUE(failed_with(ids().list_users(all(), negative), ErrorCode::bad_request));
  ListQuery thousand;
  thousand.limit = 1000;
  EXPECT_EQ(ok(ids().list_users(all(), thousand)).records.size(), 6u);
}

TEST_F(StoreIdentityTest, FindByEmailIgnoresCaseAndTenants) {
  const User dora = make_user("dora@example.org", b_);
  const User root = make_user("root@example.org", std::nullopt);
  auto found = ok(ids().find_user_by_email("Dora@EXAMPLE.org"));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, dora.id);
  EXPECT_EQ(found->password_hash, dora.password_hash);
  EXPECT_EQ(ok(ids().find_user_by_email("ROOT@example.org"))->id, root.id);
  EXPECT_FALSE(ok(ids().find_user_by_email("nobody@example.org")));
  EXPECT_FALSE(ok(ids().find_user_by_email("")));
}

TEST_F(StoreIdentityTest, CountUsersCountsEveryTenantAndSuperadmins) {
  EXPECT_EQ(ok(ids().count_users()), 0);
  make_user("root@example.org", std::nullopt);
  make_user("anna@example.org", a_);
  make_user("dora@example.org", b_);
  EXPECT_EQ(ok(ids().count_users()), 3);
}

TEST_F(StoreIdentityTest, AScopeLimitedToBuildingsReadsButCannotManageIdentities) {
  User anna = make_user("anna@example.org", a_);
  const Scope limited = Scope::buildings(a_, {a1_});
  EXPECT_EQ(ok(ids().get_user(limited, anna.id)).id, anna.id);
  EXPECT_TRUE(
      failed_with(ids().create_user(limited, user_value("x@example.org")), ErrorCode::forbidden));
  anna.role = "admin";
  EXPECT_TRUE(failed_with(ids().update_user(limited, anna, std::nullopt), ErrorCode::forbidden));
  EXPECT_TRUE(failed_with(ids().remove_user(limited, anna.id, std::nullopt), ErrorCode::forbidden));
  EXPECT_TRUE(failed_with(ids().create_api_key(limited, key_value("k1")), ErrorCode::forbidden));
  EXPECT_EQ(ok(ids().get_user(all(), anna.id)).role, "viewer");
  EXPECT_EQ(count_rows("users"), 1);
  EXPECT_EQ(count_rows("api_keys"), 0);
}

// ---- refresh tokens ----

TEST_F(StoreIdentityTest, TokensAreAddedAndFoundByHash) {
  const User anna = make_user("anna@example.org", a_);
  ok(ids().add_refresh_token(token_value(anna.id, "fam", "hash-1")));
  const RefreshToken t = stored_token("hash-1");
  EXPECT_GT(t.id, 0);
  EXPECT_EQ(t.user_id, anna.id);
  EXPECT_EQ(t.family, "fam");
  EXPECT_EQ(t.issued_at, 1'700'000'000'000);
  EXPECT_EQ(t.expires_at, 4'000'000'000'000);
  EXPECT_FALSE(t.used_at);
  EXPECT_FALSE(t.revoked);
  EXPECT_FALSE(ok(ids().find_refresh_token("hash-2")));
  auto clash = ids().add_refresh_token(token_value(anna.id, "other", "hash-1"));
  EXPECT_TRUE(failed_with(clash, ErrorCode::conflict));
  auto orphan = ids().add_refresh_token(token_value(999, "fam", "hash-3"));
  ASSERT_TRUE(failed_with(orphan, ErrorCode::invalid));
  EXPECT_EQ(orphan.error().field, "/user_id");
  EXPECT_EQ(count_rows("refresh_tokens"), 1);
}

TEST_F(StoreIdentityTest, ATokenRotatesOnceAndAFailedRotationStoresNothing) {
  const User anna = make_user("anna@example.org", a_);
  ok(ids().add_refresh_token(token_value(anna.id, "fam", "h1")));
  const Id first = stored_token("h1").id;
  EXPECT_TRUE(ok(ids().rotate_refresh_token(first, 1000, token_value(anna.id, "fam", "h2"))));
  EXPECT_EQ(stored_token("h1").used_at, 1000);
  EXPECT_FALSE(stored_token("h2").used_at);
  // The same token again: reuse.
  EXPECT_FALSE(ok(ids().rotate_refresh_token(first, 2000, token_value(anna.id, "fam", "h3"))));
  EXPECT_FALSE(ok(ids().find_refresh_token("h3")));
  EXPECT_EQ(stored_token("h1").used_at, 1000);
  // A revoked token does not rotate either.
  ok(ids().revoke_token_family("fam"));
  const Id second = stored_token("h2").id;
  EXPECT_FALSE(ok(ids().rotate_refresh_token(second, 3000, token_value(anna.id, "fam", "h4"))));
  EXPECT_FALSE(ok(ids().find_refresh_token("h4")));
  EXPECT_FALSE(stored_token("h2").used_at);
  // Nor does one that is gone.
  EXPECT_FALSE(ok(ids().rotate_refresh_token(999, 3000, token_value(anna.id, "fam", "h5"))));
  EXPECT_EQ(count_rows("refresh_tokens"), 2);
}

TEST_F(StoreIdentityTest, ARotationCannotMoveTheSessionToAnotherUserOrFamily) {
  const User anna = make_user("anna@example.org", a_);
  const User bob = make_user("bob@example.org", a_);
  ok(ids().add_refresh_token(token_value(anna.id, "fam", "h1")));
  const Id first = stored_token("h1").id;
  EXPECT_TRUE(failed_with(ids().rotate_refresh_token(first, 1, token_value(bob.id, "fam", "h2")),
                          ErrorCode::invalid));
  EXPECT_TRUE(failed_with(ids().rotate_refresh_token(first, 1, token_value(anna.id, "new", "h2")),
                          ErrorCode::invalid));
  EXPECT_FALSE(stored_token("h1").used_at);
  EXPECT_EQ(count_rows("refresh_tokens"), 1);
  // And a clash on the new hash leaves the used token unused.
  ok(ids().add_refresh_token(token_value(anna.id, "fam2", "taken")));
  EXPECT_TRUE(
      failed_with(ids().rotate_refresh_token(first, 1, token_value(anna.id, "fam", "taken")),
                  ErrorCode::conflict));
  EXPECT_FALSE(stored_token("h1").used_at);
}

TEST_F(StoreIdentityTest, ConcurrentRotationsOfOneTokenSucceedOnce) {
  const User anna = make_user("anna@example.org", a_);
  ok(ids().add_refresh_token(token_value(anna.id, "fam", "h0")));
  const Id first = stored_token("h0").id;
  std::atomic<int> rotated{0}, refused{0}, failed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] {
      auto r = ids().rotate_refresh_token(first, 1000 + i,
                                          token_value(anna.id, "fam", fmt::format("n{}", i)));
      (!r ? failed : *r ? rotated : refused)++;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(rotated.load(), 1);
  EXPECT_EQ(refused.load(), 7);
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(count_rows("refresh_tokens"), 2);
}

TEST_F(StoreIdentityTest, RevokingAFamilyOrAUserTouchesOnlyThoseTokens) {
  const User anna = make_user("anna@example.org", a_);
  const User bob = make_user("bob@example.org", b_);
  ok(ids().add_refresh_token(token_value(anna.id, "laptop", "a1")));
  ok(ids().add_refresh_token(token_value(anna.id, "laptop", "a2")));
  ok(ids().add_refresh_token(token_value(anna.id, "phone", "a3")));
  ok(ids().add_refresh_token(token_value(bob.id, "bob", "b1")));
  ok(ids().revoke_token_family("laptop"));
  EXPECT_TRUE(stored_token("a1").revoked);
  EXPECT_TRUE(stored_token("a2").revoked);
  EXPECT_FALSE(stored_token("a3").revoked);
  ok(ids().revoke_token_family("no such family"));
  ok(ids().revoke_user_tokens(anna.id));
  EXPECT_TRUE(stored_token("a3").revoked);
  EXPECT_FALSE(stored_token("b1").revoked);
  ok(ids().revoke_user_tokens(999));
}

TEST_F(StoreIdentityTest, PurgeDeletesOnlyExpiredTokensAndCountsThem) {
  const User anna = make_user("anna@example.org", a_);
  ok(ids().add_refresh_token(token_value(anna.id, "f", "old1", 1000)));
  ok(ids().add_refresh_token(token_value(anna.id, "f", "old2", 1999)));
  ok(ids().add_refresh_token(token_value(anna.id, "f", "now", 2000)));
  ok(ids().add_refresh_token(token_value(anna.id, "f", "new", 3000)));
  EXPECT_EQ(ok(ids().purge_refresh_tokens(2000)), 2);
  EXPECT_FALSE(ok(ids().find_refresh_token("old1")));
  EXPECT_FALSE(ok(ids().find_refresh_token("old2")));
  EXPECT_TRUE(ok(ids().find_refresh_token("now")));
  EXPECT_TRUE(ok(ids().find_refresh_token("new")));
  EXPECT_EQ(ok(ids().purge_refresh_tokens(2000)), 0);
}

// ---- API keys ----

TEST_F(StoreIdentityTest, KeysAreCreatedInTheScopesTenantWithAssignedFields) {
  ApiKey k = key_value("cp_abc", 0);
  k.id = 55;
  k.revoked = true;
  k.last_used_at = 9;
  k.created_by = 12;
  k.expires_at = 5'000'000'000'000;
  k.buildings = std::vector<Id>{a2_, a1_};
  const ApiKey stored = ok(ids().create_api_key(Scope::tenant(a_), k));
  EXPECT_NE(stored.id, 55);
  EXPECT_EQ(stored.tenant_id, a_);
  EXPECT_FALSE(stored.revoked);
  EXPECT_FALSE(stored.last_used_at);
  EXPECT_EQ(stored.created_by, 12);
  EXPECT_EQ(stored.expires_at, 5'000'000'000'000);
  EXPECT_GT(stored.created_at, 0);
  EXPECT_EQ(stored.buildings, (std::vector<Id>{a1_, a2_}));
  EXPECT_EQ(stored.permissions, (std::vector<std::string>{"points:read", "readings:write"}));
  EXPECT_EQ(stored.secret_hash, k.secret_hash);
  const ApiKey got = ok(ids().get_api_key(Scope::tenant(a_), stored.id));
  EXPECT_EQ(got.name, "BMS gateway");
  EXPECT_EQ(got.buildings, stored.buildings);

  auto no_tenant = ids().create_api_key(all(), key_value("cp_x"));
  ASSERT_TRUE(failed_with(no_tenant, ErrorCode::invalid));
  EXPECT_EQ(no_tenant.error().field, "/tenant_id");
  EXPECT_TRUE(failed_with(ids().create_api_key(all(), key_value("cp_y", 999)), ErrorCode::invalid));
  EXPECT_TRUE(failed_with(ids().create_api_key(Scope::tenant(a_), key_value("cp_z", b_)),
                          ErrorCode::invalid));
  ApiKey foreign = key_value("cp_w", a_);
  foreign.buildings = std::vector<Id>{b1_};
  auto bad_building = ids().create_api_key(all(), foreign);
  ASSERT_TRUE(failed_with(bad_building, ErrorCode::invalid));
  EXPECT_EQ(bad_building.error().field, "/buildings/0");
  EXPECT_EQ(count_rows("api_keys"), 1);
}

TEST_F(StoreIdentityTest, KeyPrefixesAreUniqueAcrossTheStore) {
  ok(ids().create_api_key(all(), key_value("cp_abc", a_)));
  auto clash = ids().create_api_key(all(), key_value("cp_abc", b_));
  ASSERT_TRUE(failed_with(clash, ErrorCode::conflict));
  EXPECT_EQ(clash.error().field, "/prefix");
  auto empty = ids().create_api_key(all(), key_value("", b_));
  ASSERT_TRUE(failed_with(empty, ErrorCode::invalid));
  EXPECT_EQ(empty.error().field, "/prefix");
  EXPECT_EQ(count_rows("api_keys"), 1);
}

TEST_F(StoreIdentityTest, KeysAreScopedFoundByPrefixListedRevokedAndRemoved) {
  const ApiKey a = ok(ids().create_api_key(all(), key_value("cp_a", a_)));
  const ApiKey a2 = ok(ids().create_api_key(all(), key_value("cp_a2", a_)));
  const ApiKey b = ok(ids().create_api_key(all(), key_value("cp_b", b_)));
  const Scope sa = Scope::tenant(a_);
  EXPECT_TRUE(failed_with(ids().get_api_key(sa, b.id), ErrorCode::not_found));
  EXPECT_TRUE(failed_with(ids().remove_api_key(sa, b.id), ErrorCode::not_found));
  EXPECT_TRUE(failed_with(ids().revoke_api_key(sa, b.id), ErrorCode::not_found));
  EXPECT_EQ(ids_of(ok(ids().list_api_keys(sa, {})).records), (std::vector<Id>{a.id, a2.id}));
  EXPECT_EQ(ids_of(ok(ids().list_api_keys(all(), {})).records),
            (std::vector<Id>{a.id, a2.id, b.id}));
  ListQuery one;
  one.limit = 1;
  auto page = ok(ids().list_api_keys(sa, one));
  EXPECT_EQ(ids_of(page.records), std::vector<Id>{a.id});
  ASSERT_TRUE(page.next_after);
  one.after = *page.next_after;
  page = ok(ids().list_api_keys(sa, one));
  EXPECT_EQ(ids_of(page.records), std::vector<Id>{a2.id});
  EXPECT_FALSE(page.next_after);
  ListQuery filtered;
  filtered.filters = {{"name", "x"}};
  EXPECT_TRUE(failed_with(ids().list_api_keys(sa, filtered), ErrorCode::bad_request));

  // Authentication finds a key of any tenant by its prefix.
  EXPECT_EQ(ok(ids().find_api_key("cp_b"))->id, b.id);
  EXPECT_FALSE(ok(ids().find_api_key("cp_none")));

  EXPECT_TRUE(ok(ids().revoke_api_key(sa, a.id)).revoked);
  EXPECT_TRUE(ok(ids().find_api_key("cp_a"))->revoked);
  EXPECT_TRUE(ok(ids().revoke_api_key(sa, a.id)).revoked) << "again is no error";
  EXPECT_FALSE(ok(ids().get_api_key(all(), a2.id)).revoked);

  ok(ids().remove_api_key(sa, a.id));
  EXPECT_TRUE(failed_with(ids().get_api_key(all(), a.id), ErrorCode::not_found));
  EXPECT_FALSE(ok(ids().find_api_key("cp_a")));
  EXPECT_EQ(count_rows("api_keys"), 2);
}

TEST_F(StoreIdentityTest, TouchRecordsTheLatestUseOnly) {
  const ApiKey k = ok(ids().create_api_key(all(), key_value("cp_a", a_)));
  ok(ids().touch_api_key(k.id, 5000));
  EXPECT_EQ(ok(ids().get_api_key(all(), k.id)).last_used_at, 5000);
  ok(ids().touch_api_key(k.id, 4000));
  EXPECT_EQ(ok(ids().get_api_key(all(), k.id)).last_used_at, 5000) << "never backwards";
  ok(ids().touch_api_key(k.id, 6000));
  EXPECT_EQ(ok(ids().get_api_key(all(), k.id)).last_used_at, 6000);
  ok(ids().touch_api_key(999, 6000));  // removed meanwhile: no error
}

// ---- audit ----

TEST_F(StoreIdentityTest, AppendAssignsTheIdAndTheTimeWhenUnset) {
  const TimeMs before = now_ms();
  AuditEntry e = entry_value(a_, "create");
  e.id = 42;
  e.user_id = 7;
  e.api_key_id = 8;
  e.resource_id = a1_;
  const AuditEntry stored = ok(ids().append_audit(e));
  EXPECT_GT(stored.id, 0);
  EXPECT_GE(stored.at, before);
  EXPECT_LE(stored.at, now_ms());
  const AuditEntry given = ok(ids().append_audit(entry_value(std::nullopt, "login", 1234)));
  EXPECT_GT(given.id, stored.id);
  EXPECT_EQ(given.at, 1234);
  auto listed = ok(ids().list_audit(all(), {})).records;
  ASSERT_EQ(listed.size(), 2u);
  const AuditEntry& read = listed[1];
  EXPECT_EQ(read.id, stored.id);
  EXPECT_EQ(read.tenant_id, a_);
  EXPECT_EQ(read.at, stored.at);
  EXPECT_EQ(read.user_id, 7);
  EXPECT_EQ(read.api_key_id, 8);
  EXPECT_EQ(read.actor, "anna@example.org");
  EXPECT_EQ(read.remote, "127.0.0.1:50000");
  EXPECT_EQ(read.action, "create");
  EXPECT_EQ(read.resource, "buildings");
  EXPECT_EQ(read.resource_id, a1_);
  EXPECT_EQ(read.summary, R"({"name":"Neu"})");
  EXPECT_FALSE(listed[0].tenant_id);
}

TEST_F(StoreIdentityTest, TheLogListsNewestFirstPageByPageAndFilters) {
  std::vector<Id> made;
  for (int i = 0; i < 5; ++i) {
    AuditEntry e = entry_value(a_, i % 2 == 0 ? "update" : "login", 1000 * (i + 1));
    e.user_id = i < 3 ? 1 : 2;
    if (i == 4) e.resource = "auth";
    made.push_back(ok(ids().append_audit(e)).id);
  }
  AuditQuery q;
  q.limit = 2;
  std::vector<Id> seen;
  for (;;) {
    auto page = ok(ids().list_audit(all(), q));
    for (Id id : ids_of(page.records)) seen.push_back(id);
    if (!page.next_after) break;
    q.before = *page.next_after;
  }
  EXPECT_EQ(seen, (std::vector<Id>{made[4], made[3], made[2], made[1], made[0]}));

  auto list = [&](auto set) {
    AuditQuery f;
    set(f);
    return ids_of(ok(ids().list_audit(Scope::tenant(a_), f)).records);
  };
  EXPECT_EQ(list([](AuditQuery& f) { f.action = "login"; }), (std::vector<Id>{made[3], made[1]}));
  EXPECT_EQ(list([](AuditQuery& f) { f.resource = "auth"; }), std::vector<Id>{made[4]});
  EXPECT_EQ(list([](AuditQuery& f) { f.user_id = 2; }), (std::vector<Id>{made[4], made[3]}));
  EXPECT_EQ(list([](AuditQuery& f) {
              f.since = 2000;
              f.until = 4000;
            }),
            (std::vector<Id>{made[2], made[1]}));
  EXPECT_EQ(list([&](AuditQuery& f) {
              f.before = made[2];
              f.action = "update";
            }),
            std::vector<Id>{made[0]});

  for (std::size_t limit : {std::size_t{0}, std::size_t{1001}}) {
    AuditQuery bad;
    bad.limit = limit;
    EXPECT_TRUE(failed_with(ids().list_audit(all(), bad), ErrorCode::bad_request)) << limit;
  }
  AuditQuery negative;
  negative.before = -1;
  EXPECT_TRUE(failed_with(ids().list_audit(all(), negative), ErrorCode::bad_request));
}

TEST_F(StoreIdentityTest, ATenantSeesOnlyItsOwnAuditEntries) {
  const Id ea = ok(ids().append_audit(entry_value(a_, "create"))).id;
  const Id eb = ok(ids().append_audit(entry_value(b_, "create"))).id;
  const Id global = ok(ids().append_audit(entry_value(std::nullopt, "login"))).id;
  EXPECT_EQ(ids_of(ok(ids().list_audit(Scope::tenant(a_), {})).records), std::vector<Id>{ea});
  EXPECT_EQ(ids_of(ok(ids().list_audit(Scope::tenant(b_), {})).records), std::vector<Id>{eb});
  EXPECT_EQ(ids_of(ok(ids().list_audit(all(), {})).records), (std::vector<Id>{global, eb, ea}));
}

// ---- tenants, identities and the schema ----

TEST_F(StoreIdentityTest, ATenantWithUsersOrKeysIsRemovedOnlyWithCascade) {
  const Id empty = make_tenant("Leer").id;
  const User anna = make_user("anna@example.org", empty);
  make_user("bob@example.org", empty);
  ok(ids().create_api_key(all(), key_value("cp_a", empty)));
  ok(ids().add_refresh_token(token_value(anna.id, "f", "h1")));
  ok(ids().append_audit(entry_value(empty, "create")));
  auto refused = store().tenants().remove(all(), empty, false, std::nullopt);
  ASSERT_TRUE(failed_with(refused, ErrorCode::conflict));
  EXPECT_EQ(refused.error().message,
            fmt::format("tenant {} still has 2 users, 1 API key; delete them first or pass "
                        "cascade=true",
                        empty));
  auto with_assets = store().tenants().remove(all(), a_, false, std::nullopt);
  ASSERT_TRUE(failed_with(with_assets, ErrorCode::conflict));
  EXPECT_EQ(with_assets.error().message.find("user"), std::string::npos)
      << "a tenant without users does not mention them: " << with_assets.error().message;
  make_user("carl@example.org", a_);
  with_assets = store().tenants().remove(all(), a_, false, std::nullopt);
  EXPECT_NE(with_assets.error().message.find("2 buildings, 1 user;"), std::string::npos)
      << with_assets.error().message;

  const User dora = make_user("dora@example.org", b_);
  ok(ids().add_refresh_token(token_value(dora.id, "f", "d1")));
  ok(store().tenants().remove(all(), empty, true, std::nullopt));
  EXPECT_EQ(count_rows("users", fmt::format("tenant_id = {}", empty)), 0);
  EXPECT_EQ(count_rows("api_keys"), 0);
  EXPECT_FALSE(ok(ids().find_refresh_token("h1")));
  EXPECT_TRUE(ok(ids().find_refresh_token("d1")));
  EXPECT_EQ(ok(ids().get_user(all(), dora.id)).email, "dora@example.org");
  EXPECT_EQ(count_rows("audit_log"), 1) << "the log outlives the tenant";
}

TEST_F(StoreIdentityTest, Migration2UpgradesAFileAtVersion1) {
  const std::string path = (dir() / "v1.db").string();
  {
    auto db = ok(sqlite::Connection::open(path));
    ok(db.exec(kSchemaMigrationsTable));
    ok(db.exec(migrations()[0].sql));
    ok(
        db.exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (1, 'x', 0);"
                "INSERT INTO tenants (id, name, timezone, version, created_at, updated_at) "
                "VALUES (5, 'Alt', 'Europe/Vienna', 1, 0, 0)"));
  }
  EXPECT_TRUE(failed_with(open_sqlite_meta_store({.path = path, .migrate = false}),
                          ErrorCode::unavailable));
  auto upgraded = ok(open_sqlite_meta_store({.path = path, .migrate = true}));
  EXPECT_EQ(upgraded->schema_version(), latest_schema_version());
  {
    auto db = ok(sqlite::Connection::open(path));
    auto st = ok(db.prepare("SELECT name FROM schema_migrations WHERE version = 2"));
    ASSERT_TRUE(ok(st.step()));
    EXPECT_EQ(st.text(0), "identity");
  }
  EXPECT_EQ(ok(upgraded->tenants().get(all(), 5)).name, "Alt");
  const User u = ok(upgraded->identity().create_user(all(), user_value("anna@example.org", 5)));
  EXPECT_EQ(ok(upgraded->identity().get_user(Scope::tenant(5), u.id)).tenant_id, 5);
  EXPECT_TRUE(
      failed_with(upgraded->tenants().remove(all(), 5, false, std::nullopt), ErrorCode::conflict));
}

TEST_F(StoreIdentityTest, IdentityForeignKeysCascadeAndLookupsAreIndexed) {
  auto db = ok(sqlite::Connection::open(db_path()));
  auto rows = [&](const std::string& pragma, int column) {
    auto st = ok(db.prepare(pragma));
    std::vector<std::string> out;
    while (ok(st.step())) out.push_back(st.text(column));
    return out;
  };
  auto foreign_key = [&](const std::string& table, const std::string& column) {
    const auto from = rows("PRAGMA foreign_key_list(" + table + ")", 3);
    const auto on_delete = rows("PRAGMA foreign_key_list(" + table + ")", 6);
    for (std::size_t i = 0; i < from.size(); ++i)
      if (from[i] == column) return on_delete[i];
    return std::string("none");
  };
  EXPECT_EQ(foreign_key("users", "tenant_id"), "CASCADE");
  EXPECT_EQ(foreign_key("refresh_tokens", "user_id"), "CASCADE");
  EXPECT_EQ(foreign_key("api_keys", "tenant_id"), "CASCADE");
  EXPECT_EQ(foreign_key("api_keys", "created_by"), "none");
  EXPECT_EQ(foreign_key("audit_log", "tenant_id"), "none");
  EXPECT_EQ(foreign_key("audit_log", "user_id"), "none");
  auto indexed = [&](const std::string& table, const std::string& column) {
    for (const auto& index : rows("PRAGMA index_list(" + table + ")", 1)) {
      const auto cols = rows("PRAGMA index_info(" + index + ")", 2);
      if (!cols.empty() && cols.front() == column) return true;
    }
    return false;
  };
  for (const auto& [table, column] :
       std::vector<std::pair<std::string, std::string>>{{"users", "tenant_id"},
                                                        {"users", "email"},
                                                        {"refresh_tokens", "user_id"},
                                                        {"refresh_tokens", "family"},
                                                        {"refresh_tokens", "token_hash"},
                                                        {"refresh_tokens", "expires_at"},
                                                        {"api_keys", "tenant_id"},
                                                        {"api_keys", "prefix"},
                                                        {"audit_log", "tenant_id"},
                                                        {"audit_log", "user_id"},
                                                        {"audit_log", "at"}})
    EXPECT_TRUE(indexed(table, column)) << table << "." << column;
}

}  // namespace
}  // namespace citypulse::testing
