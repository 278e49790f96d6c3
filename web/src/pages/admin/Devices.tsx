import { useEffect, useMemo, useRef, useState } from "react";

import type { SectionProps } from "../Admin";
import {
  loadActivity,
  loadBuildings,
  loadDevices,
  type Activity,
  type BuildingRef,
  type Device,
} from "./deviceApi";
import { DeviceCreate } from "./DeviceCreate";
import { DeviceCredentials } from "./DeviceCredentials";
import { DeviceDriver, DRIVEN_PROTOCOLS } from "./DeviceDriver";
import { deviceWords } from "./deviceWords";

// How often the counters are asked for again: the pipeline writes them
// every 5 s, and one call answers for every device.
const ACTIVITY_POLL_MS = 5_000;

type SortKey = "name" | "building" | "protocol" | "status" | "seen" | "messages" | "readings" | "rejected";

// How long ago, in the user's language ("vor 12 Sek.", "3 min ago").
function age(iso: string, now: number, language: string): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  const format = new Intl.RelativeTimeFormat(language, { numeric: "always", style: "short" });
  if (seconds < 60) return format.format(-seconds, "second");
  if (seconds < 3600) return format.format(-Math.floor(seconds / 60), "minute");
  if (seconds < 86_400) return format.format(-Math.floor(seconds / 3600), "hour");
  return format.format(-Math.floor(seconds / 86_400), "day");
}

