// Setting up identity for a server: the signing keys, the first superadmin
// of a fresh store, the demo users, and `citypulse user add`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "auth/jwt.h"
#include "core/config.h"
#include "model/identity.h"
#include "store/meta_store.h"

namespace citypulse {

// From auth.jwt_secret when set, else the key ring in the data folder.
Result<auth::SigningKeys> open_signing_keys(const Config& config);

// On a store without users: a superadmin from CITYPULSE_ADMIN_EMAIL and
// CITYPULSE_ADMIN_PASSWORD when both are set (invalid when the password
// breaks the policy), else admin@citypulse.local with a generated password
// that is printed once on stderr. Nothing when users exist.
Status ensure_first_admin(MetaStore& store);

// The superadmin CITYPULSE_ADMIN_EMAIL and CITYPULSE_ADMIN_PASSWORD name,
// when both are set and no user has that email (the demo: its own users
// come first, and this one is added beside them). Nothing otherwise.
Status ensure_named_admin(MetaStore& store);

// The demo's users, one per role, all with the password kDemoPassword
// (idempotent: existing emails are left alone). The technician is limited
// to the first two buildings of the demo tenant. A store that has other
// users but not these gets none (an empty list): the password is public.
struct DemoLogin {
  std::string email;
  std::string role;
};
inline constexpr std::string_view kDemoPassword = "hechingen-demo";
Result<std::vector<DemoLogin>> seed_demo_users(MetaStore& store, Id tenant);

struct NewUser {
  std::string email;
  std::string password;
  std::string role;
  std::optional<std::string> tenant;  // id or exact name; none for a superadmin
  std::string display_name;
};
// `citypulse user add`: checks the password policy and the role, resolves
// the tenant, stores the user. Works while the server is stopped.
Result<User> add_user(MetaStore& store, const NewUser& user);

}  // namespace citypulse
