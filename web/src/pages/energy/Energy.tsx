// The energy page: a tab per part — consumption (compared with a year
// earlier, and the buildings ranked by energy use intensity), budgets,
// savings against a baseline, the forecast and the recommendations. The
// route names the part (#/energy/budgets); each part but the first is
// loaded when first opened and asks for its data only then, so opening the
// page costs one part's queries. The buildings are asked for once and
// shared by every part.
import { lazy, Suspense, useEffect, useState, type ComponentType } from "react";

import { localWords, type Words } from "../../i18n";
import { fetchBuildings, type EnergyBuilding } from "./buildings";
import { Comparison } from "./Comparison";
import { EuiRanking } from "./ranking/EuiRanking";
import { ENERGY_WORDS } from "./words";

export interface PartProps {
  t: Words;
  buildings: EnergyBuilding[];
}

function Consumption({ t, buildings }: PartProps) {
  return (
    <>
      <Comparison t={t} buildings={buildings} />
      <EuiRanking t={t} />
    </>
  );
}

const PARTS: { path: string; label: "consumption" | "budgets" | "savings" | "forecast" | "recommendations"; page: ComponentType<PartProps> }[] = [
  { path: "", label: "consumption", page: Consumption },
  { path: "budgets", label: "budgets", page: lazy(() => import("./budgets/Budgets")) },
  { path: "savings", label: "savings", page: lazy(() => import("./savings/Savings")) },
  { path: "forecast", label: "forecast", page: lazy(() => import("./forecast/Forecast")) },
  { path: "recommendations", label: "recommendations", page: lazy(() => import("./recommendations/Recommendations")) },
];

export default function Energy({ t, part }: { t: Words; part: string }) {
  const w = localWords(t, ENERGY_WORDS);
  const [buildings, setBuildings] = useState<EnergyBuilding[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const current = PARTS.find((p) => p.path === part) ?? PARTS[0];
  const Part = current.page;

  useEffect(() => {
    fetchBuildings()
      .then(setBuildings)
      .catch((e: Error) => setError(e.message));
  }, []);

  return (
    <section aria-labelledby="energy-title" className="energy">
      <h1 id="energy-title">{t.energy}</h1>
      <nav className="tabs" aria-label={w.parts}>
        {PARTS.map((p) => (
          <a key={p.path} href={p.path ? `#/energy/${p.path}` : "#/energy"} aria-current={p === current ? "page" : undefined}>
            {w[p.label]}
          </a>
        ))}
      </nav>
      {error ? (
        <p role="alert" className="error">{error}</p>
      ) : !buildings ? (
        <p>{t.loading}</p>
      ) : (
        <Suspense fallback={<p>{t.loading}</p>}>
          <Part t={t} buildings={buildings} />
        </Suspense>
      )}
    </section>
  );
}
