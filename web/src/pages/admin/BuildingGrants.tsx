// Which buildings a user or an API key is limited to: all of the tenant's
// (null, the server's "no limit") or a chosen few. A grant to all buildings
// also covers buildings made later, which a list of every id would not, so
// "all" is its own choice rather than every box ticked.
import { localWords, type Words } from "../../i18n";

export interface Building {
  id: number;
  name: string;
}

const WORDS = {
  de: { buildings: "Gebäude", all: "Alle Gebäude, auch künftige", none: "keine" },
  en: { buildings: "Buildings", all: "All buildings, including future ones", none: "none" },
};

export function BuildingGrants({ t, buildings, value, onChange }: {
  t: Words;
  buildings: Building[];
  value: number[] | null;
  onChange: (value: number[] | null) => void;
}) {
  const w = localWords(t, WORDS);
  const toggle = (id: number, on: boolean) =>
    onChange(on ? [...(value ?? []), id] : (value ?? []).filter((b) => b !== id));
  return (
    <fieldset className="grants">
      <legend>{w.buildings}</legend>
      <label>
        <input type="checkbox" checked={value === null} onChange={(e) => onChange(e.target.checked ? null : [])} />
        {w.all}
      </label>
      {value !== null &&
        buildings.map((b) => (
          <label key={b.id}>
            <input type="checkbox" checked={value.includes(b.id)} onChange={(e) => toggle(b.id, e.target.checked)} />
            {b.name}
          </label>
        ))}
    </fieldset>
  );
}

// The grant as a table shows it: "all", or the buildings' names.
export function grantText(t: Words, buildings: Building[], value: number[] | null, all: string): string {
  if (value === null) return all;
  if (value.length === 0) return localWords(t, WORDS).none;
  return value.map((id) => buildings.find((b) => b.id === id)?.name ?? `#${id}`).join(", ");
}
