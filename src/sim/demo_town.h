// The demo municipality in the store: Stadt Hechingen (Europe/Berlin) with
// the buildings, floors, rooms, equipment, points and devices of a town
// layout, the devices' access tokens and a ChirpStack integration, so that
// the simulator's clients can report like real ones.
//
// Idempotent and additive: the tenant is found by its name, each building
// by its key (a tag), each point by its key and each device by its serial;
// what is missing is created, what exists is left as it is — a town seeded
// with 7 buildings grows to 40 when asked for 40, and a restart changes
// nothing.
//
// Tokens are not stored in the clear anywhere: each device's token is
// derived from a secret of the data folder and the device's serial
// (HMAC-SHA256), so the demo finds them again at every start while the
// store keeps only their hashes, as for any device.
#pragma once

#include <string>
#include <vector>

#include "sim/town_layout.h"
#include "store/meta_store.h"

namespace citypulse::sim {

struct DemoTown {
  Id tenant_id = 0;
  std::vector<Id> points;           // by layout point
  std::vector<Id> devices;          // by layout device
  std::vector<std::string> tokens;  // by layout device; empty behind a gateway and for LoRaWAN
  std::string chirpstack_secret;    // the integration's
  // What this call created (all zero when the town was complete).
  int buildings = 0, floors = 0, spaces = 0, equipment = 0, created_points = 0, created_devices = 0;
  bool created = false;  // the tenant itself was made now
};

inline constexpr std::string_view kDemoTownName = "Stadt Hechingen";

// `secret`: at least 16 characters, the same at every start of one data folder.
Result<DemoTown> seed_demo_town(MetaStore& store, const TownLayout& town,
                                const std::string& secret);

// The secret of a data folder (<dir>/demo-secret), made on first use.
Result<std::string> demo_secret(const std::string& data_dir);

}  // namespace citypulse::sim
