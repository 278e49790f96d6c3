// The buildings on a map, loaded only when a page shows it (Leaflet is
// larger than the rest of the UI). Each building is its outline (its
// footprint, when it has one) and a marker, coloured by its worst open
// alarm, its name on hover; a click opens it. Without configured tiles
// (web.map_tiles) the map is a plain background and needs no internet;
// with them, the tiles lie beneath with their attribution.
import L from "leaflet";
import "leaflet/dist/leaflet.css";
import { useEffect, useRef } from "react";

import { session } from "../api/client";

export interface MapBuilding {
  id: number;
  name: string;
  latitude: number | null;
  longitude: number | null;
  footprint: string;
  worst: string | null;
}

interface WebSettings {
  map_tiles: string;
  map_attribution: string;
}

const COLOURS: Record<string, string> = {
  critical: "#b3261e",
  major: "#c2410c",
  minor: "#a16207",
  warning: "#1d4ed8",
  info: "#475569",
};
const NO_ALARM = "#0b6e4f";

// POLYGON((lon lat, lon lat, ...)) as Leaflet's [lat, lon] ring; null when
// it does not read (the server checks outlines when they are saved).
export function outline(wkt: string): L.LatLngExpression[] | null {
  const inner = /^\s*POLYGON\s*\(\s*\(([^()]*)\)\s*\)\s*$/i.exec(wkt)?.[1];
  if (!inner) return null;
  const ring = inner.split(",").map((pair) => pair.trim().split(/\s+/).map(Number));
  if (ring.length < 4 || ring.some((v) => v.length !== 2 || v.some((n) => !Number.isFinite(n)))) return null;
  return ring.map(([lon, lat]) => [lat, lon] as L.LatLngTuple);
}

// Asked once a page load: the settings do not change while the server runs.
let settings: Promise<WebSettings> | null = null;
function webSettings(): Promise<WebSettings> {
  settings ??= session
    .call<WebSettings>("/api/v1/web-settings")
    .catch(() => ({ map_tiles: "", map_attribution: "" }));
  return settings;
}

export default function MapView({ buildings, label, onOpen }: {
  buildings: MapBuilding[];
  label: string;
  onOpen: (id: number) => void;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!box.current) return;
    const map = L.map(box.current, { attributionControl: false, zoomSnap: 0.25 });
    const shapes = L.featureGroup();
    for (const b of buildings) {
      const colour = b.worst ? COLOURS[b.worst] ?? COLOURS.info : NO_ALARM;
      const ring = b.footprint ? outline(b.footprint) : null;
      if (ring)
        L.polygon(ring, { className: "outline", color: colour, weight: 1.5, fillColor: colour, fillOpacity: 0.35 })
          .bindTooltip(b.name)
          .on("click", () => onOpen(b.id))
          .addTo(shapes);
      if (b.latitude === null || b.longitude === null) continue;
      L.circleMarker([b.latitude, b.longitude], {
        className: "marker",
        radius: 7,
        color: "#ffffff",
        weight: 1.5,
        fillColor: colour,
        fillOpacity: 0.95,
      })
        .bindTooltip(b.name)
        .on("click", () => onOpen(b.id))
        .addTo(shapes);
    }
    shapes.addTo(map);
    if (shapes.getLayers().length > 0) map.fitBounds(shapes.getBounds().pad(0.15));
    else map.setView([48.35, 8.96], 12);
    let live = true;
    webSettings().then((s) => {
      if (!live || !s.map_tiles) return;
      L.tileLayer(s.map_tiles, { attribution: s.map_attribution, maxZoom: 19 }).addTo(map);
      L.control.attribution({ prefix: false }).addTo(map);
    });
    return () => {
      live = false;
      map.remove();
    };
  }, [buildings, onOpen]);
  return <div ref={box} className="map" role="region" aria-label={label} />;
}
