#include "sim/meter.h"

#include <cmath>

namespace citypulse::sim {

void Meter::add(double per_hour, double seconds) {
  if (!(per_hour > 0) || !(seconds > 0)) return;
  const double amount = per_hour * seconds / 3600.0;
  total_ += amount;
  consumed_ += amount;
  // Keep the register within its capacity so its precision does not wear
  // away over a long simulation.
  if (total_ >= reg_.capacity) total_ = std::fmod(total_, reg_.capacity);
}

double Meter::reading() const {
  // A small epsilon: 0.3 kWh added as 0.1 + 0.2 must show 0.30, not 0.29.
  const double steps = std::floor(total_ / reg_.resolution + 1e-9);
  return std::fmod(steps * reg_.resolution, reg_.capacity);
}

void Meter::replace(double start) {
  total_ = start;
}

}  // namespace citypulse::sim
