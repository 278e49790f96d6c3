// A building's outline on the map: a polygon in WGS 84 written as WKT,
// `POLYGON((lon lat, lon lat, ...))` — the text GIS tools (QGIS, PostGIS)
// read and write, so an outline can be pasted from them. One ring (no
// holes: an outline, not a survey), closed (the last vertex repeats the
// first), 4 to 1,000 vertices.
#pragma once

#include <string_view>
#include <vector>

#include "core/result.h"

namespace citypulse {

struct Vertex {
  double longitude = 0;
  double latitude = 0;
};

// The ring's vertices, the closing one included; an error naming what is
// wrong and where (field /footprint).
Result<std::vector<Vertex>> parse_footprint(std::string_view wkt);

}  // namespace citypulse
