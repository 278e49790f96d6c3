// German and English. The browser's language decides at first; the choice
// the user makes is kept.

const de = {
  lang: "de" as Language,
  appName: "CityPulse",
  email: "E-Mail",
  password: "Passwort",
  signIn: "Anmelden",
  signOut: "Abmelden",
  signInFailed: "Anmeldung fehlgeschlagen",
  buildings: "Gebäude",
  name: "Name",
  type: "Typ",
  area: "Fläche (m²)",
  built: "Baujahr",
  loading: "Lädt …",
  theme: "Farbschema",
  language: "Sprache",
  points: "Datenpunkte",
  value: "Wert",
  age: "Alter",
  alarms: "Alarme",
  noAlarms: "Keine offenen Alarme.",
  severity: "Schwere",
  message: "Meldung",
  state: "Zustand",
  raised: "Ausgelöst",
  acknowledge: "Quittieren",
  shelve: "Zurückstellen",
  comment: "Kommentar",
  reason: "Grund",
  duration: "Dauer",
  cancel: "Abbrechen",
  actions: "Aktionen",
  minSeverity: "Ab Schwere",
  soundForCritical: "Ton bei kritischen Alarmen",
  spatialTree: "Geschosse, Räume und Anlagen",
  allPoints: "Alle Datenpunkte",
  equipment: "Anlagen",
  openAlarms: "Offene Alarme",
  unacknowledged: "Unquittiert",
  map: "Karte der Gebäude",
  chart: "Verlauf",
  range: "Zeitraum",
  day: "Tag",
  week: "Woche",
  month: "Monat",
  year: "Jahr",
  administration: "Verwaltung",
  alarmHistory: "Verlauf",
  zoom: "Zoom",
  zoomIn: "Vergrößern",
  zoomOut: "Verkleinern",
  resetZoom: "Zoom zurücksetzen",
  bucketOf: "Mittel je",
  compare: "Im Diagramm",
  quality: "Qualität",
  suspect: "verdächtig",
  good: "gut",
  trend: "24 h",
  users: "Benutzer und Rollen",
  apiKeys: "API-Schlüssel",
  auditLog: "Protokoll",
  energy: "Energie",
  schedules: "Zeitpläne",
  media: {
    electricity: "Strom",
    heat: "Wärme",
    gas: "Gas",
    water: "Wasser",
  } as Record<string, string>,
  buildingTypes: {
    town_hall: "Rathaus",
    office: "Verwaltung",
    primary_school: "Grundschule",
    secondary_school: "Weiterführende Schule",
    school: "Schule",
    kindergarten: "Kindergarten",
    sports_hall: "Sporthalle",
    swimming_pool: "Hallenbad",
    library: "Bibliothek",
    museum: "Museum",
    fire_station: "Feuerwache",
    depot: "Bauhof",
    community_centre: "Bürgerhaus",
    university: "Hochschule",
    laboratory: "Labor",
    hospital: "Krankenhaus",
    residential: "Wohngebäude",
    retail: "Handel",
    warehouse: "Lager",
    other: "Sonstige",
  } as Record<string, string>,
  severities: {
    critical: "kritisch",
    major: "hoch",
    minor: "mittel",
    warning: "Warnung",
    info: "Hinweis",
  } as Record<string, string>,
  states: {
    normal: "normal",
    active_unacknowledged: "aktiv, unquittiert",
    active_acknowledged: "aktiv, quittiert",
    returned_unacknowledged: "gegangen, unquittiert",
    shelved: "zurückgestellt",
    suppressed: "unterdrückt",
  } as Record<string, string>,
};

type Dictionary = typeof de;

