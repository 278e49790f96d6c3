// The broker's Message for a PUBLISH that came from outside — a local
// client's (Connection) or the external broker's (the bridge): the payload
// and the MQTT 5 properties a server forwards [MQTT-3.3.2-4..20], the
// Message Expiry turned into a time, and the Response Topic moved into the
// publisher's namespace like the topic itself.
#pragma once

#include <cstdint>
#include <string>

#include "transport/mqtt/client_identity.h"
#include "transport/mqtt/codec.h"
#include "transport/mqtt/message.h"

namespace citypulse::mqtt {

// `internal_topic` is the topic already in the publisher's namespace. A
// Response Topic that is not a valid topic name, or that the publisher may
// not publish to, is left out (a caller that must refuse it checks first).
MessagePtr published_message(const Publish& publish, std::string internal_topic,
                             const ClientIdentity& publisher, std::uint64_t origin_session);

}  // namespace citypulse::mqtt
