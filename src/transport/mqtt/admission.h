// Admission: who a CONNECT is — the broker asks, the server's side (device
// tokens, API keys, the sandbox) answers. An interface so the broker's
// protocol code needs neither the ingest directory nor the user store.
#pragma once

#include <cstdint>
#include <expected>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "transport/mqtt/client_identity.h"
#include "transport/mqtt/packet.h"

namespace citypulse::mqtt {

// A refused CONNECT: the MQTT 5 reason code (bad_user_name_or_password,
// not_authorized, banned, server_unavailable, connection_rate_exceeded) and
// a reason string for the client.
struct Refusal {
  std::uint8_t reason = reason::not_authorized;
  std::string message;
};

using Admitted = std::expected<ClientIdentity, Refusal>;

// What a CONNECT offers as credentials, copied out of the packet (the
// decision may come later, on another thread).
struct Credentials {
  std::optional<std::string> username;
  std::optional<std::string> password;
  std::string client_id;
  std::string remote;                   // the peer's address, for limits and logs
  std::string certificate_cn;           // TLS client certificate: subject CN, if any
  std::string certificate_fingerprint;  // hex SHA-256 of the DER certificate, if any
};

class Admission {
 public:
  virtual ~Admission() = default;
  // Decides; `done` is called exactly once, on this thread or another (the
  // connection posts the answer back to its own). Never blocks the caller.
  virtual void admit(const Credentials& credentials,
                     std::move_only_function<void(Admitted)> done) = 0;
};

}  // namespace citypulse::mqtt
