// The last hours' actual consumption and the forecast after it, the
// forecast's 10–90 % band shaded between its edges, on the building's clock.
import { useRef } from "react";
import uPlot from "uplot";

import { localWords, type Words } from "../../../i18n";
import { axisColours, COLOURS, localeOf, usePlot } from "../plot";
import type { ActualHour, ForecastHour } from "./forecast";
import { FORECAST_WORDS } from "./words";

const HEIGHT = 280;

interface Props {
  t: Words;
  actual: ActualHour[];
  ahead: ForecastHour[];
  unit: string;
  timeZone: string;
  label: string;
}

export function ForecastChart({ t, actual, ahead, unit, timeZone, label }: Props) {
  const w = localWords(t, FORECAST_WORDS);
  const box = useRef<HTMLDivElement>(null);
  const locale = localeOf(t.lang);

  usePlot(box, (_width, el) => {
    const { text, border } = axisColours(el);
    const value = (_u: uPlot, v: number | null) => (v == null ? "–" : `${v.toLocaleString(locale, { maximumFractionDigits: 1 })} ${unit}`);
    const edge = (label: string): uPlot.Series => ({ label, stroke: COLOURS.projection, width: 1, dash: [2, 3], value, points: { show: false } });
    const n = actual.length;
    const gap = Array<null>(n).fill(null);
    return {
      options: {
        height: HEIGHT,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), timeZone),
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.05 : 1] } },
        axes: [
          // Hours on the building's clock, a day's name at its midnight.
          { stroke: text, grid: { show: false }, space: 48,
            values: (_u, splits) => splits.map((v) => {
              const at = new Date(v * 1000);
              const hour = at.toLocaleTimeString(locale, { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
              return hour === "00:00" ? at.toLocaleDateString(locale, { timeZone, weekday: "short", day: "numeric" }) : hour;
            }) },
          { stroke: text, label: unit, size: 64, grid: { stroke: border }, ticks: { stroke: border },
            values: (_u, splits) => splits.map((v) => v.toLocaleString(locale)) },
        ],
        series: [
          { label: w.hour, value: (_u, v) => (v == null ? "" : new Date(v * 1000).toLocaleString(locale, { timeZone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })) },
          { label: w.actual, stroke: COLOURS.actual, width: 2, value, points: { show: false } },
          { label: w.expected, stroke: COLOURS.plan, width: 2, value, points: { show: false } },
          edge(w.lower),
          edge(w.upper),
        ],
        bands: [{ series: [4, 3], fill: COLOURS.band }],
      },
      data: [
        [...actual.map((h) => h.start / 1000), ...ahead.map((h) => Date.parse(h.start) / 1000)],
        [...actual.map((h) => h.value), ...ahead.map(() => null)],
        [...gap, ...ahead.map((h) => h.expected)],
        [...gap, ...ahead.map((h) => h.lower)],
        [...gap, ...ahead.map((h) => h.upper)],
      ] as uPlot.AlignedData,
    };
  }, [actual, ahead, unit, timeZone, t]);

  const band = ahead.filter((h) => Number.isFinite(h.lower) && Number.isFinite(h.upper)).length;
  return (
    <figure className="chart forecast-chart" aria-label={label}>
      <div ref={box} className="plot" data-band={band} data-actual={actual.filter((h) => h.value !== null).length} />
    </figure>
  );
}
