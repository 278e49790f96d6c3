import { useEffect, useRef, useState } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

import { session } from "../api/client";
import type { dictionary } from "../i18n";

interface Bucket {
  t: string;
  avg: number | null;
  min: number | null;
  max: number | null;
}

const RANGES = [
  { key: "day", ms: 86_400_000 },
  { key: "week", ms: 7 * 86_400_000 },
  { key: "month", ms: 30 * 86_400_000 },
  { key: "year", ms: 365 * 86_400_000 },
] as const;

// One point's history: buckets the server picks for the range (bucket=auto,
// at most as many as the chart is wide), average with the min-max band.
export function Chart({ point, name, unit, t }: {
  point: number;
  name: string;
  unit: string;
  t: ReturnType<typeof dictionary>;
}) {
  const [range, setRange] = useState<(typeof RANGES)[number]>(RANGES[0]);
  const [error, setError] = useState<string | null>(null);
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    let plot: uPlot | null = null;
    let cancelled = false;
    const width = Math.max(300, el.clientWidth);
    const to = new Date();
    const from = new Date(to.getTime() - range.ms);
    session
      .call<{ items: Bucket[] }>(
        `/api/v1/points/${point}/readings?from=${from.toISOString()}&to=${to.toISOString()}` +
          `&bucket=auto&agg=avg,min,max&max_points=${Math.min(2000, width)}`,
      )
      .then(({ items }) => {
        if (cancelled) return;
        const data: uPlot.AlignedData = [
          items.map((b) => Date.parse(b.t) / 1000),
          items.map((b) => b.min),
          items.map((b) => b.avg),
          items.map((b) => b.max),
        ];
        // Buckets without readings are null: lines run across them.
        const band = { stroke: "transparent", spanGaps: true };
        plot = new uPlot(
          {
            width,
            height: 260,
            series: [{}, { label: "min", ...band }, { label: `${name} (${unit})`, stroke: "#0b6e4f", width: 1.5, spanGaps: true }, { label: "max", ...band }],
            bands: [{ series: [3, 1], fill: "rgba(11, 110, 79, 0.15)" }],
            axes: [{ stroke: "currentColor" }, { stroke: "currentColor" }],
          },
          data,
          el,
        );
      })
      .catch((e: Error) => setError(e.message));
    return () => {
      cancelled = true;
      plot?.destroy();
    };
  }, [point, range, name, unit]);

  return (
    <figure className="chart" aria-label={`${t.chart}: ${name}`}>
      <div role="group" aria-label={t.range}>
        {RANGES.map((r) => (
          <button key={r.key} type="button" aria-pressed={r === range} onClick={() => setRange(r)}>
            {t[r.key]}
          </button>
        ))}
      </div>
      {error && <p role="alert" className="error">{error}</p>}
      <div ref={box} />
    </figure>
  );
}
