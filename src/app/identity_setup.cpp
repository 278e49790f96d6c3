#include "app/identity_setup.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <cstdlib>
#include <filesystem>

#include "auth/password.h"
#include "auth/permissions.h"
#include "auth/secret.h"
#include "store/identity_store.h"

namespace citypulse {
namespace {

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return std::nullopt;
  return std::string(v);
}

Result<Id> resolve_tenant(MetaStore& store, std::string_view text) {
  Id id = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec == std::errc{} && p == text.data() + text.size()) {
    auto t = store.tenants().get(Scope::all_tenants(), id);
    if (!t) return fail(ErrorCode::invalid, fmt::format("tenant {} does not exist", id), "tenant");
    return id;
  }
  auto tenants = list_all(store.tenants(), Scope::all_tenants());
  if (!tenants) return std::unexpected(tenants.error());
  for (const auto& t : *tenants)
    if (t.name == text) return t.id;
  return fail(ErrorCode::invalid, fmt::format("no tenant is named '{}'", text), "tenant");
}

}  // namespace

Result<auth::SigningKeys> open_signing_keys(const Config& config) {
  if (!config.auth.jwt_secret.empty())
    return auth::SigningKeys::from_secret(config.auth.jwt_secret);
  return auth::SigningKeys::load_or_create(std::filesystem::path(config.storage.data_dir) /
                                           "signing-keys");
}

Result<User> add_user(MetaStore& store, const NewUser& n) {
  if (!auth::parse_role(n.role))
    return fail(ErrorCode::invalid, fmt::format("unknown role '{}'", n.role), "role");
  if (auto s = auth::check_password_policy(n.password, n.email); !s)
    return std::unexpected(s.error());
  User u;
  u.email = n.email;
  u.role = n.role;
  u.display_name = n.display_name;
  if (n.tenant) {
    if (n.role == "superadmin")
      return fail(ErrorCode::invalid, "a superadmin belongs to no tenant", "tenant");
    auto t = resolve_tenant(store, *n.tenant);
    if (!t) return std::unexpected(t.error());
    u.tenant_id = *t;
  } else if (n.role != "superadmin") {
    return fail(ErrorCode::invalid, fmt::format("a {} needs --tenant", n.role), "tenant");
  }
  auto hash = auth::hash_password(n.password);
  if (!hash) return std::unexpected(hash.error());
  u.password_hash = std::move(*hash);
  return store.identity().create_user(Scope::all_tenants(), std::move(u));
}

Status ensure_first_admin(MetaStore& store) {
  auto count = store.identity().count_users();
  if (!count) return std::unexpected(count.error());
  if (*count > 0) return {};
  const auto email = env("CITYPULSE_ADMIN_EMAIL");
  const auto password = env("CITYPULSE_ADMIN_PASSWORD");
  NewUser admin{email.value_or("admin@citypulse.local"), password.value_or(""), "superadmin",
                std::nullopt, "Administrator"};
  const bool generated = !email || !password;
  if (generated) {
    admin.email = "admin@citypulse.local";
    admin.password = auth::random_token(12);
  }
  auto made = add_user(store, admin);
  if (!made) {
    auto e = made.error();
    e.message = fmt::format("cannot create the first superadmin: {}", e.message);
    return std::unexpected(e);
  }
  if (generated)
    // Printed once, on the console, never logged to a file: it is the only way in.
    fmt::print(stderr,
               "\n  First start: created superadmin {} with the one-time password {}\n"
               "  Sign in and change it (PATCH /api/v1/users/{}).\n\n",
               admin.email, admin.password, made->id);
  else
    spdlog::info("created the first superadmin {}", admin.email);
  return {};
}

Status ensure_named_admin(MetaStore& store) {
  const auto email = env("CITYPULSE_ADMIN_EMAIL");
  const auto password = env("CITYPULSE_ADMIN_PASSWORD");
  if (!email || !password) return {};
  auto existing = store.identity().find_user_by_email(*email);
  if (!existing) return std::unexpected(existing.error());
  if (*existing) return {};
  auto made = add_user(store, {*email, *password, "superadmin", std::nullopt, "Administrator"});
  if (!made) {
    auto e = made.error();
    e.message = fmt::format("cannot create the superadmin {}: {}", *email, e.message);
    return std::unexpected(e);
  }
  spdlog::info("created the superadmin {}", *email);
  return {};
}

Result<std::vector<DemoLogin>> seed_demo_users(MetaStore& store, Id tenant) {
  const DemoLogin logins[] = {
      {"superadmin@citypulse.demo", "superadmin"}, {"admin@hechingen.demo", "tenant_admin"},
      {"energy@hechingen.demo", "energy_manager"}, {"operator@hechingen.demo", "operator"},
      {"technician@hechingen.demo", "technician"}, {"viewer@hechingen.demo", "viewer"},
  };
  // The demo's users have a published password. They go only into a store
  // that has no users yet (or already has them): running `demo` once against
  // a real data folder must not open it to anyone who read the README.
  auto count = store.identity().count_users();
  if (!count) return std::unexpected(count.error());
  auto demo_admin = store.identity().find_user_by_email(logins[0].email);
  if (!demo_admin) return std::unexpected(demo_admin.error());
  if (*count > 0 && !*demo_admin) {
    spdlog::warn("this store already has users; the demo users are not created");
    return std::vector<DemoLogin>{};
  }
  ListQuery q;
  q.limit = 2;
  auto first = store.buildings().list(Scope::tenant(tenant), q);
  if (!first) return std::unexpected(first.error());
  std::vector<Id> two;
  for (const auto& b : first->records) two.push_back(b.id);

  std::vector<DemoLogin> out;
  for (const auto& l : logins) {
    out.push_back(l);
    auto existing = store.identity().find_user_by_email(l.email);
    if (!existing) return std::unexpected(existing.error());
    if (*existing) continue;
    User u;
    u.email = l.email;
    u.role = l.role;
    u.display_name = fmt::format("Demo {}", l.role);
    if (l.role != "superadmin") u.tenant_id = tenant;
    if (l.role == "technician") u.buildings = two;
    auto hash = auth::hash_password(kDemoPassword);
    if (!hash) return std::unexpected(hash.error());
    u.password_hash = std::move(*hash);
    if (auto made = store.identity().create_user(Scope::all_tenants(), std::move(u)); !made)
      return std::unexpected(made.error());
  }
  return out;
}

}  // namespace citypulse
