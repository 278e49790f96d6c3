// A point's last day as a small line: drawn as SVG from its half-hour
// averages, scaled to its own minimum and maximum. No axes, by design: it
// shows the shape; the chart shows the numbers.
export function Sparkline({ values, label }: { values: (number | null)[]; label: string }) {
  const known = values.filter((v): v is number => v !== null);
  if (known.length < 2) return null;
  const low = Math.min(...known);
  const high = Math.max(...known);
  const width = 80;
  const height = 20;
  const x = (i: number) => (i / (values.length - 1)) * width;
  const y = (v: number) => (high === low ? height / 2 : height - 1 - ((v - low) / (high - low)) * (height - 2));
  // A gap (no reading in a half hour) breaks the line rather than bridging it.
  const runs: string[] = [];
  let run = "";
  values.forEach((v, i) => {
    if (v === null) {
      if (run) runs.push(run);
      run = "";
    } else {
      run += `${run ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
    }
  });
  if (run) runs.push(run);
  return (
    <svg className="sparkline" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label}>
      <path d={runs.join("")} fill="none" stroke="currentColor" strokeWidth="1.2" />
    </svg>
  );
}
