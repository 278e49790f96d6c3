// Intake: what the server does with a client's PUBLISH besides routing it
// to subscribers — device telemetry into the ingest pipeline, attributes
// into the store, RPC replies to their waiting callers. An interface so the
// protocol code knows nothing of ingest.
//
// take() runs on the connection's I/O thread for every authorised PUBLISH,
// before it is routed, and must not block. The topic is the client's own
// ("v1/devices/me/telemetry"), the message the broker's owned copy.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "transport/mqtt/client_identity.h"
#include "transport/mqtt/message.h"

namespace citypulse::mqtt {

// How a taken message ended: an MQTT 5 reason code for the PUBACK/PUBREC
// (success, or e.g. payload_format_invalid, quota_exceeded) and a reason
// string. A 3.1.1 client gets a plain acknowledgement either way.
struct IntakeResult {
  std::uint8_t reason = reason::success;
  std::string message;
};

using IntakeDone = std::move_only_function<void(IntakeResult)>;

class Intake {
 public:
  enum class Verdict : std::uint8_t {
    not_mine,  // nothing to do: route it and acknowledge at once
    taken,     // `done` will be called once, on any thread, when the message is safe
    busy,      // cannot take it now (the pipeline is full): nothing was done,
               // `done` is not called; the connection stops reading and retries
  };
  virtual ~Intake() = default;
  virtual Verdict take(const ClientIdentity& client, std::string_view client_topic,
                       const MessagePtr& message, IntakeDone& done) = 0;

  // The take() calls for what one read from one client brought are over.
  // An intake may hold taken messages back until then, to hand them on
  // together; so whoever calls take() calls this, on the same thread,
  // before that thread turns to anything else.
  virtual void end_of_read() {}
};

}  // namespace citypulse::mqtt
