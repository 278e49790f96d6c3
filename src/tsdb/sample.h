// The unit of the time-series engine: one reading of one series.
//
// src/tsdb/ is self-contained: it depends on nothing of CityPulse but
// core/result.h, so it could be a library of its own. Series are numeric ids
// (a point's id); time is int64 milliseconds since the Unix epoch, UTC.
#pragma once

#include <bit>
#include <cstdint>

namespace citypulse::tsdb {

using SeriesId = std::int64_t;
using Timestamp = std::int64_t;  // ms since the epoch, UTC

struct Sample {
  Timestamp t = 0;
  double v = 0;
  // 0 = good. Other values are the source's quality code (uncertain, bad,
  // substituted...), kept as they came.
  std::uint8_t quality = 0;

  // Equal when time, quality and the value's bits are equal: the engine is
  // lossless, so NaN equals the same NaN and -0.0 differs from 0.0.
  bool operator==(const Sample& o) const {
    return t == o.t && quality == o.quality &&
           std::bit_cast<std::uint64_t>(v) == std::bit_cast<std::uint64_t>(o.v);
  }
};

}  // namespace citypulse::tsdb
