// The readings a LoRaWAN event carries, whichever way it came (a webhook,
// an MQTT integration): one definition, so a key means the same either way.
//
//   - the decoded payload's measurements by their flattened keys, resolved
//     through the device's channels like any device key (an unknown key is
//     refused unless the device is provisioning);
//   - what the network server itself measured, as points of the device
//     created on first sight (auto_create): an uplink's "rssi" and "snr" (of
//     the best gateway), "battery" (percent), a status event's "margin" (dB).
//
// All at the event's time, else `now`. Empty for events that carry no
// values (join, ack, txack, log...): the caller records those as a message
// of the device and stores nothing.
#pragma once

#include <vector>

#include "core/time.h"
#include "ingest/pipeline.h"
#include "transport/lorawan/uplink.h"

namespace citypulse::lorawan {

std::vector<ingest::IncomingReading> event_readings(const LorawanEvent& event, TimeMs now);

}  // namespace citypulse::lorawan
