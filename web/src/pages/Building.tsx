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

// A building's points with their live values: the snapshot when the page
// subscribes, then every value as the server has it.
export function Building({ id, t }: { id: number; t: ReturnType<typeof dictionary> }) {
  const [tree, setTree] = useState<Tree | null>(null);
  const [selection, setSelection] = useState<Selection>({ kind: "all" });
  const [values, setValues] = useState<Map<number, Value>>(new Map());
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(Date.now());
  const [charted, setCharted] = useState<Point | null>(null);

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
      </div>
      </div>
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
