// A rule as users write it (/api/v1/rules): what to watch — a point, or
// every point of a quantity in a building, space, equipment or device, or
// several points in an expression — what condition raises an alarm, how
// severe it is and what the alarm says. Plain values; the schema
// (rule_schema.h) says which fields each type takes, and the rules module
// turns a stored rule into the conditions it evaluates.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/asset.h"

namespace citypulse {

struct Rule : RecordMeta {
  std::string name;
  std::string description;
  std::string type;                  // rule_types()
  std::string severity = "warning";  // severity_name()
  std::string status = "enabled";    // enabled | disabled

  // The points it watches: all of the tenant's points that match every
  // field given (an expression rule names its points itself).
  std::optional<Id> building_id, space_id, equipment_id, point_id, device_id;
  std::string quantity;  // empty: any

  // The condition's parameters; which apply depends on the type.
  std::optional<double> threshold, deadband;  // threshold_high, threshold_low
  std::optional<std::int64_t> on_delay_s, off_delay_s;
  std::optional<double> min_value, max_value;  // bounds (default: the point's own)
  std::optional<double> max_change;            // rate_of_change, over window_s
  std::optional<std::int64_t> window_s;
  std::string direction;                   // rate_of_change: rise | fall | either
  std::optional<double> tolerance;         // flatline, for duration_s
  std::optional<std::int64_t> duration_s;  // flatline; stale without an interval
  std::optional<double> interval_factor;   // stale: × the point's expected interval
  std::string expression;                  // expression (docs/alarms.md)
  std::optional<double> sigmas;            // anomaly: robust sigmas off the profile
  std::optional<std::int64_t> weeks;       // anomaly: weeks of history (default 4)
  std::optional<double> min_sigma;         // anomaly: a floor under the sigma

  // Watch only within these local hours ("Mon-Fri 07:00-18:00; ..."); empty: always.
  std::string schedule;

  std::string message;  // the alarm's text; {placeholders} per docs/alarms.md
  std::string action;   // what an operator should do about it
  std::vector<std::string> tags;
};

}  // namespace citypulse
