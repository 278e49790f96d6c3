// ReadingSink: what the pipeline hands every stored batch of readings to —
// rules and alarms, the event bus — without knowing who listens. Later
// stages plug in here instead of editing the pipeline.
#pragma once

#include <optional>
#include <span>

#include "model/asset.h"
#include "store/series_store.h"

namespace citypulse::ingest {

struct ReadingOrigin {
  Id tenant_id = 0;
  std::optional<Id> device_id;
  std::string_view source;  // "http_telemetry", "chirpstack", ...
};

class ReadingSink {
 public:
  virtual ~ReadingSink() = default;
  // Called as soon as the series store has taken the readings (the embedded
  // store's queries already see them), while it makes them durable: a disk
  // whose sync stalls delays the sender's answer, not what listens here.
  // Should the sync then fail, the readings were seen but are not kept (the
  // sender is told so and may send again). Runs on the submitting thread
  // (an HTTP or MQTT I/O thread, a worker): must not block or take long
  // (queue the work elsewhere), must not throw. The span lives only for the
  // call.
  virtual void on_readings(std::span<const Reading> readings, const ReadingOrigin& origin) = 0;
};

}  // namespace citypulse::ingest
