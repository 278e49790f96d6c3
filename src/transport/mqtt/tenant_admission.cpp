#include "transport/mqtt/tenant_admission.h"

#include <fmt/format.h>

#include "auth/password.h"
#include "auth/secret.h"
#include "core/time.h"

namespace citypulse::mqtt {
namespace {

// One wording for a wrong password and an unknown key: the answer does
// not tell whether a user name is a device's.
constexpr const char* kBadCredentials =
    "wrong user name and password, or an unknown, revoked or expired key or token";

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
  // Tokens and certificates are looked up in memory: answered here when
  // the directory is fresh. Anything else may touch the store or hash.
  if (auto snapshot = directory_.current_if_fresh())
    if (auto decided = decide_by_directory(*snapshot, credentials)) {
      done(std::move(*decided));
      return;
    }
  work_.run([this, credentials, done = std::move(done)]() mutable { done(decide(credentials)); });
}

Admitted TenantAdmission::refused(const Credentials& credentials, Refusal refusal) {
  if (policy_.failures_per_minute > 0)
    limiter_.take(failures_key(credentials.remote), policy_.failures_per_minute, now_ms());
  return std::unexpected(std::move(refusal));
}

namespace {

Admitted admit_device(const ingest::DeviceEntry& device) {
  if (device.disabled())
    return std::unexpected(
        Refusal{reason::not_authorized, fmt::format("device {} is disabled", device.id)});
  auto identity =
      device_identity(device.tenant_id, device.id, device.name, device.gateway, device.mqtt_topics);
  // Read here, where the record is at hand: the device's status events
  // carry it without a lookup on the I/O thread.
  identity.building_id = device.building_id;
  return identity;
}

// The device a user name names as a token or a basic user name, if any.
const ingest::DeviceEntry* device_named_by(const ingest::Snapshot& snapshot,
                                           const std::string& username) {
  if (const auto* device = snapshot.device_by_token_hash(auth::sha256_hex(username))) return device;
  if (const auto* basic = snapshot.basic_credential(username))
    return snapshot.device(basic->device_id);
  return nullptr;
}

}  // namespace

std::optional<Admitted> TenantAdmission::decide_by_directory(const ingest::Snapshot& snapshot,
                                                             const Credentials& credentials) {
  if (!credentials.certificate_fingerprint.empty()) {
    const auto* certificate =
        snapshot.certificate_by_fingerprint(credentials.certificate_fingerprint);
    // Registered by fingerprint with a CN: both must hold (a CN is what a
    // CA vouches for; a fingerprint pins one certificate).
    if (certificate && !certificate->cn.empty() && certificate->cn != credentials.certificate_cn)
      return refused(credentials, Refusal{reason::not_authorized,
                                          "the client certificate's CN is not the registered one"});
    if (!certificate && !credentials.certificate_cn.empty())
      certificate = snapshot.certificate_by_cn(credentials.certificate_cn);
    if (certificate) {
      const auto* device = snapshot.device(certificate->device_id);
      if (!device)
        return refused(credentials,
                       Refusal{reason::not_authorized, "the client certificate's device is gone"});
      if (credentials.username)
        if (const auto* named = device_named_by(snapshot, *credentials.username);
            named && named->id != device->id)
          return refused(credentials,
                         Refusal{reason::not_authorized,
                                 "the user name names another device than the client certificate"});
      return admit_device(*device);
    }
    // A certificate from a trusted CA that no device registers may still
    // carry a token or an API key (the CA may serve other purposes); alone,
    // it names nobody.
    if (!credentials.username && !credentials.password)
      return refused(credentials,
                     Refusal{reason::not_authorized,
                             "this client certificate is not registered to any device"});
  }
  if (credentials.username)
    if (const auto* device = snapshot.device_by_token_hash(auth::sha256_hex(*credentials.username)))
      return admit_device(*device);
  return std::nullopt;
}

Admitted TenantAdmission::decide_basic(const ingest::Snapshot& snapshot,
                                       const ingest::BasicCredentialEntry& basic,
                                       const Credentials& credentials) {
  const auto now = now_ms();
  // Both arms string_view: with a "" arm the conditional would make a
  // temporary std::string and leave the view dangling.
  const std::string_view password =
      credentials.password ? std::string_view(*credentials.password) : std::string_view();
  // No password: answered as for an unknown token, so a user name alone
  // does not tell whether it is a basic credential's.
  if (password.empty())
    return refused(credentials,
                   Refusal{reason::not_authorized, "unknown or revoked device access token"});
  // The password first, the client id and the device's status after: a
  // caller without the password learns nothing about the device.
  bool verified = verified_.contains(basic.credential_id, password, now);
  if (!verified) {
    verified = auth::verify_password(basic.password_hash, password);
    if (verified) verified_.remember(basic.credential_id, password, now);
  }
  if (!verified)
    return refused(credentials, Refusal{reason::bad_user_name_or_password, kBadCredentials});
  if (!basic.client_id.empty() && basic.client_id != credentials.client_id)
    return refused(credentials,
                   Refusal{reason::bad_user_name_or_password,
                           "this user name must connect with the client id it was given"});
  const auto* device = snapshot.device(basic.device_id);
  if (!device)
    return std::unexpected(Refusal{reason::not_authorized, "the credential's device is gone"});
  return admit_device(*device);
}

Admitted TenantAdmission::decide(const Credentials& credentials) {
  if (credentials.username || !credentials.certificate_fingerprint.empty()) {
    auto snapshot = directory_.current();
    if (!snapshot)
      return std::unexpected(
          Refusal{reason::server_unavailable, "the device directory cannot be read right now"});
    if (auto decided = decide_by_directory(**snapshot, credentials)) return std::move(*decided);
    if (credentials.username)
      if (const auto* basic = (*snapshot)->basic_credential(*credentials.username))
        return decide_basic(**snapshot, *basic, credentials);
  }
  if (credentials.password && !credentials.password->empty()) {
    const auto& secret = *credentials.password;
    // An API key is "<prefix>.<secret>"; an access token has three parts.
    const bool token = std::count(secret.begin(), secret.end(), '.') == 2;
    const auto header = fmt::format("{} {}", token ? "Bearer" : "ApiKey", secret);
    auto principal = authenticator_.authenticate(header, now_ms());
    if (!principal) {
      // As slow as a wrong password for a device's basic user name, so
      // the time of the refusal does not tell which user names exist.
      if (credentials.username) auth::verify_password(auth::decoy_password_hash(), secret);
      return refused(credentials, Refusal{reason::bad_user_name_or_password, kBadCredentials});
    }
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
