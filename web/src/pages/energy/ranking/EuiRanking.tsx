// The buildings ranked by energy use intensity as the benchmarks API ranks
// them (normalised, else raw; lowest first, those without a floor area
// last), each against its type's median, filtered by type if asked. Each
// row leads to its building.
import { useEffect, useMemo, useState } from "react";

import { buildingTypeName, localWords, type Words } from "../../../i18n";
import { fetchBenchmarks, rankedEui, type Benchmarks } from "./benchmarks";
import { RankingRow } from "./RankingRow";
import { RANKING_WORDS } from "./words";

// The first and the last month of a period given as its first day and the
// day after it (YYYY-MM-DD): local months, named without a zone's shift.
function monthName(day: string, monthsOn: number, locale: string): string {
  const [year, month] = day.split("-").map(Number);
  return new Date(Date.UTC(year, month - 1 + monthsOn, 15))
    .toLocaleDateString(locale, { month: "long", year: "numeric", timeZone: "UTC" });
}

export function EuiRanking({ t }: { t: Words }) {
  const w = localWords(t, RANKING_WORDS);
  const [answer, setAnswer] = useState<Benchmarks | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [type, setType] = useState("");
  const locale = t.lang === "de" ? "de-DE" : "en-GB";

  useEffect(() => {
    let live = true;
    fetchBenchmarks()
      .then((a) => live && setAnswer(a))
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, []);

  const types = useMemo(
    () => [...new Set(answer?.buildings.map((b) => b.type))].sort((a, b) => buildingTypeName(t, a).localeCompare(buildingTypeName(t, b))),
    [answer, t],
  );
  const shown = answer?.buildings.filter((b) => !type || b.type === type) ?? [];
  const ranked = shown.filter((b) => rankedEui(b.current) !== null);

  return (
    <section aria-labelledby="eui-title" className="eui">
      <h2 id="eui-title">{w.title}</h2>
      {error && <p role="alert" className="error">{error}</p>}
      {!answer ? (
        !error && <p>{t.loading}</p>
      ) : (
        <>
          <p className="muted">
            {w.explained(monthName(answer.from, 0, locale), monthName(answer.to, -1, locale),
                         `${answer.heating_base_c.toLocaleString(locale)} °C`)}
          </p>
          <div className="filters">
            <label>
              {w.type}{" "}
              <select value={type} onChange={(e) => setType(e.target.value)}>
                <option value="">{w.allTypes}</option>
                {types.map((k) => <option key={k} value={k}>{buildingTypeName(t, k)}</option>)}
              </select>
            </label>
          </div>
          <div className="scroll" role="region" aria-label={w.ranking} tabIndex={0}>
            <table className="eui-ranking" data-type={type || undefined}>
              <thead>
                <tr>
                  <th scope="col">{w.rank}</th>
                  <th scope="col">{w.building}</th>
                  <th scope="col">{w.normalised}</th>
                  <th scope="col">{w.raw}</th>
                  <th scope="col">{w.change}</th>
                  <th scope="col">{w.againstType}</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((b) => {
                  const rank = ranked.indexOf(b);
                  return (
                    <RankingRow key={b.building_id} t={t} building={b} rank={rank < 0 ? null : rank + 1}
                                type={answer.types.find((k) => k.type === b.type)} />
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
