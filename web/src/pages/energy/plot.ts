// The energy parts' charts: uPlot drawn into a box that follows the box's
// width and the page's theme (a canvas has no currentColor of its own, so
// the axes take the text's and the grid the border's colour at each
// drawing), and the colours they draw in.
import { useEffect, type DependencyList, type RefObject } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

// Told apart by hue and lightness (blue and orange stay distinct for
// red-green colour blindness), each at least 3:1 against the chart's light
// (#ffffff) and dark (#1a2129) surface (WCAG 1.4.11).
export const COLOURS = {
  actual: "#2563eb",
  plan: "#c2410c",
  limit: "#c026d3",
  projection: "#0e7490",
  band: "rgba(14, 116, 144, 0.25)",
  span: "rgba(192, 38, 211, 0.12)",
};

const SMALLEST_WIDTH = 280;

// The axes' colours, read when drawn.
export function axisColours(box: HTMLElement): { text: () => string; border: () => string } {
  return {
    text: () => getComputedStyle(box).color,
    border: () => getComputedStyle(box).getPropertyValue("--border"),
  };
}

export function localeOf(lang: string): string {
  return lang === "de" ? "de-DE" : "en-GB";
}

// Draws `make`'s chart into `box` whenever `deps` change; null draws nothing.
export function usePlot(
  box: RefObject<HTMLDivElement | null>,
  make: (width: number, box: HTMLElement) => { options: Omit<uPlot.Options, "width">; data: uPlot.AlignedData } | null,
  deps: DependencyList,
): void {
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const width = () => Math.max(SMALLEST_WIDTH, el.clientWidth);
    const made = make(width(), el);
    el.replaceChildren();
    if (!made) return;
    const plot = new uPlot({ ...made.options, width: width() } as uPlot.Options, made.data, el);
    const resized = new ResizeObserver(() => plot.setSize({ width: width(), height: made.options.height }));
    resized.observe(el);
    const themed = new MutationObserver(() => plot.redraw(false));
    themed.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
    return () => {
      resized.disconnect();
      themed.disconnect();
      plot.destroy();
    };
    // The caller names what the chart depends on.
  }, deps);
}
