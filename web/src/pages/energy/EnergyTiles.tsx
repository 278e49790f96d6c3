// Today's and this month's energy of the whole portfolio, on the overview:
// one consumption query each for the tenant (by day, by month; the server
// takes the day and the month in the tenant's time zone), every medium at
// once. A figure some hour of which is unknown stays shown, marked
// incomplete: a number with a warning helps more than none.
import { useEffect, useState } from "react";

import { localWords, mediumName, type Words } from "../../i18n";
import { fetchConsumption, type Interval } from "./consumption";
import { formatCo2, formatEnergy, formatMoney, formatWater } from "./figures";
import { periodFigures, type Figure, type PeriodFigures } from "./periodFigures";

const WORDS = {
  de: {
    energy: "Energie",
    today: "Energie heute",
    month: "Energie diesen Monat",
    cost: "Kosten",
    co2: "CO₂",
    water: "Wasser",
    incomplete: "unvollständig",
    without: "ohne",
  },
  en: {
    energy: "Energy",
    today: "Energy today",
    month: "Energy this month",
    cost: "Cost",
    co2: "CO₂",
    water: "Water",
    incomplete: "incomplete",
    without: "without",
  },
};

const PERIODS: { key: "today" | "month"; interval: Interval }[] = [
  { key: "today", interval: "day" },
  { key: "month", interval: "month" },
];

export function EnergyTiles({ t }: { t: Words }) {
  const [figures, setFigures] = useState<PeriodFigures[] | null>(null);
  const w = localWords(t, WORDS);

  // The instant now and the millisecond after it: the server rounds them
  // out to the day and the month that hold now.
  useEffect(() => {
    let live = true;
    const now = Date.now();
    Promise.all(
      PERIODS.map((p) =>
        fetchConsumption({ scope: "tenant", from: new Date(now), to: new Date(now + 1), interval: p.interval }),
      ),
    )
      .then((answers) => live && setFigures(answers.map((a) => periodFigures(a))))
      .catch(() => live && setFigures(null));
    return () => {
      live = false;
    };
  }, []);

  // A tenant without meters has nothing to show here.
  if (!figures || figures.every((f) => !f.energy && !f.water)) return null;

  const shown = (f: Figure, text: string) => (
    <>
      {text}
      {f.incomplete && <small className="incomplete"> {w.incomplete}</small>}
    </>
  );
  // Inside a sentence: German nouns keep their capital, English ones do not.
  const inSentence = (m: string) => (t.lang === "en" ? mediumName(t, m).toLowerCase() : mediumName(t, m));
  const without = (media: string[]) =>
    media.length > 0 && <small className="muted"> ({w.without} {media.map(inSentence).join(", ")})</small>;

  return (
    <div className="tiles energy-tiles">
      {PERIODS.map((p, i) => {
        const f = figures[i];
        return (
          <div key={p.key} className="tile energy-tile" data-period={p.key} role="group" aria-labelledby={`energy-${p.key}`}>
            <span id={`energy-${p.key}`}>{w[p.key]}</span>
            <dl>
              {f.energy && (
                <div data-figure="energy"><dt>{w.energy}</dt><dd>{shown(f.energy, formatEnergy(t, f.energy.value))}</dd></div>
              )}
              {f.costs.map((c) => (
                <div key={c.currency} data-figure="cost" data-currency={c.currency}>
                  <dt>{w.cost}</dt><dd>{shown(c, formatMoney(t, c.value, c.currency))}{without(f.unpriced)}</dd>
                </div>
              ))}
              {f.co2 && (
                <div data-figure="co2"><dt>{w.co2}</dt><dd>{shown(f.co2, formatCo2(t, f.co2.value))}{without(f.uncounted)}</dd></div>
              )}
              {f.water && (
                <div data-figure="water"><dt>{w.water}</dt><dd>{shown(f.water, formatWater(t, f.water.value))}</dd></div>
              )}
            </dl>
          </div>
        );
      })}
    </div>
  );
}
