// BACnet/IP commissioning as the web UI does it (src/api/openapi.json):
// discovery (Who-Is, then each device's objects), the points, device and
// driver document made from what was found, and a device's driver status.

import { session } from "../../api/client";
import type { Device } from "./deviceApi";

export interface DiscoveredObject {
  object: string; // "analog-input:1"
  name: string;
  unit: string; // in the unit vocabulary ("°C"), "" when none or unknown
  writable: boolean;
}

export interface DiscoveredDevice {
  instance: number;
  address: string; // HOST:PORT[/NET:MAC], what the driver document's address takes
  name: string;
  max_apdu: number;
  vendor: number | string;
  objects: DiscoveredObject[];
  error?: string;
}

export interface DiscoverRequest {
  target: string;
  low?: number;
  high?: number;
  wait_ms?: number;
}

export interface DriverSettings {
  device_id: number;
  protocol: string;
  document: Record<string, unknown>;
  version: number;
  updated_at: string;
}

export type DriverState = "online" | "degraded" | "offline" | "not_running";

export interface DriverStatus {
  device_id: number;
  protocol: string;
  status: DriverState;
  configuration_error?: string;
  polled: boolean;
  since: string | null;
  last_poll_at: string | null;
  last_success_at: string | null;
  next_probe_at: string | null;
  consecutive_failures: number;
  last_error: string;
  polls: number;
  failed_polls: number;
  skipped_polls: number;
  readings: number;
  max_lateness_ms: number;
}

export interface PointRecord {
  id: number;
  building_id: number;
  name: string;
  kind: string;
  quantity: string;
  unit: string;
}

// The poll group every discovered point is read in: once a minute.
export const DEFAULT_GROUP = { name: "default", interval_ms: 60_000 };

export function discover(body: DiscoverRequest): Promise<{ devices: DiscoveredDevice[] }> {
  return session.call("/api/v1/drivers/bacnet/discover", { method: "POST", body: JSON.stringify(body) });
}

export function loadDriver(device: number): Promise<DriverSettings> {
  return session.call(`/api/v1/devices/${device}/driver`);
}

export function loadDriverStatus(device: number): Promise<DriverStatus> {
  return session.call(`/api/v1/devices/${device}/driver/status`);
}

// The object type of "analog-input:1".
function typeOf(object: string): string {
  return object.slice(0, object.lastIndexOf(":"));
}

// Which objects hold a point (analog, binary, multi-state); the device
// object, files, schedules ... do not.
export function isPointObject(object: string): boolean {
  return /^(analog|binary|multi-state)-(input|output|value)$/.test(typeOf(object));
}

// The point kind of an object: a binary or multi-state object is a status,
// an analog output or a writable analog value a setpoint, anything else read
// from the plant a sensor.
export function pointKind(o: DiscoveredObject): "sensor" | "setpoint" | "status" {
  const type = typeOf(o.object);
  if (type.startsWith("binary-") || type.startsWith("multi-state-")) return "status";
  if (type === "analog-output" || (type === "analog-value" && o.writable)) return "setpoint";
  return "sensor";
}

// The quantities each unit belongs to (src/model/vocabulary.cpp); "%" and
// "K" are decided below, from the object's name.
const QUANTITY_OF_UNIT: Record<string, string> = {
  "°C": "temperature", "°F": "temperature", K: "temperature",
  W: "power", kW: "power", MW: "power",
  Wh: "energy", kWh: "energy", MWh: "energy", J: "energy", kJ: "energy", MJ: "energy", GJ: "energy",
  "m³": "volume", l: "volume",
  "m³/h": "volume_flow", "l/s": "volume_flow", "l/min": "volume_flow",
  Pa: "pressure", kPa: "pressure", bar: "pressure", mbar: "pressure",
  ppm: "co2", ppb: "voc", lx: "illuminance", V: "voltage", A: "current", Hz: "frequency", "m/s": "speed",
  count: "occupancy",
};

// The quantity and unit a point of the object is created with: from the
// unit the device declares; a per cent is a humidity, a valve's or damper's
// position or else a ratio, by the object's name. A binary or multi-state
// object, or a unit outside the vocabulary, is a state without a unit.
export function pointQuantity(o: DiscoveredObject): { quantity: string; unit: string } {
  if (pointKind(o) === "status") return { quantity: "state", unit: "" };
  if (o.unit === "%") {
    if (/humid|feucht|\brh\b/i.test(o.name)) return { quantity: "humidity", unit: "%" };
    if (/valve|damper|position|ventil|klappe|stellung/i.test(o.name)) return { quantity: "position", unit: "%" };
    return { quantity: "ratio", unit: "%" };
  }
  if (o.unit === "K" && /diff|delta|spread|spreizung/i.test(o.name))
    return { quantity: "temperature_difference", unit: "K" };
  const quantity = QUANTITY_OF_UNIT[o.unit];
  return quantity ? { quantity, unit: o.unit } : { quantity: "state", unit: "" };
}

// What one click made, step by step, for the progress and the result.
export type Step =
  | { kind: "point"; object: string; done: number; total: number }
  | { kind: "device" }
  | { kind: "driver" };

export interface Commissioned {
  device: Device;
  points: { object: string; point: PointRecord }[];
  driver: DriverSettings;
}

// One discovered device commissioned: a point per chosen object, the
// bacnet_ip device with a channel per object feeding its point (serial: the
// device instance), then its driver document (the address found, one poll
// group of a minute, a binding per channel). Stops at the first refusal
// (thrown as the ApiError); what was made before it stays, and `made`
// reports it so the page can say so.
export async function commission(
  found: DiscoveredDevice,
  objects: DiscoveredObject[],
  building: number,
  progress: (step: Step) => void,
  made: (partial: Partial<Commissioned>) => void,
): Promise<Commissioned> {
  const points: Commissioned["points"] = [];
  for (const [i, o] of objects.entries()) {
    progress({ kind: "point", object: o.object, done: i, total: objects.length });
    const point = await session.call<PointRecord>("/api/v1/points", {
      method: "POST",
      body: JSON.stringify({
        building_id: building,
        name: o.name || `${found.name} ${o.object}`,
        kind: pointKind(o),
        ...pointQuantity(o),
      }),
    });
    points.push({ object: o.object, point });
    made({ points });
  }
  progress({ kind: "device" });
  const device = await session.call<Device>("/api/v1/devices", {
    method: "POST",
    body: JSON.stringify({
      building_id: building,
      name: found.name || `BACnet ${found.instance}`,
      protocol: "bacnet_ip",
      status: "active",
      serial: String(found.instance),
      channels: points.map((p) => ({ channel: p.object, point_id: p.point.id })),
    }),
  });
  made({ points, device });
  progress({ kind: "driver" });
  const driver = await session.call<DriverSettings>(`/api/v1/devices/${device.id}/driver`, {
    method: "PUT",
    body: JSON.stringify({
      address: found.address,
      device_instance: found.instance,
      groups: [DEFAULT_GROUP],
      points: points.map((p) => ({
        channel: p.object,
        object: p.object,
        property: "present-value",
        group: DEFAULT_GROUP.name,
      })),
    }),
  });
  return { device, points, driver };
}
