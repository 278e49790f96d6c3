// The buildings ranked by energy use intensity over the last twelve whole
// months, with the twelve before for the change: one consumption query for
// the tenant by building and month. Each row leads to its building.
import { useEffect, useState } from "react";

import { localWords, type Words } from "../../i18n";
import type { EnergyBuilding } from "./buildings";
import { fetchConsumption } from "./consumption";
import { euiQueryRange, rankByEui, type EuiRanking as Ranking, type Intensity } from "./eui";
import { formatChange, formatEnergy } from "./figures";
import { ENERGY_WORDS } from "./words";

export function EuiRanking({ t, buildings }: { t: Words; buildings: EnergyBuilding[] }) {
  const w = localWords(t, ENERGY_WORDS);
  const [ranking, setRanking] = useState<Ranking | null>(null);
  const [error, setError] = useState<string | null>(null);
  const locale = t.lang === "de" ? "de-DE" : "en-GB";

  useEffect(() => {
    let live = true;
    const now = Date.now();
    fetchConsumption({ scope: "tenant", byBuilding: true, interval: "month", ...euiQueryRange(now) })
      .then((answer) => live && setRanking(rankByEui(buildings, answer, now)))
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [buildings]);

  const month = (iso: string, timeZone: string) =>
    new Date(iso).toLocaleDateString(locale, { month: "short", year: "numeric", timeZone });
  const intensity = (i: Intensity | null) =>
    i ? (
      <>
        {i.eui.toLocaleString(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 })}
        {i.incomplete && <small className="incomplete"> {w.incomplete}</small>}
      </>
    ) : "–";

  return (
    <section aria-labelledby="eui-title" className="eui">
      <h2 id="eui-title">{w.eui}</h2>
      {error && <p role="alert" className="error">{error}</p>}
      {!ranking ? (
        !error && <p>{t.loading}</p>
      ) : (
        <>
          {ranking.months && <p className="muted">{w.euiExplained(month(ranking.months.from, ranking.months.timezone), month(ranking.months.to, ranking.months.timezone))}</p>}
          <div className="scroll" role="region" aria-label={w.ranking} tabIndex={0}>
            <table className="eui-ranking">
              <thead>
                <tr>
                  <th scope="col">{w.rank}</th>
                  <th scope="col">{w.building}</th>
                  <th scope="col">{w.euiColumn}</th>
                  <th scope="col">{w.change}</th>
                  <th scope="col">{w.euiBefore}</th>
                  <th scope="col">{w.energy}</th>
                  <th scope="col">{w.area}</th>
                </tr>
              </thead>
              <tbody>
                {ranking.rows.map((r, i) => (
                  <tr key={r.building.id} data-building={r.building.id}>
                    <td className="number">{r.last ? i + 1 : "–"}</td>
                    <th scope="row"><a href={`#/buildings/${r.building.id}`}>{r.building.name}</a></th>
                    <td className="number" data-eui>{intensity(r.last)}</td>
                    <td className="number">
                      {r.last && r.before ? formatChange(t, r.last.eui, r.before.eui) : "–"}
                      {r.last && r.before && r.before.eui > 0 && (r.last.incomplete || r.before.incomplete) &&
                        <small className="incomplete"> {w.incomplete}</small>}
                    </td>
                    <td className="number">{intensity(r.before)}</td>
                    <td className="number">{r.energy === null ? "–" : formatEnergy(t, r.energy)}</td>
                    <td className="number">{r.building.gross_floor_area_m2?.toLocaleString(locale) ?? "–"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
