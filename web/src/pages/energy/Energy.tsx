// The energy page: consumption compared with a year earlier, and the
// buildings ranked by energy use intensity. Loaded when first opened (it
// is not the page most visits start on); the buildings are asked for once
// and shared by both parts.
import { useEffect, useState } from "react";

import type { Words } from "../../i18n";
import { fetchBuildings, type EnergyBuilding } from "./buildings";
import { Comparison } from "./Comparison";
import { EuiRanking } from "./EuiRanking";

export default function Energy({ t }: { t: Words }) {
  const [buildings, setBuildings] = useState<EnergyBuilding[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    fetchBuildings()
      .then(setBuildings)
      .catch((e: Error) => setError(e.message));
  }, []);

  return (
    <section aria-labelledby="energy-title" className="energy">
      <h1 id="energy-title">{t.energy}</h1>
      {error ? (
        <p role="alert" className="error">{error}</p>
      ) : !buildings ? (
        <p>{t.loading}</p>
      ) : (
        <>
          <Comparison t={t} buildings={buildings} />
          <EuiRanking t={t} buildings={buildings} />
        </>
      )}
    </section>
  );
}
