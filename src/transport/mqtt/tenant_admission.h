// TenantAdmission: who may connect to the embedded broker, decided from
// what the server already knows (docs/mqtt.md, "Who may connect").
//
//   - a device: its access token as the user name (the ThingsBoard
//     convention; any password is ignored) — unknown or revoked tokens and
//     disabled devices get Not authorized;
//   - a user or integration: an API key ("<prefix>.<secret>") or an access
//     token as the password, with any user name (a wrong one gets Bad user
//     name or password); the principal's
//     readings:read and readings:write decide what it may subscribe and
//     publish in its tenant, superadmins and tenant admins may read $SYS/;
//   - nobody: admitted into the sandbox namespace only when
//     mqtt.allow_anonymous is set.
//
// Limits per client address: connection attempts per minute
// (mqtt.connect_per_minute, Connection rate exceeded) and refused
// credentials per minute (rate_limit.device_failures_per_minute, shared with
// the HTTP device API, then Banned). Store lookups run on `work`, never on
// the I/O thread.
#pragma once

#include "auth/authenticator.h"
#include "auth/rate_limiter.h"
#include "ingest/directory.h"
#include "transport/mqtt/admission.h"
#include "transport/mqtt/blocking_work.h"

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
  Admitted refused(const Credentials& credentials, Refusal refusal);

  ingest::Directory& directory_;
  auth::Authenticator& authenticator_;
  auth::RateLimiter& limiter_;
  BlockingWork& work_;
  AdmissionPolicy policy_;
};

}  // namespace citypulse::mqtt
