import { useEffect, useMemo, useState } from "react";

import { session } from "../api/client";
import { realtime, type Value } from "../api/realtime";
import type { dictionary } from "../i18n";
import { Chart } from "./Chart";

interface Point {
  id: number;
  name: string;
  unit: string;
  kind: string;
  quantity: string;
}

// A building's points with their live values: the snapshot when the page
// subscribes, then every value as the server has it.
export function Building({ id, t }: { id: number; t: ReturnType<typeof dictionary> }) {
  const [points, setPoints] = useState<Point[] | null>(null);
  const [values, setValues] = useState<Map<number, Value>>(new Map());
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(Date.now());
  const [charted, setCharted] = useState<Point | null>(null);

  useEffect(() => {
    session
      .call<{ items: Point[] }>(`/api/v1/points?building_id=${id}&limit=1000`)
      .then((page) => setPoints(page.items))
      .catch((e: Error) => setError(e.message));
    const stop = realtime.subscribe(
      { buildings: [id] },
      {
        values: (incoming) =>
          setValues((old) => {
            const next = new Map(old);
            for (const v of incoming) {
              const had = next.get(v.point);
              if (!had || had.t <= v.t) next.set(v.point, v);
            }
            return next;
          }),
      },
    );
    const tick = window.setInterval(() => setNow(Date.now()), 1000);
    return () => {
      stop();
      window.clearInterval(tick);
    };
  }, [id]);

  const sorted = useMemo(
    () => (points ?? []).slice().sort((a, b) => a.name.localeCompare(b.name)),
    [points],
  );

  if (error) return <p role="alert" className="error">{error}</p>;
  if (!points) return <p>{t.loading}</p>;
  return (
    <section aria-labelledby="points-title">
      <p><a href="#/">← {t.buildings}</a></p>
      <h2 id="points-title">{t.points}</h2>
      {charted && <Chart point={charted.id} name={charted.name} unit={charted.unit} t={t} />}
      <table>
        <thead>
          <tr><th>{t.name}</th><th>{t.value}</th><th>{t.age}</th></tr>
        </thead>
        <tbody>
          {sorted.map((p) => {
            const v = values.get(p.id);
            return (
              <tr key={p.id} className={v?.quality ? "suspect" : undefined}>
                <td>
                  <button type="button" className="link" onClick={() => setCharted(p)}>{p.name}</button>
                </td>
                <td className="number" data-point={p.id}>
                  {v ? `${v.value.toLocaleString()} ${p.unit}` : "–"}
                </td>
                <td className="number">{v ? age(now - v.t) : ""}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}
