// A building's intensity beside its type's in one small bar: the type's
// span from lowest to highest, a tick at its median, the building's own
// figure as a bar from zero. Drawn for the eye only: the cell says the
// same in words.
import type { TypeBenchmark } from "./benchmarks";

export function TypeBar({ eui, type }: { eui: number; type: TypeBenchmark }) {
  // Some room right of the largest figure, so the median tick at the end stays visible.
  const scale = 100 / (1.05 * Math.max(eui, type.max_eui));
  const x = (v: number) => v * scale;
  return (
    <svg className="type-bar" viewBox="0 0 100 12" preserveAspectRatio="none" aria-hidden="true" focusable="false">
      <rect className="span" x={x(type.min_eui)} y={1} width={Math.max(0.5, x(type.max_eui - type.min_eui))} height={10} />
      <rect className="own" x={0} y={4} width={x(eui)} height={4} />
      <line className="median" x1={x(type.median_eui)} x2={x(type.median_eui)} y1={0} y2={12} />
    </svg>
  );
}
