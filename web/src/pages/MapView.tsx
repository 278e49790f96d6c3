// The buildings on a map, loaded only when a page shows it (Leaflet is
// larger than the rest of the UI). No tiles: markers on a plain background,
// so the map works without internet; each marker coloured by the
// building's worst open alarm, its name on hover, a click opens it.
import L from "leaflet";
import "leaflet/dist/leaflet.css";
import { useEffect, useRef } from "react";

export interface MapBuilding {
  id: number;
  name: string;
  latitude: number | null;
  longitude: number | null;
  worst: string | null;
}

const COLOURS: Record<string, string> = {
  critical: "#b3261e",
  major: "#c2410c",
  minor: "#a16207",
  warning: "#1d4ed8",
  info: "#475569",
};

export default function MapView({ buildings, label, onOpen }: {
  buildings: MapBuilding[];
  label: string;
  onOpen: (id: number) => void;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!box.current) return;
    const map = L.map(box.current, { attributionControl: false, zoomSnap: 0.25 });
    const markers = L.featureGroup();
    for (const b of buildings) {
      if (b.latitude === null || b.longitude === null) continue;
      L.circleMarker([b.latitude, b.longitude], {
        radius: 8,
        color: "#ffffff",
        weight: 1.5,
        fillColor: b.worst ? COLOURS[b.worst] ?? "#475569" : "#0b6e4f",
        fillOpacity: 0.95,
      })
        .bindTooltip(b.name)
        .on("click", () => onOpen(b.id))
        .addTo(markers);
    }
    markers.addTo(map);
    if (markers.getLayers().length > 0) map.fitBounds(markers.getBounds().pad(0.15));
    else map.setView([48.35, 8.96], 12);
    return () => {
      map.remove();
    };
  }, [buildings, onOpen]);
  return <div ref={box} className="map" role="region" aria-label={label} />;
}
