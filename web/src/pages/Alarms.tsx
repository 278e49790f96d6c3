import { useEffect, useMemo, useRef, useState, type FormEvent } from "react";

import { ApiError, session } from "../api/client";
import { realtime } from "../api/realtime";
import { severityName, stateName, type dictionary } from "../i18n";
import { AlarmHistory } from "./AlarmHistory";

export interface Alarm {
  id: number;
  severity: string;
  state: string;
  message: string;
  raised_at: string;
  closed_at: string | null;
  building_id: number | null;
}

const SEVERITY_ORDER = ["critical", "major", "minor", "warning", "info"];
const SHELVE_HOURS = [1, 8, 24];

// A short tone for a new critical alarm, when the user asked for sound.
function beep() {
  const audio = new AudioContext();
  const tone = audio.createOscillator();
  tone.frequency.value = 880;
  tone.connect(audio.destination);
  tone.start();
  tone.stop(audio.currentTime + 0.3);
  tone.onended = () => audio.close();
}

// The open alarms, live: the subscription's snapshot, then every change.
// Acknowledging is offered to those who may (alarms:ack); the server checks
// again.
export function Alarms({ t, canAck, view }: { t: ReturnType<typeof dictionary>; canAck: boolean; view: "open" | "history" }) {
  return (
    <section aria-labelledby="alarms-title">
      <h1 id="alarms-title">{t.alarms}</h1>
      <nav className="tabs" aria-label={t.alarms}>
        <a href="#/alarms" aria-current={view === "open" ? "page" : undefined}>{t.openAlarms}</a>
        <a href="#/alarms/history" aria-current={view === "history" ? "page" : undefined}>{t.alarmHistory}</a>
      </nav>
      {view === "open" ? <OpenAlarms t={t} canAck={canAck} /> : <AlarmHistory t={t} />}
    </section>
  );
}

function OpenAlarms({ t, canAck }: { t: ReturnType<typeof dictionary>; canAck: boolean }) {
  const [alarms, setAlarms] = useState<Map<number, Alarm> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [minSeverity, setMinSeverity] = useState("info");
  const [sound, setSound] = useState(false);
  const [form, setForm] = useState<{ id: number; kind: "shelve" | "comment" } | null>(null);
  const soundRef = useRef(sound);
  soundRef.current = sound;

  useEffect(
    () =>
      realtime.subscribe(
        { alarms: {} },
        {
          snapshot: (m) =>
            setAlarms(new Map(((m.alarms as Alarm[]) ?? []).map((a) => [a.id, a]))),
          event: (kind, details) => {
            if (kind !== "alarm_changed") return;
            const a = details as unknown as Alarm & { change?: string };
            if (soundRef.current && a.severity === "critical" && a.change === "raised") beep();
            setAlarms((old) => {
              const next = new Map(old ?? []);
              if (a.closed_at) next.delete(a.id);
              else next.set(a.id, a);
              return next;
            });
          },
        },
      ),
    [],
  );

  const sorted = useMemo(
    () =>
      [...(alarms?.values() ?? [])]
        .filter((a) => SEVERITY_ORDER.indexOf(a.severity) <= SEVERITY_ORDER.indexOf(minSeverity))
        .sort(
        (a, b) =>
          SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) ||
          b.raised_at.localeCompare(a.raised_at),
      ),
    [alarms, minSeverity],
  );

  async function act(id: number, action: string, body: object) {
    setError(null);
    try {
      const a = await session.call<Alarm>(`/api/v1/alarms/${id}/${action}`, {
        method: "POST",
        body: JSON.stringify(body),
      });
      setAlarms((old) => new Map(old ?? []).set(a.id, a));
      setForm(null);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  }

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (!form) return;
    const data = new FormData(e.currentTarget);
    const text = String(data.get("text") ?? "");
    if (form.kind === "shelve")
      act(form.id, "shelve", { reason: text, duration_s: Number(data.get("hours")) * 3600 });
    else act(form.id, "comments", { text });
  }

  if (!alarms) return <p>{t.loading}</p>;
  return (
    <>
      <div className="filters">
        <label>
          {t.minSeverity}{" "}
          <select value={minSeverity} onChange={(e) => setMinSeverity(e.target.value)}>
            {SEVERITY_ORDER.map((s) => <option key={s} value={s}>{severityName(t, s)}</option>)}
          </select>
        </label>
        <label>
          <input type="checkbox" checked={sound} onChange={(e) => setSound(e.target.checked)} />{" "}
          {t.soundForCritical}
        </label>
      </div>
      {error && <p role="alert" className="error">{error}</p>}
      {form && (
        <form className="alarm-action" onSubmit={submit}>
          <label>
            {form.kind === "shelve" ? t.reason : t.comment}
            <input name="text" required maxLength={500} autoFocus />
          </label>
          {form.kind === "shelve" && (
            <label>
              {t.duration}
              <select name="hours" defaultValue="8">
                {SHELVE_HOURS.map((h) => <option key={h} value={h}>{h} h</option>)}
              </select>
            </label>
          )}
          <button type="submit">{form.kind === "shelve" ? t.shelve : t.comment}</button>
          <button type="button" onClick={() => setForm(null)}>{t.cancel}</button>
        </form>
      )}
      {sorted.length === 0 ? (
        <p>{t.noAlarms}</p>
      ) : (
        <table>
          <thead>
            <tr><th>{t.severity}</th><th>{t.message}</th><th>{t.state}</th><th>{t.raised}</th>
              <th><span className="visually-hidden">{t.actions}</span></th></tr>
          </thead>
          <tbody>
            {sorted.map((a) => (
              <tr key={a.id} data-alarm={a.id}>
                <td><span className={`severity ${a.severity}`}>{severityName(t, a.severity)}</span></td>
                <td>{a.message}</td>
                <td className="state">{stateName(t, a.state)}</td>
                <td>{new Date(a.raised_at).toLocaleString()}</td>
                <td className="actions">
                  {canAck && a.state.endsWith("_unacknowledged") && (
                    <button type="button" onClick={() => act(a.id, "acknowledge", {})}>
                      {t.acknowledge}
                    </button>
                  )}
                  {canAck && a.state.startsWith("active") && (
                    <button type="button" onClick={() => setForm({ id: a.id, kind: "shelve" })}>
                      {t.shelve}
                    </button>
                  )}
                  {canAck && (
                    <button type="button" onClick={() => setForm({ id: a.id, kind: "comment" })}>
                      {t.comment}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
