// A budget's burn-down as lines over the year's months: the plan and its
// limit summed month by month, the actual summed up to the day counted, and
// from there the projection summed month by month to the year's end (the
// API's months: the running one's actual and forecast, then forecasts). The
// table beside it has the same figures in words.
import { useRef } from "react";
import type uPlot from "uplot";

import { localWords, type Words } from "../../../i18n";
import { bucketName } from "../periods";
import { axisColours, COLOURS, localeOf, usePlot } from "../plot";
import type { BurnDown } from "./budgets";
import { BUDGET_WORDS } from "./words";

const HEIGHT = 240;

interface Props {
  t: Words;
  burn: BurnDown;
  unit: string; // "kWh", "EUR"
  label: string;
}

export function BurnDownChart({ t, burn, unit, label }: Props) {
  const w = localWords(t, BUDGET_WORDS);
  const box = useRef<HTMLDivElement>(null);
  const locale = localeOf(t.lang);

  usePlot(box, (_width, el) => {
    const { text, border } = axisColours(el);
    const value = (_u: uPlot, v: number | null) =>
      v == null ? "–" : `${v.toLocaleString(locale, { maximumFractionDigits: 0 })} ${unit}`;
    const line = (label: string, stroke: string, extra: Partial<uPlot.Series> = {}): uPlot.Series =>
      ({ label, stroke, width: 2, value, points: { show: false }, ...extra });
    return {
      options: {
        height: HEIGHT,
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: false, range: [0, 12] }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.05 : 1] } },
        axes: [
          { stroke: text, grid: { show: false }, incrs: [1, 2, 3],
            values: (_u, splits) => splits.map((v) => (Number.isInteger(v) && v < 12 ? bucketName(t, "year", v + 1) : "")) },
          { stroke: text, label: unit, size: 72, grid: { stroke: border }, ticks: { stroke: border },
            values: (_u, splits) => splits.map((v) => v.toLocaleString(locale)) },
        ],
        series: [
          { label: w.month, value: (_u, v) => (v == null ? "" : bucketName(t, "year", Math.min(12, Math.floor(v) + 1))) },
          line(w.plan, COLOURS.plan),
          line(w.limitLine, COLOURS.limit, { dash: [4, 4] }),
          line(w.actual, COLOURS.actual, { width: 3, points: { show: true, size: 5 } }),
          line(w.projectionCumulative, COLOURS.projection, { dash: [8, 5], points: { show: true, size: 5 } }),
        ],
      },
      data: [burn.x, burn.plan, burn.limit, burn.actual, burn.projection] as uPlot.AlignedData,
    };
  }, [burn, unit, t]);

  return (
    <figure className="chart burn-down-chart" aria-label={label}>
      <div ref={box} className="plot" data-actual={burn.actual.filter((v) => v !== null).length}
           data-projection={burn.projection.filter((v) => v !== null).length} />
    </figure>
  );
}
