// The alarms API (docs/alarms.md):
//   GET  /api/v1/alarms                    newest first (alarms:read)
//        ?open=true|false &state= &min_severity= &building_id= &rule_id= &point_id=
//        &since= &until= (raised_at) &limit= &cursor=
//   GET  /api/v1/alarms/summary            open alarms by building, severity and state
//   GET  /api/v1/alarms/kpis ?from=&to=     ISA-18.2 figures: alarms per 10 minutes, floods,
//                                          the most frequent, chattering and stale alarms
//   GET  /api/v1/alarms/{id}               one alarm
//   GET  /api/v1/alarms/{id}/history       its history, oldest first
//   GET  /api/v1/alarms/{id}/notifications its notifications' delivery attempts, newest first
//   GET  /api/v1/notifications             every delivery attempt, newest first
//   POST /api/v1/alarms/{id}/acknowledge   {"comment"?}            (alarms:ack)
//   POST /api/v1/alarms/{id}/shelve        {"reason", "until" | "duration_s"} (alarms:ack)
//   POST /api/v1/alarms/{id}/unshelve      {}                      (alarms:ack)
//   POST /api/v1/alarms/{id}/comments      {"text"}                (alarms:ack)
//   POST /api/v1/alarms/{id}/suppress      {"reason"}              (alarms:manage)
//   POST /api/v1/alarms/{id}/unsuppress    {}                      (alarms:manage)
//   POST /api/v1/alarms/{id}/assign        {"user_id": id | null}  (alarms:manage)
//   POST /api/v1/alarms/{id}/incident      {"reference"}           (alarms:manage)
// An action answers with the alarm as it is after it; one that does not
// apply to the alarm's state is 409. Every action is audited.
#pragma once

#include "alarms/alarm_service.h"
#include "api/router.h"
#include "store/meta_store.h"

namespace citypulse {

// Both must outlive the router.
void add_alarm_routes(Router& router, MetaStore& store, alarms::AlarmService& alarms);

}  // namespace citypulse
