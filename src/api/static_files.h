// The web UI's files. A GET for a path that is not a file serves index.html, so
// the single-page app's own routes survive a reload (the router sends only
// paths outside /api/ and the operational endpoints here). With no folder
// configured, the web UI compiled into the binary is served
// (api/embedded_files.h), or, when it was built without one, a placeholder
// page.
#pragma once

#include <string>

#include "api/router.h"
#include "core/config.h"

namespace citypulse {

Handler static_files(std::string web_root);

// GET /api/v1/web-settings (any signed-in caller): what
// the web UI takes from the server's configuration — the map's tiles and
// their attribution (web.map_tiles, web.map_attribution; empty: none).
void add_web_settings_route(Router& router, const WebConfig& web);

}  // namespace citypulse
