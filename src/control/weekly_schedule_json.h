// The JSON document of a weekly schedule (docs/control.md, "Schedule document"):
//
//   {"timezone": "Europe/Berlin",
//    "default_mode": "unoccupied",                                   optional, this default
//    "modes": {"occupied":   {"setpoint": 21, "heating": 21, "cooling": 24},
//              "standby":    {"setpoint": 18},
//              "unoccupied": {"setpoint": 15, "heating": 15, "cooling": 30}},
//    "days": {"mon": [{"start": "07:00", "end": "17:00", "mode": "occupied"}], ...},
//    "exceptions": [{"name": "Christmas closure", "first_day": "2026-12-24",
//                    "last_day": "2026-12-31", "mode": "unoccupied"},
//                   {"date": "2026-11-20", "blocks": [...]}],
//    "holidays": {"state": "BY", "omit": ["assumption_day"], "public": {"as": "sun"},
//                 "school": {"mode": "standby"}, "school_holidays": [...]}}
//
// All three modes need their setpoints; a weekday not in "days" has no blocks (the default
// mode all day). A day rule — an exception, "public", "school" — is exactly one of
// {"mode": m}, {"blocks": [...]}, {"as": "mon".."sun"}. An exception is one "date" or a
// "first_day" and "last_day". "public" defaults to {"as": "sun"} and needs "state";
// without "school" the school holidays change nothing.
//
// Every error is invalid with the JSON pointer of the member at fault: a member of the wrong
// type, unknown or missing ("/modes/standby"), a bad time ("/days/mon/2/start": "HH:MM",
// 00:00..23:59, and 24:00 as an end), a bad date, an unknown mode, weekday, state or holiday
// key, and all that WeeklySchedule::make refuses.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "control/weekly_schedule.h"
#include "core/result.h"

namespace citypulse::control {

// The document as a spec, before WeeklySchedule::make checks what spans members.
Result<ScheduleSpec> schedule_spec_from_json(const boost::json::value& json);

// Both steps.
Result<WeeklySchedule> schedule_from_json(const boost::json::value& json);

// The document of a spec; schedule_from_json(to_json(s.spec())) has an equal spec. Every member
// is written, "days" with all seven weekdays, times and dates in their text forms.
boost::json::object to_json(const ScheduleSpec& spec);

}  // namespace citypulse::control
