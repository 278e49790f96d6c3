// The chart's months as numbers: adjusted baseline, actual and the savings
// of each, for reading them exactly and for those who do not see the chart.
import { localWords, type Words } from "../../../i18n";
import { formatAmount } from "../figures";
import type { SavingsMonth } from "./savings";
import { monthName } from "./SavingsChart";
import { SAVINGS_WORDS } from "./words";

export function SavingsTable({ t, months, unit, timeZone }: { t: Words; months: SavingsMonth[]; unit: string; timeZone: string }) {
  const w = localWords(t, SAVINGS_WORDS);
  const energy = (v: number) => formatAmount(t, v, unit).replace("-", "−");
  return (
    <details className="bucket-table">
      <summary>{w.asTable}</summary>
      <div className="scroll" role="region" aria-label={w.asTable} tabIndex={0}>
        <table>
          <thead>
            <tr>
              <th scope="col">{w.month}</th>
              <th scope="col">{w.adjustedBaseline}</th>
              <th scope="col">{w.actual}</th>
              <th scope="col">{w.difference}</th>
            </tr>
          </thead>
          <tbody>
            {months.map((m) => (
              <tr key={m.start} data-start={m.start}>
                <th scope="row">{monthName(t, m, timeZone)}</th>
                <td className="number">{energy(m.adjusted_baseline)}</td>
                <td className="number">{energy(m.actual)}</td>
                <td className="number">{energy(m.adjusted_baseline - m.actual)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
