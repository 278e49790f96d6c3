// The savings part's own words.
const de = {
  title: "Einsparungen gegenüber einer Basis",
  explained:
    "Ein Modell aus Wetter und Wochenstunde wird an den Basiszeitraum angepasst und sagt voraus, was das Gebäude im Berichtszeitraum verbraucht hätte (angepasste Basis); die Einsparung ist diese Vorhersage abzüglich des Ist.",
  baseline: "Basiszeitraum",
  reporting: "Berichtszeitraum",
  from: "Von (Monat)",
  to: "Bis (Monat)",
  show: "Berechnen",
  badMonth: "Bitte jeden Monat als JJJJ-MM angeben.",
  none: (reason: string) => `Keine Schätzung: ${reason}`,
  figures: "Einsparung",
  adjustedBaseline: "Angepasste Basis",
  actual: "Ist",
  avoided: "Einsparung",
  fraction: "Anteil der Basis",
  hours: "Stunden mit Werten",
  saved: (amount: string, fraction: string, confidence: string) =>
    `Eingespart: ${amount} (${fraction}) bei ${confidence} Vertrauen.`,
  withinUncertainty: (confidence: string) =>
    `Die Einsparung liegt innerhalb ihrer Unsicherheit: bei ${confidence} Vertrauen kann sie auch null sein.`,
  moreUsed: (amount: string, fraction: string, confidence: string) =>
    `Verbraucht wurde mehr, als die Basis vorhersagt: ${amount} (${fraction}) bei ${confidence} Vertrauen.`,
  fit: "Güte des Basismodells",
  cvrmse: "CV(RMSE)",
  nmbe: "NMBE",
  r2: "R²",
  parameters: "Parameter",
  meets: "Das Basismodell erfüllt ASHRAE Guideline 14 (CV(RMSE) ≤ 30 %, |NMBE| ≤ 10 %): die Einsparung ist belastbar.",
  fails: (why: string) =>
    `Das Basismodell erfüllt ASHRAE Guideline 14 nicht (CV(RMSE) ≤ 30 %, |NMBE| ≤ 10 %): ${why}. Die Einsparung ist mit Vorsicht zu lesen.`,
  cvrmseAbove: (v: string) => `CV(RMSE) ist ${v}`,
  nmbeAbove: (v: string) => `NMBE ist ${v}`,
  and: " und ",
  chart: (subject: string) => `Angepasste Basis und Ist je Monat: ${subject}`,
  month: "Monat",
  difference: "Einsparung",
  asTable: "Monate als Tabelle",
};

type SavingsWords = typeof de;

const en: SavingsWords = {
  title: "Savings against a baseline",
  explained:
    "A model of weather and hour of the week is fitted on the baseline period and predicts what the building would have used in the reporting period (the adjusted baseline); the savings are that prediction less the actual.",
  baseline: "Baseline period",
  reporting: "Reporting period",
  from: "From (month)",
  to: "To (month)",
  show: "Estimate",
  badMonth: "Please give each month as YYYY-MM.",
  none: (reason: string) => `No estimate: ${reason}`,
  figures: "Savings",
  adjustedBaseline: "Adjusted baseline",
  actual: "Actual",
  avoided: "Savings",
  fraction: "Share of the baseline",
  hours: "Hours with values",
  saved: (amount: string, fraction: string, confidence: string) =>
    `Saved: ${amount} (${fraction}) at ${confidence} confidence.`,
  withinUncertainty: (confidence: string) =>
    `The savings are within their uncertainty: at ${confidence} confidence they may be nothing.`,
  moreUsed: (amount: string, fraction: string, confidence: string) =>
    `More was used than the baseline predicts: ${amount} (${fraction}) at ${confidence} confidence.`,
  fit: "Fit of the baseline model",
  cvrmse: "CV(RMSE)",
  nmbe: "NMBE",
  r2: "R²",
  parameters: "Parameters",
  meets: "The baseline model meets ASHRAE Guideline 14 (CV(RMSE) ≤ 30 %, |NMBE| ≤ 10 %): the savings can be relied on.",
  fails: (why: string) =>
    `The baseline model does not meet ASHRAE Guideline 14 (CV(RMSE) ≤ 30 %, |NMBE| ≤ 10 %): ${why}. Read the savings with care.`,
  cvrmseAbove: (v: string) => `CV(RMSE) is ${v}`,
  nmbeAbove: (v: string) => `NMBE is ${v}`,
  and: " and ",
  chart: (subject: string) => `Adjusted baseline and actual by month: ${subject}`,
  month: "Month",
  difference: "Savings",
  asTable: "The months as a table",
};

export const SAVINGS_WORDS = { de, en };
