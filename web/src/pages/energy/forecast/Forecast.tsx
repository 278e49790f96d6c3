// The forecast part of the energy page: a building's medium over the next
// 72 hours after its last 48, with where the weather ahead comes from and
// how much of the last week corrected it. Two queries per choice (the
// forecast, then the hours before its first).
import { useEffect, useState } from "react";

import { localWords, mediumName } from "../../../i18n";
import type { Medium } from "../consumption";
import type { PartProps } from "../Energy";
import { formatAmount } from "../figures";
import { NotJudgedSaid } from "../NotJudgedSaid";
import { BuildingPicker, MediumPicker } from "../Pickers";
import { fetchForecast } from "./forecast";
import { ForecastChart } from "./ForecastChart";
import { ForecastTable } from "./ForecastTable";
import { FORECAST_WORDS } from "./words";

type Answer = Awaited<ReturnType<typeof fetchForecast>>;

export default function Forecast({ t, buildings }: PartProps) {
  const w = localWords(t, FORECAST_WORDS);
  const [building, setBuilding] = useState<number | null>(buildings[0]?.id ?? null);
  const [medium, setMedium] = useState<Medium>("electricity");
  const [answer, setAnswer] = useState<{ asked: string; forecast: Answer } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const asked = `${building}/${medium}`;

  useEffect(() => {
    if (building === null) return;
    let live = true;
    setError(null);
    fetchForecast(building, medium)
      .then((forecast) => live && setAnswer({ asked, forecast }))
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [asked]);

  const shown = answer?.asked === asked ? answer.forecast : null;
  const item = shown?.item;
  const name = buildings.find((b) => b.id === building)?.name ?? "";
  const subject = `${name}, ${mediumName(t, medium)}`;
  const ahead = item?.values ?? [];
  return (
    <section aria-labelledby="forecast-title" className="forecast" data-shown={shown ? asked : undefined} data-from={shown?.from}>
      <h2 id="forecast-title">{w.title}</h2>
      <p className="muted">{w.explained}</p>
      <div className="filters">
        <BuildingPicker t={t} buildings={buildings} value={building} onChange={setBuilding} />
        <MediumPicker t={t} value={medium} onChange={setMedium} />
      </div>
      {error && <p role="alert" className="error">{error}</p>}
      {!item ? (
        !error && <p>{t.loading}</p>
      ) : item.not_judged ? (
        <NotJudgedSaid t={t} item={item} medium={item.medium} part="forecast" none={w.none} />
      ) : (
        <>
          <p className="forecast-said">
            {w.total(formatAmount(t, ahead.reduce((sum, h) => sum + h.expected, 0), item.unit))}
          </p>
          <p className="muted" data-weather={item.weather}>
            {w.weather[item.weather ?? ""] ?? ""}{" "}
            {item.recent_readings ? w.recent(item.recent_readings) : w.baselineAlone}
          </p>
          <ForecastChart t={t} actual={shown.actual} ahead={ahead} unit={item.unit} timeZone={item.timezone} label={w.chart(subject)} />
          <ForecastTable t={t} ahead={ahead} unit={item.unit} timeZone={item.timezone} />
        </>
      )}
    </section>
  );
}
