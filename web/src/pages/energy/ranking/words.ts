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
  noHeatingMeter: "Kein Wärme- oder Gaszähler: nur der Strom, der nicht bereinigt wird.",
  noDegreeDays: "Keine Gradtage: kein Außentemperatur-Datenpunkt oder zu wenige Tage mit Werten.",
  noHeatingSignal: "Die Heizung folgt den Gradtagen nicht erkennbar.",
  changeRaw: "roh",
  incomplete: (hours: string) => `unvollständig: ${hours} ohne Messwerte`,
  incompleteBefore: (hours: string) => `unvollständig: im Vorjahr ${hours} ohne Messwerte`,
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
  noHeatingMeter: "No heat or gas meter: electricity only, which is not normalised.",
  noDegreeDays: "No degree days: no outdoor temperature point, or too few days with values.",
  noHeatingSignal: "The heating does not follow the degree days recognisably.",
  changeRaw: "raw",
  incomplete: (hours: string) => `incomplete: ${hours} without readings`,
  incompleteBefore: (hours: string) => `incomplete: the year before has ${hours} without readings`,
  againstMedian: (change: string, median: string, buildings: number) =>
    `${change} vs. the median of ${median} (${buildings} buildings)`,
  onlyOfType: "the only building of its type",
  noArea: "no floor area",
};

export const RANKING_WORDS = { de, en };
