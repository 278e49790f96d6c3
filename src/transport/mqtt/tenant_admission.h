// TenantAdmission: who may connect to the embedded broker, decided from
// what the server already knows (docs/mqtt.md, "Who may connect"). The
// first rule that applies decides:
//
//   1. a TLS client certificate (verified against mqtt.tls_client_ca) that
//      a device's certificate credential registers, by fingerprint or by
//      CN alone: that device, with no user name needed. A user name that
//      names another device (its token or basic user name) is Not
//      authorized; a password is ignored;
//   2. a device access token as the user name (the ThingsBoard convention;
//      any password is ignored);
//   3. a device's basic user name: the password (and the client id, when
//      the credential names one) must match, else Bad user name or
//      password. Such a password is never tried as an API key;
//   4. a user or integration: an API key ("<prefix>.<secret>") or an access
//      token as the password, with any user name (a wrong one gets Bad user
//      name or password); the principal's readings:read and readings:write
//      decide what it may subscribe and publish in its tenant, superadmins
//      and tenant admins may read $SYS/;
//   5. a user name alone (an unknown or revoked token), or a certificate no
//      credential registers with nothing else: Not authorized;
//   6. nobody: admitted into the sandbox namespace only when
//      mqtt.allow_anonymous is set.
// A device that is disabled is Not authorized whichever way it signs in.
//
// Limits per client address: connection attempts per minute
// (mqtt.connect_per_minute, Connection rate exceeded) and refused
// credentials per minute (rate_limit.device_failures_per_minute, shared with
// the HTTP device API, then Banned). Tokens and certificates are answered
// from the in-memory directory on the caller's thread when it is fresh;
// store lookups, password verification (Argon2id, with successful ones
// remembered for a few minutes: verified_passwords.h) and API keys run on
// `work`, never on the I/O thread.
#pragma once

#include "auth/authenticator.h"
#include "auth/rate_limiter.h"
#include "ingest/directory.h"
#include "transport/mqtt/admission.h"
#include "transport/mqtt/blocking_work.h"
#include "transport/mqtt/verified_passwords.h"

namespace citypulse::mqtt {

struct AdmissionPolicy {
  bool allow_anonymous = false;
  int connect_per_minute = 600;   // per client address; 0: no limit
  int failures_per_minute = 600;  // refused credentials per client address; 0: no limit
};

class TenantAdmission final : public Admission {
 public:
  // Everything must outlive the admission.
  TenantAdmission(ingest::Directory& directory, auth::Authenticator& authenticator,
                  auth::RateLimiter& limiter, BlockingWork& work, AdmissionPolicy policy);

  void admit(const Credentials& credentials, std::move_only_function<void(Admitted)> done) override;

 private:
  Admitted decide(const Credentials& credentials);
  // Rules 1, 2 and the certificate half of 5: what the directory alone
  // decides. nullopt when the password must be looked at.
  std::optional<Admitted> decide_by_directory(const ingest::Snapshot& snapshot,
                                              const Credentials& credentials);
  // Rule 3 for the credential the user name named.
  Admitted decide_basic(const ingest::Snapshot& snapshot, const ingest::BasicCredentialEntry& basic,
                        const Credentials& credentials);
  Admitted refused(const Credentials& credentials, Refusal refusal);

  ingest::Directory& directory_;
  auth::Authenticator& authenticator_;
  auth::RateLimiter& limiter_;
  BlockingWork& work_;
  AdmissionPolicy policy_;
  VerifiedPasswords verified_;
};

}  // namespace citypulse::mqtt
