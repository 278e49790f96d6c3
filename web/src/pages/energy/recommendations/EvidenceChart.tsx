// A finding's evidence: its medium hour by hour around one span, the span
// itself shaded, on the building's clock; the span's hours as a table for
// reading them exactly and for those who do not see the chart.
import { useRef } from "react";
import uPlot from "uplot";

import { localWords, type Words } from "../../../i18n";
import { axisColours, COLOURS, localeOf, usePlot } from "../plot";
import { RECOMMENDATION_WORDS } from "./words";

const HEIGHT = 220;

export interface EvidenceHour {
  start: number; // ms
  value: number | null;
}

interface Props {
  t: Words;
  hours: EvidenceHour[];
  span: { from: number; to: number };
  unit: string;
  timeZone: string;
  label: string;
}

export function EvidenceChart({ t, hours, span, unit, timeZone, label }: Props) {
  const w = localWords(t, RECOMMENDATION_WORDS);
  const box = useRef<HTMLDivElement>(null);
  const locale = localeOf(t.lang);
  const hourName = (ms: number) =>
    new Date(ms).toLocaleString(locale, { timeZone, weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const figure = (v: number) => v.toLocaleString(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });

  usePlot(box, (_width, el) => {
    const { text, border } = axisColours(el);
    // The span behind the bars.
    const shade = (u: uPlot) => {
      const [left, right] = [u.valToPos(span.from / 1000, "x", true), u.valToPos(span.to / 1000, "x", true)];
      u.ctx.save();
      u.ctx.fillStyle = COLOURS.span;
      u.ctx.fillRect(left, u.bbox.top, right - left, u.bbox.height);
      u.ctx.restore();
    };
    return {
      options: {
        height: HEIGHT,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), timeZone),
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.05 : 1] } },
        axes: [
          { stroke: text, grid: { show: false }, space: 56,
            values: (_u, splits) => splits.map((v) => {
              const at = new Date(v * 1000);
              const hour = at.toLocaleTimeString(locale, { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
              return hour === "00:00" ? at.toLocaleDateString(locale, { timeZone, day: "numeric", month: "short" }) : hour;
            }) },
          { stroke: text, label: unit, size: 64, grid: { stroke: border }, ticks: { stroke: border },
            values: (_u, splits) => splits.map((v) => v.toLocaleString(locale)) },
        ],
        series: [
          { label: w.hour, value: (_u, v) => (v == null ? "" : hourName(v * 1000)) },
          { label: w.hourly, fill: COLOURS.actual, stroke: COLOURS.actual, width: 1, points: { show: false },
            paths: uPlot.paths.bars!({ size: [0.8, 24], align: 1 }),
            value: (_u, v) => (v == null ? "–" : `${figure(v)} ${unit}`) },
        ],
        hooks: { drawClear: [shade] },
      },
      data: [hours.map((h) => h.start / 1000), hours.map((h) => h.value)] as uPlot.AlignedData,
    };
  }, [hours, span.from, span.to, unit, timeZone, t]);

  const inSpan = hours.filter((h) => h.start >= span.from && h.start < span.to);
  return (
    <>
      <figure className="chart evidence-chart" aria-label={label}>
        <div ref={box} className="plot" data-span-hours={inSpan.filter((h) => h.value !== null).length} />
      </figure>
      <p className="muted chart-key"><span className="swatch span-swatch" /> {w.span}</p>
      <details className="bucket-table">
        <summary>{w.asTable}</summary>
        <div className="scroll" role="region" aria-label={`${w.asTable}: ${label}`} tabIndex={0}>
          <table className="evidence-table">
            <thead><tr><th scope="col">{w.hour}</th><th scope="col">{w.hourly} ({unit})</th></tr></thead>
            <tbody>
              {inSpan.map((h) => (
                <tr key={h.start} data-start={new Date(h.start).toISOString()}>
                  <th scope="row">{hourName(h.start)}</th>
                  <td className="number">{h.value === null ? "–" : figure(h.value)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </>
  );
}
