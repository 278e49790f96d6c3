// The recommendations part of the energy page: every building the user sees
// judged together and ranked by the money each finding saves a year, or one
// building's findings; the rules not judged after them. One query per
// choice; each finding's evidence is charted when opened.
import { useEffect, useState } from "react";

import { localWords } from "../../../i18n";
import type { PartProps } from "../Energy";
import { BuildingPicker } from "../Pickers";
import { localeOf } from "../plot";
import { FindingItem } from "./FindingItem";
import { NotJudgedList } from "./NotJudgedList";
import { fetchRecommendations, type RecommendationsAnswer } from "./recommendations";
import { RECOMMENDATION_WORDS } from "./words";

export default function Recommendations({ t, buildings }: PartProps) {
  const w = localWords(t, RECOMMENDATION_WORDS);
  const [building, setBuilding] = useState<number | null>(null); // null: all
  const [answer, setAnswer] = useState<{ asked: number | null; found: RecommendationsAnswer } | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setError(null);
    fetchRecommendations(building)
      .then((found) => live && setAnswer({ asked: building, found }))
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [building]);

  const shown = answer?.asked === building ? answer.found : null;
  const name = (id: number) => buildings.find((b) => b.id === id)?.name ?? `#${id}`;
  const zone = (id: number) => buildings.find((b) => b.id === id)?.timezone ?? "UTC";
  const day = (iso: string) => new Date(iso).toLocaleDateString(localeOf(t.lang), { day: "numeric", month: "long", year: "numeric" });
  return (
    <section aria-labelledby="recommendations-title" className="recommendations" data-shown={shown ? building ?? "all" : undefined}>
      <h2 id="recommendations-title">{w.title}</h2>
      {shown && <p className="muted">{w.explained(day(shown.from), day(shown.to))}</p>}
      <div className="filters">
        <BuildingPicker t={t} buildings={buildings} value={building} onChange={setBuilding} all />
      </div>
      {error && <p role="alert" className="error">{error}</p>}
      {!shown ? (
        !error && <p>{t.loading}</p>
      ) : (
        <>
          {shown.findings.length === 0 ? (
            <p>{w.none}</p>
          ) : (
            <ol className="findings" aria-label={w.findings}>
              {shown.findings.map((f) => (
                <FindingItem key={`${f.priority}`} t={t} finding={f} building={name(f.building_id)}
                             judged={shown.buildings.find((j) => j.building_id === f.building_id)} timeZone={zone(f.building_id)} />
              ))}
            </ol>
          )}
          <NotJudgedList t={t} judged={shown.buildings} name={name} />
        </>
      )}
    </section>
  );
}