const en: Dictionary = {
  lang: "en",
  appName: "CityPulse",
  email: "Email",
  password: "Password",
  signIn: "Sign in",
  signOut: "Sign out",
  signInFailed: "Sign-in failed",
  buildings: "Buildings",
  name: "Name",
  type: "Type",
  area: "Area (m²)",
  built: "Built",
  loading: "Loading …",
  theme: "Theme",
  language: "Language",
  points: "Points",
  value: "Value",
  age: "Age",
  alarms: "Alarms",
  noAlarms: "No open alarms.",
  severity: "Severity",
  message: "Message",
  state: "State",
  raised: "Raised",
  acknowledge: "Acknowledge",
  shelve: "Shelve",
  comment: "Comment",
  reason: "Reason",
  duration: "Duration",
  cancel: "Cancel",
  actions: "Actions",
  minSeverity: "From severity",
  soundForCritical: "Sound for critical alarms",
  spatialTree: "Floors, spaces and equipment",
  allPoints: "All points",
  equipment: "Equipment",
  openAlarms: "Open alarms",
  unacknowledged: "Unacknowledged",
  map: "Map of the buildings",
  chart: "History",
  range: "Range",
  day: "Day",
  week: "Week",
  month: "Month",
  year: "Year",
  administration: "Administration",
  alarmHistory: "History",
  zoom: "Zoom",
  zoomIn: "Zoom in",
  zoomOut: "Zoom out",
  resetZoom: "Reset zoom",
  bucketOf: "Average per",
  compare: "In the chart",
  quality: "Quality",
  suspect: "suspect",
  good: "good",
  trend: "24 h",
  users: "Users and roles",
  apiKeys: "API keys",
  auditLog: "Audit log",
  energy: "Energy",
  schedules: "Schedules",
  media: {
    electricity: "Electricity",
    heat: "Heat",
    gas: "Gas",
    water: "Water",
  },
  buildingTypes: {
    town_hall: "Town hall",
    office: "Office",
    primary_school: "Primary school",
    secondary_school: "Secondary school",
    school: "School",
    kindergarten: "Kindergarten",
    sports_hall: "Sports hall",
    swimming_pool: "Swimming pool",
    library: "Library",
    museum: "Museum",
    fire_station: "Fire station",
    depot: "Depot",
    community_centre: "Community centre",
    university: "University",
    laboratory: "Laboratory",
    hospital: "Hospital",
    residential: "Residential",
    retail: "Retail",
    warehouse: "Warehouse",
    other: "Other",
  },
  severities: {
    critical: "critical",
    major: "major",
    minor: "minor",
    warning: "warning",
    info: "info",
  },
  states: {
    normal: "normal",
    active_unacknowledged: "active unacknowledged",
    active_acknowledged: "active acknowledged",
    returned_unacknowledged: "returned unacknowledged",
    shelved: "shelved",
    suppressed: "suppressed",
  },
};

export type Language = "de" | "en";
const LANGUAGE_KEY = "citypulse.language";

export function initialLanguage(): Language {
  const kept = localStorage.getItem(LANGUAGE_KEY);
  if (kept === "de" || kept === "en") return kept;
  return navigator.language.toLowerCase().startsWith("de") ? "de" : "en";
}

export function keepLanguage(language: Language): void {
  localStorage.setItem(LANGUAGE_KEY, language);
  document.documentElement.lang = language;
}

export function dictionary(language: Language): Dictionary {
  return language === "de" ? de : en;
}

export type Words = Dictionary;

// A page's own words, beside the page: the same keys in both languages,
// picked by the dictionary's language.
export function localWords<T>(t: Dictionary, words: { de: T; en: NoInfer<T> }): T {
  return words[t.lang];
}

// A meter's medium as the API names it (electricity, heat, gas, water), in the user's words.
export function mediumName(t: Dictionary, medium: string): string {
  return t.media[medium] ?? medium;
}

// A building's type as the API names it (town_hall, primary_school, …; src/model/vocabulary.cpp), in the user's words.
export function buildingTypeName(t: Dictionary, type: string): string {
  return t.buildingTypes[type] ?? type.replaceAll("_", " ");
}

// An alarm's severity and state as the API names them, in the user's words.
export function severityName(t: Dictionary, severity: string): string {
  return t.severities[severity] ?? severity;
}
export function stateName(t: Dictionary, state: string): string {
  return t.states[state] ?? state.replaceAll("_", " ");
}
