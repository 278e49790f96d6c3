// The recommendations part's own words. The API's titles, explanations and
// evidence labels are English; in German each finding's title is its
// kind's, and the English sentences are marked as English.
const de = {
  title: "Empfehlungen",
  explained: (from: string, to: string) =>
    `Was der stündliche Verbrauch ${from} bis ${to} an Einsparungen zeigt, geordnet nach dem Geld, das sie im Jahr sparen.`,
  none: "Keine Empfehlungen: die Regeln sehen hier nichts, was sich zu ändern lohnt.",
  findings: "Empfehlungen, nach Einsparung geordnet",
  priority: "Rang",
  perYear: "Im Jahr",
  energy: "Energie",
  money: "Kosten",
  co2: "CO₂",
  severities: { high: "hoch", medium: "mittel", low: "gering" } as Record<string, string>,
  kinds: {
    base_load: "Grundlast nachts und am Wochenende",
    plant_outside_occupancy: "Heizung oder Lüftung außerhalb der Nutzungszeit",
    peak_demand: "Lastspitzen über dem üblichen Niveau",
    load_shifting: "Last, die in günstigere Stunden wandern könnte",
    heating_above_limit: "Heizen an Tagen über der Heizgrenze",
    heating_windows_open: "Heizen bei offenen Fenstern",
  } as Record<string, string>,
  reasons: {
    no_data: "keine Daten",
    too_little_data: "zu wenig Daten",
    no_schedule: "keine Nutzungszeiten",
    no_temperature: "keine Außentemperatur",
    no_price_series: "kein stündlicher Preis",
    no_demand_charge: "kein Leistungspreis",
  } as Record<string, string>,
  evidence: (n: number) => `Belege (${n} ${n === 1 ? "Zeitraum" : "Zeiträume"})`,
  spans: "Zeiträume der Belege",
  openChart: "Im Verlauf öffnen",
  openChartOf: (label: string) => `Im Verlauf öffnen: ${label}`,
  chart: (label: string) => `Stündlicher Verbrauch um den Zeitraum: ${label}`,
  span: "Zeitraum des Belegs",
  hour: "Stunde",
  hourly: "Verbrauch je Stunde",
  asTable: "Stunden des Zeitraums als Tabelle",
  noMeter: "Für dieses Medium gibt es keinen Zähler.",
  notJudged: (rules: number, buildings: number) => `Nicht beurteilt: ${rules} Regeln in ${buildings} Gebäuden`,
};

type RecommendationWords = typeof de;

const en: RecommendationWords = {
  title: "Recommendations",
  explained: (from: string, to: string) =>
    `What the hourly consumption from ${from} to ${to} shows could be saved, ranked by the money it saves a year.`,
  none: "No recommendations: the rules see nothing here worth changing.",
  findings: "Recommendations, ranked by saving",
  priority: "Rank",
  perYear: "A year",
  energy: "Energy",
  money: "Cost",
  co2: "CO₂",
  severities: { high: "high", medium: "medium", low: "low" },
  kinds: {
    base_load: "Night and weekend base load",
    plant_outside_occupancy: "Heating or ventilation outside occupied hours",
    peak_demand: "Peak demand above the usual level",
    load_shifting: "Load that could move to cheaper hours",
    heating_above_limit: "Heating on days above the heating limit",
    heating_windows_open: "Heating with windows open",
  },
  reasons: {
    no_data: "no data",
    too_little_data: "too little data",
    no_schedule: "no occupancy schedule",
    no_temperature: "no outdoor temperature",
    no_price_series: "no hourly price",
    no_demand_charge: "no demand charge",
  },
  evidence: (n: number) => `Evidence (${n} ${n === 1 ? "span" : "spans"})`,
  spans: "The evidence's spans",
  openChart: "Open in the chart",
  openChartOf: (label: string) => `Open in the chart: ${label}`,
  chart: (label: string) => `Hourly consumption around the span: ${label}`,
  span: "The evidence's span",
  hour: "Hour",
  hourly: "Consumption per hour",
  asTable: "The span's hours as a table",
  noMeter: "There is no meter of this medium.",
  notJudged: (rules: number, buildings: number) => `Not judged: ${rules} rules in ${buildings} buildings`,
};

export const RECOMMENDATION_WORDS = { de, en };
