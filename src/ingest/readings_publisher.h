// ReadingsPublisher: the pipeline's sink that tells the event bus of every
// stored batch (a readings event per batch), each value with its point's
// building, so the realtime API can show it to whoever may see that
// building. Runs on the submitting thread as soon as the store took the
// batch, not after its disk sync (reading_sink.h), and never waits: a
// point's building is fixed once the point exists, so the newest directory
// snapshot answers even while a rebuild is due. A value whose point that
// snapshot does not know yet (made a moment ago) goes out with building 0,
// seen only by those who may see the whole tenant.
#pragma once

#include "bus/event_bus.h"
#include "ingest/directory.h"
#include "ingest/reading_sink.h"

namespace citypulse::ingest {

class ReadingsPublisher final : public ReadingSink {
 public:
  // Both must outlive the publisher.
  ReadingsPublisher(Directory& directory, bus::EventBus& bus) : directory_(directory), bus_(bus) {}

  void on_readings(std::span<const Reading> readings, const ReadingOrigin& origin) override;

 private:
  Directory& directory_;
  bus::EventBus& bus_;
};

}  // namespace citypulse::ingest
