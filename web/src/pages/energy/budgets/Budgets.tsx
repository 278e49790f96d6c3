// The budget part of the energy page: every budget of a year the user sees
// (one query), over-budget ones first, each with its burn-down. The year
// steps back and forth from this one.
import { useEffect, useState } from "react";

import { localWords } from "../../../i18n";
import type { PartProps } from "../Energy";
import { BudgetCard } from "./BudgetCard";
import { fetchBudgets, type BudgetStatus } from "./budgets";
import { BUDGET_WORDS } from "./words";

export default function Budgets({ t, buildings }: PartProps) {
  const w = localWords(t, BUDGET_WORDS);
  const [year, setYear] = useState(() => new Date().getFullYear());
  const [answer, setAnswer] = useState<{ year: number; items: BudgetStatus[] } | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setError(null);
    fetchBudgets(year)
      .then((a) => live && setAnswer(a))
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [year]);

  const name = (id: number) => buildings.find((b) => b.id === id)?.name ?? `#${id}`;
  const shown = answer?.year === year ? answer : null;
  const items = (shown?.items ?? []).slice().sort((a, b) =>
    Number(b.over_budget) - Number(a.over_budget) || name(a.building_id).localeCompare(name(b.building_id)) ||
    a.medium.localeCompare(b.medium));
  return (
    <section aria-labelledby="budgets-title" className="budgets" data-shown={shown ? year : undefined}>
      <h2 id="budgets-title">{w.title}</h2>
      <div className="filters">
        <div role="group" aria-label={w.year} className="buttons stepper">
          <button type="button" aria-label={w.previousYear} onClick={() => setYear(year - 1)}>←</button>
          <strong className="period-name" aria-live="polite">{year}</strong>
          <button type="button" aria-label={w.nextYear} onClick={() => setYear(year + 1)}>→</button>
        </div>
      </div>
      {error && <p role="alert" className="error">{error}</p>}
      {!shown ? (
        !error && <p>{t.loading}</p>
      ) : items.length === 0 ? (
        <p>{w.none(year)}</p>
      ) : (
        items.map((s) => <BudgetCard key={`${s.building_id}/${s.medium}`} t={t} status={s} building={name(s.building_id)} />)
      )}
    </section>
  );
}
