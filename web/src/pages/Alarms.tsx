import { useEffect, useMemo, useState } from "react";

import { ApiError, session } from "../api/client";
import { realtime } from "../api/realtime";
import type { dictionary } from "../i18n";

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

// The open alarms, live: the subscription's snapshot, then every change.
// Acknowledging is offered to those who may (alarms:ack); the server checks
// again.
export function Alarms({ t, canAck }: { t: ReturnType<typeof dictionary>; canAck: boolean }) {
  const [alarms, setAlarms] = useState<Map<number, Alarm> | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(
    () =>
      realtime.subscribe(
        { alarms: {} },
        {
          snapshot: (m) =>
            setAlarms(new Map(((m.alarms as Alarm[]) ?? []).map((a) => [a.id, a]))),
          event: (kind, details) => {
            if (kind !== "alarm_changed") return;
            const a = details as unknown as Alarm;
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
      [...(alarms?.values() ?? [])].sort(
        (a, b) =>
          SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) ||
          b.raised_at.localeCompare(a.raised_at),
      ),
    [alarms],
  );

  async function acknowledge(id: number) {
    setError(null);
    try {
      const a = await session.call<Alarm>(`/api/v1/alarms/${id}/acknowledge`, {
        method: "POST",
        body: "{}",
      });
      setAlarms((old) => new Map(old ?? []).set(a.id, a));
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  }

  if (!alarms) return <p>{t.loading}</p>;
  return (
    <section aria-labelledby="alarms-title">
      <h2 id="alarms-title">{t.alarms}</h2>
      {error && <p role="alert" className="error">{error}</p>}
      {sorted.length === 0 ? (
        <p>{t.noAlarms}</p>
      ) : (
        <table>
          <thead>
            <tr><th>{t.severity}</th><th>{t.message}</th><th>{t.state}</th><th>{t.raised}</th><th /></tr>
          </thead>
          <tbody>
            {sorted.map((a) => (
              <tr key={a.id} data-alarm={a.id}>
                <td><span className={`severity ${a.severity}`}>{a.severity}</span></td>
                <td>{a.message}</td>
                <td className="state">{a.state.replaceAll("_", " ")}</td>
                <td>{new Date(a.raised_at).toLocaleString()}</td>
                <td>
                  {canAck && a.state.endsWith("_unacknowledged") && (
                    <button type="button" onClick={() => acknowledge(a.id)}>{t.acknowledge}</button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
