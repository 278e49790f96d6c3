#include "transport/lorawan/event_readings.h"

#include <optional>
#include <string>

namespace citypulse::lorawan {
namespace {

void add(std::vector<ingest::IncomingReading>& out, std::string key, std::optional<double> value,
         TimeMs t, bool auto_create) {
  if (!value) return;
  ingest::IncomingReading r;
  r.key = std::move(key);
  r.value = *value;
  r.t = t;
  r.auto_create = auto_create;
  out.push_back(std::move(r));
}

}  // namespace

std::vector<ingest::IncomingReading> event_readings(const LorawanEvent& event, TimeMs now) {
  const TimeMs t = event.time.value_or(now);
  std::vector<ingest::IncomingReading> out;
  out.reserve(event.measurements.size() + 4);
  for (const Measurement& m : event.measurements) add(out, m.key, m.value, t, false);
  // RSSI and SNR describe how the device's own frame was heard: uplinks only.
  if (event.kind == EventKind::uplink) {
    add(out, "rssi", event.rssi, t, true);
    add(out, "snr", event.snr, t, true);
  }
  add(out, "battery", event.battery_percent, t, true);
  add(out, "margin", event.margin, t, true);
  return out;
}

}  // namespace citypulse::lorawan
