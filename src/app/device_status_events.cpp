#include "app/device_status_events.h"

namespace citypulse {

void DeviceStatusEvents::on_presence(const mqtt::PresenceChange& change) {
  bus::Event e;
  e.kind = bus::EventKind::device_status;
  e.tenant_id = change.tenant_id;
  e.building_id = change.building_id;
  e.details_json = mqtt::presence_details_json(change);
  bus_.publish(std::move(e));
}

}  // namespace citypulse
