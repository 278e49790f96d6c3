// The demo municipality as the simulator builds it: Stadt Hechingen's
// municipal buildings — what each is, how big, how old, its floors and
// rooms, its plant — before any of it is stored or simulated.
//
// The first seven buildings are always the same landmarks (town hall,
// primary school, grammar school, kindergarten, sports hall, indoor pool,
// library); the rest cycle through the other municipal types (more
// kindergartens and schools, fire stations, the depot, a museum, offices,
// community centres) in the villages around the core town, with sizes,
// ages and plant drawn from the seed. The same (count, seed) gives the
// same town on every machine.
//
// Rooms are the instrumented ones: a large school has more classrooms
// than are modelled, so each building also carries the factor by which
// its modelled rooms stand for its whole heated area (the meters measure
// the whole building).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace citypulse::sim {

struct RoomPlan {
  std::string name;
  std::string usage;  // space_usages(): classroom, office, gym, plant_room...
  double area_m2 = 0;
  int occupants = 0;  // at full occupancy; 0: an unoccupied room (corridor, storage)
};

struct FloorPlan {
  std::string name;
  int level = 0;
  std::vector<RoomPlan> rooms;
};

enum class HeatSource : std::uint8_t { gas_boiler, heat_pump, chp, district_heating };

struct BuildingPlan {
  std::string key;  // short and unique in the town: point keys start with it
  std::string name, type, address;
  double latitude = 0, longitude = 0;
  double area_m2 = 0;  // gross floor area, all heated
  int year_built = 0;
  HeatSource heat_source = HeatSource::gas_boiler;
  int ahus = 0;                // air-handling units
  bool chiller = false;        // cools the AHUs' supply air in summer
  double pv_kwp = 0;           // 0: no PV
  bool pool = false;           // a heated pool basin (process heat, filtration)
  bool lorawan_rooms = false;  // the room sensors are LoRaWAN (ChirpStack) devices
  bool http_meters = false;    // the meter gateway posts over HTTP, not MQTT
  std::vector<FloorPlan> floors;

  // The heated area the modelled rooms stand for, per m² of them.
  double area_factor() const;
};

// `buildings` (≥ 1) buildings of the town, drawn from `seed`.
std::vector<BuildingPlan> town_plan(int buildings, std::uint64_t seed);

// Where the town is, for its tenant and site.
inline constexpr double kTownLatitude = 48.3517, kTownLongitude = 8.9630;

}  // namespace citypulse::sim
