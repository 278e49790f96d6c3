// The forecast part's own words.
const de = {
  title: "Prognose der nächsten 72 Stunden",
  explained:
    "Das Basismodell des letzten Jahres für Wetter und Wochenstunde, korrigiert um die Abweichungen der letzten Woche; das Band enthält 80 % der bisherigen Prognosefehler (10–90 %).",
  none: (reason: string) => `Keine Prognose: ${reason}`,
  weather: {
    forecast: "Das Wetter voraus: die eigenen Prognosewerte des Außentemperatur-Datenpunkts.",
    recent_profile: "Das Wetter voraus: keine Wetterprognose vorhanden, jede Stunde mit dem Mittel derselben Stunde der letzten Woche.",
  } as Record<string, string>,
  recent: (hours: number) => `Korrigiert mit ${hours} Stunden Messwerten der letzten Woche.`,
  baselineAlone: "Keine Messwerte in der letzten Woche: die Prognose ist das Basismodell allein.",
  total: (amount: string) => `Erwartet in den nächsten 72 Stunden: ${amount}.`,
  actual: "Ist",
  expected: "Prognose",
  lower: "10 %",
  upper: "90 %",
  band: "Band 10–90 %",
  hour: "Stunde",
  chart: (subject: string) => `Verbrauch der letzten 48 Stunden und Prognose der nächsten 72 Stunden mit Band: ${subject}`,
  asTable: "Prognose als Tabelle",
};

type ForecastWords = typeof de;

const en: ForecastWords = {
  title: "Forecast of the next 72 hours",
  explained:
    "The last year's baseline model of weather and hour of the week, corrected by the last week's deviations; the band holds 80 % of past forecast errors (10–90 %).",
  none: (reason: string) => `No forecast: ${reason}`,
  weather: {
    forecast: "The weather ahead: the outdoor temperature point's own forecast values.",
    recent_profile: "The weather ahead: no weather forecast, so each hour takes the last week's mean at that hour.",
  },
  recent: (hours: number) => `Corrected with ${hours} hours of readings from the last week.`,
  baselineAlone: "No readings in the last week: the forecast is the baseline model alone.",
  total: (amount: string) => `Expected in the next 72 hours: ${amount}.`,
  actual: "Actual",
  expected: "Forecast",
  lower: "10 %",
  upper: "90 %",
  band: "Band 10–90 %",
  hour: "Hour",
  chart: (subject: string) => `Consumption of the last 48 hours and forecast of the next 72 hours with its band: ${subject}`,
  asTable: "The forecast as a table",
};

export const FORECAST_WORDS = { de, en };
