#include "transport/lorawan/normalise.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "core/text.h"
#include "ingest/flat_json.h"

namespace citypulse::lorawan {
namespace {

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// A prefix of the offending text for messages, so a huge value stays readable.
std::string quoted(std::string_view s) {
  constexpr std::size_t kShown = 40;
  return s.size() <= kShown ? fmt::format("'{}'", s) : fmt::format("'{}...'", s.substr(0, kShown));
}

}  // namespace

void read_dev_eui(MemberReader& reader, const std::optional<ObjectAt>& ids,
                  std::string_view ids_pointer, std::string_view name, LorawanEvent& event) {
  const std::string field = fmt::format("{}/{}", ids_pointer, name);
  std::optional<std::string_view> text;
  if (ids) text = reader.text(*ids, name);
  if (reader.failed()) return;
  if (!text) {
    reader.fail(fmt::format("missing '{}': an event must name its device's DevEUI", field), field);
    return;
  }
  if (text->size() != 16 || !std::all_of(text->begin(), text->end(), is_hex)) {
    reader.fail(fmt::format("'{}' must be a DevEUI of 16 hex digits, not {}", field, quoted(*text)),
                field);
    return;
  }
  // ChirpStack writes lower case, TTS upper case: one spelling for lookups.
  event.dev_eui = lower_ascii(*text);
}

void read_decoded_payload(MemberReader& reader, const ObjectAt& in, std::string_view name,
                          LorawanEvent& event) {
  const std::optional<ObjectAt> payload = reader.object(in, name);
  if (!payload) return;
  event.decoded = true;
  const ingest::FlattenLimits limits{.max_values = kMaxMeasurements,
                                     .max_depth = kMaxMeasurementDepth,
                                     .max_key = kMaxMeasurementKey};
  if (!ingest::flatten_values(*payload->json, limits, event.measurements))
    reader.fail(fmt::format("the decoded payload '{}' has more than {} numeric fields",
                            payload->pointer, kMaxMeasurements),
                payload->pointer);
}

void read_best_gateway(MemberReader& reader, const std::vector<ObjectAt>& gateways,
                       std::initializer_list<std::string_view> rssi_names, LorawanEvent& event) {
  const ObjectAt* best = nullptr;
  double best_rssi = 0;
  for (const ObjectAt& gateway : gateways) {
    std::optional<double> rssi;
    for (std::string_view rssi_name : rssi_names)
      if ((rssi = reader.number(gateway, rssi_name))) break;
    if (rssi && (best == nullptr || *rssi > best_rssi)) {
      best = &gateway;
      best_rssi = *rssi;
    }
  }
  if (best == nullptr) return;
  event.rssi = best_rssi;
  event.snr = reader.number(*best, "snr");
}

const char* to_string(EventKind kind) {
  switch (kind) {
    case EventKind::uplink:
      return "uplink";
    case EventKind::join:
      return "join";
    case EventKind::status:
      return "status";
    case EventKind::ack:
      return "ack";
    case EventKind::txack:
      return "txack";
    case EventKind::log:
      return "log";
    case EventKind::location:
      return "location";
    case EventKind::integration:
      return "integration";
    case EventKind::other:
      return "other";
  }
  return "other";
}

}  // namespace citypulse::lorawan
