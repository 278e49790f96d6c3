import { Fragment, useEffect, useState, type FormEvent } from "react";

import { session } from "../api/client";
import { localWords, severityName, stateName, type Words } from "../i18n";
import type { Alarm } from "./Alarms";

interface Note {
  id: number;
  at: string;
  kind: string;
  text: string;
  state: string;
}

interface Filters {
  since: string; // yyyy-mm-dd, local
  until: string;
  minSeverity: string;
  building: string;
}

const SEVERITIES = ["critical", "major", "minor", "warning", "info"];

const WORDS = {
  de: {
    history: "Verlauf",
    since: "Ab",
    until: "Bis",
    closed: "Geschlossen",
    show: "Anzeigen",
    more: "Weitere laden",
    none: "Keine Alarme in diesem Zeitraum.",
    details: "Verlauf anzeigen",
    allBuildings: "Alle Gebäude",
    building: "Gebäude",
  },
  en: {
    history: "History",
    since: "From",
    until: "To",
    closed: "Closed",
    show: "Show",
    more: "Load more",
    none: "No alarms in this period.",
    details: "Show history",
    allBuildings: "All buildings",
    building: "Building",
  },
};

function daysAgo(n: number): string {
  const d = new Date(Date.now() - n * 86_400_000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

// The query for a page of alarms raised in the chosen days (local midnight
// to the midnight after the last day), newest first.
function query(f: Filters, cursor?: string): string {
  const q = new URLSearchParams({ limit: "100" });
  if (f.since) q.set("since", new Date(`${f.since}T00:00`).toISOString());
  if (f.until) q.set("until", new Date(new Date(`${f.until}T00:00`).getTime() + 86_400_000).toISOString());
  if (f.minSeverity !== "info") q.set("min_severity", f.minSeverity);
  if (f.building) q.set("building_id", f.building);
  if (cursor) q.set("cursor", cursor);
  return `/api/v1/alarms?${q}`;
}

// Past and present alarms, open or closed, by the days they were raised,
// a page at a time; each one's history (raised, repeated, acknowledged,
// shelved, commented, cleared, closed) opens beneath it.
export function AlarmHistory({ t }: { t: Words }) {
  const w = localWords(t, WORDS);
  const [filters, setFilters] = useState<Filters>({ since: daysAgo(7), until: daysAgo(0), minSeverity: "info", building: "" });
  const [buildings, setBuildings] = useState<{ id: number; name: string }[]>([]);
  const [alarms, setAlarms] = useState<Alarm[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [open, setOpen] = useState<{ id: number; notes: Note[] } | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function load(f: Filters, after?: string) {
    setError(null);
    try {
      const page = await session.call<{ items: Alarm[]; next_cursor: string | null }>(query(f, after));
      setAlarms((old) => (after ? [...(old ?? []), ...page.items] : page.items));
      setCursor(page.next_cursor);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }

  useEffect(() => {
    load(filters);
    session
      .call<{ items: { id: number; name: string }[] }>("/api/v1/buildings?limit=1000")
      .then((b) => setBuildings(b.items))
      .catch(() => setBuildings([]));
    // Once, with the first filters; a new search is the form's.
  }, []);

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const f = {
      since: String(data.get("since")),
      until: String(data.get("until")),
      minSeverity: String(data.get("severity")),
      building: String(data.get("building")),
    };
    setFilters(f);
    setOpen(null);
    load(f);
  }

  async function toggle(id: number) {
    if (open?.id === id) return setOpen(null);
    try {
      const notes = await session.call<{ items: Note[] }>(`/api/v1/alarms/${id}/history`);
      setOpen({ id, notes: notes.items });
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }

  const buildingName = new Map(buildings.map((b) => [b.id, b.name]));
  return (
    <>
      <form className="filters" onSubmit={submit} aria-label={w.history}>
        <label>{w.since} <input type="date" name="since" defaultValue={filters.since} /></label>
        <label>{w.until} <input type="date" name="until" defaultValue={filters.until} /></label>
        <label>
          {t.minSeverity}{" "}
          <select name="severity" defaultValue={filters.minSeverity}>
            {SEVERITIES.map((s) => <option key={s} value={s}>{severityName(t, s)}</option>)}
          </select>
        </label>
        <label>
          {w.building}{" "}
          <select name="building" defaultValue={filters.building}>
            <option value="">{w.allBuildings}</option>
            {buildings.map((b) => <option key={b.id} value={b.id}>{b.name}</option>)}
          </select>
        </label>
        <button type="submit">{w.show}</button>
      </form>
      {error && <p role="alert" className="error">{error}</p>}
      {!alarms ? (
        <p>{t.loading}</p>
      ) : alarms.length === 0 ? (
        <p>{w.none}</p>
      ) : (
        <div className="scroll">
          <table className="alarm-history">
            <thead>
              <tr>
                <th>{t.severity}</th><th>{t.message}</th><th>{w.building}</th><th>{t.raised}</th>
                <th>{w.closed}</th><th>{t.state}</th>
              </tr>
            </thead>
            <tbody>
              {alarms.map((a) => (
                <Fragment key={a.id}>
                  <tr data-alarm={a.id}>
                    <td><span className={`severity ${a.severity}`}>{severityName(t, a.severity)}</span></td>
                    <td>
                      <button type="button" className="link" aria-expanded={open?.id === a.id}
                              aria-label={`${w.details}: ${a.message}`} onClick={() => toggle(a.id)}>
                        {a.message}
                      </button>
                    </td>
                    <td>{a.building_id ? buildingName.get(a.building_id) ?? "" : ""}</td>
                    <td>{new Date(a.raised_at).toLocaleString()}</td>
                    <td>{a.closed_at ? new Date(a.closed_at).toLocaleString() : ""}</td>
                    <td className="state">{stateName(t, a.state)}</td>
                  </tr>
                  {open?.id === a.id && (
                    <tr className="notes">
                      <td colSpan={6}>
                        <ol>
                          {open.notes.map((n) => (
                            <li key={n.id}>
                              <time dateTime={n.at}>{new Date(n.at).toLocaleString()}</time> {n.kind}
                              {n.text && <> — {n.text}</>} <span className="muted">({stateName(t, n.state)})</span>
                            </li>
                          ))}
                        </ol>
                      </td>
                    </tr>
                  )}
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && <button type="button" onClick={() => load(filters, cursor)}>{w.more}</button>}
    </>
  );
}
