// A meter point's settings (PUT /api/v1/points/{id}/meter): which kind of
// series the point is, what it meters, and how its readings become energy.
// The point's own unit says what its readings are in (meter.h lists the
// units each kind and medium take). docs/analytics.md, "Settings", has the
// document:
//
//   {"kind": "counter", "medium": "electricity",
//    "wrap_value": 1000000, "rollover_band": 0.1,
//    "gap_policy": "spread", "max_gap_minutes": 120, "max_rate": 0,
//    "interval_minutes": 15,
//    "gas": {"correction_factor": 0.95, "calorific_value_kwh_m3": 11.2},
//    "replacements": [{"at": "2026-03-02T09:30:00Z", "old_final": 48211.4,
//                      "new_start": 0}]}
//
// Only kind and medium are required; the rest have the defaults of
// analytics::EnergyOptions (interval_minutes: 15 for interval series).
#pragma once

#include <boost/json/fwd.hpp>

#include "analytics/meter.h"
#include "core/result.h"
#include "model/asset.h"

namespace citypulse::energy {

struct MeterSettings {
  analytics::MeterSpec spec;
  analytics::EnergyOptions options;
  double factor = 1;  // readings' unit → accounting unit (analytics::accounting_factor)
};

// Reads and checks a document for `point`. invalid, naming the field as a
// JSON pointer: a missing or unknown member, a value out of range, a
// replacement list not in time order, a point whose unit does not fit the
// kind and medium (field "/kind").
Result<MeterSettings> parse_meter_settings(const boost::json::value& document, const Point& point);

// The document with every default spelled out, as stored and returned.
boost::json::object meter_settings_json(const MeterSettings& settings);

}  // namespace citypulse::energy
