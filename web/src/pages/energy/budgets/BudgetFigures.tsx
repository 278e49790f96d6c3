// A budget's figures as the API gives them, energy beside cost: the plan,
// its limit, plan and actual to date, the forecast rest and the projection
// with how far it is from the plan. Each quantity over its limit says so.
import { localWords, type Words } from "../../../i18n";
import { formatChange } from "../figures";
import type { BudgetQuantity } from "./budgets";
import { BUDGET_WORDS } from "./words";

export interface Quantity {
  key: "energy" | "cost";
  name: string; // "Energy (kWh)"
  figures: BudgetQuantity;
  show: (v: number) => string;
}

export function BudgetFigures({ t, quantities, caption }: { t: Words; quantities: Quantity[]; caption: string }) {
  const w = localWords(t, BUDGET_WORDS);
  const margin = (q: BudgetQuantity) => (q.plan_year > 0 ? formatChange(t, q.limit, q.plan_year).replace("+", "") : "–");
  const rows: { key: keyof BudgetQuantity; name: string }[] = [
    { key: "plan_year", name: w.planYear },
    { key: "limit", name: w.limit(margin(quantities[0].figures)) },
    { key: "plan_to_date", name: w.planToDate },
    { key: "actual_to_date", name: w.actualToDate },
    { key: "forecast_rest", name: w.forecastRest },
    { key: "projection", name: w.projection },
  ];
  return (
    <div className="scroll" role="region" aria-label={caption} tabIndex={0}>
      <table className="budget-figures">
        <caption>{caption}</caption>
        <thead>
          <tr><td />{quantities.map((q) => <th key={q.key} scope="col">{q.name}</th>)}</tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} data-figure={r.key}>
              <th scope="row">{r.name}</th>
              {quantities.map((q) => (
                <td key={q.key} className="number" data-quantity={q.key}>{q.show(q.figures[r.key] as number)}</td>
              ))}
            </tr>
          ))}
          <tr data-figure="overrun">
            <th scope="row">{w.overrun}</th>
            {quantities.map((q) => (
              <td key={q.key} className="number" data-quantity={q.key}>
                {formatChange(t, q.figures.projection, q.figures.plan_year)}{" "}
                <span className={q.figures.over ? "budget-state over" : "budget-state within"}>
                  {q.figures.over ? w.over : w.within}
                </span>
              </td>
            ))}
          </tr>
        </tbody>
      </table>
    </div>
  );
}
