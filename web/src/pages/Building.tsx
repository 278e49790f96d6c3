import { useEffect, useMemo, useState } from "react";

import { session } from "../api/client";
import { realtime, type Value } from "../api/realtime";
import type { dictionary } from "../i18n";
import { Chart, MAX_CHARTED } from "./Chart";
import { CommandDialog } from "./control/CommandDialog";
import { commandWords } from "./control/commandWords";
import { takesCommands, type PointRecord } from "./control/controlApi";
import { Sparkline } from "./Sparkline";

type Point = PointRecord;

interface Equipment {
  id: number;
  name: string;
  points: Point[];
  children: Equipment[];
}

interface Tree {
  building: { name: string };
  floors: { id: number; name: string; spaces: { id: number; name: string; points: Point[]; equipment: Equipment[] }[] }[];
  equipment: Equipment[];
  points: Point[];
}

// Where a point is: its space or equipment, for the tree's selection.
interface Placed extends Point {
  space?: number;
  equipment?: number;
}

type Selection = { kind: "all" } | { kind: "space" | "equipment"; id: number; name: string };

function placed(tree: Tree): Placed[] {
  const out: Placed[] = tree.points.map((p) => ({ ...p }));
  const walk = (e: Equipment, space?: number) => {
    for (const p of e.points) out.push({ ...p, space, equipment: e.id });
    e.children.forEach((c) => walk(c, space));
  };
  for (const f of tree.floors)
    for (const s of f.spaces) {
      for (const p of s.points) out.push({ ...p, space: s.id });
      s.equipment.forEach((e) => walk(e, s.id));
    }
  tree.equipment.forEach((e) => walk(e));
  // A point may appear under its space and its equipment: once each.
  return [...new Map(out.map((p) => [p.id, p])).values()];
}

// Points to chart when the page opens, over a window: what a link from
// elsewhere asks for (?points=1,2&from=<RFC 3339>&to=<RFC 3339>).
export interface Charting {
  points: number[];
  window: { from: number; to: number } | null;
}

export function chartedIn(query: string | undefined): Charting | null {
  if (!query) return null;
  const q = new URLSearchParams(query);
  const points = (q.get("points") ?? "").split(",").map(Number).filter((n) => Number.isInteger(n) && n > 0);
  const [from, to] = [Date.parse(q.get("from") ?? ""), Date.parse(q.get("to") ?? "")];
  if (points.length === 0) return null;
  return { points, window: from < to ? { from, to } : null };
}