// The administration's devices: every device with its building, protocol
// and live counters (one call for the devices, one for the buildings, one
// for every device's activity, side by side; then the activity again every
// few seconds), filtered by building and text, sortable by any column.
// Creating devices and issuing or revoking credentials is offered only to
// those holding assets:write; the server checks again.
export function Devices({ t, permissions, sub }: SectionProps) {
  const w = deviceWords(t);
  const canWrite = permissions.includes("assets:write");
  const [devices, setDevices] = useState<Device[] | null>(null);
  const [buildings, setBuildings] = useState<BuildingRef[]>([]);
  const [activity, setActivity] = useState<Map<number, Activity>>(new Map());
  const [now, setNow] = useState(Date.now());
  const [error, setError] = useState<string | null>(null);
  const [building, setBuilding] = useState("");
  const [text, setText] = useState("");
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: "name", descending: false });
  // A device named in the route (#/admin/devices/42) opens selected.
  const routed = sub && /^\d+$/.test(sub) ? Number(sub) : null;
  const [selected, setSelected] = useState<number | null>(routed);
  useEffect(() => {
    if (routed !== null) setSelected(routed);
  }, [routed]);
  const opener = useRef<HTMLElement | null>(null);

  useEffect(() => {
    let live = true;
    Promise.all([loadDevices(), loadBuildings(), loadActivity()])
      .then(([d, b, a]) => {
        if (!live) return;
        setDevices(d);
        setBuildings(b.sort((x, y) => x.name.localeCompare(y.name)));
        setActivity(a);
        setNow(Date.now());
      })
      .catch((e: Error) => live && setError(e.message));
    const timer = window.setInterval(() => {
      if (document.hidden) return;  // nobody is looking: no calls from a background tab
      loadActivity()
        .then((a) => {
          if (!live) return;
          setActivity(a);
          setNow(Date.now());
        })
        .catch(() => {});  // the next round tries again; the table keeps the last counts
    }, ACTIVITY_POLL_MS);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, []);

  const buildingName = useMemo(() => new Map(buildings.map((b) => [b.id, b.name])), [buildings]);

  const rows = useMemo(() => {
    const needle = text.trim().toLocaleLowerCase();
    const shown = (devices ?? []).filter(
      (d) =>
        (building === "" || String(d.building_id ?? "") === building) &&
        (needle === "" ||
          [d.name, d.serial, d.vendor, d.model, w.protocols[d.protocol] ?? d.protocol,
           buildingName.get(d.building_id ?? 0) ?? ""]
            .some((field) => field.toLocaleLowerCase().includes(needle))),
    );
    const value = (d: Device): string | number => {
      const a = activity.get(d.id);
      switch (sort.key) {
        case "name":
          return d.name;
        case "building":
          return buildingName.get(d.building_id ?? 0) ?? "";
        case "protocol":
          return w.protocols[d.protocol] ?? d.protocol;
        case "status":
          return w.statuses[d.status] ?? d.status;
        case "seen":
          return a?.last_seen_at ? Date.parse(a.last_seen_at) : -1;
        case "messages":
          return a?.messages ?? 0;
        case "readings":
          return a?.readings ?? 0;
        case "rejected":
          return a?.rejected ?? 0;
      }
    };
    shown.sort((x, y) => {
      const a = value(x), b = value(y);
      const order = typeof a === "string" ? a.localeCompare(b as string) : a - (b as number);
      return order || x.id - y.id;
    });
    return sort.descending ? shown.reverse() : shown;
  }, [devices, activity, building, text, sort, buildingName, w]);

  if (error) return <p role="alert" className="error">{error}</p>;
  if (!devices) return <p>{t.loading}</p>;

  const number = (n: number | undefined) => (n ?? 0).toLocaleString(t.lang);
  const selectedDevice = devices.find((d) => d.id === selected) ?? null;

  const header = (key: SortKey, label: string, numeric = false) => (
    <th aria-sort={sort.key === key ? (sort.descending ? "descending" : "ascending") : "none"}
        className={numeric ? "number" : undefined}>
      <button type="button" className="link"
              onClick={() => setSort({ key, descending: sort.key === key && !sort.descending })}>
        {label}
      </button>
    </th>
  );

  return (
    <section aria-labelledby="devices-title" className="devices">
      <h2 id="devices-title">{w.devices}</h2>
      {canWrite && <p><a href="#/admin/bacnet">{w.discoverBacnet}</a></p>}
      {canWrite && (
        <DeviceCreate t={t} buildings={buildings}
                      onCreated={(d) => {
                        setDevices((old) => [...(old ?? []), d]);
                        setSelected(d.id);
                      }} />
      )}
      <div className="filters">
        <label>
          {w.building}{" "}
          <select value={building} onChange={(e) => setBuilding(e.target.value)}>
            <option value="">{w.allBuildings}</option>
            {buildings.map((b) => <option key={b.id} value={String(b.id)}>{b.name}</option>)}
          </select>
        </label>
        <label>
          {w.search}{" "}
          <input type="search" value={text} placeholder={w.searchHint}
                 onChange={(e) => setText(e.target.value)} />
        </label>
        <p className="count" aria-live="polite">{w.shown(rows.length, devices.length)}</p>
      </div>
      {selectedDevice && (
        <DeviceCredentials
          key={selectedDevice.id}
          t={t}
          device={selectedDevice}
          canWrite={canWrite}
          onClose={() => {
            setSelected(null);
            opener.current?.focus();
          }}
        />
      )}
      {selectedDevice && DRIVEN_PROTOCOLS.includes(selectedDevice.protocol) && (
        <DeviceDriver key={`driver-${selectedDevice.id}`} t={t} device={selectedDevice} canWrite={canWrite} />
      )}
      {rows.length === 0 ? (
        <p>{w.noMatch}</p>
      ) : (
        <div className="table-scroll" role="region" aria-label={w.table} tabIndex={0}>
          <table>
            <thead>
              <tr>
                {header("name", t.name)}
                {header("building", w.building)}
                {header("protocol", w.protocol)}
                {header("status", w.status)}
                {header("seen", w.lastSeen)}
                {header("messages", w.messages, true)}
                {header("readings", w.readings, true)}
                {header("rejected", w.rejected, true)}
                <th><span className="visually-hidden">{w.credentials}</span></th>
              </tr>
            </thead>
            <tbody>
              {rows.map((d) => {
                const a = activity.get(d.id);
                return (
                  <tr key={d.id} data-device={d.id} className={d.id === selected ? "selected" : undefined}>
                    <td>{d.name}{d.serial && <small className="muted">{d.serial}</small>}</td>
                    <td>{d.building_id ? buildingName.get(d.building_id) ?? `#${d.building_id}` : "–"}</td>
                    <td>
                      {w.protocols[d.protocol] ?? d.protocol}
                      {d.role === "gateway" && <small className="muted">{w.roles.gateway}</small>}
                    </td>
                    <td>{w.statuses[d.status] ?? d.status}</td>
                    <td data-col="seen">
                      {a?.last_seen_at ? (
                        <time dateTime={a.last_seen_at} title={new Date(a.last_seen_at).toLocaleString(t.lang)}>
                          {age(a.last_seen_at, now, t.lang)}
                        </time>
                      ) : w.never}
                    </td>
                    <td className="number" data-col="messages">{number(a?.messages)}</td>
                    <td className="number" data-col="readings">{number(a?.readings)}</td>
                    <td className="number" data-col="rejected">{number(a?.rejected)}</td>
                    <td>
                      <button type="button" aria-label={w.showCredentials(d.name)}
                              aria-expanded={d.id === selected}
                              onClick={(e) => {
                                opener.current = e.currentTarget;
                                setSelected(d.id === selected ? null : d.id);
                              }}>
                        {w.credentials}
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
