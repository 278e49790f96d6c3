// The buildings as the energy page needs them: to choose one, to name it,
// and to divide its energy by its floor area.
import { session } from "../../api/client";

export interface EnergyBuilding {
  id: number;
  name: string;
  gross_floor_area_m2: number | null;
}

export async function fetchBuildings(): Promise<EnergyBuilding[]> {
  const page = await session.call<{ items: EnergyBuilding[] }>("/api/v1/buildings?limit=500");
  return page.items.slice().sort((a, b) => a.name.localeCompare(b.name));
}
