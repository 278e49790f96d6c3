// `citypulse import csv`: loads a point's readings history from CSV files
// (ingest/csv_readings.h for the format) into the embedded readings store in
// <data_dir>/tsdb, as an import: readings of any age are taken, past the
// late-data window, and one at the time of an existing reading replaces it.
//
// All or nothing for malformed input: every file is read twice, streaming.
// The first pass validates every row of every file and writes nothing; only
// when all of them parse does the second pass append, in batches. Parsing
// everything into memory first would be the simpler single pass, but years
// of minute data of many files would then have to fit in memory; two passes
// keep memory at a few batches whatever the input, for the price of reading
// the files twice (CSV parsing is far faster than the store's appends).
// What validation cannot promise: a store failure (disk full) or a file that
// changes between the passes can stop the second pass after some batches
// were written. Re-running the same import is then safe: it rewrites the
// same (time, value) pairs.
//
// Because the store is opened as its one writer (the WAL directory is
// locked), the server must be stopped; a running one makes this fail.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/config.h"
#include "model/asset.h"

namespace citypulse {

struct ImportCsvOptions {
  Id point = 0;                    // the point the readings belong to (any tenant)
  std::vector<std::string> files;  // read in this order
  std::int64_t batch = 10'000;     // readings per append, 1..1'000'000
  bool zero_is_missing = false;    // an exact 0 is a missing reading (Cambridge layout)
};

// Prints one line on success: readings imported, missing values skipped,
// seconds and readings per second (both passes and the final flush). Returns
// 0 on success, 1 when a file is malformed or cannot be read or the store
// fails (the reason on stderr), 2 for bad options or an unknown point.
int run_import_csv(const Config& config, const ImportCsvOptions& options);

}  // namespace citypulse
