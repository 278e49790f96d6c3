// The options every load benchmark (`bench ingest`, `bench mqtt`) shares,
// checked in one place so that both say the same about them.
#pragma once

#include "core/result.h"

namespace citypulse {

// --rate (per second in all, 0: as fast as possible), --duration (seconds)
// and --client-threads: invalid, naming the option, when out of range.
inline Status validate_load_options(double rate, double duration_s, int client_threads) {
  if (rate < 0) return fail(ErrorCode::invalid, "--rate must not be negative");
  if (duration_s <= 0 || duration_s > 3600)
    return fail(ErrorCode::invalid, "--duration must be 0..3600 s");
  if (client_threads < 1 || client_threads > 64)
    return fail(ErrorCode::invalid, "--client-threads must be 1..64");
  return {};
}

}  // namespace citypulse
