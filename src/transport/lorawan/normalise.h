// Internal to cp_lorawan: the steps both network-server formats share once
// their members are found — the DevEUI, the decoded payload's measurements,
// the best gateway. Failures go to the MemberReader, as there.
#pragma once

#include <initializer_list>
#include <string_view>
#include <vector>

#include "transport/lorawan/member_reader.h"
#include "transport/lorawan/uplink.h"

namespace citypulse::lorawan {

// Sets event.dev_eui from member `name` of `ids` (the device identifiers),
// lower-cased; a failure when `ids` is absent (`ids_pointer` says where it
// should be), or the member is missing or not 16 hex digits.
void read_dev_eui(MemberReader& reader, const std::optional<ObjectAt>& ids,
                  std::string_view ids_pointer, std::string_view name, LorawanEvent& event);

// Sets event.decoded and appends the measurements of member `name` of `in`
// (rules in uplink.h); a failure when it is not an object (both servers
// send a protobuf Struct) or yields more than kMaxMeasurements.
void read_decoded_payload(MemberReader& reader, const ObjectAt& in, std::string_view name,
                          LorawanEvent& event);

// Sets event.rssi and event.snr from the gateway entry with the highest
// RSSI, read from the first of `rssi_names` an entry has.
void read_best_gateway(MemberReader& reader, const std::vector<ObjectAt>& gateways,
                       std::initializer_list<std::string_view> rssi_names, LorawanEvent& event);

}  // namespace citypulse::lorawan
