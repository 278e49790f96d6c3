// `citypulse bench energy`: consumption from the meters' hourly ledger
// (energy/meter_ledger.h) against the same answer computed from the
// readings, in one process on an embedded store of its own.
//
// Sets up one tenant with --buildings buildings (Europe/Berlin), each with an
// electricity counter read every 15 minutes, a heat counter and a water
// counter read hourly, over the whole of --year; imports the readings,
// builds every ledger (timed), then times:
//  - a reconciling pass that finds nothing changed (the worker's every 5 min);
//  - the tenant's year by day and building (one consumption query), cold (a
//    fresh service, nothing cached) and warm (--runs times: median, p95, max);
//  - every building's year by day, one query each, the 40 of them in all;
//  - the same answer from the readings: each meter's year read and turned into
//    hourly energy, summed into the same days (what a server without the
//    ledger would do per request).
// Fails when the two answers differ by more than 1e-9 of the total.
// Prints one JSON line.
#pragma once

#include <string>

#include "core/result.h"

namespace citypulse {

struct BenchEnergyOptions {
  int buildings = 40;
  int year = 2025;
  int runs = 20;
  std::string data_dir;  // empty: a temporary folder
};

Status validate(const BenchEnergyOptions& options);
Status run_bench_energy(const BenchEnergyOptions& options);

}  // namespace citypulse
