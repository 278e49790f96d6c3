// A burn-down's months as numbers, for reading them exactly and for those
// who do not see the chart: each month's plan, actual and projection (the
// API's: the actual of months done, then actual and forecast), and each
// summed from January.
import { localWords, type Words } from "../../../i18n";
import { bucketName } from "../periods";
import type { BurnDown } from "./budgets";
import { BUDGET_WORDS } from "./words";

interface Props {
  t: Words;
  burn: BurnDown;
  what: string; // "Energy (kWh)"
  show: (v: number) => string;
}

export function BurnDownTable({ t, burn, what, show }: Props) {
  const w = localWords(t, BUDGET_WORDS);
  let plan = 0;
  let actual = 0;
  let projection = 0;
  const rows = burn.months.map((m, i) => {
    plan += m.plan;
    actual += m.actual ?? 0;
    projection += m.projection;
    return { i, m, plan, actual: m.actual === null ? null : actual, projection };
  });
  return (
    <details className="bucket-table">
      <summary>{w.asTable(what)}</summary>
      <div className="scroll" role="region" aria-label={w.asTable(what)} tabIndex={0}>
        <table>
          <thead>
            <tr>
              <th scope="col">{w.month}</th>
              <th scope="col">{w.monthPlan}</th>
              <th scope="col">{w.monthActual}</th>
              <th scope="col">{w.monthProjection}</th>
              <th scope="col">{w.plan}</th>
              <th scope="col">{w.actual}</th>
              <th scope="col">{w.projectionCumulative}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.i} data-month={r.i + 1}>
                <th scope="row">{bucketName(t, "year", r.i + 1)}</th>
                <td className="number">{show(r.m.plan)}</td>
                <td className="number">{r.m.actual === null ? "–" : show(r.m.actual)}</td>
                <td className="number">{show(r.m.projection)}</td>
                <td className="number">{show(r.plan)}</td>
                <td className="number">{r.actual === null ? "–" : show(r.actual)}</td>
                <td className="number">{show(r.projection)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
