// Alarms and their history as the API and the realtime events show them
// (docs/alarms.md): names for severities and states, RFC 3339 times, null
// for what is not set.
#pragma once

#include <boost/json/fwd.hpp>

#include "model/alarm.h"

namespace citypulse {

boost::json::object alarm_json(const Alarm& alarm);
boost::json::object alarm_note_json(const AlarmNote& note);

}  // namespace citypulse
