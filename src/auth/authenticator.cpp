#include "auth/authenticator.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <mutex>

#include "auth/secret.h"
#include "core/text.h"

namespace citypulse::auth {
namespace {

constexpr std::int64_t kKeyTouchIntervalMs = 60'000;

}  // namespace

Authenticator::Authenticator(IdentityStore& store, SigningKeys keys, const AuthConfig& config)
    : store_(store), keys_(std::move(keys)), config_(config) {}

Status Authenticator::load() {
  std::unordered_map<Id, User> users;
  ListQuery q;
  q.limit = 1000;
  for (;;) {
    auto page = store_.list_users(Scope::all_tenants(), q);
    if (!page) return std::unexpected(page.error());
    for (auto& u : page->records) {
      u.password_hash.clear();
      users.emplace(u.id, std::move(u));
    }
    if (!page->next_after) break;
    q.after = *page->next_after;
  }
  std::unique_lock lock(mutex_);
  users_ = std::move(users);
  return {};
}

Principal Authenticator::principal_of(const User& user) {
  Principal p;
  p.kind = Principal::Kind::user;
  p.id = user.id;
  p.tenant_id = user.tenant_id;
  p.role = parse_role(user.role);
  if (p.role) p.permissions = role_permissions(*p.role);
  p.buildings = user.buildings;
  p.name = user.email;
  return p;
}

Result<Principal> Authenticator::authenticate(std::optional<std::string_view> authorization,
                                              TimeMs now) {
  if (!authorization || trim(*authorization).empty())
    return fail(ErrorCode::unauthenticated,
                "this needs authentication: send 'Authorization: Bearer <access token>' or "
                "'Authorization: ApiKey <key>'");
  const std::string_view value = trim(*authorization);
  const auto space = value.find(' ');
  const std::string_view scheme = value.substr(0, space);
  const std::string_view credentials =
      space == value.npos ? std::string_view() : trim(value.substr(space + 1));
  if (credentials.empty())
    return fail(ErrorCode::unauthenticated,
                fmt::format("the Authorization header has a scheme but no credentials"));
  if (iequals_ascii(scheme, "Bearer")) return from_access_token(credentials, now);
  if (iequals_ascii(scheme, "ApiKey")) return from_api_key(credentials, now);
  return fail(ErrorCode::unauthenticated,
              fmt::format("the Authorization scheme must be Bearer or ApiKey, not '{}'", scheme));
}

Result<Principal> Authenticator::from_access_token(std::string_view token, TimeMs now) {
  auto claims = verify_access_token(keys_, token, now);
  if (!claims) return std::unexpected(claims.error());
  Id id = 0;
  const auto& sub = claims->subject;
  if (auto [p, ec] = std::from_chars(sub.data(), sub.data() + sub.size(), id);
      ec != std::errc{} || p != sub.data() + sub.size() || id <= 0)
    return fail(ErrorCode::unauthenticated, "the access token's subject is not a user");
  std::shared_lock lock(mutex_);
  auto it = users_.find(id);
  // A removed user, a disabled one and a revoked token look alike to the
  // client: the session is over, sign in again.
  if (it == users_.end() || it->second.disabled ||
      claims->issued_at * 1000 < it->second.tokens_valid_after)
    return fail(ErrorCode::unauthenticated, "the access token is no longer valid; sign in again");
  auto p = principal_of(it->second);
  p.expires_at = claims->expires_at * 1000;
  return p;
}

Result<Principal> Authenticator::from_api_key(std::string_view key, TimeMs now) {
  const auto dot = key.find('.');
  const auto refused = [] { return fail(ErrorCode::unauthenticated, "the API key is not valid"); };
  if (dot == key.npos || dot == 0 || dot + 1 == key.size()) return refused();
  auto found = store_.find_api_key(key.substr(0, dot));
  if (!found) return std::unexpected(found.error());
  // Hash the secret even when the prefix is unknown, so both take as long.
  const std::string hash = sha256_hex(key.substr(dot + 1));
  if (!*found || !constant_time_equal(hash, (*found)->secret_hash) || (*found)->revoked)
    return refused();
  const ApiKey& k = **found;
  if (k.expires_at && *k.expires_at <= now)
    return fail(ErrorCode::unauthenticated, "the API key has expired");
  Principal p;
  p.kind = Principal::Kind::api_key;
  p.id = k.id;
  p.tenant_id = k.tenant_id;
  p.expires_at = k.expires_at;
  for (const auto& name : k.permissions)
    if (auto perm = parse_permission(name)) p.permissions.add(*perm);
  if (k.created_by) {
    std::shared_lock lock(mutex_);
    auto maker = users_.find(*k.created_by);
    if (maker == users_.end() || maker->second.disabled)
      return fail(ErrorCode::unauthenticated,
                  "the API key's maker no longer has access, and neither has the key");
    const auto role = parse_role(maker->second.role);
    p.permissions = p.permissions.intersect(role ? role_permissions(*role) : PermissionSet{});
  }
  p.buildings = k.buildings;
  p.name = k.name;
  bool touch = false;
  {
    std::unique_lock lock(mutex_);
    auto& last = key_touched_[k.id];
    if (now - last >= kKeyTouchIntervalMs) {
      last = now;
      touch = true;
    }
  }
  // Recording the use is bookkeeping: a failure must not refuse the request.
  if (touch) (void)store_.touch_api_key(k.id, now);
  return p;
}

std::string Authenticator::issue_access_token(const User& user, TimeMs now) const {
  AccessClaims c;
  c.subject = std::to_string(user.id);
  c.tenant = user.tenant_id;
  c.roles = {user.role};
  // Never before the user's revocation cut (see revocation_cut): at most a
  // second later than the truth, and only right after a revocation.
  c.issued_at = std::max(now / 1000, (user.tokens_valid_after + 999) / 1000);
  c.expires_at = c.issued_at + config_.access_token_ttl_s;
  c.token_id = random_token(16);
  return sign_access_token(keys_, c);
}

void Authenticator::user_saved(const User& user) {
  User copy = user;
  copy.password_hash.clear();
  std::unique_lock lock(mutex_);
  if (removed_.contains(copy.id)) return;
  auto it = users_.find(copy.id);
  if (it != users_.end() && it->second.version > copy.version) return;
  users_.insert_or_assign(copy.id, std::move(copy));
}

void Authenticator::user_removed(Id id) {
  std::unique_lock lock(mutex_);
  users_.erase(id);
  removed_.insert(id);
}

void Authenticator::tenant_removed(Id tenant) {
  std::unique_lock lock(mutex_);
  for (auto it = users_.begin(); it != users_.end();) {
    if (it->second.tenant_id == tenant) {
      removed_.insert(it->first);
      it = users_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace citypulse::auth
