// How much of each hour a binary contact (a window, a door) was open, from its readings.
//
// A contact reports when it changes, and now and then while it does not: its readings are a
// step function, each value holding until the next reading, for at most `max_hold` (a contact
// silent for longer is not known to be in any state). A value above 0.5 is open. For the UTC
// hours [start + i·1 h), i < hours:
//   open share(i) = time open in the hour / time known in the hour
// and NaN when less than half of the hour is known. The readings must be in time order; the
// last one before `start` (within max_hold) gives the state the first hour begins in.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/time.h"

namespace citypulse::analytics {

struct ContactReading {
  TimeMs t = 0;
  double value = 0;
};

std::vector<double> contact_open_share(std::span<const ContactReading> readings, TimeMs start,
                                       int hours, TimeMs max_hold = 24 * 3'600'000);

// The mean of several contacts' shares hour by hour, over the contacts known in that hour
// (NaN where none is): the share of a building's windows open.
std::vector<double> mean_open_share(std::span<const std::vector<double>> contacts, int hours);

}  // namespace citypulse::analytics
