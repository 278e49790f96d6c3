// Commands to the plant as the API offers them (docs/control.md):
//
//   POST /api/v1/points/{id}/command   {"value": number | boolean | null,
//        "priority"?: 1..16 (not 6), "duration"?: seconds (1..604800) or an
//        ISO 8601 duration ("PT2H30M", "P1D")}
//        → 202 the command, pending; Location /api/v1/commands/{id}.
//        null relinquishes the priority (BACnet). 404 for a point outside the
//        caller's buildings, 409 for a sensor, a point no device commands or
//        a device that cannot be commanded, 422 for a value outside the
//        point's range (control:write).
//   GET  /api/v1/commands/{id}          one command and its outcome (control:read)
//   GET  /api/v1/points/{id}/commands   the point's commands, newest first,
//        ?limit=1..1000 &cursor= &status= (control:read)
//   POST /api/v1/commands/{id}/release  ends a timed override now: the point
//        returns to its schedule or earlier value (control:write)
//
// `commands` null (no command service in this process): the routes answer 503.
#pragma once

#include "api/router.h"
#include "store/meta_store.h"

namespace citypulse {

namespace control {
class CommandService;
}

// `store` and `commands` must outlive the router.
void add_command_routes(Router& router, MetaStore& store, control::CommandService* commands);

}  // namespace citypulse
