// The reporting period month by month: the adjusted baseline (what the
// model says the building would have used) beside the actual, as bars.
import { useRef } from "react";
import uPlot from "uplot";

import { localWords, type Words } from "../../../i18n";
import { axisColours, COLOURS, localeOf, usePlot } from "../plot";
import type { SavingsMonth } from "./savings";
import { SAVINGS_WORDS } from "./words";

const HEIGHT = 240;

// "Nov 26": a month's name in the building's zone.
export function monthName(t: Words, month: SavingsMonth, timeZone: string): string {
  return new Date(month.start).toLocaleDateString(localeOf(t.lang), { month: "short", year: "2-digit", timeZone });
}

export function SavingsChart({ t, months, unit, timeZone, label }: { t: Words; months: SavingsMonth[]; unit: string; timeZone: string; label: string }) {
  const w = localWords(t, SAVINGS_WORDS);
  const box = useRef<HTMLDivElement>(null);
  const locale = localeOf(t.lang);

  usePlot(box, (_width, el) => {
    const { text, border } = axisColours(el);
    const value = (_u: uPlot, v: number | null) => (v == null ? "–" : `${v.toLocaleString(locale, { maximumFractionDigits: 0 })} ${unit}`);
    const bars = (label: string, colour: string, align: -1 | 1): uPlot.Series => ({
      label, fill: colour, stroke: colour, width: 1, value, points: { show: false },
      paths: uPlot.paths.bars!({ size: [0.42, 48], align }),
    });
    const name = (v: number) => (Number.isInteger(v) && months[v - 1] ? monthName(t, months[v - 1], timeZone) : "");
    return {
      options: {
        height: HEIGHT,
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: false, range: [0.5, months.length + 0.5] }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.05 : 1] } },
        axes: [
          { stroke: text, grid: { show: false }, incrs: [1, 2, 3, 6], values: (_u, splits) => splits.map(name) },
          { stroke: text, label: unit, size: 72, grid: { stroke: border }, ticks: { stroke: border },
            values: (_u, splits) => splits.map((v) => v.toLocaleString(locale)) },
        ],
        series: [
          { label: w.month, value: (_u, v) => (v == null ? "" : name(v)) },
          bars(w.adjustedBaseline, COLOURS.plan, -1),
          bars(w.actual, COLOURS.actual, 1),
        ],
      },
      data: [months.map((_, i) => i + 1), months.map((m) => m.adjusted_baseline), months.map((m) => m.actual)],
    };
  }, [months, unit, timeZone, t]);

  return (
    <figure className="chart savings-chart" aria-label={label}>
      <div ref={box} className="plot" data-months={months.length} />
    </figure>
  );
}