// A building's points with their live values: the snapshot when the page
// subscribes, then every value as the server has it. Those who may command
// the plant (control:write) get a "Command…" button on each setpoint and
// command point; the server checks again.
export function Building({ id, t, charting, canCommand }: {
  id: number;
  t: ReturnType<typeof dictionary>;
  charting: Charting | null;
  canCommand: boolean;
}) {
  const [tree, setTree] = useState<Tree | null>(null);
  const [selection, setSelection] = useState<Selection>({ kind: "all" });
  const [values, setValues] = useState<Map<number, Value>>(new Map());
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(Date.now());
  const [charted, setCharted] = useState<Point[]>([]);
  const [trends, setTrends] = useState<Map<number, (number | null)[]>>(new Map());
  const [commanding, setCommanding] = useState<Point | null>(null);
  const cw = commandWords(t);

  useEffect(() => {
    session
      .call<Tree>(`/api/v1/buildings/${id}/tree`)
      .then(setTree)
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

  const points = useMemo(() => (tree ? placed(tree) : []), [tree]);

  // The points a link asks for, once the tree names them.
  const asked = charting?.points.join(",");
  useEffect(() => {
    if (!charting) return;
    const wanted = points.filter((p) => charting.points.includes(p.id));
    if (wanted.length > 0) setCharted(wanted.slice(0, MAX_CHARTED));
  }, [points, asked]);

  // Each point's last day in half hours, for the sparklines: one query per
  // 200 points (the API's most), side by side.
  useEffect(() => {
    if (points.length === 0) return;
    let live = true;
    const to = Date.now();
    const from = to - 86_400_000;
    const starts = Array.from({ length: 48 }, (_, i) => Math.floor(from / 1_800_000) * 1_800_000 + (i + 1) * 1_800_000);
    const chunks = [];
    for (let i = 0; i < points.length; i += 200) chunks.push(points.slice(i, i + 200).map((p) => p.id));
    Promise.all(
      chunks.map((ids) =>
        session.call<{ series: { point_id: number; items: { t: string; avg: number | null }[] }[] }>(
          "/api/v1/readings/query",
          {
            method: "POST",
            body: JSON.stringify({ points: ids, from: new Date(from).toISOString(), to: new Date(to).toISOString(), bucket: "30m", agg: "avg" }),
          },
        ),
      ),
    )
      .then((answers) => {
        if (!live) return;
        const next = new Map<number, (number | null)[]>();
        for (const s of answers.flatMap((a) => a.series)) {
          const at = new Map(s.items.map((b) => [Date.parse(b.t), b.avg]));
          next.set(s.point_id, starts.map((t) => at.get(t) ?? null));
        }
        setTrends(next);
      })
      .catch(() => live && setTrends(new Map()));
    return () => {
      live = false;
    };
  }, [points]);

  const compare = (p: Point) =>
    setCharted((old) =>
      old.some((c) => c.id === p.id) ? old.filter((c) => c.id !== p.id) : [...old, p].slice(-MAX_CHARTED),
    );
  const sorted = useMemo(
    () =>
      points
        .filter((p) =>
          selection.kind === "all" ? true : selection.kind === "space" ? p.space === selection.id : p.equipment === selection.id,
        )
        .sort((a, b) => a.name.localeCompare(b.name)),
    [points, selection],
  );

  if (error) return <p role="alert" className="error">{error}</p>;
  if (!tree) return <p>{t.loading}</p>;
  const pick = (next: Selection) => () => setSelection(next);
  const equipmentList = (list: Equipment[]) => (
    <ul>
      {list.map((e) => (
        <li key={`e${e.id}`}>
          <button type="button" className="link" aria-pressed={selection.kind === "equipment" && selection.id === e.id}
                  onClick={pick({ kind: "equipment", id: e.id, name: e.name })}>{e.name}</button>
          {e.children.length > 0 && equipmentList(e.children)}
        </li>
      ))}
    </ul>
  );
  return (
    <section aria-labelledby="points-title">
      <p><a href="#/">← {t.buildings}</a></p>
      <h1 className="building-name">{tree.building.name}</h1>
      <div className="building">
      <nav className="tree" aria-label={t.spatialTree}>
        <button type="button" className="link" aria-pressed={selection.kind === "all"} onClick={pick({ kind: "all" })}>
          {t.allPoints}
        </button>
        {tree.floors.map((f) => (
          <details key={f.id} open>
            <summary>{f.name}</summary>
            <ul>
              {f.spaces.map((sp) => (
                <li key={sp.id}>
                  <button type="button" className="link" aria-pressed={selection.kind === "space" && selection.id === sp.id}
                          onClick={pick({ kind: "space", id: sp.id, name: sp.name })}>{sp.name}</button>
                  {sp.equipment.length > 0 && equipmentList(sp.equipment)}
                </li>
              ))}
            </ul>
          </details>
        ))}
        {tree.equipment.length > 0 && (
          <details open>
            <summary>{t.equipment}</summary>
            {equipmentList(tree.equipment)}
          </details>
        )}
      </nav>
      <div className="points">
      <h2 id="points-title">{selection.kind === "all" ? t.points : selection.name}</h2>
      {charted.length > 0 && <Chart points={charted} t={t} initialWindow={charting?.window ?? null} />}
      <div className="scroll">
      <table className="live-points">
        <thead>
          <tr>
            <th>{t.name}</th><th><span className="visually-hidden">{t.compare}</span></th><th>{t.value}</th>
            <th>{t.age}</th><th>{t.quality}</th><th>{t.trend}</th>
            {canCommand && <th>{cw.column}</th>}
          </tr>
        </thead>
        <tbody>
          {sorted.map((p) => {
            const v = values.get(p.id);
            return (
              <tr key={p.id} className={v?.quality ? "suspect" : undefined}>
                <td>
                  <button type="button" className="link" onClick={() => setCharted([p])}>{p.name}</button>
                </td>
                <td>
                  <input type="checkbox" aria-label={`${t.compare}: ${p.name}`}
                         checked={charted.some((c) => c.id === p.id)} onChange={() => compare(p)} />
                </td>
                <td className="number" data-point={p.id}>
                  {v ? `${v.value.toLocaleString()} ${p.unit}` : "–"}
                </td>
                <td className="number">{v ? age(now - v.t) : ""}</td>
                <td>{v ? (v.quality ? t.suspect : t.good) : ""}</td>
                <td className="trend">
                  <Sparkline values={trends.get(p.id) ?? []} label={`${t.trend}: ${p.name}`} />
                </td>
                {canCommand && (
                  <td>
                    {takesCommands(p) && (
                      <button type="button" aria-label={cw.commandPoint(p.name)} aria-haspopup="dialog"
                              onClick={() => setCommanding(p)}>
                        {cw.command}
                      </button>
                    )}
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
      </div>
      </div>
      </div>
      {commanding && <CommandDialog t={t} point={commanding} onClose={() => setCommanding(null)} />}
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
