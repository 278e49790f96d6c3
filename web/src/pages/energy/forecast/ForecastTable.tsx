// The forecast's hours as numbers: the expected value and the band's edges
// of each hour on the building's clock, for reading them exactly and for
// those who do not see the chart.
import { localWords, type Words } from "../../../i18n";
import { localeOf } from "../plot";
import type { ForecastHour } from "./forecast";
import { FORECAST_WORDS } from "./words";

export function ForecastTable({ t, ahead, unit, timeZone }: { t: Words; ahead: ForecastHour[]; unit: string; timeZone: string }) {
  const w = localWords(t, FORECAST_WORDS);
  const locale = localeOf(t.lang);
  const figure = (v: number) => v.toLocaleString(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  return (
    <details className="bucket-table">
      <summary>{w.asTable}</summary>
      <div className="scroll" role="region" aria-label={w.asTable} tabIndex={0}>
        <table className="forecast-table">
          <thead>
            <tr>
              <th scope="col">{w.hour}</th>
              <th scope="col">{w.expected} ({unit})</th>
              <th scope="col">{w.lower} ({unit})</th>
              <th scope="col">{w.upper} ({unit})</th>
            </tr>
          </thead>
          <tbody>
            {ahead.map((h) => (
              <tr key={h.start} data-start={h.start}>
                <th scope="row">
                  {new Date(h.start).toLocaleString(locale, { timeZone, weekday: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })}
                </th>
                <td className="number">{figure(h.expected)}</td>
                <td className="number">{figure(h.lower)}</td>
                <td className="number">{figure(h.upper)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
