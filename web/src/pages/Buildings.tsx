import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from "react";

import { session } from "../api/client";
import { severityName, type dictionary } from "../i18n";
import { EnergyTiles } from "./energy/EnergyTiles";

const MapView = lazy(() => import("./MapView"));

interface Building {
  id: number;
  name: string;
  type: string;
  gross_floor_area_m2: number | null;
  year_built: number | null;
  latitude: number | null;
  longitude: number | null;
  footprint?: string;
}

interface AlarmSummary {
  open: number;
  unacknowledged: number;
  buildings: { building_id: number; open: number; worst_severity: string | null }[];
}

type SortKey = "name" | "type" | "area" | "built" | "alarms";

// The portfolio: counts, today's and this month's energy, the map coloured
// by each building's worst open alarm, and the buildings as a table
// sortable by any column. One call for the buildings, one for the alarm
// summary (when the user may read alarms), two for the energy (when the
// user may read analytics).
export function Buildings({ t, canReadAlarms, canReadAnalytics }: {
  t: ReturnType<typeof dictionary>;
  canReadAlarms: boolean;
  canReadAnalytics: boolean;
}) {
  const [buildings, setBuildings] = useState<Building[] | null>(null);
  const [summary, setSummary] = useState<AlarmSummary | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({
    key: "name",
    descending: false,
  });

  // The buildings at once; their alarms as soon as the user's permissions
  // say they may be read (they arrive with /auth/me, beside this call).
  useEffect(() => {
    session
      .call<{ items: Building[] }>("/api/v1/buildings?limit=500")
      .then((page) => setBuildings(page.items))
      .catch((e: Error) => setError(e.message));
  }, []);
  useEffect(() => {
    if (canReadAlarms)
      session
        .call<AlarmSummary>("/api/v1/alarms/summary")
        .then(setSummary)
        .catch(() => setSummary(null));
  }, [canReadAlarms]);

  const alarmsOf = useMemo(() => {
    const m = new Map<number, { open: number; worst: string | null }>();
    for (const b of summary?.buildings ?? [])
      m.set(b.building_id, { open: b.open, worst: b.worst_severity });
    return m;
  }, [summary]);

  const rows = useMemo(() => {
    const value = (b: Building): string | number => {
      switch (sort.key) {
        case "name":
          return b.name;
        case "type":
          return b.type;
        case "area":
          return b.gross_floor_area_m2 ?? -1;
        case "built":
          return b.year_built ?? -1;
        case "alarms":
          return alarmsOf.get(b.id)?.open ?? 0;
      }
    };
    const sorted = (buildings ?? []).slice().sort((a, b) => {
      const x = value(a), y = value(b);
      return typeof x === "string" ? x.localeCompare(y as string) : x - (y as number);
    });
    return sort.descending ? sorted.reverse() : sorted;
  }, [buildings, sort, alarmsOf]);

  const open = useCallback((id: number) => (location.hash = `#/buildings/${id}`), []);
  const mapBuildings = useMemo(
    () =>
      (buildings ?? []).map((b) => ({
        id: b.id,
        name: b.name,
        latitude: b.latitude,
        longitude: b.longitude,
        footprint: b.footprint ?? "",
        worst: alarmsOf.get(b.id)?.worst ?? null,
      })),
    [buildings, alarmsOf],
  );

  if (error) return <p role="alert" className="error">{error}</p>;
  if (!buildings) return <p>{t.loading}</p>;

  const header = (key: SortKey, label: string) => (
    <th aria-sort={sort.key === key ? (sort.descending ? "descending" : "ascending") : "none"}>
      <button type="button" className="link"
              onClick={() => setSort({ key, descending: sort.key === key && !sort.descending })}>
        {label}
      </button>
    </th>
  );

  return (
    <section aria-labelledby="buildings-title">
      <h1 id="buildings-title">{t.buildings}</h1>
      <div className="tiles">
        <div className="tile"><span>{t.buildings}</span><strong>{buildings.length}</strong></div>
        {summary && (
          <>
            <div className="tile"><span>{t.openAlarms}</span><strong>{summary.open}</strong></div>
            <div className="tile"><span>{t.unacknowledged}</span><strong>{summary.unacknowledged}</strong></div>
          </>
        )}
      </div>
      {canReadAnalytics && <EnergyTiles t={t} />}
      <Suspense fallback={<div className="map" />}>
        <MapView buildings={mapBuildings} label={t.map} onOpen={open} />
      </Suspense>
      <table>
        <thead>
          <tr>
            {header("name", t.name)}
            {header("type", t.type)}
            {header("area", t.area)}
            {header("built", t.built)}
            {summary && header("alarms", t.openAlarms)}
          </tr>
        </thead>
        <tbody>
          {rows.map((b) => (
            <tr key={b.id}>
              <td><a href={`#/buildings/${b.id}`}>{b.name}</a></td>
              <td>{b.type}</td>
              <td className="number">{b.gross_floor_area_m2?.toLocaleString() ?? "–"}</td>
              <td className="number">{b.year_built ?? "–"}</td>
              {summary && (
                <td className="number">
                  {alarmsOf.get(b.id)?.worst && (
                    <span className={`severity ${alarmsOf.get(b.id)!.worst}`}>
                      {alarmsOf.get(b.id)!.open}
                      {/* The worst severity in words too, not only by the badge's colour. */}
                      <span className="visually-hidden"> ({severityName(t, alarmsOf.get(b.id)!.worst!)})</span>
                    </span>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
