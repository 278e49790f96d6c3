// The chart's bars as numbers, for reading them exactly and for those who
// do not see the chart: a row per day (or month), each period's value
// with its hours without readings.
import { localWords, type Words } from "../../i18n";
import type { Bar } from "./comparison";
import { formatHours } from "./figures";
import { bucketName, type PeriodKind } from "./periods";
import { ENERGY_WORDS } from "./words";

interface Props {
  t: Words;
  kind: PeriodKind;
  unit: string;
  names: [string, string]; // this period's, the year earlier's
  current: Bar[];
  earlier: Bar[];
}

export function BucketTable({ t, kind, unit, names, current, earlier }: Props) {
  const w = localWords(t, ENERGY_WORDS);
  const locale = t.lang === "de" ? "de-DE" : "en-GB";
  const cell = (bar: Bar | undefined) => (
    <td className="number">
      {bar?.value == null ? "–" : bar.value.toLocaleString(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 })}
      {bar && bar.missing > 0 && <small className="incomplete"> {w.unknownIn(formatHours(t, bar.missing))}</small>}
    </td>
  );
  const n = Math.max(current.length, earlier.length);
  return (
    <details className="bucket-table">
      <summary>{w.asTable}</summary>
      <div className="scroll" role="region" aria-label={w.asTable} tabIndex={0}>
        <table>
          <thead>
            <tr>
              <th scope="col">{kind === "month" ? w.day : w.month}</th>
              <th scope="col">{names[0]} ({unit})</th>
              <th scope="col">{names[1]} ({unit})</th>
            </tr>
          </thead>
          <tbody>
            {Array.from({ length: n }, (_, i) => (
              <tr key={i} data-bucket={i + 1}>
                <th scope="row">{bucketName(t, kind, i + 1)}</th>
                {cell(current[i])}
                {cell(earlier[i])}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
