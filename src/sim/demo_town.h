// The demo municipality: Stadt Hechingen with a handful of municipal buildings,
// their floors, rooms, plant and points. Static until the simulator brings it
// to life.
#pragma once

#include "store/meta_store.h"

namespace citypulse {

struct DemoTownSummary {
  Id tenant_id = 0;
  int buildings = 0, floors = 0, spaces = 0, equipment = 0, points = 0, devices = 0;
  bool created = false;  // false: the town was already there and left as it was
};

// Creates the town unless a tenant of that name exists. Idempotent.
Result<DemoTownSummary> seed_demo_town(MetaStore& store);

}  // namespace citypulse
