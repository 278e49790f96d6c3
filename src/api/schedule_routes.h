// Control schedules as the API offers them (docs/control.md, "Schedules"):
//
//   GET    /api/v1/schedules                 ?building_id= &limit= &cursor=   (control:read)
//   POST   /api/v1/schedules                 a schedule → 201, ETag       (control:write)
//   GET    /api/v1/schedules/{id}            with its status: the mode now, the next
//                                            change, what the scheduler applied last
//   PUT    /api/v1/schedules/{id}            replaces it; If-Match honoured (control:write)
//   DELETE /api/v1/schedules/{id}            If-Match honoured (control:write)
//   GET    /api/v1/schedules/{id}/preview    ?from= &to= (RFC 3339; default the next 7
//                                            days, at most 62): the changes of mode and
//                                            each local day's plan (control:read)
//
// A schedule: {"name", "building_id", "enabled"?, "schedule": the weekly schedule
// document (control/weekly_schedule_json.h), "targets": [{"point_id", "setpoint"?:
// "setpoint" | "heating" | "cooling"}], "optimal_start"?: {"zone_point_id",
// "outdoor_point_id"?} | null}. Targets are setpoint or command points of the
// schedule's building; optimal start's points are its temperature sensors. Every
// error is 422 naming the member ("/schedule/days/mon/0/end", "/targets/1/point_id").
#pragma once

#include "api/router.h"
#include "store/meta_store.h"

namespace citypulse {

// `store` must outlive the router.
void add_schedule_routes(Router& router, MetaStore& store);

}  // namespace citypulse
