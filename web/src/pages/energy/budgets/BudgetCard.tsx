// One budget of a building's medium: whether its projection is over the
// limit, its figures, and a burn-down for energy and, where the budget
// plans it, for cost. The months' actuals come from one consumption query
// (the building's medium by month over the budget's year; its buckets carry
// the cost where the building has tariffs).
import { useEffect, useMemo, useState } from "react";

import { localWords, mediumName, type Words } from "../../../i18n";
import { fetchConsumption, type Bucket } from "../consumption";
import { formatAmount, formatMoney } from "../figures";
import { periodQuery } from "../periods";
import { burnDown, type BudgetStatus } from "./budgets";
import { BudgetFigures, type Quantity } from "./BudgetFigures";
import { BurnDownChart } from "./BurnDownChart";
import { BurnDownTable } from "./BurnDownTable";
import { BUDGET_WORDS } from "./words";

interface Props {
  t: Words;
  status: BudgetStatus;
  building: string;
}

export function BudgetCard({ t, status, building }: Props) {
  const w = localWords(t, BUDGET_WORDS);
  const [buckets, setBuckets] = useState<Bucket[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { building_id: id, medium, year } = status;

  useEffect(() => {
    let live = true;
    fetchConsumption({ scope: "building", id, medium, ...periodQuery({ kind: "year", year, month: 0 }) })
      .then((answer) => live && setBuckets(answer.series[0]?.buckets ?? []))
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [id, medium, year]);

  const subject = `${building}, ${mediumName(t, medium)}`;
  const quantities = useMemo(() => {
    const out: (Quantity & { pick: (b: Bucket) => number | null | undefined })[] = [];
    if (status.energy)
      out.push({ key: "energy", name: `${w.energy} (${status.unit})`, figures: status.energy,
                 show: (v) => formatAmount(t, v, status.unit), pick: (b) => b.value });
    if (status.cost && status.currency) {
      const currency = status.currency;
      out.push({ key: "cost", name: `${w.cost} (${currency})`, figures: status.cost,
                 show: (v) => formatMoney(t, v, currency), pick: (b) => b.cost });
    }
    return out;
  }, [status, t, w]);
  const burns = useMemo(
    () => buckets && quantities.map((q) => burnDown(q.figures, year, status.as_of, buckets, q.pick)),
    [buckets, quantities, year, status.as_of],
  );
  const over = quantities.filter((q) => q.figures.over);
  const day = new Date(`${status.as_of}T12:00:00Z`).toLocaleDateString(t.lang === "de" ? "de-DE" : "en-GB",
    { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
  const headingId = `budget-${id}-${medium}`;

  return (
    <article className={`budget${status.over_budget ? " over" : ""}`} aria-labelledby={headingId}
             data-building={id} data-medium={medium} data-over={status.over_budget}>
      <h3 id={headingId}>
        {subject}{" "}
        <span className={status.over_budget ? "budget-state over" : "budget-state within"}>
          {status.over_budget ? w.over : w.within}
        </span>
      </h3>
      {over.map((q) => (
        <p key={q.key} className="over-said">{w.overSaid(q.name, q.show(q.figures.projection), q.show(q.figures.limit))}</p>
      ))}
      <p className="muted">
        {w.asOf(day)} {w.basis[status.forecast] ?? ""}
        {status.unknown_intervals > 0 && <> {w.unknown(`${status.unknown_intervals} h`)}</>}
      </p>
      {quantities.length > 0 && <BudgetFigures t={t} quantities={quantities} caption={`${w.figures}: ${subject}`} />}
      {error && <p role="alert" className="error">{error}</p>}
      {!burns ? (
        !error && <p>{t.loading}</p>
      ) : (
        <div className="burn-downs">
          {quantities.map((q, i) => (
            <div key={q.key} data-quantity={q.key}>
              <BurnDownChart t={t} burn={burns[i]} unit={q.key === "cost" ? status.currency! : status.unit}
                             label={w.chart(q.name, subject)} />
              <BurnDownTable t={t} burn={burns[i]} what={`${q.name}: ${subject}`} show={q.show} />
            </div>
          ))}
        </div>
      )}
    </article>
  );
}
