import { useEffect, useRef, useState } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

import { session } from "../api/client";
import type { Words } from "../i18n";

export interface Charted {
  id: number;
  name: string;
  unit: string;
}

interface Bucket {
  t: string;
  avg: number | null;
  min?: number | null;
  max?: number | null;
}

interface Answer {
  bucket: string;
  series: { point_id: number; items: Bucket[] }[];
}

const RANGES = [
  { key: "day", ms: 86_400_000 },
  { key: "week", ms: 7 * 86_400_000 },
  { key: "month", ms: 30 * 86_400_000 },
  { key: "year", ms: 365 * 86_400_000 },
] as const;

// Distinguishable in both themes, in the order points are added; each has
// at least 3:1 against the chart's light (#ffffff) and dark (#1a2129)
// surface (WCAG 1.4.11), so mid tones: darker ones vanish on the dark one.
const COLOURS = ["#15803d", "#c2410c", "#2563eb", "#c026d3", "#a16207", "#0e7490", "#e11d48", "#4d7c0f"];
export const MAX_CHARTED = COLOURS.length;
const SMALLEST_WINDOW_MS = 10 * 60_000;
// Raw readings are kept 30 days (docs/api.md); past them only the hourly
// rollups answer, so a window reaching further back (an old span linked
// from the energy page) asks for buckets of at least an hour, or it would
// come back empty.
const RAW_RETENTION_MS = 30 * 86_400_000;
const HOUR_MS = 3_600_000;

type Window = { from: number; to: number };

// Every point's buckets on one time axis: the union of their bucket starts,
// null where a point has no reading in a bucket. One point also gets its
// min-max band.
function align(points: Charted[], answer: Answer): uPlot.AlignedData {
  const byPoint = new Map(answer.series.map((s) => [s.point_id, new Map(s.items.map((b) => [Date.parse(b.t), b]))]));
  const times = [...new Set(answer.series.flatMap((s) => s.items.map((b) => Date.parse(b.t))))].sort((a, b) => a - b);
  const column = (id: number, pick: (b: Bucket) => number | null | undefined) =>
    times.map((t) => pick(byPoint.get(id)?.get(t) ?? { t: "", avg: null }) ?? null);
  const data: (number | null)[][] = [times.map((t) => t / 1000)];
  if (points.length === 1) {
    const id = points[0].id;
    data.push(column(id, (b) => b.min), column(id, (b) => b.avg), column(id, (b) => b.max));
  } else {
    for (const p of points) data.push(column(p.id, (b) => b.avg));
  }
  return data as uPlot.AlignedData;
}

// The chart's options: a scale per unit (the first two get an axis, left
// and right), a line per point; one point has its min-max band. Dragging
// across the chart selects a time window to zoom into.
function options(points: Charted[], width: number, onZoom: (w: Window) => void): uPlot.Options {
  const units = [...new Set(points.map((p) => p.unit || "–"))];
  const axes: uPlot.Axis[] = [{ stroke: "currentColor" }];
  units.slice(0, 2).forEach((u, i) =>
    axes.push({ scale: u, side: i === 0 ? 3 : 1, stroke: "currentColor", label: u, grid: { show: i === 0 } }),
  );
  const line = (p: Charted, i: number): uPlot.Series => ({
    label: `${p.name}${p.unit ? ` (${p.unit})` : ""}`,
    scale: p.unit || "–",
    stroke: COLOURS[i],
    width: 1.5,
    spanGaps: true,
  });
  let series: uPlot.Series[];
  let bands: uPlot.Band[] | undefined;
  if (points.length === 1) {
    const band = { stroke: "transparent", spanGaps: true, scale: points[0].unit || "–" };
    series = [{}, { label: "min", ...band }, line(points[0], 0), { label: "max", ...band }];
    bands = [{ series: [3, 1], fill: "rgba(11, 110, 79, 0.15)" }];
  } else {
    series = [{}, ...points.map(line)];
  }
  return {
    width,
    height: 280,
    series,
    bands,
    axes,
    scales: { x: { time: true } },
    cursor: { drag: { x: true, y: false, setScale: false } },
    hooks: {
      setSelect: [
        (u) => {
          if (u.select.width < 5) return;
          const from = u.posToVal(u.select.left, "x") * 1000;
          const to = u.posToVal(u.select.left + u.select.width, "x") * 1000;
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          if (to - from >= SMALLEST_WINDOW_MS) onZoom({ from, to });
        },
      ],
    },
  };
}

