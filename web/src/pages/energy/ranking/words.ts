// The ranking by energy use intensity's own words.
const de = {
  title: "Energiekennwert",
  explained: (from: string, to: string, base: string) =>
    `Strom, Wärme und Gas je m² Bruttogrundfläche, ${from} bis ${to}, im Vergleich zu den zwölf Monaten davor. ` +
    `Die Heizung ist mit Heizgradtagen (Basis ${base}) witterungsbereinigt, beide Jahre auf dieselben Gradtage: ` +
    `die Änderung ist die des Gebäudes, nicht die des Winters. Rang 1 braucht am wenigsten; Gebäude ohne Fläche stehen am Ende.`,
  type: "Gebäudetyp",
  allTypes: "Alle Typen",
  ranking: "Rangliste",
  rank: "Rang",
  building: "Gebäude",
  normalised: "Bereinigt kWh/m²·a",
  raw: "Roh kWh/m²·a",
  change: "Änderung zum Vorjahr",
  againstType: "Im Vergleich zum Typ",
  notNormalised: "nicht bereinigt",
  notNormalisedReason: {
    no_heating_meter: "Kein Wärme- oder Gaszähler: nur der Strom, der nicht bereinigt wird.",
    no_weather_point: "Kein Außentemperatur-Datenpunkt in den Energie-Einstellungen des Gebäudes: keine Gradtage.",
    no_degree_days: "Keine Gradtage: zu wenige Tage mit Außentemperatur.",
    no_heating_signal: "Die Heizung folgt den Gradtagen nicht erkennbar.",
  } as Record<string, string>,
  changeRaw: "roh",
  incomplete: (share: string, hours: string) => `unvollständig: ${share} der Stunden bekannt, ${hours} ohne Messwerte`,
  incompleteBefore: (share: string, hours: string) =>
    `unvollständig: im Vorjahr ${share} der Stunden bekannt, ${hours} ohne Messwerte`,
  againstMedian: (change: string, median: string, buildings: number) =>
    `${change} zum Median ${median} (${buildings} Gebäude)`,
  onlyOfType: "einziges Gebäude dieses Typs",
  noArea: "keine Fläche",
};

type RankingWords = typeof de;

const en: RankingWords = {
  title: "Energy use intensity",
  explained: (from: string, to: string, base: string) =>
    `Electricity, heat and gas per m² of gross floor area, ${from} to ${to}, against the twelve months before. ` +
    `Heating is weather-normalised with heating degree days (base ${base}), both years to the same degree days: ` +
    `the change is the building's, not the winter's. Rank 1 uses least; buildings without a floor area come last.`,
  type: "Building type",
  allTypes: "All types",
  ranking: "Ranking",
  rank: "Rank",
  building: "Building",
  normalised: "Normalised kWh/m²·a",
  raw: "Raw kWh/m²·a",
  change: "Change on the year before",
  againstType: "Against its type",
  notNormalised: "not normalised",
  notNormalisedReason: {
    no_heating_meter: "No heat or gas meter: electricity only, which is not normalised.",
    no_weather_point: "No outdoor temperature point in the building's energy settings: no degree days.",
    no_degree_days: "No degree days: too few days of outdoor temperature.",
    no_heating_signal: "The heating does not follow the degree days recognisably.",
  },
  changeRaw: "raw",
  incomplete: (share: string, hours: string) => `incomplete: ${share} of the hours known, ${hours} without readings`,
  incompleteBefore: (share: string, hours: string) =>
    `incomplete: the year before has ${share} of its hours known, ${hours} without readings`,
  againstMedian: (change: string, median: string, buildings: number) =>
    `${change} vs. the median of ${median} (${buildings} buildings)`,
  onlyOfType: "the only building of its type",
  noArea: "no floor area",
};

export const RANKING_WORDS = { de, en };
