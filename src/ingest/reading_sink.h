// ReadingSink: what the pipeline hands every durable batch of readings to —
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
  // Called on the store's completion thread once the readings are durable:
  // must not block or take long (queue the work elsewhere), must not throw.
  // The span lives only for the call.
  virtual void on_readings(std::span<const Reading> readings, const ReadingOrigin& origin) = 0;
};

}  // namespace citypulse::ingest
