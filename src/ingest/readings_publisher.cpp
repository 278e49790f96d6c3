#include "ingest/readings_publisher.h"

namespace citypulse::ingest {

void ReadingsPublisher::on_readings(std::span<const Reading> readings,
                                    const ReadingOrigin& origin) {
  if (readings.empty()) return;
  const auto snapshot = directory_.newest();
  bus::Event event;
  event.kind = bus::EventKind::readings;
  event.tenant_id = origin.tenant_id;
  event.values.reserve(readings.size());
  for (const auto& r : readings) {
    const auto* point = snapshot ? snapshot->point(r.point) : nullptr;
    event.values.push_back({r.point, point ? point->building_id : 0, r.t, r.value, r.quality});
  }
  bus_.publish(std::move(event));
}

}  // namespace citypulse::ingest