// The history of one or more points on one chart. The server buckets each
// range (bucket=auto, at most as many buckets as the chart is wide), so a
// year of minute readings draws as fast as a day; all points come in one
// query. Zooming (drag across the chart, or the buttons) asks again for the
// narrower window, so detail appears down to the raw readings' buckets.
// `initialWindow` opens the chart zoomed into a window (a link's span).
export function Chart({ points, t, initialWindow = null }: { points: Charted[]; t: Words; initialWindow?: Window | null }) {
  const [range, setRange] = useState<(typeof RANGES)[number]>(RANGES[0]);
  const [zoomed, setZoomed] = useState<Window | null>(initialWindow);
  const [bucket, setBucket] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const ids = points.map((p) => p.id).join(",");
  const span = () => zoomed ?? { from: Date.now() - range.ms, to: Date.now() };

  useEffect(() => {
    const el = box.current;
    if (!el || points.length === 0) return;
    let plot: uPlot | null = null;
    let cancelled = false;
    const width = Math.max(300, el.clientWidth);
    const { from, to } = span();
    setError(null);
    session
      .call<Answer>("/api/v1/readings/query", {
        method: "POST",
        body: JSON.stringify({
          points: points.map((p) => p.id),
          from: new Date(from).toISOString(),
          to: new Date(to).toISOString(),
          bucket: from < Date.now() - RAW_RETENTION_MS && (to - from) / Math.min(2000, width) < HOUR_MS ? "1h" : "auto",
          agg: points.length === 1 ? ["avg", "min", "max"] : ["avg"],
          max_points: Math.min(2000, width),
        }),
      })
      .then((answer) => {
        if (cancelled) return;
        setBucket(answer.bucket);
        el.replaceChildren();
        plot = new uPlot(options(points, width, setZoomed), align(points, answer), el);
        plot.setScale("x", { min: from / 1000, max: to / 1000 });
        el.dataset.buckets = String(answer.series.reduce((n, s) => n + s.items.length, 0));
      })
      .catch((e: Error) => !cancelled && setError(e.message));
    return () => {
      cancelled = true;
      plot?.destroy();
    };
    // The points matter by id; a new array of the same ones draws nothing new.
  }, [ids, range, zoomed]);

  // Zoom by a factor around the window's middle (keyboard users' drag).
  const zoom = (factor: number) => {
    const { from, to } = span();
    const middle = (from + to) / 2;
    const half = Math.max(SMALLEST_WINDOW_MS / 2, ((to - from) * factor) / 2);
    setZoomed({ from: middle - half, to: Math.min(Date.now(), middle + half) });
  };

  const names = points.map((p) => p.name).join(", ");
  return (
    <figure className="chart" aria-label={`${t.chart}: ${names}`}>
      <div className="chart-controls">
        <div role="group" aria-label={t.range}>
          {RANGES.map((r) => (
            <button key={r.key} type="button" aria-pressed={!zoomed && r === range}
                    onClick={() => { setZoomed(null); setRange(r); }}>
              {t[r.key]}
            </button>
          ))}
        </div>
        <div role="group" aria-label={t.zoom}>
          <button type="button" onClick={() => zoom(0.5)}>{t.zoomIn}</button>
          <button type="button" onClick={() => zoom(2)}>{t.zoomOut}</button>
          {zoomed && <button type="button" onClick={() => setZoomed(null)}>{t.resetZoom}</button>}
        </div>
        {bucket && <span className="muted bucket">{t.bucketOf} {bucket}</span>}
      </div>
      {error && <p role="alert" className="error">{error}</p>}
      <div ref={box} className="plot" />
    </figure>
  );
}
