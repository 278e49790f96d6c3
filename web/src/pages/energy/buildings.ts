// The buildings as the energy page needs them: to choose one, to name it,
// to divide its energy by its floor area, and to find its local months.
import { session } from "../../api/client";

export interface EnergyBuilding {
  id: number;
  name: string;
  gross_floor_area_m2: number | null;
  timezone: string; // IANA, e.g. Europe/Berlin
}

export async function fetchBuildings(): Promise<EnergyBuilding[]> {
  const page = await session.call<{ items: EnergyBuilding[] }>("/api/v1/buildings?limit=500");
  return page.items.slice().sort((a, b) => a.name.localeCompare(b.name));
}
