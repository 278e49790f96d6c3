// The two periods' totals side by side with the change, and how much of
// each is not measured: hours without readings make a total a lower bound,
// estimated hours make it a guess; both are counted, not hidden.
import { localWords, mediumName, type Words } from "../../i18n";
import type { Totals } from "./comparison";
import { formatAmount, formatChange, formatCo2, formatHours, formatMoney } from "./figures";
import { ENERGY_WORDS } from "./words";

interface Props {
  t: Words;
  medium: string;
  unit: string;
  names: [string, string]; // this period's, the year earlier's
  current: Totals;
  earlier: Totals | null;
  through: string | null; // today, while the period is still running
}

export function ComparisonTotals({ t, medium, unit, names, current, earlier, through }: Props) {
  const w = localWords(t, ENERGY_WORDS);
  const incomplete = (missing: number) => missing > 0 && <small className="incomplete"> {w.incomplete}</small>;
  const eitherIncomplete = incomplete(current.missing + (earlier?.missing ?? 0));
  const row = (key: string, name: string, now: number | null, before: number | null, show: (v: number) => string) => (
    <tr data-total={key}>
      <th scope="row">{name}</th>
      <td className="number">{now === null ? "–" : show(now)}{now !== null && incomplete(current.missing)}</td>
      <td className="number">{before === null ? "–" : show(before)}{before !== null && incomplete(earlier?.missing ?? 0)}</td>
      <td className="number">
        {now === null || before === null ? "–" : formatChange(t, now, before)}
        {now !== null && before !== null && before !== 0 && eitherIncomplete}
      </td>
    </tr>
  );
  const currency = current.cost?.currency ?? earlier?.cost?.currency;
  const cost = (s: Totals | null) => (s?.cost && s.cost.currency === currency ? s.cost.value : null);
  // The table in a region one can scroll with the keys when it is wider than a phone.
  return (
    <>
      {through && <p className="muted to-date">{w.toDate(through)}</p>}
      <div className="scroll" role="region" aria-label={w.totals} tabIndex={0}>
        <table className="totals">
          <caption>{w.totals}</caption>
          <thead>
            <tr><td /><th scope="col">{names[0]}</th><th scope="col">{names[1]}</th><th scope="col">{w.change}</th></tr>
          </thead>
          <tbody>
            {row("amount", mediumName(t, medium), current.amount, earlier?.amount ?? null, (v) => formatAmount(t, v, unit))}
            {currency && row("cost", w.cost, cost(current), cost(earlier), (v) => formatMoney(t, v, currency))}
            {(current.co2 !== null || earlier?.co2 != null) &&
              row("co2", w.co2, current.co2, earlier?.co2 ?? null, (v) => formatCo2(t, v))}
            <tr data-total="missing">
              <th scope="row">{w.unknownHours}</th>
              <td className="number">{formatHours(t, current.missing)}</td>
              <td className="number">{earlier ? formatHours(t, earlier.missing) : "–"}</td>
              <td />
            </tr>
            <tr data-total="estimated">
              <th scope="row">{w.estimatedHours}</th>
              <td className="number">{formatHours(t, current.estimated)}</td>
              <td className="number">{earlier ? formatHours(t, earlier.estimated) : "–"}</td>
              <td />
            </tr>
          </tbody>
        </table>
      </div>
    </>
  );
}
