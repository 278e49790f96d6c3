// The choices the energy parts share: a building (or all, where a part can
// show all) and an energy medium — the media a baseline model and a
// forecast are fitted to (water is not energy).
import { localWords, mediumName, type Words } from "../../i18n";
import type { EnergyBuilding } from "./buildings";
import { ENERGY_MEDIA, type Medium } from "./consumption";
import { ENERGY_WORDS } from "./words";

interface BuildingProps {
  t: Words;
  buildings: EnergyBuilding[];
  value: number | null; // null: all
  onChange: (id: number | null) => void;
  all?: boolean; // offer "All buildings"
}

export function BuildingPicker({ t, buildings, value, onChange, all }: BuildingProps) {
  const w = localWords(t, ENERGY_WORDS);
  return (
    <label>
      {w.building}{" "}
      <select value={value ?? ""} onChange={(e) => onChange(e.target.value ? Number(e.target.value) : null)}>
        {all && <option value="">{w.allBuildings}</option>}
        {buildings.map((b) => <option key={b.id} value={b.id}>{b.name}</option>)}
      </select>
    </label>
  );
}

export function MediumPicker({ t, value, onChange }: { t: Words; value: Medium; onChange: (m: Medium) => void }) {
  const w = localWords(t, ENERGY_WORDS);
  return (
    <label>
      {w.medium}{" "}
      <select value={value} onChange={(e) => onChange(e.target.value as Medium)}>
        {ENERGY_MEDIA.map((m) => <option key={m} value={m}>{mediumName(t, m)}</option>)}
      </select>
    </label>
  );
}
