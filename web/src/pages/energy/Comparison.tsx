// Consumption of one medium, for all buildings or one, in a month or a year
// beside the same period a year earlier. Two queries (the period's and the
// year earlier's buckets); while the period is still running a third asks
// for the year earlier up to the same day, so the totals compare like with
// like.
import { useEffect, useMemo, useState } from "react";

import { localWords, mediumName, type Words } from "../../i18n";
import { BucketTable } from "./BucketTable";
import type { EnergyBuilding } from "./buildings";
import { barsOf, totalsOf } from "./comparison";
import { ComparisonChart } from "./ComparisonChart";
import { ComparisonTotals } from "./ComparisonTotals";
import { fetchConsumption, MEDIA, type Consumption, type Medium } from "./consumption";
import {
  currentPeriod, dayName, periodKey, periodName, periodQuery, stepPeriod, yearBefore, yearEarlier,
  type Period, type PeriodKind,
} from "./periods";
import { ENERGY_WORDS } from "./words";

interface Answers {
  asked: string; // the selection they answer
  now: number;
  current: Consumption;
  earlier: Consumption;
  earlierToDate: Consumption | null; // while the period runs
}

export function Comparison({ t, buildings }: { t: Words; buildings: EnergyBuilding[] }) {
  const w = localWords(t, ENERGY_WORDS);
  const [building, setBuilding] = useState<number | null>(null); // null: all
  const [medium, setMedium] = useState<Medium>("electricity");
  const [period, setPeriod] = useState<Period>(() => currentPeriod("month", new Date()));
  const [answers, setAnswers] = useState<Answers | null>(null);
  const [error, setError] = useState<string | null>(null);
  const asked = `${building ?? "all"}/${medium}/${periodKey(period)}`;

  useEffect(() => {
    let live = true;
    setError(null);
    const where = building === null ? { scope: "tenant" as const } : { scope: "building" as const, id: building };
    const ask = (p: Period, to?: Date) =>
      fetchConsumption({ ...where, medium, ...periodQuery(p), ...(to && { to, interval: "day" as const }) });
    (async () => {
      const now = Date.now();
      const [current, earlier] = await Promise.all([ask(period), ask(yearEarlier(period))]);
      // The server's answer says whether the period holds now, in its zone.
      const running = Date.parse(current.from) <= now && now < Date.parse(current.to);
      const earlierToDate = running ? await ask(yearEarlier(period), yearBefore(now)) : null;
      if (live) setAnswers({ asked, now, current, earlier, earlierToDate });
    })().catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [asked]);

  const names: [string, string] = [periodName(t, period), periodName(t, yearEarlier(period))];
  // What the answers show: nothing yet, no meter of the medium, or the figures.
  const shown = useMemo(() => {
    if (!answers || answers.asked !== asked) return null;
    const { now, current, earlier, earlierToDate } = answers;
    const series = current.series[0];
    const ended = Date.parse(current.to) <= now;
    if (!series) return { ended, figures: null };
    return {
      ended,
      figures: {
        unit: series.unit,
        bars: { current: barsOf(series, now), earlier: barsOf(earlier.series[0], now) },
        totals: { current: totalsOf(series)!, earlier: totalsOf((earlierToDate ?? earlier).series[0]) },
        through: earlierToDate ? dayName(t, now, current.timezone) : null,
      },
    };
  }, [answers, asked, t]);

  const choose = (kind: PeriodKind) => setPeriod(currentPeriod(kind, new Date()));
  return (
    <section aria-labelledby="consumption-title" className="comparison" data-shown={shown ? asked : undefined}>
      <h2 id="consumption-title">{w.consumption}</h2>
      <div className="filters">
        <label>
          {w.building}{" "}
          <select value={building ?? ""} onChange={(e) => setBuilding(e.target.value ? Number(e.target.value) : null)}>
            <option value="">{w.allBuildings}</option>
            {buildings.map((b) => <option key={b.id} value={b.id}>{b.name}</option>)}
          </select>
        </label>
        <label>
          {w.medium}{" "}
          <select value={medium} onChange={(e) => setMedium(e.target.value as Medium)}>
            {MEDIA.map((m) => <option key={m} value={m}>{mediumName(t, m)}</option>)}
          </select>
        </label>
        <div role="group" aria-label={w.period} className="buttons">
          {(["month", "year"] as const).map((k) => (
            <button key={k} type="button" aria-pressed={period.kind === k} onClick={() => choose(k)}>{w[k]}</button>
          ))}
        </div>
        <div role="group" aria-label={w.stepPeriod} className="buttons stepper">
          <button type="button" aria-label={w.previousPeriod} onClick={() => setPeriod(stepPeriod(period, -1))}>←</button>
          <strong className="period-name" aria-live="polite">{names[0]}</strong>
          <button type="button" aria-label={w.nextPeriod} disabled={!shown?.ended}
                  onClick={() => setPeriod(stepPeriod(period, 1))}>→</button>
        </div>
      </div>
      {error && <p role="alert" className="error">{error}</p>}
      {!shown ? (
        !error && <p>{t.loading}</p>
      ) : !shown.figures ? (
        <p>{w.noMeter}</p>
      ) : (
        <>
          <ComparisonTotals t={t} medium={medium} unit={shown.figures.unit} names={names}
                            current={shown.figures.totals.current} earlier={shown.figures.totals.earlier}
                            through={shown.figures.through} />
          <ComparisonChart t={t} kind={period.kind} unit={shown.figures.unit} names={names}
                           current={shown.figures.bars.current} earlier={shown.figures.bars.earlier}
                           label={`${w.chart}: ${mediumName(t, medium)}, ${names[0]} / ${names[1]}`} />
          <p className="muted chart-key"><span className="swatch hatched" /> {w.hatched}</p>
          <BucketTable t={t} kind={period.kind} unit={shown.figures.unit} names={names}
                       current={shown.figures.bars.current} earlier={shown.figures.bars.earlier} />
        </>
      )}
    </section>
  );
}
