import { useEffect, useState } from "react";

import { session } from "../api/client";
import type { dictionary } from "../i18n";

interface Building {
  id: number;
  name: string;
  type: string;
  gross_floor_area_m2: number | null;
  year_built: number | null;
}

export function Buildings({ t }: { t: ReturnType<typeof dictionary> }) {
  const [buildings, setBuildings] = useState<Building[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    session
      .call<{ items: Building[] }>("/api/v1/buildings?limit=500")
      .then((page) => setBuildings(page.items))
      .catch((e: Error) => setError(e.message));
  }, []);

  if (error) return <p role="alert" className="error">{error}</p>;
  if (!buildings) return <p>{t.loading}</p>;
  return (
    <section aria-labelledby="buildings-title">
      <h2 id="buildings-title">{t.buildings}</h2>
      <table>
        <thead>
          <tr><th>{t.name}</th><th>{t.type}</th><th>{t.area}</th><th>{t.built}</th></tr>
        </thead>
        <tbody>
          {buildings.map((b) => (
            <tr key={b.id}>
              <td><a href={`#/buildings/${b.id}`}>{b.name}</a></td>
              <td>{b.type}</td>
              <td className="number">{b.gross_floor_area_m2?.toLocaleString() ?? "–"}</td>
              <td className="number">{b.year_built ?? "–"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
