// The savings part of the energy page: a building's medium in a reporting
// period against a baseline model fitted on a baseline period, both picked
// as local months (by default the last twelve whole months against the
// twelve before). One savings query per choice; the months take effect when
// the form is sent, so typing one does not ask the server at each key.
import { useEffect, useState, type FormEvent } from "react";

import { localWords, mediumName } from "../../../i18n";
import type { Medium } from "../consumption";
import type { PartProps } from "../Energy";
import { NotJudgedSaid } from "../NotJudgedSaid";
import { BuildingPicker, MediumPicker } from "../Pickers";
import { monthKey, parseMonth } from "../zone";
import { defaultPeriods, fetchSavings, type Periods, type SavingsAnswer, type SavingsItem } from "./savings";
import { SavingsChart } from "./SavingsChart";
import { SavingsFigures } from "./SavingsFigures";
import { SavingsTable } from "./SavingsTable";
import { SAVINGS_WORDS } from "./words";

const FIELDS = [["baseline", 0], ["baseline", 1], ["reporting", 0], ["reporting", 1]] as const;

export default function Savings({ t, buildings }: PartProps) {
  const w = localWords(t, SAVINGS_WORDS);
  const [building, setBuilding] = useState<number | null>(buildings[0]?.id ?? null);
  const [medium, setMedium] = useState<Medium>("electricity");
  const zone = buildings.find((b) => b.id === building)?.timezone ?? "UTC";
  const [periods, setPeriods] = useState<Periods>(() => defaultPeriods(Date.now(), zone));
  const [draft, setDraft] = useState<string[]>(() => FIELDS.map(([p, i]) => monthKey(periods[p][i])));
  const [answer, setAnswer] = useState<{ asked: string; savings: SavingsAnswer } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const asked = `${building}/${medium}/${FIELDS.map(([p, i]) => monthKey(periods[p][i])).join("/")}`;

  useEffect(() => {
    if (building === null) return;
    let live = true;
    setError(null);
    fetchSavings(building, medium, periods, zone)
      .then((savings) => live && setAnswer({ asked, savings }))
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [asked]);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    const months = draft.map(parseMonth);
    if (months.some((m) => m === null)) return setError(w.badMonth);
    const [bf, bt, rf, rt] = months as NonNullable<(typeof months)[number]>[];
    setPeriods({ baseline: [bf, bt], reporting: [rf, rt] });
  };
  const shown = answer?.asked === asked ? answer.savings : null;
  const item = shown?.items[0];
  const name = buildings.find((b) => b.id === building)?.name ?? "";
  const subject = `${name}, ${mediumName(t, medium)}`;
  const field = (n: number, label: string) => (
    <label>
      {label}{" "}
      <input type="month" value={draft[n]} pattern="\d{4}-\d{2}" placeholder="2026-01" required
             onChange={(e) => setDraft(draft.map((v, i) => (i === n ? e.target.value : v)))} />
    </label>
  );

  return (
    <section aria-labelledby="savings-title" className="savings" data-shown={shown ? asked : undefined}>
      <h2 id="savings-title">{w.title}</h2>
      <p className="muted">{w.explained}</p>
      <div className="filters">
        <BuildingPicker t={t} buildings={buildings} value={building} onChange={setBuilding} />
        <MediumPicker t={t} value={medium} onChange={setMedium} />
      </div>
      <form className="filters periods" onSubmit={apply}>
        <fieldset>
          <legend>{w.baseline}</legend>
          {field(0, w.from)}
          {field(1, w.to)}
        </fieldset>
        <fieldset>
          <legend>{w.reporting}</legend>
          {field(2, w.from)}
          {field(3, w.to)}
        </fieldset>
        <button type="submit">{w.show}</button>
      </form>
      {error && <p role="alert" className="error">{error}</p>}
      {!item ? (
        !error && <p>{t.loading}</p>
      ) : item.not_judged ? (
        <NotJudgedSaid t={t} item={item} medium={item.medium} part="savings" none={w.none} />
      ) : (
        <>
          <SavingsFigures t={t} item={item as Required<SavingsItem>} confidence={shown!.confidence} subject={subject} />
          <SavingsChart t={t} months={item.months ?? []} unit={item.unit} timeZone={item.timezone} label={w.chart(subject)} />
          <SavingsTable t={t} months={item.months ?? []} unit={item.unit} timeZone={item.timezone} />
        </>
      )}
    </section>
  );
}
