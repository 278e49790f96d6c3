// Realistic telemetry at any scale, for the benchmarks' load generators
// (`citypulse bench ingest`, `bench mqtt`): a fleet of devices modelled in
// turn on the demo town's reporting devices — room sensors (temperature,
// humidity, CO2, occupancy, window), controllers behind automation stations
// (setpoints, valves, plant temperatures, pumps), meter gateways (registers
// and rates) — each with the channels of its model, their quantities and
// units, and values from a day of the town simulator at quarter hours,
// replayed message after message (registers keep counting: each replay of
// the day adds the day's increase, so a meter never runs backwards).
//
// A device that needs more channels than its model has repeats the model's
// with a number ("temperature_2"); one that needs fewer takes the first
// ones. Made once (a simulated day of seven buildings, milliseconds), then
// read only: values() allocates nothing and is safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace citypulse::sim {

struct LoadChannel {
  std::string name;  // the device's key for it
  std::string quantity, unit;
};

class LoadFleet {
 public:
  // `devices` ≥ 1, `points_per_device` ≥ 1.
  LoadFleet(int devices, int points_per_device, std::uint64_t seed = 1);

  int devices() const { return devices_; }
  int points_per_device() const { return points_; }
  // What device `d` is modelled on ("Raumsensor Rathaus Bürgerbüro").
  const std::string& model(int d) const;
  const std::vector<LoadChannel>& channels(int d) const;
  // The value of channel `c` of device `d` in its `message`-th message (0, 1, ...).
  double value(int d, int c, std::int64_t message) const;

 private:
  struct Model {
    std::string name;
    std::vector<LoadChannel> channels;
    std::vector<std::vector<double>> day;  // per channel: 96 quarter-hour values
    std::vector<bool> counter;             // per channel: a register
  };
  const Model& model_of(int d) const;

  int devices_, points_;
  std::vector<Model> models_;
};

}  // namespace citypulse::sim
