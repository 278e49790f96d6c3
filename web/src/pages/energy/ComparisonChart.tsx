// A period's buckets as bars beside the same period a year earlier's: day 1
// beside day 1, January beside January. A bar some hour of which has no
// readings is hatched, so a short bar reads as "not known", not as "saved".
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

import type { Words } from "../../i18n";
import type { Bar } from "./comparison";
import { bucketName, type PeriodKind } from "./periods";

// Told apart by hue and by lightness (blue and orange stay distinct for
// red-green colour blindness), each at least 3:1 against the chart's light
// and dark surface (WCAG 1.4.11).
const CURRENT_COLOUR = "#2563eb";
const EARLIER_COLOUR = "#c2410c";
const HEIGHT = 260;

// Diagonal stripes of the colour on nothing: the bar's outline stays solid.
function hatch(colour: string): CanvasPattern {
  const tile = document.createElement("canvas");
  tile.width = tile.height = 8;
  const c = tile.getContext("2d")!;
  c.strokeStyle = colour;
  c.lineWidth = 2;
  c.beginPath();
  c.moveTo(0, 8);
  c.lineTo(8, 0);
  c.moveTo(-2, 2);
  c.lineTo(2, -2);
  c.moveTo(6, 10);
  c.lineTo(10, 6);
  c.stroke();
  return c.createPattern(tile, "repeat")!;
}

interface Props {
  t: Words;
  kind: PeriodKind;
  unit: string;
  names: [string, string]; // this period's, the year earlier's
  current: Bar[];
  earlier: Bar[];
  label: string;
}

function options(p: Props, width: number, box: HTMLElement): uPlot.Options {
  const n = Math.max(p.current.length, p.earlier.length);
  const locale = p.t.lang === "de" ? "de-DE" : "en-GB";
  // The page's colours at each drawing (a canvas has no currentColor of its own).
  const text = () => getComputedStyle(box).color;
  const border = () => getComputedStyle(box).getPropertyValue("--border");
  // The year earlier left of each bucket's mark, this period right of it.
  const bars = (bars: Bar[], colour: string, align: -1 | 1): uPlot.Series => {
    const hatched = hatch(colour);
    return {
      fill: colour,
      stroke: colour,
      width: 1,
      points: { show: false },
      paths: uPlot.paths.bars!({
        size: [0.42, 40],
        align,
        // By data index, the whole series (uPlot indexes them so); a
        // pattern serves as a fill where its types expect a colour string.
        disp: {
          fill: { unit: 3, values: () => bars.map((b) => (b.missing > 0 ? hatched : colour)) as unknown as string[] },
          stroke: { unit: 3, values: () => bars.map(() => colour) },
        },
      }),
      value: (_u, v) => (v == null ? "–" : `${v.toLocaleString(locale, { maximumFractionDigits: 1 })} ${p.unit}`),
    };
  };
  return {
    width,
    height: HEIGHT,
    legend: { show: true },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: false, range: [0.5, n + 0.5] }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.05 : 1] } },
    axes: [
      {
        stroke: text,
        grid: { show: false },
        incrs: [1, 2, 5, 10],
        values: (_u, splits) => splits.map((v) => (Number.isInteger(v) ? bucketName(p.t, p.kind, v) : "")),
      },
      {
        stroke: text,
        label: p.unit,
        size: 64,
        grid: { stroke: border },
        ticks: { stroke: border },
        values: (_u, splits) => splits.map((v) => v.toLocaleString(locale)),
      },
    ],
    series: [
      { label: p.kind === "month" ? p.t.day : p.t.month, value: (_u, v) => (v == null ? "" : bucketName(p.t, p.kind, v)) },
      { label: p.names[0], ...bars(p.current, CURRENT_COLOUR, 1) },
      { label: p.names[1], ...bars(p.earlier, EARLIER_COLOUR, -1) },
    ],
  };
}

export function ComparisonChart(props: Props) {
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const n = Math.max(props.current.length, props.earlier.length);
    const values = (bars: Bar[]) => Array.from({ length: n }, (_, i) => bars[i]?.value ?? null);
    const data: uPlot.AlignedData = [Array.from({ length: n }, (_, i) => i + 1), values(props.current), values(props.earlier)];
    el.replaceChildren();
    const plot = new uPlot(options(props, Math.max(280, el.clientWidth), el), data, el);
    // Follow the page's width and theme (the axes are drawn in the text's colour).
    const resized = new ResizeObserver(() => plot.setSize({ width: Math.max(280, el.clientWidth), height: HEIGHT }));
    resized.observe(el);
    const themed = new MutationObserver(() => plot.redraw(false));
    themed.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
    return () => {
      resized.disconnect();
      themed.disconnect();
      plot.destroy();
    };
    // The bars matter, not the object carrying them.
  }, [props.t, props.kind, props.unit, props.names[0], props.names[1], props.current, props.earlier, props.label]);

  const drawn = (bars: Bar[]) => bars.filter((b) => b.value !== null).length;
  return (
    <figure className="chart comparison-chart" aria-label={props.label}>
      <div ref={box} className="plot" data-current={drawn(props.current)} data-earlier={drawn(props.earlier)} />
    </figure>
  );
}
