#include "transport/mqtt/tenant_admission.h"

#include <fmt/format.h>

#include "auth/secret.h"
#include "core/time.h"

namespace citypulse::mqtt {
namespace {

std::string failures_key(const std::string& remote) {
  // The HTTP device API's budget for refused device credentials: a client
  // guessing tokens gains nothing by switching protocols.
  return fmt::format("ip:{}:device_failed", remote);
}

}  // namespace

TenantAdmission::TenantAdmission(ingest::Directory& directory, auth::Authenticator& authenticator,
                                 auth::RateLimiter& limiter, BlockingWork& work,
                                 AdmissionPolicy policy)
    : directory_(directory),
      authenticator_(authenticator),
      limiter_(limiter),
      work_(work),
      policy_(policy) {}

void TenantAdmission::admit(const Credentials& credentials,
                            std::move_only_function<void(Admitted)> done) {
  const auto now = now_ms();
  if (policy_.connect_per_minute > 0 &&
      !limiter_
           .take(fmt::format("ip:{}:mqtt_connect", credentials.remote), policy_.connect_per_minute,
                 now)
           .allowed) {
    done(std::unexpected(Refusal{reason::connection_rate_exceeded,
                                 "too many connection attempts from this address; retry later"}));
    return;
  }
  if (policy_.failures_per_minute > 0 &&
      !limiter_.peek(failures_key(credentials.remote), policy_.failures_per_minute, now).allowed) {
    done(std::unexpected(
        Refusal{reason::banned, "too many refused credentials from this address; retry later"}));
    return;
  }
  // A device token is looked up in memory: answered here when the
  // directory is fresh. Anything else may touch the store.
  if (credentials.username && !credentials.password)
    if (auto snapshot = directory_.current_if_fresh()) {
      if (const auto* device =
              snapshot->device_by_token_hash(auth::sha256_hex(*credentials.username))) {
        if (device->disabled()) {
          done(std::unexpected(
              Refusal{reason::not_authorized, fmt::format("device {} is disabled", device->id)}));
          return;
        }
        done(device_identity(device->tenant_id, device->id, device->name));
        return;
      }
    }
  work_.run([this, credentials, done = std::move(done)]() mutable { done(decide(credentials)); });
}

Admitted TenantAdmission::refused(const Credentials& credentials, Refusal refusal) {
  if (policy_.failures_per_minute > 0)
    limiter_.take(failures_key(credentials.remote), policy_.failures_per_minute, now_ms());
  return std::unexpected(std::move(refusal));
}

Admitted TenantAdmission::decide(const Credentials& credentials) {
  if (credentials.username) {
    auto snapshot = directory_.current();
    if (!snapshot)
      return std::unexpected(
          Refusal{reason::server_unavailable, "the device directory cannot be read right now"});
    if (const auto* device =
            (*snapshot)->device_by_token_hash(auth::sha256_hex(*credentials.username))) {
      if (device->disabled())
        return std::unexpected(
            Refusal{reason::not_authorized, fmt::format("device {} is disabled", device->id)});
      return device_identity(device->tenant_id, device->id, device->name);
    }
  }
  if (credentials.password && !credentials.password->empty()) {
    const auto& secret = *credentials.password;
    // An API key is "<prefix>.<secret>"; an access token has three parts.
    const bool token = std::count(secret.begin(), secret.end(), '.') == 2;
    const auto header = fmt::format("{} {}", token ? "Bearer" : "ApiKey", secret);
    auto principal = authenticator_.authenticate(header, now_ms());
    if (!principal)
      return refused(credentials, Refusal{reason::bad_user_name_or_password,
                                          "unknown, revoked or expired key or token"});
    if (principal->buildings)
      return std::unexpected(Refusal{
          reason::not_authorized,
          "a key or user limited to some buildings cannot use MQTT (its topics are tenant-wide)"});
    const bool sys = principal->is_superadmin() || principal->role == auth::Role::tenant_admin;
    return user_identity(principal->tenant_id, principal->can(auth::Permission::readings_read),
                         principal->can(auth::Permission::readings_write), sys, principal->name);
  }
  // Not authorized rather than Bad user name or password: what ThingsBoard
  // firmware expects for a token it was not given.
  if (credentials.username)
    return refused(credentials,
                   Refusal{reason::not_authorized, "unknown or revoked device access token"});
  if (policy_.allow_anonymous) return anonymous_identity();
  return std::unexpected(
      Refusal{reason::not_authorized,
              "a device access token (user name) or an API key (password) is required"});
}

}  // namespace citypulse::mqtt
